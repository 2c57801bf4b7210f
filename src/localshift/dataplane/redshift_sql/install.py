"""Installing localshift's Redshift catalog into an engine.

``catalog/*.sql`` are applied in name order, as the internal superuser, in
every database that accepts connections (template1 included: CREATE DATABASE
copies it).  The files are idempotent; a database whose catalog already has the
files' digest (recorded as the comment of schema ``localshift``) is skipped, so
calling this at every engine start costs one query per database.

Engine-wide settings come first: Redshift's string syntax
(``standard_conforming_strings = off``: a backslash escapes in '...'), the
defaults of Redshift's session parameters, and the role that stands for
Redshift's superusers (``localshift_superuser``: reads and writes every table,
cancels others' queries; never a PostgreSQL superuser, so no host access).
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
import psycopg
from psycopg import sql

from ..roles import ADMIN_USER, INTERNAL_DATABASES, EngineSetup
from .settings import PREFIX, REDSHIFT_SETTINGS

CATALOG_DIR = Path(__file__).parent / "catalog"
SUPERUSER_ROLE = "localshift_superuser"
SYSLOG_ROLE = "localshift_syslog_unrestricted"  # SYSLOG ACCESS UNRESTRICTED
# Has the owner's rights on every cluster user's objects, for the superusers' ALTER, DROP and GRANT on
# another superuser's (catalog/40_superuser_statements.sql); granted to nobody.
OWNERS_ROLE = "localshift_owners"
_SUPERUSER_GRANTS = ("pg_read_all_data", "pg_write_all_data", "pg_signal_backend",
                     "pg_read_all_stats", "pg_read_all_settings")
# Written to postgresql.auto.conf (so they travel in snapshots).
# Redshift's session defaults too: UTC, ISO dates, floats printed with 15 digits.
# createrole_self_grant: a user who creates users has their privileges (may drop and alter
# their objects), as a Redshift superuser has; PostgreSQL gives the creator ADMIN OPTION only.
ENGINE_SETTINGS = {"standard_conforming_strings": "off", "escape_string_warning": "off",
                   "timezone": "UTC", "datestyle": "ISO, MDY", "extra_float_digits": "0",
                   "createrole_self_grant": "set, inherit",
                   **{f"{PREFIX}{name}": value for name, value in REDSHIFT_SETTINGS.items()}}


# Runs the language validators on the SQL and PL/pgSQL functions of the catalog's schemas.
_VALIDATE_FUNCTIONS = """
SELECT CASE l.lanname WHEN 'sql' THEN pg_catalog.fmgr_sql_validator(p.oid)
                      ELSE pg_catalog.plpgsql_validator(p.oid) END
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE l.lanname IN ('sql', 'plpgsql')
  AND p.pronamespace IN ('pg_catalog'::regnamespace, 'localshift'::regnamespace)
"""


def catalog_files() -> list[Path]:
    return sorted(CATALOG_DIR.glob("*.sql"))


@functools.lru_cache(maxsize=1)
def catalog_digest() -> str:
    h = hashlib.sha256()
    for path in catalog_files():
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def install_catalog(conn: psycopg.Connection) -> bool:
    """Apply the catalog files to the database ``conn`` (an autocommit superuser
    connection) is connected to.  Returns False when it was already current."""
    marker = f"localshift catalog {catalog_digest()}"
    _move_aside_a_users_schema(conn)
    current = conn.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                           "WHERE nspname = 'localshift'").fetchone()
    if current and current[0] == marker:
        return False
    with conn.transaction():
        # Some objects live in pg_catalog, where Redshift clients look them up.
        conn.execute("SET LOCAL allow_system_table_mods = on")
        # Function bodies may name functions defined later (or themselves): they
        # are checked once everything exists.
        conn.execute("SET LOCAL check_function_bodies = off")
        for path in catalog_files():
            conn.execute(path.read_text())
        conn.execute(_VALIDATE_FUNCTIONS)
        conn.execute(sql.SQL("COMMENT ON SCHEMA localshift IS {}").format(sql.Literal(marker)))
    return True


def _move_aside_a_users_schema(conn: psycopg.Connection) -> None:
    """A schema localshift the internal role does not own (a database an older localshift let a
    user create from template0 had none, and its owner could create one) is renamed, kept for
    its owner: the catalog goes into a schema of the internal role's, whose functions it trusts."""
    taken = conn.execute("SELECT oid FROM pg_namespace WHERE nspname = 'localshift'"
                         " AND pg_get_userbyid(nspowner) <> current_user").fetchone()
    if taken:
        conn.execute(sql.SQL("ALTER SCHEMA localshift RENAME TO {}").format(
            sql.Identifier(f"localshift_moved_{taken[0]}")))


def install_engine(setup: EngineSetup) -> None:
    """Engine-wide settings and roles, then the catalog in every database (a DataPlane
    initialiser, roles.py).  The master user is a Redshift superuser."""
    superusers = [setup.master_username] if setup.master_username else []
    with setup.connect("postgres") as conn:
        _engine_settings(conn, superusers)
        databases = [row[0] for row in conn.execute(INTERNAL_DATABASES + " ORDER BY datname")]
    for name in databases:
        with setup.connect(name) as conn:
            install_catalog(conn)


def _engine_settings(conn: psycopg.Connection, superusers: list[str]) -> None:
    current: dict[str, str] = dict(conn.execute("SELECT name, setting FROM pg_file_settings "
                                "WHERE sourcefile LIKE '%postgresql.auto.conf' AND applied"))
    changed = False
    for name, value in ENGINE_SETTINGS.items():
        if current.get(name) != value:
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(
                sql.Identifier(*name.split(".")), sql.Literal(value)))
            changed = True
    if changed:
        conn.execute("SELECT pg_reload_conf()")
    # Redshift's parameters are placeholders to PostgreSQL: anyone may SET them, but ALTER USER
    # ... SET stores them only for roles granted SET on them.
    conn.execute(sql.SQL("GRANT SET ON PARAMETER {} TO PUBLIC").format(sql.SQL(", ").join(
        sql.Identifier(*f"{PREFIX}{name}".split(".")) for name in REDSHIFT_SETTINGS)))
    for role in (SUPERUSER_ROLE, SYSLOG_ROLE, OWNERS_ROLE):
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    conn.execute(sql.SQL("GRANT {} TO {}").format(
        sql.SQL(", ").join(map(sql.Identifier, _SUPERUSER_GRANTS)), sql.Identifier(SUPERUSER_ROLE)))
    for user in superusers:
        conn.execute(sql.SQL("GRANT {}, {} TO {}").format(
            sql.Identifier(SUPERUSER_ROLE), sql.Identifier(SYSLOG_ROLE), sql.Identifier(user)))
    _confine_localshift_roles(conn)
    _reach_older_users(conn)
    _reach_owners(conn)


# Who holds localshift's roles otherwise than by the internal role's grant without ADMIN OPTION.
_FREE_GRANTS = f"""
SELECT r.rolname, m.rolname, g.rolname, a.admin_option FROM pg_auth_members a
JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.grantor
WHERE r.rolname IN ('{SUPERUSER_ROLE}', '{SYSLOG_ROLE}') AND m.rolname <> '{ADMIN_USER}'
  AND (a.admin_option OR g.rolname <> '{ADMIN_USER}')
ORDER BY g.rolname = '{ADMIN_USER}'
"""


def _confine_localshift_roles(conn: psycopg.Connection) -> None:
    """Nobody but the internal role holds ``localshift_superuser`` or ``localshift_syslog_unrestricted``
    WITH ADMIN OPTION, which with CREATEROLE let a superuser (an older localshift granted it to every
    one) rename, drop or alter those roles, give them a password and LOGIN and log in as them.  Each
    member keeps its membership, granted again by the internal role (localshift.set_superuser and
    localshift.set_syslog_access grant them so); the grants others made are taken back (last, those
    that others' depended on: CASCADE).  ``localshift_owners`` gets CREATEDB, which PostgreSQL asks of
    whoever renames a database or gives it away (a superuser's ALTER DATABASE, owner_reach.py).  Runs at
    every engine start."""
    for role, member, grantor, admin in conn.execute(_FREE_GRANTS).fetchall():
        role_id, member_id, grantor_id = map(sql.Identifier, (role, member, grantor))
        conn.execute(sql.SQL("GRANT {} TO {}").format(role_id, member_id))
        if grantor != ADMIN_USER:
            conn.execute(sql.SQL("REVOKE {} FROM {} GRANTED BY {} CASCADE").format(role_id, member_id, grantor_id))
        elif admin:
            conn.execute(sql.SQL("REVOKE ADMIN OPTION FOR {} FROM {} GRANTED BY {} CASCADE").format(
                role_id, member_id, grantor_id))
    conn.execute(sql.SQL("ALTER ROLE {} CREATEDB").format(sql.Identifier(OWNERS_ROLE)))


# Users who are no Redshift superusers, not yet granted to localshift_superuser (made before users.py
# granted them), each with the role that created it (its ADMIN OPTION granted by the internal role;
# NULL for one the internal role made, e.g. a temporary login's).
_UNREACHED_USERS = f"""
SELECT u.rolname, (SELECT c.rolname FROM pg_auth_members a JOIN pg_roles c ON c.oid = a.member
                   WHERE a.roleid = u.oid AND a.admin_option AND a.grantor = '{ADMIN_USER}'::regrole
                     AND NOT c.rolsuper ORDER BY a.oid LIMIT 1)
FROM pg_roles u
WHERE u.rolcanlogin AND NOT u.rolsuper AND u.rolname !~ '^(pg|localshift)_'
  AND NOT pg_has_role(u.oid, '{SUPERUSER_ROLE}', 'MEMBER')
  AND NOT EXISTS (SELECT FROM pg_auth_members a WHERE a.roleid = u.oid AND a.member = '{SUPERUSER_ROLE}'::regrole)
"""


def _reach_older_users(conn: psycopg.Connection) -> None:
    """Grant the users an older localshift made to ``localshift_superuser``, as CREATE USER now does
    (Redshift's superusers reach every user's objects): by their creator where it is a cluster user,
    as users.py's grant is (so that its ``ALTER USER ... CREATEUSER`` by the creator takes it back).
    Runs at every engine start; a user already granted is left as it is."""
    for user, creator in conn.execute(_UNREACHED_USERS).fetchall():
        grant = sql.SQL("GRANT {} TO {}").format(sql.Identifier(user), sql.Identifier(SUPERUSER_ROLE))
        if creator is not None:
            grant = sql.SQL("{} GRANTED BY {}").format(grant, sql.Identifier(creator))
        conn.execute(grant)


# Superusers (the master user, CREATEUSER users) not yet granted to localshift_owners: engines an older
# localshift set up, and the master user of a new one.
_OWNERS_UNREACHED = f"""
SELECT u.rolname FROM pg_roles u
WHERE u.rolcanlogin AND NOT u.rolsuper AND u.rolname !~ '^(pg|localshift)_'
  AND pg_has_role(u.oid, '{SUPERUSER_ROLE}', 'MEMBER')
  AND NOT EXISTS (SELECT FROM pg_auth_members a WHERE a.roleid = u.oid AND a.member = '{OWNERS_ROLE}'::regrole)
"""


def _reach_owners(conn: psycopg.Connection) -> None:
    """``localshift_owners`` has every user's owner rights: those who are no superusers through
    ``localshift_superuser``, each superuser by a grant of its own (localshift.set_superuser makes it
    for later ones).  Runs at every engine start."""
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(SUPERUSER_ROLE), sql.Identifier(OWNERS_ROLE)))
    for (user,) in conn.execute(_OWNERS_UNREACHED).fetchall():
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(user), sql.Identifier(OWNERS_ROLE)))


def engine_functions(catalog_dir: Path = CATALOG_DIR) -> frozenset[str]:
    """Functions and aggregates the catalog defines in schema ``localshift``:
    unqualified calls of these names are qualified by the translator (so a
    function there takes over every call of its name: it must have every
    signature Redshift's has)."""
    pattern = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|AGGREGATE)\s+localshift\.(\w+)",
                         re.IGNORECASE)
    names: set[str] = set()
    for path in sorted(catalog_dir.glob("*.sql")):
        names.update(m.lower() for m in pattern.findall(path.read_text()))
    return frozenset(names)


ENGINE_FUNCTIONS = engine_functions()
