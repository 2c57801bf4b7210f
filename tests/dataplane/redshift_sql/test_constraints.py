"""Informational PRIMARY KEY and UNIQUE constraints (catalog/41_constraints.sql) on a real engine:
duplicates load, the catalog reports the keys, foreign keys reference them, the planner assumes
nothing from them."""

from __future__ import annotations

import psycopg
import pytest


def key_indexes_unique(db: psycopg.Connection, table: str) -> list[bool]:
    return [row[0] for row in db.execute(
        "select i.indisunique from pg_index i join pg_constraint c on c.conindid = i.indexrelid"
        " where c.conrelid = %s::regclass and c.contype in ('p', 'u') order by c.conname", (table,))]


@pytest.fixture
def keyed(db):
    db.execute("create table p (id int primary key, name varchar(10), code int unique)")
    db.execute("insert into p values (1, 'a', 7), (1, 'b', 7), (2, 'c', null), (2, 'c', null), (3, 'd', 8)")
    return db


def test_duplicate_and_null_keys_load(keyed):
    assert keyed.execute("select count(*), count(distinct id) from p").fetchone() == (5, 3)
    keyed.execute("insert into p select * from p")
    keyed.execute("update p set id = 1")
    assert keyed.execute("select count(*) from p where id = 1").fetchone() == (10,)
    assert key_indexes_unique(keyed, "p") == [False, False]
    # A primary key's columns are NOT NULL, as Redshift's; a UNIQUE column takes NULLs.
    with pytest.raises(psycopg.errors.NotNullViolation):
        keyed.execute("insert into p values (null, 'x', 1)")


def test_the_catalog_reports_the_keys(keyed):
    assert keyed.execute(
        "select contype, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'p'::regclass"
        " and contype in ('p', 'u') order by contype").fetchall() == [("p", "PRIMARY KEY (id)"), ("u", "UNIQUE (code)")]
    assert keyed.execute(
        "select tc.constraint_type, k.column_name from information_schema.table_constraints tc"
        " join information_schema.key_column_usage k using (constraint_schema, constraint_name)"
        " where tc.table_schema = 'it' and tc.table_name = 'p' order by 1").fetchall() == [
            ("PRIMARY KEY", "id"), ("UNIQUE", "code")]
    database = keyed.info.dbname
    assert keyed.execute(f"show constraints primary keys from table {database}.it.p").fetchall() == [
        (database, "it", "p", "id", 1, "p_pkey")]
    ddl = keyed.execute("show table p").fetchone()[0]
    assert "PRIMARY KEY (id)" in ddl and "UNIQUE (code)" in ddl


def test_queries_over_duplicate_keys_count_every_row(keyed):
    keyed.execute("create table c (pid int, x int)")
    keyed.execute("insert into c values (1, 10), (2, 20), (4, 40)")
    assert keyed.execute("select count(*) from c left join p on p.id = c.pid").fetchone() == (5,)
    assert keyed.execute("select c.x from c left join p on p.id = c.pid order by 1").fetchall() == [
        (10,), (10,), (20,), (20,), (40,)]
    assert keyed.execute("select count(*) from p p1 join p p2 on p1.id = p2.id").fetchone() == (9,)
    assert keyed.execute("select count(*) from (select id, name from p group by id, name) g").fetchone() == (4,)
    assert keyed.execute("select count(*) from (select distinct id, code from p) d").fetchone() == (3,)
    assert keyed.execute("select count(*) from c where pid in (select id from p)").fetchone() == (2,)
    assert keyed.execute("select count(*) from c join p on p.code = c.x - 3").fetchone() == (2,)
    # PostgreSQL's functional dependency on the key still lets other columns go ungrouped (Redshift
    # refuses it): one group per key value.
    assert keyed.execute("select count(*) from (select id, name from p group by id) g").fetchone() == (3,)
    # TRUNCATE and a rewrite of the table (PostgreSQL's VACUUM (FULL); REINDEX, which Redshift has
    # not, is refused to users) rebuild the key indexes from the catalog: informational still.
    keyed.execute("truncate p")
    keyed.execute("vacuum (full) p")
    keyed.execute("insert into p values (5, 'e', 9), (5, 'e', 9)")
    assert key_indexes_unique(keyed, "p") == [False, False]


def test_foreign_keys_reference_informational_keys(keyed):
    keyed.execute("create table ref (pid int references p(id), code int, foreign key (code) references p (code))")
    keyed.execute("create table ref2 (pid int references p)")
    keyed.execute("insert into ref values (99, 99)")  # informational, as Redshift's
    database = keyed.info.dbname
    assert sorted((row[3], row[7], row[11], row[12]) for row in keyed.execute(
        f"show constraints foreign keys exported from table {database}.it.p")) == [
            ("code", "code", "ref_code_fkey", "p_code_key"), ("id", "pid", "ref2_pid_fkey", "p_pkey"),
            ("id", "pid", "ref_pid_fkey", "p_pkey")]
    assert keyed.execute(
        "select conname, confrelid::regclass::text from pg_constraint where conrelid = 'ref'::regclass"
        " order by 1").fetchall() == [("ref_code_fkey", "p"), ("ref_pid_fkey", "p")]
    keyed.execute("alter table ref add constraint ref_again foreign key (pid) references it.p (id)")
    keyed.execute("insert into p values (3, 'dup', 8)")  # the keys lent to the statements are informational again
    assert key_indexes_unique(keyed, "p") == [False, False]
    keyed.execute("alter table ref add column code2 int references p(code)")
    assert keyed.execute("select count(*) from pg_constraint where conrelid = 'ref'::regclass and contype = 'f'"
                         ).fetchone() == (4,)


def test_keys_lent_in_a_transaction_are_informational_before_it_ends(sql_cluster, database):
    with sql_cluster.connect(database, autocommit=False) as conn:
        conn.execute("create table tx_p (id int primary key)")
        conn.execute("insert into tx_p values (1), (1)")
        conn.execute("create table tx_c (id int references tx_p (id))")
        conn.execute("insert into tx_p values (1)")
        conn.commit()
        assert conn.execute("select count(*) from tx_p").fetchone() == (3,)
        conn.execute("drop table tx_c, tx_p")
        conn.commit()


def test_alter_table_adds_and_drops_keys(db):
    db.execute("create table a (id int not null, v varchar(5))")
    db.execute("insert into a values (1, 'x'), (1, 'x')")
    # Keys are added over the duplicates they would refuse, under PostgreSQL's names.
    assert db.execute("alter table a add constraint a_pk primary key (id)").statusmessage == "ALTER TABLE"
    db.execute("alter table a add unique (v)")
    db.execute("insert into a values (1, 'x')")
    assert db.execute("select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'a'::regclass"
                      " and contype in ('p', 'u') order by 1").fetchall() == [
                          ("a_pk", "PRIMARY KEY (id)"), ("a_v_key", "UNIQUE (v)")]
    with pytest.raises(psycopg.errors.DuplicateTable):
        db.execute("alter table a add constraint a_pk unique (v)")
    with pytest.raises(psycopg.errors.InvalidTableDefinition, match="multiple primary keys"):
        db.execute("alter table a add primary key (v)")
    db.execute("create table n (id int)")
    db.execute("insert into n values (null)")
    with pytest.raises(psycopg.errors.NotNullViolation):
        db.execute("alter table n add primary key (id)")
    assert key_indexes_unique(db, "a") == [False, False]
    # A column that is not a key changes type over duplicate keys; so does a key column (Redshift
    # changes only a VARCHAR's size: PostgreSQL keeps the index, and the event trigger makes the
    # key's new definition informational again).
    db.execute("alter table a add column w varchar(5)")
    db.execute("alter table a alter column w type varchar(20)")
    db.execute("alter table a alter column v type varchar(20)")
    db.execute("insert into a values (1, 'x')")
    assert key_indexes_unique(db, "a") == [False, False]
    db.execute("alter table a drop constraint a_pk")
    db.execute("alter table a drop constraint a_v_key")
    assert db.execute("select count(*) from pg_constraint where conrelid = 'a'::regclass and contype in ('p', 'u')"
                      ).fetchone() == (0,)
    db.execute("create table b (id int primary key, v int) diststyle key distkey (id)")
    db.execute("create table b_like (like b)")
    db.execute("create table b_ctas as select * from b")
    assert db.execute("select count(*) from pg_constraint where conrelid in ('b_like'::regclass, 'b_ctas'::regclass)"
                      " and contype = 'p'").fetchone() == (0,)


def test_only_user_tables_are_informational_and_the_switches_stay_internal(db):
    # localshift's own tables keep their unique keys (its writes rely on ON CONFLICT).
    assert key_indexes_unique(db, "localshift.table_attributes") == [True]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute("select localshift.make_keys_informational(array['localshift.table_attributes'::regclass::oid])")
    # A Redshift superuser writes every user's table (the master user is one), not the catalog's:
    # the lent indexes are the internal role's to record (catalog/90_internal_tables.sql).
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for relation lent_key_indexes"):
        db.execute("insert into localshift.lent_key_indexes values ('localshift.table_attributes_pkey'::regclass)")
    db.execute("create table after_lending (a int)")
    assert key_indexes_unique(db, "localshift.table_attributes") == [True]
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        db.execute("select localshift.lend_keys()")
    # A marker the caller writes lends only a plain index of the caller's table, and only to
    # that statement.  (The one plain index a user can build: the translator's name, with the
    # marker, catalog/45_postgresql_only_commands.sql.)
    db.execute("create table plain (id int)")
    db.execute("""create index localshift_new_key_index /*localshift:key_index["plain","localshift_new_key_index"]*/
                  on plain (id)""")
    db.execute("""alter table plain add column v int /*localshift:key_index["plain","localshift_new_key_index"]*/""")
    db.execute("insert into plain values (1), (1)")
    assert db.execute("select indisunique from pg_index"
                      " where indexrelid = 'localshift_new_key_index'::regclass").fetchone() == (False,)


def test_a_marker_in_a_users_string_lends_no_key_of_a_table_they_may_not_reference(sql_cluster, database, db):
    """The event trigger finds its marker in the statement's text, where a string literal can hold one:
    a user who may not reference a table never has its keys made unique, even for one statement."""
    db.execute("create table others (id int primary key)")
    db.execute("insert into others values (1), (1)")
    db.execute("drop user if exists marker_forger")
    db.execute("create user marker_forger password 'Forger123x'")
    db.execute("grant usage, create on schema it to marker_forger")
    with sql_cluster.connect(database, user="marker_forger", password="Forger123x") as forger:
        forger.execute("create table it.mine (a int)")
        forger.execute("insert into it.mine values (1)")
        forger.execute("create function it.others_unique() returns boolean volatile language sql as $$"
                       " select bool_or(indisunique) from pg_index where indrelid = 'it.others'::regclass $$")
        # A volatile default is computed for every row while the statement runs, after the lending.
        forger.execute("alter table it.mine add column seen boolean default it.others_unique(),"
                       """ add column forged varchar(60) default '/*localshift:references["it.others"]*/'""")
        assert forger.execute("select seen from it.mine").fetchall() == [(False,)]
        forger.execute("drop table it.mine")
        forger.execute("drop function it.others_unique()")
    # Granted the REFERENCES privilege, the same marker is the foreign key's.
    db.execute("grant references on others to marker_forger")
    with sql_cluster.connect(database, user="marker_forger", password="Forger123x") as forger:
        forger.execute("create table it.child (id int references it.others (id))")
        forger.execute("drop table it.child")
    assert key_indexes_unique(db, "others") == [False]
    db.execute("revoke all on schema it from marker_forger")
    db.execute("revoke all on others from marker_forger")
    db.execute("drop user marker_forger")
