"""The wire front's side of a temporary-credential login (``IAM:``, ``IAMA:``, ``IAMR:`` names;
temporary_login.py says what is checked and why): the md5 exchange with the client, on the
front's own salt, and then with the engine, answered with the verifier of the credential's role.

The client sends its PasswordMessage within ``startup_timeout`` or is dropped.  A refused login
gets the refusal's message; an admitted one starts the session as the credential's role, which
the client is attached to once the engine has let that role in.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

from .credentials import md5_answer
from .temporary_login import Admission, LoginRefused, TemporaryLogins
from .wire_messages import (AUTH_MD5, AUTH_OK, MAX_STARTUP, PASSWORD_MESSAGE, error_response,
                            md5_password_request, password_message, password_of, rewrite_startup,
                            startup_database, startup_user)

if TYPE_CHECKING:
    from .front_client import ClientSide
    from .front_engine import EngineSide


def take_password(client: "ClientSide", password: asyncio.Future[bytes]) -> None:
    """The client's PasswordMessage, once whole, to the login awaiting it (``password``)."""
    buf = client.buf
    if len(buf) < 5:
        return
    n = int.from_bytes(buf[1:5], "big")
    if buf[0] != PASSWORD_MESSAGE or n < 4 or n > MAX_STARTUP:
        client.transport.close()
        return
    if len(buf) >= n + 1 and not password.done():
        password.set_result(bytes(buf[:n + 1]))
        del buf[:n + 1]


async def log_in(client: "ClientSide", logins: TemporaryLogins, packet: bytes) -> None:
    """Authenticate a temporary credential here (md5, our own salt), then start the session
    as the credential's role (``logins``: the front's, who check it)."""
    front = client.front
    loop = asyncio.get_running_loop()
    salt = os.urandom(4)
    client.password = loop.create_future()
    client.transport.write(md5_password_request(salt))
    try:
        message = await asyncio.wait_for(client.password, front.startup_timeout)
    except asyncio.TimeoutError:
        client.transport.abort()
        return
    finally:
        client.password = None
    user = startup_user(packet)
    await front.starts.wait(client.listener.socket_path)  # admitting reads the engine
    try:
        client.admission = admission = await front.workers.run(
            client.listener.socket_path, logins.admit, client.listener.socket_path, user, startup_database(packet),
            salt, password_of(message))
    except LoginRefused as refused:
        if not client.transport.is_closing():
            _refuse(client, refused.message)
        return
    if client.transport.is_closing():
        release(client)
        return
    await client.connect(rewrite_startup(packet, admission.db_user))


def release(client: "ClientSide") -> None:
    """The login's session ended (or never started): its groups may be left (on a thread)."""
    admission, client.admission = client.admission, None
    logins = client.front.logins  # an admission comes from them
    if admission is not None and admission.joined and logins is not None:
        client.front.workers.run(admission.socket_path, logins.release, admission)


def answer_engine(engine: "EngineSide", admission: Admission, msg: bytes) -> bool:
    """The engine's Authentication message ``msg`` for a temporary credential's session (let in
    as ``admission``): answer its md5 challenge with the role's verifier.  True when ``msg`` is
    for the client (AuthenticationOk, after which the client is attached)."""
    client = engine.client
    code = int.from_bytes(msg[5:9], "big")
    if code == AUTH_MD5:
        engine.transport.write(password_message(md5_answer(admission.verifier, msg[9:13])))
        return False
    if code != AUTH_OK:
        _refuse(client, error_response("28000", "the engine asked for an authentication "
                                                "temporary credentials cannot give"))
        engine.transport.close()
        return False
    client.attach(engine.transport, engine.session)
    return True


def _refuse(client: "ClientSide", message: bytes) -> None:
    client.transport.write(message)
    client.transport.close()
