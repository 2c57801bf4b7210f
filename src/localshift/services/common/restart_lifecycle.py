"""Serving an engine's port again when the service starts, and starting it in a job, for both services'
restart recovery."""

from __future__ import annotations

import logging
from typing import Callable

from localshift.dataplane.api import DataPlaneError
from localshift.services.common.backend import ServiceBackend

log = logging.getLogger("localshift.lifecycle")


def serve_again(backend: ServiceBackend, account: str, key: str, endpoint_port: int | None, port: int, resource: str,
                record_port: Callable[[int], object], start: Callable[[], object]) -> None:
    """At the service's start, before any request is answered: serve the port an engine served
    (``endpoint_port``, else its configured ``port``) again, while its engine starts later in a job
    (``dataplane.serve_engine``; ``start``, submitted here to ``account``'s workers), so that the
    endpoint a Describe names from the first answer on is the port served.  The port it had may be another process's by now:
    the engine then moves to a free one (``record_port`` keeps it), and a client never reaches
    someone else's engine on the old one.  An engine that cannot be served (its data gone) is left
    to the job, which fails it.

    Sessions opened meanwhile wait for the start.  However the job ends (the engine started, its
    start failed, or the job skipped it: its resource deleted or changed meanwhile), the start
    announced ends with it (``dataplane.end_start``), so they never wait for a start that will not
    come: they get in, or are refused as not available at once."""
    try:
        served = backend.dataplane.serve_engine(key, endpoint_port or port)
    except DataPlaneError as e:
        log.warning("%s not served again: %s", resource, e)
    else:
        if served != endpoint_port:
            record_port(served)
    backend.submit_for(account, _start_served, key, start)


def _start_served(backend: ServiceBackend, key: str, start: Callable[[], object]) -> None:
    try:
        start()
    finally:
        backend.dataplane.end_start(key)
