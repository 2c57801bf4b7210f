"""ALTER TABLE ... ALTER COLUMN ... TYPE runs outside a transaction block only, as in Redshift."""

from __future__ import annotations

import psycopg
import pytest

from localshift.dataplane.redshift_sql.outside_blocks import IN_BLOCK, refused_in_block


@pytest.mark.parametrize("text", [
    b"ALTER TABLE t ALTER COLUMN c TYPE varchar(20)",
    b'/* dbt */ alter table s."T" alter "my col" type varchar(20)',
    b"alter table t alter column c set data type varchar(20)",
])
def test_a_column_type_change_is_refused_in_an_open_block_only(text):
    assert refused_in_block(True, text, False) is IN_BLOCK
    assert refused_in_block(False, text, False) is None


def test_a_begin_before_it_in_the_same_query_opens_the_block():
    assert refused_in_block(False, b"BEGIN; ALTER TABLE t ALTER c TYPE varchar(9); COMMIT", False) is IN_BLOCK
    assert refused_in_block(True, b"COMMIT; ALTER TABLE t ALTER c TYPE varchar(9)", False) is None


@pytest.mark.parametrize("text", [
    b"ALTER TABLE t ADD COLUMN type int", b"ALTER TABLE t ALTER COLUMN c ENCODE zstd",
    b"SELECT 'alter table t alter c type x'", b"SELECT typname FROM pg_type", b"CREATE TYPE x AS (a int)",
])
def test_other_statements_are_left_alone(text):
    assert refused_in_block(True, text, False) is None


def test_the_engine_refuses_it_in_a_block_and_runs_it_outside_one(db, sql_cluster, database):
    db.execute("CREATE TABLE names (n varchar(5))")
    with sql_cluster.connect(database, autocommit=False) as conn:
        conn.execute("SET search_path TO it")
        conn.execute("INSERT INTO names VALUES ('abc')")
        # psycopg opened a block with the INSERT: the ALTER fails, and the block with it
        with pytest.raises(psycopg.errors.ActiveSqlTransaction, match="cannot run inside a transaction block"):
            conn.execute("ALTER TABLE names ALTER COLUMN n TYPE varchar(50)")
        conn.rollback()
    with pytest.raises(psycopg.errors.ActiveSqlTransaction):
        db.execute("BEGIN; ALTER TABLE names ALTER COLUMN n TYPE varchar(50); COMMIT")
    db.execute("ROLLBACK")
    assert db.execute("SELECT count(*) FROM names").fetchone() == (0,)
    db.execute("ALTER TABLE names ALTER COLUMN n TYPE varchar(50)")
    assert db.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                      " WHERE attrelid = 'names'::regclass AND attname = 'n'").fetchone() == ("character varying(50)",)
