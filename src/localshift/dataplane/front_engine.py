"""The wire front's connection to an engine's Unix socket, for one client (wire_front.py).

Until the engine's first ReadyForQuery the front reads the engine's messages itself: it
rewrites ``server_version`` ParameterStatus messages for the client (wire_messages.py), takes
the backend's pid from BackendKeyData, answers the engine's challenge for a temporary
credential's session (front_login.py), and announces SHOW support before ReadyForQuery
(``SHOW_DISCOVERY``).  From then on the connection's SqlSession frames what the engine sends.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from .front_login import answer_engine
from .redshift_sql.session import SqlSession
from .wire_messages import AUTHENTICATION, SHOW_DISCOVERY, rewrite_parameter_status

if TYPE_CHECKING:
    from .front_client import ClientSide


class EngineSide(asyncio.Protocol):
    """The front's connection to the engine's Unix socket, for the client's ``session``."""

    transport: asyncio.Transport  # from connection_made on

    def __init__(self, client: "ClientSide", session: SqlSession) -> None:
        self.client = client
        self.session = session
        self.buf = bytearray()
        self.handshake = True  # parse messages until the first ReadyForQuery

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        out = self.client.transport
        session = self.session
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
                session.engine_parameter(msg)
                msg = rewrite_parameter_status(msg, self.client.redshift_driver)
            elif typ == 0x4B:  # 'K' BackendKeyData: the engine's pid
                session.backend_key(int.from_bytes(msg[5:9], "big"))
                self.client.front.history.session_started(self.client.listener.socket_path, session, self.client)
            elif (typ == AUTHENTICATION and self.client.admission is not None
                  and not answer_engine(self, self.client.admission, msg)):
                continue  # the front answered the engine's challenge itself
            if typ == 0x5A:  # 'Z' ReadyForQuery: announce SHOW support first (see SHOW_DISCOVERY)
                chunks.append(SHOW_DISCOVERY)
            chunks.append(msg)
            if typ == 0x5A:  # 'Z' ReadyForQuery: session established, the session frames the rest
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
