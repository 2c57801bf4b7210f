"""The wire front's TLS handshakes: after an SSLRequest answered ``S``, and direct TLS
(PostgreSQL 17+, libpq's ``sslnegotiation=direct``), whose ClientHello comes where the
startup packet would.

A direct TLS client must agree on ALPN ``postgresql`` (tls.py); PostgreSQL closes the
connection of one that did not without a word ("received direct SSL connection request without
ALPN protocol negotiation extension" goes to its log only), and so does the front.  A failed
handshake closes the connection and gives its slot back.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING

from .tls import speaks_postgresql

if TYPE_CHECKING:
    from .front_client import ClientSide

# The first byte of a TLS handshake record: no startup packet starts with it (its length
# would be hundreds of megabytes).
TLS_HANDSHAKE = 0x16


def start_tls(client: "ClientSide", tls: ssl.SSLContext, client_hello: bytes = b"") -> None:
    """Wrap the client's connection in TLS (``tls``: the front's context); ``client_hello``: what
    the client sent of its handshake already (direct TLS)."""
    # The client's handshake must reach the TLS layer, not the client's protocol.
    client.transport.pause_reading()
    client.handshaking = True
    asyncio.get_running_loop().create_task(_handshake(client, tls, client_hello))


async def _handshake(client: "ClientSide", tls: ssl.SSLContext, client_hello: bytes) -> None:
    raw, error = client.transport, None
    loop = asyncio.get_running_loop()
    handshake = loop.create_task(loop.start_tls(raw, client, tls, server_side=True,
                                                ssl_handshake_timeout=client.front.startup_timeout))
    try:
        if client_hello:
            await _replay(client_hello, raw, client, handshake)
        encrypted = await handshake
    except (OSError, ssl.SSLError, asyncio.TimeoutError) as e:
        encrypted, error = None, e
    if encrypted is None:  # failed, or the connection went during the handshake
        raw.abort()
        client.connection_lost(error)  # the TLS layer does not report it
        return
    # What the client sent right behind its handshake came in already (buffered).
    client.transport, client.encrypted, client.handshaking = encrypted, True, False
    if client_hello and not speaks_postgresql(encrypted.get_extra_info("ssl_object")):
        encrypted.close()
        return
    if client.buf:
        client.startup()


async def _replay(data: bytes, raw: asyncio.Transport, protocol: asyncio.Protocol,
                  handshake: asyncio.Task) -> None:
    """Give the TLS layer that ``handshake`` (a ``loop.start_tls`` of ``raw``) puts in place of
    ``protocol`` the bytes ``protocol`` read already.  start_tls swaps the protocols at its
    first step and resumes reading the socket from a callback it schedules then: this runs
    before that callback's reads, so the bytes keep their order."""
    while raw.get_protocol() is protocol and not handshake.done():
        await asyncio.sleep(0)
    tls_side = raw.get_protocol()
    if handshake.done() or not isinstance(tls_side, asyncio.BufferedProtocol):
        return  # start_tls failed before it took the connection: awaiting it says why
    view = memoryview(data)
    while view:
        buffer = memoryview(tls_side.get_buffer(len(view)))
        n = min(len(buffer), len(view))
        buffer[:n] = view[:n]
        tls_side.buffer_updated(n)
        view = view[n:]
