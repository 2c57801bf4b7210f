"""Redshift's command tags for statements the engine runs as something else (command_tags.py):
what psycopg's statusmessage / rowcount and redshift_connector's rowcount read."""

from __future__ import annotations

import psycopg
import pytest
import redshift_connector

from localshift.dataplane.redshift_sql.command_tags import redshift_tag
from sql_cluster import MASTER_USER, PASSWORD


@pytest.mark.parametrize("text, tag, redshift", [
    (b"merge into t using s on t.id = s.id remove duplicates", b"INSERT 0 3", b"MERGE 3"),
    (b"/* load */\n  MERGE INTO t USING s ON t.id = s.id REMOVE DUPLICATES", b"INSERT 0 0", b"MERGE 0"),
    (b"drop procedure p(int)", b"DO", b"DROP PROCEDURE"),
    (b"DROP PROCEDURE IF EXISTS s.p(varchar)", b"DO", b"DROP PROCEDURE"),
    (b"alter procedure p(int) rename to q", b"DO", b"ALTER PROCEDURE"),
    (b"alter schema s quota 10 gb", b"DO", b"ALTER SCHEMA"),
    (b"lock t", b"DO", b"LOCK TABLE"),
    (b"alter table t add primary key (a)", b"DO", b"ALTER TABLE"),
    (b"create user u password 'Abcd1234'", b"DO", b"CREATE USER"),
    (b"alter user u createuser", b"DO", b"ALTER USER"),
    (b"set session authorization 'u'", b"DO", b"SET"),
    (b"SET LOCAL SESSION AUTHORIZATION u", b"DO", b"SET"),
    (b"refresh materialized view s.mv", b"DO", b"REFRESH MATERIALIZED VIEW"),
    (b"create group g with user u", b"DO", b"CREATE GROUP"),
    (b"alter group g add user u", b"ALTER ROLE", b"ALTER GROUP"),
    (b"ALTER USER u CONNECTION LIMIT 5", b"ALTER ROLE", b"ALTER USER"),
    (b"drop group g", b"DROP ROLE", b"DROP GROUP"),
    # the engine's own tags stand
    (b"insert into t values (1)", b"INSERT 0 1", None),
    (b"do $$ begin null; end $$", b"DO", None),
    (b"alter role r rename to s", b"ALTER ROLE", None),
    (b"drop role r", b"DROP ROLE", None),
    (b"alter table t add column c int", b"ALTER TABLE", None),
    (b"merge into t using s on t.id = s.id when matched then delete", b"MERGE 2", None),
    (b"select 1", b"SELECT 1", None),
])
def test_tags(text, tag, redshift):
    assert redshift_tag(text, tag) == redshift


@pytest.fixture
def tables(db):
    db.execute("create table target (id int, v int)")
    db.execute("create table source (id int, v int)")
    db.execute("insert into target values (1, 1), (2, 2), (2, 3)")
    db.execute("insert into source values (2, 20), (3, 30), (4, 40)")
    return db


def test_clients_read_merge_and_drop_procedure_tags(tables):
    db = tables
    for cursor in (db.cursor(), psycopg.ClientCursor(db)):  # extended and simple query protocols
        cursor.execute("merge into target using source on target.id = source.id remove duplicates")
        assert (cursor.statusmessage, cursor.rowcount) == ("MERGE 3", 3)
        cursor.execute("create procedure p(a int) as $$ begin null; end $$ language plpgsql")
        cursor.execute("drop procedure p(int)")
        assert cursor.statusmessage == "DROP PROCEDURE"
        cursor.execute("lock target")
        assert cursor.statusmessage == "LOCK TABLE"
        cursor.execute("alter schema it quota 10 gb")
        assert cursor.statusmessage == "ALTER SCHEMA"
    assert db.execute("select id, v from target order by id, v").fetchall() == [(1, 1), (2, 20), (3, 30), (4, 40)]
    # several statements in one simple Query: each its own tag
    cursor = psycopg.ClientCursor(db)
    cursor.execute("select 1; merge into target using source on target.id = source.id remove duplicates")
    assert cursor.statusmessage == "SELECT 1"
    assert cursor.nextset() and cursor.statusmessage == "MERGE 3"


def test_users_and_groups_carry_redshifts_tags(db):
    """Redshift's tags for users and groups are PostgreSQL 8.0's, from before roles: the engine's
    ALTER ROLE and DROP ROLE would tell a client a role was changed."""
    tags = []
    for statement in ("create group tag_group", "create user tag_user password 'Abcd1234'",
                      "alter group tag_group add user tag_user", "alter user tag_user connection limit 5",
                      "alter group tag_group drop user tag_user", "drop group tag_group",
                      "create role tag_role", "drop role tag_role", "drop user tag_user"):
        tags.append(db.execute(statement).statusmessage)
    assert tags == ["CREATE GROUP", "CREATE USER", "ALTER GROUP", "ALTER USER", "ALTER GROUP", "DROP GROUP",
                    "CREATE ROLE", "DROP ROLE", "DROP USER"]


def test_redshift_connector_reads_merge_as_any_merge(sql_cluster, database, tables):
    """redshift_connector counts rows for INSERT, DELETE, UPDATE, MOVE (FETCH, COPY) tags only: a MERGE,
    REMOVE DUPLICATES or not, leaves its rowcount at -1, where the INSERT tag made it 3."""
    conn = redshift_connector.connect(host=sql_cluster.host, port=sql_cluster.port, database=database,
                                      user=MASTER_USER, password=PASSWORD, ssl=False)
    try:
        conn.autocommit = True
        cursor = conn.cursor()
        cursor.execute("set search_path to it, public")
        cursor.execute("merge into target using source on target.id = source.id remove duplicates")
        removed = cursor.rowcount
        cursor.execute("merge into target using source on target.id = source.id "
                       "when matched then update set v = source.v when not matched then insert values (source.id, 0)")
        assert removed == cursor.rowcount == -1
        cursor.execute("insert into target select * from source")
        assert cursor.rowcount == 3
    finally:
        conn.close()
