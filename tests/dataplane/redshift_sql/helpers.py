"""Shared helpers of the translator's unit tests."""

from __future__ import annotations

import json
import re

import psycopg

from localshift.dataplane.redshift_sql import translate
from sql_cluster import SqlCluster


# An ALTER, DROP, GRANT or REVOKE a superuser may run as the object's owner (owner_reach.py).
_AS_OWNER = re.compile(r"DO \$localshift_owner\$.*?PERFORM localshift\.run_as_owner\(\$localshift_statement\$"
                       r"(.*)\$localshift_statement\$, (?:true|false)\);.*\$localshift_owner\$", re.DOTALL)


def pg(sql: str, case_sensitive: bool = False) -> str:
    """What the engine runs for ``sql`` (the text itself when untouched); of a statement run by
    ``localshift.run_as_owner``, the statement it runs."""
    result = translate(sql, case_sensitive)
    if result is None:
        return sql
    inner = _AS_OWNER.fullmatch(result.sql)
    if inner is None:
        return result.sql
    return sql if inner.group(1) == sql.strip().rstrip(";").strip() else inner.group(1)


def marker(sql: str) -> dict:
    """The DDL attributes a translated statement carries for the event trigger."""
    found = re.search(r"/\*localshift:(\{.*?\})\*/", pg(sql))
    assert found, pg(sql)
    return json.loads(found.group(1))


def refused(sql: str) -> tuple[str, str]:
    """(SQLSTATE, message) of a statement the translator refuses."""
    text = pg(sql)
    found = re.match(r"SELECT localshift\.raise_error\(E'(\w+)', E'((?:[^']|'')*)'", text)
    assert found, text
    return found.group(1), found.group(2).replace("''", "'").replace("\\\\", "\\")


def fresh_user(sql_cluster: SqlCluster, database: str, user: str, password: str) -> str:
    """A regular user ``user`` made anew (a test module's own)."""
    with sql_cluster.connect(database) as conn:
        conn.execute(f"DROP USER IF EXISTS {user}")
        conn.execute(f"CREATE USER {user} PASSWORD '{password}'")
    return user


MIA_PASSWORD = "Matviews1password"  # the password of the materialized view tests' user (conftest.py's mia)


def stale_in(conn: psycopg.Connection, schema: str) -> dict[str, str]:
    """SVV_MV_INFO's is_stale of each materialized view of ``schema``."""
    return dict(conn.execute("SELECT trim(name), is_stale FROM svv_mv_info WHERE schema_name = %s", (schema,)).fetchall())
