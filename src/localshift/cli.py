"""The localshift command line: `localshift serve` (the default) and `localshift --version`."""

from __future__ import annotations

import logging
import sys

import click

from localshift import __version__
from localshift.config import load_settings


@click.group(invoke_without_command=True)
@click.version_option(__version__, prog_name="localshift")
@click.pass_context
def main(ctx: click.Context) -> None:
    """A local, faithful Amazon Redshift snapshot service."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@click.option("--host", default=None, help="Address to listen on [LOCALSHIFT_HOST, default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [LOCALSHIFT_PORT, default 8439].")
@click.option("--data-dir", default=None, help="Where state lives [LOCALSHIFT_DATA_DIR].")
@click.option("--ephemeral", is_flag=True, default=None, help="Keep state in a temp dir removed at exit [LOCALSHIFT_EPHEMERAL].")
@click.option("--no-data-plane", "no_data_plane", is_flag=True, default=None,
              help="Control plane only: no PostgreSQL engines, sizes reported as zero [LOCALSHIFT_DATA_PLANE=false].")
@click.option("--log-level", default=None, help="debug, info, warning [LOCALSHIFT_LOG_LEVEL].")
def serve(host: str | None, port: int | None, data_dir: str | None, ephemeral: bool | None,
          no_data_plane: bool | None, log_level: str | None) -> None:
    """Start the service (the default command)."""
    import uvicorn

    from localshift.server.app import LocalshiftApp
    from localshift.server.runtime import Runtime

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
    try:
        runtime = Runtime(settings)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    uvicorn.run(
        LocalshiftApp(runtime),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        # h11 rather than httptools: httptools refuses requests with non-ASCII header
        # bytes before the app sees them, with a plain-text 400 instead of an AWS error.
        http="h11",
        lifespan="on",
    )
