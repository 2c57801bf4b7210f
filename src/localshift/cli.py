"""The localshift command line: `localshift serve`, `status`, `reset`, `--version`; bare `localshift` prints help.

Settings that cannot be used (a bad option or LOCALSHIFT_* variable, a data dir that is
not writable or is in use, a port that cannot be listened on) end the command with one
line on stderr and exit status 1, never a traceback; so does a server that `status` or
`reset` cannot reach or that refuses them.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from typing import TYPE_CHECKING, Callable

import click

from localshift import __version__
from localshift.config import SettingsError, load_settings

if TYPE_CHECKING:
    from localshift.testing.process import LocalshiftServer


@click.group(invoke_without_command=True)
@click.version_option(__version__, prog_name="localshift")
@click.pass_context
def main(ctx: click.Context) -> None:
    """A local, faithful Amazon Redshift service. `localshift serve` starts it."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@main.command()
@click.option("--host", default=None, help="Address to listen on [LOCALSHIFT_HOST, default 127.0.0.1].")
@click.option("--port", default=None, metavar="PORT", help="Port to listen on, 1-65535 [LOCALSHIFT_PORT, default 8439].")
@click.option("--data-dir", default=None, help="Where state lives [LOCALSHIFT_DATA_DIR].")
@click.option("--ephemeral", is_flag=True, default=None, help="Keep state in a temp dir removed at exit [LOCALSHIFT_EPHEMERAL].")
@click.option("--no-data-plane", "no_data_plane", is_flag=True, default=None,
              help="Control plane only: no PostgreSQL engines, sizes reported as zero [LOCALSHIFT_DATA_PLANE=false].")
@click.option("--log-level", default=None, help="debug, info, warning, error, critical [LOCALSHIFT_LOG_LEVEL].")
def serve(host: str | None, port: str | None, data_dir: str | None, ephemeral: bool | None,
          no_data_plane: bool | None, log_level: str | None) -> None:
    """Start the service."""
    from localshift.server.app import LocalshiftApp
    from localshift.server.http import run_server
    from localshift.server.runtime import Runtime

    try:
        settings = load_settings({
            "host": host,
            "port": port,
            "data_dir": data_dir,
            "ephemeral": ephemeral,
            "data_plane": False if no_data_plane else None,
            "log_level": log_level,
        })
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
            stream=sys.stderr,
        )
        listener = _listen(settings.host, settings.port)
        try:
            runtime = Runtime(settings, _store_upgrade_progress())
        except SettingsError:
            listener.close()
            raise
    except SettingsError as error:
        click.echo(f"localshift: {error}", err=True)
        sys.exit(1)
    app = LocalshiftApp(runtime)
    run_server(app, app, listener)


def _listen(host: str, port: int) -> socket.socket:
    """The API's listening socket, bound here so that a busy port is one clear line."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise SettingsError(f"cannot listen on {host}: {error.strerror}") from None
    listener = socket.socket(family, kind)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError as error:
        listener.close()
        raise SettingsError(f"cannot listen on {host} port {port}: {error.strerror}") from None
    return listener


def _store_upgrade_progress() -> Callable[[int, int], None]:
    """How a data dir made by an earlier version shows its migration: a bar at a terminal, else log lines."""
    if sys.stderr.isatty():
        from rich.console import Console

        from localshift.terminal import MigrationProgress

        return MigrationProgress(Console(stderr=True))

    def log_step(done: int, total: int) -> None:
        logging.getLogger("localshift").info("migrating the store: step %d of %d done", done, total)

    return log_step


# --- commands against a running server -------------------------------------------------------

URL_VARIABLE = "LOCALSHIFT_URL"
url_option = click.option(
    "--url", default=None, metavar="URL",
    help=f"The server [{URL_VARIABLE}, else http://127.0.0.1 on LOCALSHIFT_PORT or 8439].",
)


def _server(url: str | None) -> LocalshiftServer:
    """The server at ``url`` (or the default), signing as the AWS_ACCESS_KEY_ID in the environment
    when there is one (a strict-mode server asks an admin's key); exits with one line if unreachable."""
    from localshift.testing.process import LocalshiftServer, ServerError

    if url is None:
        url = os.environ.get(URL_VARIABLE)
    if url is None:
        try:
            port = load_settings().port
        except SettingsError as error:
            click.echo(f"localshift: {error}", err=True)
            sys.exit(1)
        url = f"http://127.0.0.1:{port}"
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    try:
        return LocalshiftServer.attach(url, timeout=2, admin_key=(key, secret) if key and secret else None)
    except ServerError:
        click.echo(f"localshift: no localshift server answers at {url}", err=True)
        sys.exit(1)


def _refused(error: Exception) -> None:
    click.echo(f"localshift: {error}", err=True)
    sys.exit(1)


@main.command()
@url_option
@click.option("--json", "as_json", is_flag=True, help="Print the state document as JSON.")
@click.option("--follow", is_flag=True, help="Show the progress of work under way (snapshots, copies, restores) until it is done.")
def status(url: str | None, as_json: bool, follow: bool) -> None:
    """What a running server holds: accounts, resources, engines, disk used."""
    from localshift import terminal
    from localshift.testing.process import ServerError

    server = _server(url)
    try:
        if as_json:
            click.echo(json.dumps(server.state(), indent=2))
        elif follow:
            terminal.follow(terminal.make_console(), server.state)
        else:
            terminal.print_status(terminal.make_console(), server.state())
    except ServerError as error:
        _refused(error)


@main.command()
@url_option
@click.option("--account", "accounts", multiple=True, metavar="ACCOUNT",
              help="Remove this account's resources alone (repeatable); others keep theirs.")
def reset(url: str | None, accounts: tuple[str, ...]) -> None:
    """Remove every resource (clusters, engines, snapshots, ...) from a running server."""
    from localshift.testing.process import ServerError

    server = _server(url)
    try:
        server.reset(accounts or None)
    except ServerError as error:
        _refused(error)
    click.echo(f"reset {'accounts ' + ', '.join(accounts) if accounts else 'every account'} at {server.url}")

