"""Temporary database credentials, and how the wire front checks them at login.

GetClusterCredentials, GetClusterCredentialsWithIAM and Redshift Serverless GetCredentials
hand out a login name and a password valid until an expiry; the Data API gives itself such
credentials too.  A credential (``TemporaryLogin``) is:

* the login name a client sends: ``IAM:alice``, ``IAMA:alice`` (AutoCreate), ``IAMR:role``;
* ``password_md5``: md5(password + login name) in hex, which is all the md5 challenge needs
  (the password itself is never kept);
* the engine role its sessions run as: ``alice`` for GetClusterCredentials(DbUser=alice), the
  login name itself (``IAM:alice``) for an IAM identity;
* its expiry, the database it may open (None: any), the groups its sessions join, and whether
  the role is created at login when missing (AutoCreate).

Several credentials can be valid at once for one login name; the password says which one a
login uses.  Expiry is checked at login against the clock the registry is given (the service
clock, so time travel applies); sessions already open go on, as on Redshift.

Credentials are kept per engine, by the path of its Unix socket (what the front of a port
knows), in memory: the service records the ones it hands out and gives them back after a
restart.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

# Login names the front authenticates itself, against temporary credentials (compared lowercase).
TEMPORARY_PREFIXES = ("iam:", "iama:", "iamr:")


def is_temporary_login(user: str) -> bool:
    return user.lower().startswith(TEMPORARY_PREFIXES)


def md5_hex(text: bytes) -> str:
    return hashlib.md5(text).hexdigest()


def password_md5(login_user: str, password: str) -> str:
    """What a credential keeps of its password: md5(password + login name), PostgreSQL's md5 verifier."""
    return md5_hex((password + login_user).encode())


def md5_answer(verifier: str, salt: bytes) -> bytes:
    """The client's answer to an md5 challenge with ``salt``, for the verifier md5(password + user)."""
    return b"md5" + md5_hex(verifier.encode() + salt).encode()


@dataclass(frozen=True)
class TemporaryLogin:
    login_user: str
    db_user: str
    password_md5: str
    expires_at: datetime
    db_name: str | None = None
    groups: tuple[str, ...] = ()
    auto_create: bool = False


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class LoginRegistry:
    """The valid temporary credentials of every engine, by the engine's socket path."""

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        self.clock = clock
        self._logins: dict[str, list[TemporaryLogin]] = {}
        self._lock = threading.Lock()

    def allow(self, socket_path: str, login: TemporaryLogin) -> None:
        with self._lock:
            now = self.clock()
            kept = [held for held in self._logins.get(socket_path, []) if held.expires_at > now]
            self._logins[socket_path] = [*kept, login]

    def forget(self, socket_path: str) -> None:
        """Drop every credential of an engine (it is gone)."""
        with self._lock:
            self._logins.pop(socket_path, None)

    def check(self, socket_path: str, login_user: str, salt: bytes, answer: bytes) -> TemporaryLogin | None:
        """The unexpired credential for ``login_user`` whose password gives ``answer`` to the
        md5 challenge with ``salt``; None when there is none."""
        with self._lock:
            held = list(self._logins.get(socket_path, []))
        now = self.clock()
        for login in held:
            if login.login_user == login_user and login.expires_at > now and hmac.compare_digest(
                    md5_answer(login.password_md5, salt), answer):
                return login
        return None
