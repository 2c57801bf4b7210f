"""Who may do what inside an engine: Redshift's admin user is no superuser of the host.

* ``rdsdb``, the internal superuser, sets engines up, takes backups and changes
  passwords.  Only the service knows its password and only the engine's Unix socket
  reaches it (the wire front refuses the name).
* The master user is an ordinary role: LOGIN, CREATEDB, CREATEROLE, owner of its
  database and of schema ``public`` in it.  It cannot read or write server files, run
  programs, load C code or ALTER SYSTEM, and PostgreSQL 16+'s CREATEROLE rules keep it
  from granting itself what it lacks.
* Roles SQL creates are ordinary roles too.  Nobody but ``rdsdb`` may be a superuser or
  hold the roles that reach the host (``confine_roles`` enforces it on every engine a
  snapshot brings back, including those an older localshift made with a superuser master).

Initialisers: after initdb, after a restore, and when starting an engine an older
localshift set up, the PostgresDataPlane runs ``confine_roles`` and then every initialiser it was
given, each with an ``EngineSetup``.  That is where set-up SQL that needs the superuser goes
(Redshift's catalog views and functions, objects in template1 for later databases).
Initialisers must be idempotent: a restored engine has already run them once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import psycopg
from psycopg import sql

from .engine_timeouts import EngineTimeout

ADMIN_USER = "rdsdb"
# The internal role's sessions resolve names in pg_catalog alone: a schema users may create
# objects in (public, "$user") would let a user's function or operator that matches a call
# better than the built-in one run with the internal role's rights.
ADMIN_SEARCH_PATH = "pg_catalog, pg_temp"
# Nor do they take the defaults a database's owner gives its sessions (ALTER DATABASE ... SET): read
# only transactions or short timeouts would stop the query history (hiding the owner's statements from
# STL_QUERY) and fail snapshot restores; the statement and lock timeouts are the service's own
# (engine_timeouts.py), no user's.  Startup options come before a database's or role's defaults.
# Nor its role (``ALTER DATABASE d SET role = owner`` made the internal role's sessions there the
# owner's, whose query history then went unwritten), nor its client_encoding (LATIN1 made the writer
# fail on a statement's euro sign, and its thread, the service's, end).  Nor the libraries a session
# loads at its start (``local_preload_libraries``, which any user may set): a name with no library
# fails every new session's login, and so kept the writer out while a session opened before ran on,
# its statements never in STL_QUERY.  Nor what any user may set to flood the server log with
# (``debug_print_parse`` and its kin dump each statement's parse tree or plan: the history writer's
# too, every fraction of a second), nor ``exit_on_error``, which would end a session of the service's
# at its first error instead of failing that statement.  Nor ``idle_session_timeout``, which ended the
# service's sessions between two of their statements (a table restore's source session while its
# target took the new table's definition: the restore failed; the writer's between its check and its
# COPY: the statements were lost), nor a serializable ``default_transaction_isolation`` (the writer's
# COPY failing on a serialization conflict with a user's transaction).  Nor how values read as text
# are written: a table restore copies rows as text from the snapshot's engine, whose database may
# have another DateStyle or IntervalStyle than the target's (02/12 read as February 12th, an
# sql_standard '-1 2:00:00' as -1 day +2 hours), and the engine's extra_float_digits is Redshift's
# 0, which prints float8 0.30000000000000004 as 0.3: the restored table lost precision.
_ADMIN_SETTINGS = {"search_path": ADMIN_SEARCH_PATH.replace(" ", ""), "default_transaction_read_only": "off",
                   "idle_in_transaction_session_timeout": "0", "transaction_timeout": "0", "role": "none",
                   "client_encoding": "UTF8", "local_preload_libraries": "", "debug_print_parse": "off",
                   "debug_print_rewritten": "off", "debug_print_plan": "off", "trace_sort": "off",
                   "exit_on_error": "off", "idle_session_timeout": "0",
                   "default_transaction_isolation": "read committed", "datestyle": "ISO, MDY",
                   "intervalstyle": "postgres", "extra_float_digits": "3"}
# The databases the internal role's sessions go to: those that take connections, but for one whose
# name holds a control character (which only dynamic SQL can give, ALTER DATABASE ... RENAME in a
# procedure): the engine's log line prefix writes a session's database name as it is, and a newline
# in it would start a line of the owner's making, which the audit logs would read as the engine's.
# No user may connect to such a database either (wire_messages.refused_startup).
INTERNAL_DATABASES = "SELECT datname FROM pg_database WHERE datallowconn AND datname !~ '[[:cntrl:]]'"


def connect_admin(socket_path: str | Path, password: str, timeout: EngineTimeout, dbname: str = "postgres",
                  at_most: float = 30.0, on_hang: Callable[[], None] | None = None) -> psycopg.Connection:
    """An autocommit connection as the internal role on the engine socket ``<dir>/.s.PGSQL.<port>``,
    bounded by ``timeout`` (engine_timeouts.py; connecting: ``at_most`` seconds at most)."""
    path = Path(socket_path)
    options = " ".join(f"-c {name}={_option_value(value)}"
                       for name, value in {**_ADMIN_SETTINGS, **timeout.settings()}.items())
    return timeout.connect(at_most, on_hang, host=str(path.parent), port=int(path.name.rsplit(".", 1)[1]),
                           user=ADMIN_USER, password=password, dbname=dbname, options=options, autocommit=True)


def _option_value(value: str) -> str:
    """A setting's value as libpq's ``options`` takes it: spaces (and backslashes) escaped."""
    return value.replace("\\", "\\\\").replace(" ", "\\ ")


def run_as_user(conn: psycopg.Connection, owner: str, statement: sql.Composable) -> None:
    """Run ``statement``, which may run a user's code (a table's triggers, CHECK constraints, domains,
    generated columns), with the rights of ``owner`` in ``conn``, a session of the internal role
    inside a transaction.  Not after SET ROLE: in a session a superuser logged in, code running as any
    role may SET SESSION AUTHORIZATION back to that superuser (PostgreSQL checks the role that logged
    in), so a user's function called there could take the internal role's rights.  Inside a SECURITY
    DEFINER function PostgreSQL refuses SET ROLE and SET SESSION AUTHORIZATION: the statement runs in
    one of the owner's, a temporary function of this session alone."""
    function = sql.Identifier("pg_temp", "localshift_run_as_user")
    conn.execute(sql.SQL("CREATE FUNCTION {}() RETURNS void LANGUAGE sql SECURITY DEFINER"
                         " SET search_path = pg_catalog, pg_temp AS {}")
                 .format(function, sql.Literal(statement.as_string(conn))))
    conn.execute(sql.SQL("ALTER FUNCTION {}() OWNER TO {}").format(function, sql.Identifier(owner)))
    conn.execute(sql.SQL("SELECT {}()").format(function))
    conn.execute(sql.SQL("DROP FUNCTION {}()").format(function))


# Login names the wire front refuses (compared lowercase).
INTERNAL_ROLES = frozenset({ADMIN_USER})
# PostgreSQL's predefined roles that reach the host's files and programs.
HOST_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")
# Bumped when what set-up does changes; engines set up by an older version are set up again.
SETUP_VERSION = 2


@dataclass(frozen=True)
class EngineSetup:
    """What an initialiser gets: ``connect(dbname="postgres")`` opens an autocommit
    connection as the internal superuser over the engine's Unix socket; the master user and
    its database (None when unknown, e.g. a snapshot of an older version)."""
    connect: Callable[..., psycopg.Connection]
    master_username: str | None
    db_name: str | None


Initialiser = Callable[[EngineSetup], None]


def store_admin_password(conn: psycopg.Connection, password: str) -> None:
    """The internal role's password, stored as a SCRAM verifier.  Redshift superusers read every
    table (pg_read_all_data reaches pg_authid): an md5 hash there would log whoever reached the
    engine's socket in as the internal role, a SCRAM verifier would not."""
    conn.execute("SET password_encryption = 'scram-sha-256'")
    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(ADMIN_USER), sql.Literal(password)))


def set_master_user(conn: psycopg.Connection, username: str, password: str) -> None:
    """Create or update the master user: an ordinary role, its password stored md5-hashed."""
    conn.execute("SET password_encryption = 'md5'")
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (username,)).fetchone()
    verb = "ALTER" if exists else "CREATE"
    conn.execute(sql.SQL(verb + " ROLE {} WITH LOGIN NOSUPERUSER CREATEDB CREATEROLE PASSWORD {}")
                 .format(sql.Identifier(username), sql.Literal(password)))


def give_database(connect: Callable[..., psycopg.Connection], master_username: str, db_name: str) -> None:
    """Make the master user the owner of its database (created if missing) and of its
    schema ``public``, where every user may create objects (catalog/11_redshift_catalog_rows.sql
    grants it in template1, which the database is a copy of; ``connect``: as EngineSetup's)."""
    user, db = sql.Identifier(master_username), sql.Identifier(db_name)
    with connect() as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name,)).fetchone():
            conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(db, user))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(db, user))
    with connect(db_name) as conn:
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(user))


def confine_roles(setup: EngineSetup) -> None:
    """Only the internal role is a superuser or reaches the host; the master user is the
    ordinary role described above."""
    with setup.connect() as conn:
        for (name,) in conn.execute(
                "SELECT rolname FROM pg_roles WHERE rolname <> %s AND rolname !~ '^pg_'"
                " AND (rolsuper OR rolreplication OR rolbypassrls)", (ADMIN_USER,)).fetchall():
            conn.execute(sql.SQL("ALTER ROLE {} NOSUPERUSER NOREPLICATION NOBYPASSRLS")
                         .format(sql.Identifier(name)))
        for role, member, grantor in conn.execute(
                "SELECT r.rolname, m.rolname, g.rolname FROM pg_auth_members a"
                " JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member"
                " JOIN pg_roles g ON g.oid = a.grantor WHERE r.rolname = ANY(%s) AND m.rolname <> %s",
                (list(HOST_ROLES), ADMIN_USER)).fetchall():
            conn.execute(sql.SQL("REVOKE {} FROM {} GRANTED BY {} CASCADE").format(
                sql.Identifier(role), sql.Identifier(member), sql.Identifier(grantor)))
        if setup.master_username and conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (setup.master_username,)).fetchone():
            conn.execute(sql.SQL("ALTER ROLE {} WITH LOGIN CREATEDB CREATEROLE")
                         .format(sql.Identifier(setup.master_username)))
