"""A client of a cluster's public port, from its first byte to its session (wire_front.py says
what the front does with each startup request; its listener is one port of the front)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from .drop_guard import guard_then_release
from .front_engine import EngineSide
from .front_login import log_in, release, take_password
from .front_tls import TLS_HANDSHAKE, start_tls
from .redshift_sql.session import SqlSession
from .temporary_login import Admission
from .wire_messages import (CANCEL_REQUEST, GSSENC_REQUEST, MAX_STARTUP, SSL_REQUEST, authentication_failed,
                            error_response, is_redshift_driver, refused_startup, rewrite_startup, ssl_required,
                            startup_database, startup_parameter, startup_user, too_many_connections)

if TYPE_CHECKING:
    from .wire_front import WireFront


class Listener:
    def __init__(self, front: "WireFront", socket_path: Path) -> None:
        self.front = front
        self.socket_path = str(socket_path)
        self.server: asyncio.base_events.Server | None = None
        self.conns: set[ClientSide] = set()
        self.admitted = 0
        self.sent = 0  # reads of its clients forwarded to the engine (WireFront.activity)


class ClientSide(asyncio.Protocol):
    """The TCP client of a front."""

    transport: asyncio.Transport  # from connection_made on
    timer: asyncio.TimerHandle  # the startup packet's deadline, once the connection is counted

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.front = listener.front
        self.buf = bytearray()
        self.engine: asyncio.Transport | None = None
        self.connecting = False
        self.admitted = False
        self.counted = False
        # A temporary-credential login: its PasswordMessage awaited, then what it was let in as.
        self.password: asyncio.Future[bytes] | None = None
        self.admission: Admission | None = None
        self.authenticating: asyncio.Transport | None = None  # its engine side, until let in
        self.session: SqlSession | None = None
        self.encrypted = False
        self.handshaking = False  # TLS handshake under way
        self.first_bytes = True  # nothing read yet: direct TLS may start
        self.redshift_driver = False
        self.application_name = ""  # the startup packet's (STL_CONNECTION_LOG)

    def connection_made(self, transport) -> None:
        self.transport = transport
        front, listener = self.front, self.listener
        if not front.take_connection(listener.socket_path):
            transport.abort()  # no descriptors to spare: not even an error message
            return
        self.counted = True
        listener.conns.add(self)
        if listener.admitted < front.max_connections:
            listener.admitted += 1
            self.admitted = True
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timer = asyncio.get_running_loop().call_later(front.startup_timeout, self._startup_timed_out)

    def _startup_timed_out(self) -> None:
        if not self.connecting:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        engine, session = self.engine, self.session
        if engine is not None and session is not None:  # attached: the session has started
            self.listener.sent += 1
            engine.write(session.from_client(data))
            return
        self.buf += data
        if self.password is not None:
            take_password(self, self.password)
        elif not self.connecting and not self.handshaking:
            self.startup()

    def _refuse(self, message: bytes) -> None:
        self.transport.write(message)
        self.transport.close()

    def startup(self) -> None:
        """Handle what the client sent before its session: requests and its startup packet."""
        buf = self.buf
        if self.first_bytes:
            self.first_bytes = False
            if buf[0] == TLS_HANDSHAKE and self.front.tls is not None:
                client_hello = bytes(buf)
                buf.clear()
                start_tls(self, self.front.tls, client_hello)
                return
        while len(buf) >= 8:
            n = int.from_bytes(buf[:4], "big")
            if n < 8 or n > MAX_STARTUP:
                self.transport.close()
                return
            if len(buf) < n:
                return
            code = int.from_bytes(buf[4:8], "big")
            packet = bytes(buf[:n])
            del buf[:n]
            if code == SSL_REQUEST and self.front.tls is not None and not self.encrypted:
                if buf:  # sent before our answer, so not encrypted: PostgreSQL refuses it too
                    self.transport.close()
                    return
                self.transport.write(b"S")
                start_tls(self, self.front.tls)
                return
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                self.transport.write(b"N")
                continue
            self.connecting = True
            self.timer.cancel()
            if code == CANCEL_REQUEST:
                asyncio.get_running_loop().create_task(self._cancel(packet))
                self.transport.close()
            elif not self.encrypted and self.listener.socket_path in self.front.ssl_required:
                host = (self.transport.get_extra_info("peername") or ("127.0.0.1",))[0]
                self._refuse(ssl_required(host, startup_user(packet), startup_database(packet)))
            elif not self.admitted:
                self._refuse(too_many_connections(self.front.max_connections))
            elif (refusal := refused_startup(packet)) is not None:
                self._refuse(refusal)
            elif startup_user(packet).lower() in self.front.internal_roles:
                self._refuse(authentication_failed(startup_user(packet)))
            elif self.front.logins is not None and self.front.logins.handles(startup_user(packet)):
                self.redshift_driver = is_redshift_driver(packet)
                asyncio.get_running_loop().create_task(log_in(self, self.front.logins, packet))
            else:
                self.redshift_driver = is_redshift_driver(packet)
                asyncio.get_running_loop().create_task(self.connect(rewrite_startup(packet)))
            return

    async def _cancel(self, packet: bytes) -> None:
        try:
            _, w = await asyncio.open_unix_connection(self.listener.socket_path)
            w.write(packet)
            await w.drain()
            w.close()
        except OSError:
            pass

    async def connect(self, startup: bytes) -> None:
        """Start the engine's session with ``startup`` (the user it names is the session's)."""
        await self.front.starts.wait(self.listener.socket_path)
        history = self.front.history
        await history.ids_ready(self.listener.socket_path)
        self.session = session = SqlSession.from_startup(startup, history.recorder, self.listener.socket_path)
        self.application_name = startup_parameter(startup, b"application_name")
        engine_path, full = str(self.listener.socket_path), self.front.storage_full
        session.case_sensitive = engine_path in self.front.case_sensitive
        session.storage_full = lambda: engine_path in full
        session.on_hold = lambda: history.write_then_release(self)
        if self.front.drops is not None:
            drops, engine_key = self.front.drops, self.listener.socket_path
            session.on_drop = lambda: guard_then_release(drops, self)
            session.on_drop_done = lambda: drops.end(engine_key)
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_unix_connection(
                lambda: EngineSide(self, session), self.listener.socket_path)
        except OSError:
            if not self.transport.is_closing():
                self._refuse(error_response("57P03", "the cluster is not available"))
            return
        if self.transport.is_closing():
            transport.close()
            return
        transport.write(startup)
        if self.admission is None:
            self.attach(transport, session)
        else:
            self.authenticating = transport  # attached once the engine has let the role in

    def attach(self, transport: asyncio.Transport, session: SqlSession) -> None:
        """Pipe the client to the engine through its ``session`` from now on, what it sent meanwhile first."""
        self.authenticating = None
        if self.buf:
            transport.write(session.from_client(bytes(self.buf)))
            self.buf.clear()
        self.engine = transport

    def connection_lost(self, exc) -> None:
        if self.counted:
            self.timer.cancel()
            self.front.budget.give_back(self.listener.socket_path)
            self.listener.conns.discard(self)
            self.listener.admitted -= self.admitted
            self.counted = False
        for engine in (self.engine, self.authenticating):
            if engine is not None:
                engine.close()
        if self.session is not None:
            self.session.ended()
            self.front.history.session_ended(self.listener.socket_path, self.session)
        release(self)

    def pause_writing(self) -> None:
        if self.engine is not None:
            self.engine.pause_reading()

    def resume_writing(self) -> None:
        if self.engine is not None:
            self.engine.resume_reading()

    def abort(self) -> None:
        if self.engine is not None:
            self.engine.abort()
        self.transport.abort()
