"""Install localshift's Redshift catalog (functions, system views, tables) into a database.

The objects are written in SQL files under ``catalog/``, applied in name order by
the internal superuser.  Every file is idempotent (CREATE OR REPLACE, IF NOT EXISTS),
so installing again upgrades an engine restored from an older snapshot.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Callable

import psycopg

CATALOG_DIR = Path(__file__).parent / "catalog"

# Runs the language validators on the SQL and PL/pgSQL functions the catalog created.
VALIDATE_FUNCTIONS = """
SELECT CASE l.lanname WHEN 'sql' THEN pg_catalog.fmgr_sql_validator(p.oid)
                      ELSE pg_catalog.plpgsql_validator(p.oid) END
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE l.lanname IN ('sql', 'plpgsql')
  AND p.pronamespace IN ('pg_catalog'::regnamespace, 'localshift'::regnamespace)
"""


@functools.cache
def catalog_scripts() -> tuple[str, ...]:
    return tuple(path.read_text() for path in sorted(CATALOG_DIR.glob("*.sql")))


@functools.cache
def catalog_version() -> str:
    """A digest of the catalog's SQL: engines record it to know when to reinstall."""
    return hashlib.sha256("\0".join(catalog_scripts()).encode()).hexdigest()[:16]


def install_catalog(conn: psycopg.Connection) -> None:
    """Apply every catalog script to the database ``conn`` is connected to, in one
    transaction.  ``conn`` must be a superuser's: Redshift's system views and
    functions live in pg_catalog, as they do in Redshift."""
    with conn.transaction():
        # Creating relations in pg_catalog needs this (superuser only, this transaction only).
        conn.execute("SET LOCAL allow_system_table_mods = on")
        # Function bodies may name functions defined later (or themselves).
        conn.execute("SET LOCAL check_function_bodies = off")
        # The scripts are read the same whatever the session says (01_session_defaults
        # turns this off for users; bodies use E'' strings where they hold backslashes).
        conn.execute("SET LOCAL standard_conforming_strings = on")
        for script in catalog_scripts():
            conn.execute(script)
        # Bodies were not checked while created (above): check every one now.
        conn.execute(VALIDATE_FUNCTIONS)


def install_in_every_database(connect: Callable[..., psycopg.Connection]) -> None:
    """Install the catalog into every database of an engine, template1 included (so
    databases created later have it).  ``connect(dbname)`` opens an autocommit
    connection as the internal superuser."""
    with connect() as conn:
        names = [name for (name,) in conn.execute(
            "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn ORDER BY datname")]
    for name in names:
        with connect(name) as conn:
            install_catalog(conn)
