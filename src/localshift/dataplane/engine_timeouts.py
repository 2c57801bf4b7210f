"""How long the service waits on its own connections to an engine, and what it makes of an engine
that does not answer.

Every connection the service opens to an engine as the internal role (set-up, snapshots and
restores, table restores, password and parameter changes, the query-history writer, temporary
logins) is bounded by one number of seconds, the ``engine_timeout`` setting:

* connecting (libpq's ``connect_timeout``): a frozen postmaster accepts on its socket and never
  answers;
* waiting for a lock (``lock_timeout``): a user's session holding a lock the work needs, e.g. an
  open transaction that read a view the work replaces, ends the work with SQLSTATE 55P03 instead of
  making it wait for the session;
* one statement (``statement_timeout``): the engine cancels it, SQLSTATE 57014;
* one answer, measured by the service (each exchange with the server: a query and its results, a COPY
  buffer, a commit): a backend that is stopped (SIGSTOP), or stuck where even its
  own statement timeout cannot reach it, never answers.  A little after the statement timeout the
  service gives up the connection (``EngineNotAnswering``); the engine is then a failed node, which
  the data plane kills and starts again (engine_supervisor.py), as Redshift replaces a node that stops
  responding.

A statement that runs past the bound is an internal step gone wrong, not a long user query: the
service's steps are short (a checkpoint, a catalog change, one COPY buffer of a table restore).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Generator

import psycopg
from psycopg.waiting import Ready

from .errors import DataPlaneError

DEFAULT_ENGINE_TIMEOUT = 120.0
# How much longer than its statement timeout the service waits for an engine's answer: enough for
# the engine to cancel the statement and say so itself.
ANSWER_GRACE = 5.0
# libpq's connect_timeout is whole seconds, at least 2.
_SHORTEST_CONNECT = 2


class EngineNotAnswering(DataPlaneError, psycopg.OperationalError):
    """The engine did not answer one of the service's statements in time: it is hung.  Also a
    psycopg.OperationalError, so that what handles a connection lost (the query-history writer,
    temporary logins) handles this one the same."""


@dataclass(frozen=True)
class EngineTimeout:
    """The bound of the service's work on an engine, in seconds."""
    seconds: float = DEFAULT_ENGINE_TIMEOUT

    def __post_init__(self) -> None:
        if not (math.isfinite(self.seconds) and 1 <= self.seconds <= 3600):
            raise DataPlaneError(f"engine_timeout {self.seconds}: expected seconds in [1, 3600]")

    def settings(self) -> dict[str, str]:
        """The server side of the bound, for the internal role's startup options."""
        ms = str(int(self.seconds * 1000))
        return {"statement_timeout": ms, "lock_timeout": ms}

    def connect_timeout(self, at_most: float) -> int:
        """libpq's connect_timeout: the bound, or ``at_most`` when shorter."""
        return max(_SHORTEST_CONNECT, math.ceil(min(self.seconds, at_most)))

    @property
    def answer_seconds(self) -> float:
        return self.seconds + ANSWER_GRACE

    def connect(self, at_most: float, on_hang: Callable[[], None] | None = None,
                **params: Any) -> "BoundedConnection":
        """A connection (psycopg.connect's ``params``, without connect_timeout) whose every wait for the
        engine ends within the bound, connecting within ``at_most`` seconds too; ``on_hang`` is called
        when an answer does not come in time."""
        conn = BoundedConnection.connect(connect_timeout=self.connect_timeout(at_most), **params)
        conn.answer_seconds = self.answer_seconds
        conn.on_hang = on_hang
        return conn


class BoundedConnection(psycopg.Connection):
    """A connection that waits at most ``answer_seconds`` for each exchange with the server (a query and
    its results, a COPY buffer, a commit), then closes, calls ``on_hang`` and raises EngineNotAnswering."""

    answer_seconds: float | None = None
    on_hang: Callable[[], None] | None = None

    def wait(self, gen: Any, interval: float = 0.1, *args: Any, **kwargs: Any) -> Any:
        if self.answer_seconds is None:
            return super().wait(gen, interval, *args, **kwargs)
        try:
            return super().wait(_given_up_at(gen, time.monotonic() + self.answer_seconds), interval, *args, **kwargs)
        except _NoAnswer:
            self.pgconn.finish()
            if self.on_hang is not None:
                self.on_hang()
            raise EngineNotAnswering(f"the engine did not answer within {self.answer_seconds:g}s") from None


class _NoAnswer(Exception):
    pass


def _given_up_at(gen: Generator[Any, Any, Any], deadline: float) -> Generator[Any, Any, Any]:
    """psycopg's generator ``gen`` (what to wait for on the socket, and what came), given up at
    ``deadline``: psycopg's waiters send it ``Ready.NONE`` every interval in which nothing came."""
    try:
        state = next(gen)
        while True:
            ready = yield state
            if ready == Ready.NONE and time.monotonic() >= deadline:
                raise _NoAnswer
            state = gen.send(ready)
    except StopIteration as done:
        return done.value
