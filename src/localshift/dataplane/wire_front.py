"""A thin PostgreSQL-wire front: the public TCP port of every cluster.

Each cluster's public ``127.0.0.1:<port>`` is served here; the engine itself
only listens on a Unix socket.  Until the session is established the front
understands the protocol, afterwards the connection's SQL session frames it:

* SSLRequest is answered ``S`` and the connection is wrapped in TLS (the data
  plane's own CA signs the certificate, tls.py), as Redshift does; the rest of
  the connection runs over that.  Bytes sent after the SSLRequest but before the
  handshake close the connection (PostgreSQL refuses them too: they were not
  encrypted).  A connection whose first byte opens a TLS handshake record is direct
  TLS, as PostgreSQL 17+ takes it (libpq's ``sslnegotiation=direct``): the handshake
  starts at once, and a client that does not agree on ALPN ``postgresql`` is closed
  (front_tls.py).  GSSENCRequest is answered ``N`` (no Kerberos).  On an engine whose
  require_ssl is true, a startup packet that did not come over TLS gets Redshift's
  FATAL 28000 "no pg_hba.conf entry ... SSL off".
* The startup packet keeps only standard parameters.  redshift_connector also
  sends ``client_protocol_version``, ``driver_version``, ``os_version``,
  ``driver_discovery_version``... which PostgreSQL rejects with FATAL 42704
  "unrecognized configuration parameter".
* A startup packet whose user or database name holds a control character is answered as
  one naming a user or database that does not exist, and never reaches the engine: its
  log line prefix would write the newline as it is (wire_messages.refused_startup).  So is one
  naming the engine's own databases (``postgres``, ``template0``, ``template1``), which a Redshift
  cluster has not, for every user, the master user too.
* A startup packet naming an internal role (``rdsdb``) gets PostgreSQL's own
  "password authentication failed" at once: only the service, on the engine's
  Unix socket, logs in as that role.
* The ``server_version`` ParameterStatus is Redshift's (8.0.2) for clients
  whose startup packet shows a Redshift driver, and the engine's numbers for
  the others (psql and PostgreSQL tools need 9.2 or later for their catalog
  queries; a distribution suffix like ``15.18 (Debian ...)`` makes
  redshift_connector raise InvalidVersion).  The engine's side of the
  connection is front_engine.py.
* CancelRequests are forwarded to the engine unchanged.
* Login names of temporary credentials (``IAM:``, ``IAMA:``, ``IAMR:``) are authenticated
  by the front itself against the credentials it holds, and the session then runs as the
  credential's role (front_login.py, temporary_login.py).
* After the startup packet, every message goes through the connection's
  ``SqlSession`` (redshift_sql/session.py): Redshift SQL in Query and Parse
  messages is translated, and completed statements go to the query recorder,
  which gives them their query ids (front_history.py).

Limits: a connection that sends no startup packet within ``startup_timeout``
seconds is dropped (Redshift drops them too); a port admits
``max_connections`` at once, the next gets FATAL 53300 once its startup packet
arrives; and all ports together never hold more than ``connection_budget``
connections (beyond it a connection is closed on arrival), so SQL clients can
never take the file descriptors the HTTP API needs; each engine is sure of a
share of the budget, so one account's clients cannot keep another account's
cluster from being reached (front_budget.py).

All fronts of a PostgresDataPlane run on one asyncio loop in one daemon thread.  The
data path uses bare ``asyncio.Protocol`` callbacks (no coroutine per read)
with back-pressure through pause/resume_reading.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import threading
from pathlib import Path
from typing import Callable

from .drop_guard import DropGuard
from .errors import DataPlaneError
from .front_budget import ConnectionBudget
from .front_client import ClientSide, Listener
from .front_history import FrontHistory
from .front_starts import EngineStarts
from .front_workers import EngineWorkers
from .redshift_sql.history import QueryRecorder
from .temporary_login import TemporaryLogins

# A port that cannot be had is replaced by any free one.
_PORT_UNAVAILABLE = (errno.EADDRINUSE, errno.EACCES)


class WireFront:
    """All fronts of one PostgresDataPlane: one event loop in one daemon thread.

    ``internal_roles``: user names (lowercase) refused at startup.  ``startup_timeout``:
    seconds a connection may take to send its startup packet (and its password, for a
    temporary credential).  ``max_connections``: per port.  ``connection_budget``: for all
    ports together.  ``recorder``: where completed statements go (the query history).
    ``tls``: the context SSLRequests are answered with (None: refused).  ``logins``: who
    checks temporary credentials (None: nobody; such login names then go to the engine like
    any other).  ``drops``: what keeps the recorder's connections out of an engine while a
    session drops one of its databases (None: nothing)."""

    def __init__(self, internal_roles: frozenset[str], startup_timeout: float, max_connections: int,
                 connection_budget: int, recorder: QueryRecorder | None = None,
                 tls: ssl.SSLContext | None = None, logins: TemporaryLogins | None = None,
                 drops: DropGuard | None = None) -> None:
        self.internal_roles = internal_roles
        self.drops = drops
        self.recorder = recorder
        self.workers = EngineWorkers()
        self.history = FrontHistory(recorder, self.workers)
        self.tls = tls
        self.logins = logins
        self.startup_timeout = startup_timeout
        self.max_connections = max_connections
        self.budget = ConnectionBudget(connection_budget)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: dict[int, Listener] = {}
        self._lock = threading.Lock()
        # Engines (by socket path) whose parameter group turns enable_case_sensitive_identifier on:
        # their sessions start case sensitive (a session's own SET still changes it).
        self.case_sensitive: set[str] = set()
        # Engines (by socket path) whose require_ssl is true: a startup packet sent in plain text is refused.
        self.ssl_required: set[str] = set()
        # Engines (by socket path) whose storage is past their quota: statements that store more are
        # refused (storage_quota.py, redshift_sql/storage_full.py).
        self.storage_full: set[str] = set()
        # Engines (by socket path) served before they start: their sessions wait for the start.
        self.starts = EngineStarts()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, name="localshift-wire-front",
                                                daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    def _call(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_loop()).result(timeout)

    def serve(self, preferred_port: int, socket_path: Path) -> int:
        """Listen on 127.0.0.1:``preferred_port`` (any free port when it is taken, or 0) and
        forward to the engine at ``socket_path``; the port now served.  Binding and holding
        are one step, so two clusters can never be handed the same port."""
        listener = Listener(self, socket_path)
        self.history.served(listener.socket_path)

        async def start(port: int) -> int:
            loop = asyncio.get_running_loop()
            listener.server = await loop.create_server(
                lambda: ClientSide(listener), "127.0.0.1", port, reuse_address=True)
            return listener.server.sockets[0].getsockname()[1]

        for candidate in dict.fromkeys((preferred_port, 0)):
            try:
                port = self._call(start(candidate))
                break
            except OSError as e:
                if candidate == 0 or e.errno not in _PORT_UNAVAILABLE:
                    raise DataPlaneError(f"cannot listen on 127.0.0.1:{candidate}: {e}") from e
        self._listeners[port] = listener
        return port

    def take_connection(self, socket_path: str) -> bool:
        """Count a connection for the engine at ``socket_path`` if the budget has room (front_budget.py)."""
        return self.budget.take(socket_path, [listener.socket_path for listener in list(self._listeners.values())])

    def activity(self, socket_path: str) -> tuple[int, bool]:
        """What the engine at ``socket_path`` was given to do: reads of its clients forwarded to it (a
        count that changes when it was sent anything), and whether a statement of one of its sessions
        is outstanding.  Read off the loop's thread, without waiting for it: a snapshot."""
        sent, busy = 0, False
        for listener in list(self._listeners.values()):
            if listener.socket_path != socket_path:
                continue
            sent += listener.sent
            try:
                conns = list(listener.conns)
            except RuntimeError:  # changed while copied: a session came or went, as busy
                busy = True
                continue
            busy = busy or any(conn.session is not None and conn.session.busy for conn in conns)
        return sent, busy

    def cancel_statements(self, socket_path: str, pids: list[int], cancel: Callable[[list[int]], object]) -> int:
        """Have ``cancel`` cancel the statements the backends ``pids`` of the engine at ``socket_path`` run
        (storage_quota.py), those of its sessions with a statement outstanding; how many.  Their
        sessions know the cancel is the quota's (their statements get Disk Full) and hold what their
        clients send until ``cancel`` returned (SqlSession.quota_cancel): a statement that ended
        meanwhile leaves the engine idle, where PostgreSQL drops a cancel, not running the client's
        next statement."""
        wanted = set(pids)

        async def hold() -> list[ClientSide]:
            return [conn for listener in self._listeners.values() if listener.socket_path == socket_path
                    for conn in listener.conns
                    if conn.session is not None and conn.session.pid in wanted and conn.session.quota_cancel()]

        async def go_on(held: list[ClientSide]) -> None:
            for conn in held:
                assert conn.session is not None
                data = conn.session.quota_cancel_sent()
                if data and conn.engine is not None and not conn.transport.is_closing():
                    conn.engine.write(data)

        held = self._call(hold())
        try:
            if held:
                cancel([conn.session.pid for conn in held if conn.session is not None])
        finally:
            self._call(go_on(held))
        return len(held)

    def close(self, port: int) -> None:
        """Stop listening on ``port`` and drop its connections."""
        listener = self._listeners.pop(port, None)
        if listener is None:
            return

        async def stop():
            listener.server.close()
            for conn in list(listener.conns):
                conn.abort()
            await listener.server.wait_closed()

        self._call(stop())

    def close_all(self) -> None:
        for port in list(self._listeners):
            self.close(port)
        self.starts.end_all()
        self.workers.shutdown()
        if self.recorder is not None:
            self.recorder.flush()
