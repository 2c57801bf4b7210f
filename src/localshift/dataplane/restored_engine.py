"""What a restored engine must not keep of its source's sessions and logs.

A snapshot is a physical copy of a running engine, so its catalogs still list the temporary
tables (and other temporary objects) of the sessions open at snapshot time; their files are not
copied (online_backup.py), and PostgreSQL would drop them only when a new session happens to take
the same temporary schema, or autovacuum gets to them.  Redshift restores no temporary table, so
the restored engine drops them at once.

Redshift keeps its system logs (STL_QUERY, STL_CONNECTION_LOG and the views over them) on the
cluster's nodes, not in its snapshots: a restored cluster is a new cluster, whose logs start
empty.  localshift keeps them in every database's ``localshift`` schema, which the snapshot
carries, so the restored engine empties them.  The reserved query ids (``query_ids_reserved``)
stay: a restored cluster's query ids keep rising.

DC2 and DS2 snapshots leave out the rows of tables created ``BACKUP NO``; a snapshot whose meta
says so (snapshot_operations.py) has those tables emptied here.
"""

from __future__ import annotations

from psycopg import sql

from .engine import Engine
from .roles import INTERNAL_DATABASES, run_as_user

_TEMPORARY_SCHEMAS = "SELECT nspname FROM pg_namespace WHERE nspname ~ '^pg_(toast_)?temp_[0-9]+$' ORDER BY 1"
_LOGS = ("query_history", "connection_log")
_NO_BACKUP_TABLES = ("SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) FROM localshift.table_attributes t"
                     " JOIN pg_class c ON c.oid = t.table_oid AND c.relkind IN ('r', 'p')"
                     " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.backup IS FALSE ORDER BY 1, 2")


def forget_source_sessions(engine: Engine) -> None:
    """Drop the source's temporary objects and empty its logs, in every database of ``engine``."""
    for database in _databases(engine):
        with engine.connect(database) as conn, conn.transaction():
            for (schema,) in conn.execute(_TEMPORARY_SCHEMAS).fetchall():
                # The schema comes back empty when a session next needs it.
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            for log in _LOGS:
                [(exists,)] = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"localshift.{log}",)).fetchall()
                if exists:
                    conn.execute(sql.SQL("TRUNCATE localshift.{}").format(sql.Identifier(log)))


def empty_no_backup_tables(engine: Engine) -> None:
    """Truncate every table created ``BACKUP NO``, in every database of ``engine``: the snapshot it was
    restored from left their rows out, as DC2 and DS2 snapshots do (tables of RA3 clusters and
    serverless namespaces are always backed up whole)."""
    for database in _databases(engine):
        with engine.connect(database) as conn, conn.transaction():
            for schema, table, owner in conn.execute(_NO_BACKUP_TABLES).fetchall():
                # As the table's owner: a TRUNCATE fires the table's triggers, whose functions are
                # users', which must never run with the internal role's rights (roles.run_as_user).
                run_as_user(conn, owner, sql.SQL("TRUNCATE {}").format(sql.Identifier(schema, table)))


def _databases(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(INTERNAL_DATABASES)]
