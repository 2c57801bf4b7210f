"""A login with a temporary credential: checked by the front, then a session of the real role.

PostgreSQL keeps one password per role, so a temporary password cannot be the role's own.
The front therefore answers the client's md5 challenge itself (credentials.py), and then logs
in to the engine *as the credential's role*, answering the engine's md5 challenge with the
verifier the engine stores for that role (md5(password + role), read from ``pg_authid`` by
the internal role).  The session is an ordinary login of that role: ``current_user`` and
``session_user`` are the role, there is no ``SET ROLE`` or ``SET SESSION AUTHORIZATION`` a
client could undo, and the credential opens nothing but that role's sessions.

Before the session starts, as the internal role on the engine's Unix socket:

* AutoCreate: a missing role is created (LOGIN, PUBLIC's privileges only), with a random
  password nobody is told: it logs in with temporary credentials alone.
* A role without a password (Redshift's ``PASSWORD DISABLE``) is given such a random one too,
  so temporary credentials work for it while its password stays unusable.
* DbGroups: the role joins each group (a role that cannot log in, none of PostgreSQL's or
  localshift's own) for as long as sessions of credentials naming that group are open (``GRANT ... GRANTED BY rdsdb``, revoked when the last such session ends; a grant
  the role holds from anyone else is untouched).  Redshift joins them for the session only.
  Such a membership is granted ``WITH INHERIT TRUE, SET FALSE`` by the internal role, which no
  other grant is (a user cannot name the internal role as grantor; its own grants of a new role
  to its creator carry ADMIN), so one that outlived its sessions (the service or the engine
  stopped without revoking it, or a snapshot taken while it held) is told apart and revoked when
  the engine next starts (``leave_groups_of_ended_sessions``, an initialiser too).

A role whose stored password is SCRAM cannot be logged in this way (its verifier does not give
an md5 answer): the login is refused with a message saying so.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import dataclass

import psycopg
from psycopg import sql

from .credentials import LoginRegistry, is_temporary_login, password_md5
from .engine_timeouts import EngineTimeout
from .redshift_sql.install import SUPERUSER_ROLE
from .roles import ADMIN_USER, EngineSetup, connect_admin
from .wire_messages import authentication_failed, error_response


# How a group joined for temporary sessions is granted: the mark that tells it from every other grant.
_SESSION_JOIN = "INHERIT TRUE, SET FALSE"


def leave_groups_of_ended_sessions(setup: EngineSetup) -> None:
    """Revoke the memberships granted for temporary sessions: when an engine starts, none is open."""
    with setup.connect() as conn:
        for group, role in conn.execute(
                "SELECT g.rolname, m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid"
                " JOIN pg_roles m ON m.oid = a.member JOIN pg_roles r ON r.oid = a.grantor"
                " WHERE r.rolname = %s AND a.inherit_option AND NOT a.set_option AND NOT a.admin_option",
                (ADMIN_USER,)).fetchall():
            conn.execute(sql.SQL("REVOKE {} FROM {} GRANTED BY {}").format(
                sql.Identifier(group), sql.Identifier(role), sql.Identifier(ADMIN_USER)))


class LoginRefused(Exception):
    """A temporary login the front refuses; ``message`` is the ErrorResponse to send."""

    def __init__(self, message: bytes) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Admission:
    """A temporary login let in: the session runs as ``db_user``, whose stored md5 verifier
    answers the engine's challenge; ``joined``: groups joined for the session."""
    socket_path: str
    db_user: str
    verifier: str
    joined: tuple[str, ...] = ()


class TemporaryLogins:
    """What the wire front calls for login names of temporary credentials (blocking calls: the
    front runs them in worker threads)."""

    def __init__(self, registry: LoginRegistry, admin_password: str, timeout: EngineTimeout) -> None:
        self.registry = registry
        self._admin_password = admin_password
        self._timeout = timeout
        self._joined: Counter[tuple[str, str, str]] = Counter()  # (socket, role, group) -> open sessions
        self._lock = threading.Lock()

    handles = staticmethod(is_temporary_login)

    def admit(self, socket_path: str, login_user: str, database: str, salt: bytes, answer: bytes) -> Admission:
        login = self.registry.check(socket_path, login_user, salt, answer)
        if login is None:
            raise LoginRefused(authentication_failed(login_user))
        if login.db_name is not None and database != login.db_name:
            raise LoginRefused(error_response(
                "28000", f'user "{login_user}" is not authorized to connect to database "{database}"'))
        try:
            conn = connect_admin(socket_path, self._admin_password, self._timeout, at_most=10)
        except psycopg.Error:
            raise LoginRefused(error_response("57P03", "the cluster is not available")) from None
        with conn:
            try:
                verifier = self._verifier(conn, login.db_user, login.auto_create)
                self._join(conn, socket_path, login.db_user, login.groups)
            except psycopg.Error as error:
                raise LoginRefused(error_response(error.sqlstate or "XX000", error.diag.message_primary or str(error)))
        return Admission(socket_path, login.db_user, verifier, login.groups)

    def release(self, admission: Admission) -> None:
        """The session of ``admission`` ended: leave the groups no other such session needs."""
        if not admission.joined:
            return
        with self._lock:
            leaving = []
            for group in admission.joined:
                key = (admission.socket_path, admission.db_user, group)
                self._joined[key] -= 1
                if self._joined[key] <= 0:
                    del self._joined[key]
                    leaving.append(group)
            if not leaving:
                return
            try:
                with connect_admin(admission.socket_path, self._admin_password, self._timeout, at_most=10) as conn:
                    for group in leaving:
                        conn.execute(sql.SQL("REVOKE {} FROM {} GRANTED BY {}").format(
                            sql.Identifier(group), sql.Identifier(admission.db_user), sql.Identifier(ADMIN_USER)))
            except psycopg.Error:
                pass  # the engine is gone or stopping: nothing is left to leave

    @staticmethod
    def _verifier(conn: psycopg.Connection, role: str, auto_create: bool) -> str:
        # A superuser (the internal role) is never let in, whatever its stored password.
        row = conn.execute("SELECT rolpassword, rolcanlogin AND NOT rolsuper FROM pg_authid WHERE rolname = %s",
                           (role,)).fetchone()
        if row is None and not auto_create:
            raise LoginRefused(error_response("28000", f'role "{role}" does not exist'))
        if row is not None and not row[1]:
            raise LoginRefused(error_response("28000", f'role "{role}" is not permitted to log in'))
        stored = row[0] if row is not None else None
        if stored is None:
            # A password nobody is told: the role logs in with temporary credentials only.
            stored = "md5" + password_md5(role, secrets.token_hex(24))
            verb = "CREATE" if row is None else "ALTER"
            conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(stored)))
            if row is None:  # Redshift's superusers reach its objects and may alter it, as a user CREATE USER makes (redshift_sql/users.py)
                conn.execute(sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(
                    sql.Identifier(role), sql.Identifier(SUPERUSER_ROLE)))
        if not stored.startswith("md5"):
            raise LoginRefused(error_response(
                "28000", f'role "{role}" has a SCRAM password: temporary credentials need an md5 one'))
        return stored[3:]

    def _join(self, conn: psycopg.Connection, socket_path: str, role: str, groups: tuple[str, ...]) -> None:
        for group in groups:
            # Groups only (roles that cannot log in): not a user, nor a superuser (the internal role),
            # nor PostgreSQL's predefined roles (the host's files and programs) or localshift's own.
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s AND NOT rolcanlogin AND NOT rolsuper"
                            " AND rolname !~ '^(pg|localshift)_'", (group,)).fetchone() is None:
                raise LoginRefused(error_response("42704", f'group "{group}" does not exist'))
        with self._lock:
            for group in groups:
                key = (socket_path, role, group)
                if self._joined[key] == 0:
                    conn.execute(sql.SQL(f"GRANT {{}} TO {{}} WITH {_SESSION_JOIN} GRANTED BY {{}}").format(
                        sql.Identifier(group), sql.Identifier(role), sql.Identifier(ADMIN_USER)))
                self._joined[key] += 1
