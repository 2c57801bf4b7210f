"""A thin PostgreSQL-wire front that makes AWS's ``redshift_connector`` work.

Each cluster's public ``127.0.0.1:<port>`` is served here; the engine itself
only listens on a Unix socket.  Until the session is established the front
understands the protocol, afterwards it only copies bytes:

* SSLRequest / GSSENCRequest are answered ``N`` (no TLS: the pip build of
  PostgreSQL has no OpenSSL).  ``redshift_connector`` therefore needs
  ``ssl=False``; with its default ``ssl=True`` it fails "Server refuses SSL".
* The startup packet keeps only standard parameters.  redshift_connector also
  sends ``client_protocol_version``, ``driver_version``, ``os_version``,
  ``driver_discovery_version``... which PostgreSQL rejects with FATAL 42704
  "unrecognized configuration parameter".
* The ``server_version`` ParameterStatus is trimmed to its numbers (a
  distribution suffix like ``15.18 (Debian ...)`` makes the driver raise
  InvalidVersion).
* CancelRequests are forwarded to the engine unchanged.
* After the startup packet, every message goes through the connection's
  ``SqlSession`` (redshift_sql/session.py): Redshift SQL in Query and Parse
  messages is translated, and completed statements go to the query recorder.

All fronts of a DataPlane run on one asyncio loop in one daemon thread.  The
data path uses bare ``asyncio.Protocol`` callbacks (no coroutine per read)
with back-pressure through pause/resume_reading.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from pathlib import Path

from .errors import DataPlaneError
from .redshift_sql.history import QueryRecorder
from .redshift_sql.session import SqlSession

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
MAX_STARTUP = 10000

# Startup parameters PostgreSQL understands and clients legitimately send.
ALLOWED_PARAMS = {
    "user", "database", "options", "application_name", "fallback_application_name",
    "client_encoding", "datestyle", "timezone", "extra_float_digits", "search_path",
    "intervalstyle", "standard_conforming_strings", "lc_messages", "geqo",
}


def rewrite_startup(packet: bytes) -> bytes:
    """Drop non-standard parameters from a StartupMessage (``_pq_.`` protocol
    options are kept)."""
    fields = packet[8:].split(b"\0")
    kept = []
    for k, v in zip(fields[0::2], fields[1::2]):
        if not k:
            break
        name = k.decode("utf-8", "replace").lower()
        if name in ALLOWED_PARAMS or name.startswith("_pq_."):
            kept += [k, v]
    body = packet[4:8] + b"".join(x + b"\0" for x in kept) + b"\0"
    return (len(body) + 4).to_bytes(4, "big") + body


_VERSION = re.compile(rb"\d+(?:\.\d+)*")


def parameter_status(name: bytes, value: bytes) -> bytes:
    body = name + b"\0" + value + b"\0"
    return b"S" + (len(body) + 4).to_bytes(4, "big") + body


# Redshift announces which SHOW metadata commands it runs; redshift_connector
# then reads its metadata with SHOW DATABASES / SCHEMAS / TABLES / COLUMNS ...
# FROM DATABASE (version 5) instead of its own catalog queries.
SHOW_DISCOVERY = parameter_status(b"show_discovery", b"5")


def rewrite_parameter_status(msg: bytes) -> bytes:
    name, _, rest = msg[5:].partition(b"\0")
    if name != b"server_version":
        return msg
    value = rest.split(b"\0", 1)[0]
    m = _VERSION.match(value.strip())
    if not m or m.group(0) == value:
        return msg
    return parameter_status(name, m.group(0))


def error_response(code: str, message: str) -> bytes:
    body = b"".join(f"{k}{v}".encode() + b"\0" for k, v in
                    (("S", "FATAL"), ("V", "FATAL"), ("C", code), ("M", message))) + b"\0"
    return b"E" + (len(body) + 4).to_bytes(4, "big") + body


class _Listener:
    def __init__(self, socket_path: Path, recorder: QueryRecorder | None) -> None:
        self.socket_path = str(socket_path)
        self.recorder = recorder
        self.server: asyncio.base_events.Server | None = None
        self.conns: set[_ClientSide] = set()


class _ClientSide(asyncio.Protocol):
    """The TCP client of a front."""

    def __init__(self, listener: _Listener) -> None:
        self.listener = listener
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.engine: asyncio.Transport | None = None
        self.connecting = False
        self.session: SqlSession | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.listener.conns.add(self)

    def data_received(self, data: bytes) -> None:
        if self.engine is not None:
            self.engine.write(self.session.from_client(data))
            return
        self.buf += data
        if not self.connecting:
            self._startup()

    def _startup(self) -> None:
        buf = self.buf
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
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                self.transport.write(b"N")
                continue
            if code == CANCEL_REQUEST:
                asyncio.get_running_loop().create_task(self._cancel(packet))
                self.transport.close()
                return
            self.connecting = True
            self.session = SqlSession.from_startup(packet, self.listener.recorder,
                                                   self.listener.socket_path)
            asyncio.get_running_loop().create_task(self._connect(rewrite_startup(packet)))
            return

    async def _cancel(self, packet: bytes) -> None:
        try:
            _, w = await asyncio.open_unix_connection(self.listener.socket_path)
            w.write(packet)
            await w.drain()
            w.close()
        except OSError:
            pass

    async def _connect(self, startup: bytes) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_unix_connection(
                lambda: _EngineSide(self), self.listener.socket_path)
        except OSError:
            if not self.transport.is_closing():
                self.transport.write(error_response("57P03", "the cluster is not available"))
                self.transport.close()
            return
        if self.transport.is_closing():
            transport.close()
            return
        transport.write(startup)
        if self.buf:
            transport.write(self.session.from_client(bytes(self.buf)))
            self.buf.clear()
        self.engine = transport

    def connection_lost(self, exc) -> None:
        self.listener.conns.discard(self)
        if self.engine is not None:
            self.engine.close()

    def pause_writing(self) -> None:
        if self.engine is not None:
            self.engine.pause_reading()

    def resume_writing(self) -> None:
        if self.engine is not None:
            self.engine.resume_reading()

    def abort(self) -> None:
        if self.engine is not None:
            self.engine.abort()
        if self.transport is not None:
            self.transport.abort()


class _EngineSide(asyncio.Protocol):
    """The front's connection to the engine's Unix socket."""

    def __init__(self, client: _ClientSide) -> None:
        self.client = client
        self.buf = bytearray()
        self.handshake = True  # parse messages until the first ReadyForQuery
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        out = self.client.transport
        session = self.client.session
        if not self.handshake:
            out.write(session.from_engine(data))
            return
        buf = self.buf
        buf += data
        chunks = []
        while len(buf) >= 5:
            n = int.from_bytes(buf[1:5], "big")
            if len(buf) < n + 1:
                break
            typ = buf[0]
            msg = bytes(buf[:n + 1])
            del buf[:n + 1]
            if typ == 0x53:  # 'S' ParameterStatus
                msg = rewrite_parameter_status(msg)
            elif typ == 0x4B:  # 'K' BackendKeyData: the engine's pid
                session.backend_key(int.from_bytes(msg[5:9], "big"))
            if typ == 0x5A:  # 'Z' ReadyForQuery: announce SHOW support first (see SHOW_DISCOVERY)
                chunks.append(SHOW_DISCOVERY)
            chunks.append(msg)
            if typ == 0x5A:  # 'Z' ReadyForQuery: session established, pipe from now on
                self.handshake = False
                chunks.append(session.from_engine(bytes(buf)))
                buf.clear()
                break
        if chunks:
            out.write(b"".join(chunks))

    def connection_lost(self, exc) -> None:
        self.client.transport.close()

    def pause_writing(self) -> None:
        self.client.transport.pause_reading()

    def resume_writing(self) -> None:
        self.client.transport.resume_reading()


class WireFront:
    """All fronts of one DataPlane: one event loop in one daemon thread."""

    def __init__(self, recorder: QueryRecorder | None = None) -> None:
        self.recorder = recorder
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: dict[int, _Listener] = {}
        self._lock = threading.Lock()

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

    def serve(self, port: int, socket_path: Path) -> None:
        """Listen on 127.0.0.1:port and forward to the engine at ``socket_path``."""
        existing = self._listeners.get(port)
        if existing is not None:
            if existing.socket_path != str(socket_path):
                raise DataPlaneError(f"port {port} is already served for another cluster")
            return
        listener = _Listener(socket_path, self.recorder)

        async def start():
            loop = asyncio.get_running_loop()
            listener.server = await loop.create_server(
                lambda: _ClientSide(listener), "127.0.0.1", port, reuse_address=True)

        try:
            self._call(start())
        except OSError as e:
            raise DataPlaneError(f"cannot listen on 127.0.0.1:{port}: {e}") from e
        self._listeners[port] = listener

    def is_serving(self, port: int) -> bool:
        return port in self._listeners

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
        if self.recorder is not None:
            self.recorder.flush()
