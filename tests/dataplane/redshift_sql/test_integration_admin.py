"""Users, settings, maintenance, COPY and UNLOAD through a real endpoint."""

from __future__ import annotations

import time

import psycopg
import pytest

from support import OWNER, wait_for


@pytest.fixture
def names(db):
    """Users and groups made by a test are dropped after it, the newest first (the master user
    has the privileges of the users it made, and they of theirs)."""
    made: list[str] = []
    yield made
    for name in reversed(made):
        db.execute(f"drop owned by {name} cascade")
        db.execute(f"drop role if exists {name}")


def test_users_log_in_with_clear_md5_and_sha256_passwords(sql_cluster, database, db, names):
    names += ["u_clear", "user1", "u_sha"]
    db.execute("create user u_clear password 'Clear1234' connection limit 3")
    db.execute("create user user1 password 'md5153c434b4b77c89e6b94f12c5393af5b'")  # 'ez' + 'user1'
    db.execute("create user u_sha password 'sha256|Sha25678'")
    for user, password in (("u_clear", "Clear1234"), ("user1", "ez"), ("u_sha", "Sha25678")):
        with sql_cluster.connect(database, user, password) as conn:
            assert conn.execute("select current_user").fetchone() == (user,)
    with pytest.raises(psycopg.errors.InvalidPassword):
        db.execute("create user weak password 'weak'")


def test_createuser_makes_a_redshift_superuser_not_a_postgresql_one(sql_cluster, database, db, names):
    names += ["boss", "plain"]
    db.execute("create table secret (v int)")
    db.execute("insert into secret values (42)")
    db.execute("revoke all on schema it from public")
    db.execute("create user boss password 'Boss12345' createuser")
    db.execute("create user plain password 'Plain1234'")
    assert db.execute("select rolsuper, rolcreaterole from pg_roles where rolname = 'boss'").fetchone() == \
        (False, True)
    with sql_cluster.connect(database, "boss", "Boss12345") as conn:
        assert conn.execute("select v from it.secret").fetchone() == (42,)  # reads every table
        conn.execute("create user deputy password 'Deputy123' createuser")  # and makes superusers
        names.append("deputy")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select pg_read_file('/etc/hostname')")  # but never the host's files
    db.execute("grant usage on schema it to plain")
    with sql_cluster.connect(database, "plain", "Plain1234") as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege) as denied:
        conn.execute("select v from it.secret")
    assert denied.value.diag.message_primary == "permission denied for relation secret"  # Redshift's words


def test_superusers_reach_the_objects_of_users_who_are_not(sql_cluster, database, db, names):
    """A Redshift superuser creates in another user's schema, alters and drops its tables (the
    user is granted to localshift_superuser) and another superuser's (owner_reach.py); everything of
    the internal role stays out of reach."""
    names += ["reach_boss", "reach_owner", "reach_later"]
    db.execute("create table secret_of_admin (a int)")
    db.execute("create user reach_boss password 'Boss12345' createuser")
    db.execute("create user reach_owner password 'Owner1234'")
    db.execute("create user reach_later password 'Later1234'")
    db.execute("grant create on database %s to reach_owner" % database)
    with sql_cluster.connect(database, "reach_owner", "Owner1234") as conn:
        conn.execute("create schema reach_s")
        conn.execute("create table reach_s.t (a int)")
        conn.execute("revoke all on schema reach_s from public")
    with sql_cluster.connect(database, "reach_boss", "Boss12345") as conn:
        conn.execute("create table reach_s.made_by_boss (a int)")
        conn.execute("alter table reach_s.t add column b int")
        conn.execute("insert into reach_s.t values (1, 2)")
        conn.execute("drop table reach_s.made_by_boss")
        assert conn.execute("select * from reach_s.t").fetchall() == [(1, 2)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table localshift.intruder (a int)")
        # Another superuser's, as its owner (owner_reach.py; test_owner_reach).
        assert conn.execute("alter table it.secret_of_admin add column b int").statusmessage == "ALTER TABLE"
    # A user made a superuser later leaves the others' reach (and reaches them); back again with NOCREATEUSER.
    assert db.execute("alter user reach_later createuser").statusmessage == "ALTER USER"
    assert db.execute("select pg_has_role('localshift_superuser', 'reach_later', 'MEMBER'),"
                      " pg_has_role('reach_later', 'localshift_superuser', 'MEMBER')").fetchone() == (False, True)
    db.execute("alter user reach_later createuser")  # twice: nothing to take back
    db.execute("alter user reach_later nocreateuser")
    assert db.execute("select pg_has_role('localshift_superuser', 'reach_later', 'MEMBER'),"
                      " pg_has_role('reach_later', 'localshift_superuser', 'MEMBER')").fetchone() == (True, False)



def test_superusers_reach_each_others_objects_through_grants(sql_cluster, database, db, names):
    """What a superuser (the master user, a CREATEUSER user) owns is granted to localshift_superuser:
    the other superusers create in its schemas and databases, write, truncate and read its tables
    and run its routines (ALTER and DROP: owner_reach.py).  No listing shows the grant."""
    names += ["peer_one", "peer_two"]
    db.execute("create schema peer_admin")
    db.execute("create table peer_admin.t (a int)")
    db.execute("create function peer_admin.f() returns int language sql as 'select 1'")
    db.execute("revoke execute on function peer_admin.f() from public")
    db.execute("create user peer_one password 'Peer12345' createuser createdb")
    db.execute("create user peer_two password 'Peer12345' createuser")
    db.execute("drop database if exists peer_one_db with (force)")
    try:
        with sql_cluster.connect(database, "peer_one", "Peer12345") as conn:
            conn.execute("create table peer_admin.made_by_one (a int)")  # in the master user's schema
            conn.execute("insert into peer_admin.t values (1)")
            conn.execute("truncate peer_admin.t")
            assert conn.execute("select peer_admin.f()").fetchone() == (1,)
            conn.execute("create schema peer_one_s")  # in the master user's database
            conn.execute("create table peer_one_s.t (a int)")
            conn.execute("insert into peer_one_s.t values (1)")
            conn.execute("create database peer_one_db")
        with sql_cluster.connect(database, "peer_two", "Peer12345") as conn:
            conn.execute("create table peer_one_s.made_by_two (a int)")
            conn.execute("insert into peer_one_s.t values (2)")
            assert conn.execute("select a from peer_one_s.t order by a").fetchall() == [(1,), (2,)]
            conn.execute("truncate peer_one_s.t")
            # ALTER and DROP run as the owner (owner_reach.py; test_owner_reach).
            conn.execute("alter table peer_admin.t add column b int")
            conn.execute("alter table peer_one_s.t rename to t2")
            conn.execute("alter table peer_one_s.t2 rename to t")
        with sql_cluster.connect("peer_one_db", "peer_two", "Peer12345") as conn:
            conn.execute("create schema made_by_two")  # in a database another superuser made
            conn.execute("create table made_by_two.t (a int)")
        with sql_cluster.connect("peer_one_db") as conn:
            conn.execute("insert into made_by_two.t values (1)")
        db.execute("drop table peer_one_s.t")  # the master user created peer_one
        assert db.execute("select has_table_privilege('localshift_superuser', 'peer_admin.t', 'TRUNCATE')"
                          ).fetchone() == (True,)
        for listing in ("select array_to_string(relacl, ',') from pg_class where relname = 'made_by_one'",
                        "select table_acl from svv_all_tables where table_name = 'made_by_one'",
                        "select schema_acl from svv_all_schemas where schema_name = 'peer_one_s'",
                        "select database_acl from svv_redshift_databases where database_name = 'peer_one_db'"):
            assert "localshift" not in (db.execute(listing).fetchone()[0] or ""), listing
        assert db.execute("select count(*) from svv_relation_privileges where namespace_name = 'peer_admin'"
                          ).fetchone() == (0,)
        # an ACL left as the owner's default reads NULL, as before the grant (clients read the owner's rights)
        assert db.execute("select relacl is null from pg_class where relname = 'made_by_one'").fetchone() == (True,)
    finally:
        db.execute("drop database if exists peer_one_db with (force)")
        db.execute("drop schema peer_admin cascade")

def test_groups_roles_grants_and_alter_user(sql_cluster, database, db, names):
    names += ["analysts", "reader", "ann"]
    db.execute("create table facts (v int)")
    db.execute("create group analysts")
    db.execute("create role reader")
    db.execute("create user ann password 'Annpass12' in group analysts syslog access unrestricted")
    db.execute("grant usage on schema it to group analysts")
    db.execute("grant select on facts to role reader")
    db.execute("grant role reader to ann")
    with sql_cluster.connect(database, "ann", "Annpass12") as conn:
        assert conn.execute("select count(*) from it.facts").fetchone() == (0,)
    assert db.execute("select groname from pg_group where groname = 'analysts'").fetchone() == ("analysts",)
    assert db.execute("select pg_has_role('ann', 'localshift_syslog_unrestricted', 'member')").fetchone() == (True,)
    db.execute("alter user ann password 'Newpass12' connection limit 2")
    db.execute("alter user ann set query_group to 'reports'")
    with sql_cluster.connect(database, "ann", "Newpass12") as conn:
        assert conn.execute("show query_group").fetchone() == ("reports",)
    db.execute("revoke role reader from ann")
    with sql_cluster.connect(database, "ann", "Newpass12") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select count(*) from it.facts")


def test_session_settings(db):
    assert db.execute("show query_group").fetchone() == ("default",)
    db.execute("set query_group to 'etl'")
    db.execute("set enable_result_cache_for_session to off")
    assert db.execute("show query_group").fetchone() == ("etl",)
    assert db.execute("show enable_result_cache_for_session").fetchone() == ("off",)
    db.execute("set search_path to '$user', public")
    # A second, not a millisecond: the RESET ALL after the stopped statement still runs under the timeout, and
    # a loaded machine can take a millisecond over any statement.
    db.execute("set statement_timeout to 1000")
    with pytest.raises(psycopg.errors.QueryCanceled):
        db.execute("select pg_sleep(30)")
    db.execute("reset all")
    assert db.execute("show query_group").fetchone() == ("default",)


def test_current_setting_and_set_config_read_redshifts_parameters(db):
    """CURRENT_SETTING and SET_CONFIG (Redshift documents both) name a Redshift-only parameter as SET
    and SHOW do, not as the engine's ``redshift.`` setting."""
    assert db.execute("select current_setting('query_group')").fetchone() == ("default",)
    db.execute("set query_group to 'etl'")
    assert db.execute("select current_setting('QUERY_GROUP'), current_setting('timezone') is not null"
                      ).fetchone() == ("etl", True)
    assert db.execute("select set_config('enable_result_cache_for_session', 'off', false)").fetchone() == ("off",)
    assert db.execute("show enable_result_cache_for_session").fetchone() == ("off",)
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="SET_CONFIG of enable_case_sensitive_identifier"):
        db.execute("select set_config('enable_case_sensitive_identifier', 'true', false)")
    with pytest.raises(psycopg.errors.UndefinedObject):
        db.execute("select current_setting('no_such_parameter')")


def test_every_documented_session_parameter_is_accepted_with_its_default(db):
    defaults = {"json_serialization_enable": "false", "json_serialization_parse_nested_strings": "false",
                "datashare_break_glass_session_var": "", "pg_federation_repeatable_read": "true",
                "default_array_search_null_handling": "false"}
    for name, default in defaults.items():
        assert db.execute(f"show {name}").fetchone() == (default,)
    db.execute("set json_serialization_enable to true")
    db.execute("set datashare_break_glass_session_var to '620c871f890c49'")
    db.execute("set pg_federation_repeatable_read to on")
    assert db.execute("show json_serialization_enable").fetchone() == ("true",)
    assert db.execute("show datashare_break_glass_session_var").fetchone() == ("620c871f890c49",)
    assert db.execute("show pg_federation_repeatable_read").fetchone() == ("on",)
    db.execute("reset json_serialization_enable")
    assert db.execute("show json_serialization_enable").fetchone() == ("false",)


def test_schema_quota_maintenance_and_lock(db):
    db.execute("create schema if not exists quota_s quota 10 gb")
    db.execute("alter schema quota_s quota unlimited")
    with pytest.raises(psycopg.errors.InvalidSchemaName):
        db.execute("alter schema nosuch quota 1 tb")
    db.execute("create table m (a int, b varchar(30), c date) sortkey(c)")
    db.execute("insert into m values (1, 'x', '2024-01-01')")
    db.execute("vacuum delete only m to 75 percent boost")
    db.execute("vacuum sort only")
    db.execute("analyze m predicate columns")
    assert db.execute("analyze compression m").fetchall() == [
        ("m", "a", "az64", 0), ("m", "b", "lzo", 0), ("m", "c", "raw", 0)]
    assert [c.name for c in db.cursor().execute("analyze compression m").description] == \
        ["table", "column", "encoding", "est_reduction_pct"]
    db.execute("lock m")
    assert db.execute("cancel 999999").fetchone() == (False,)
    db.execute("drop schema quota_s")


def test_copy_and_unload_fail_on_the_bucket_as_redshift_does(db):
    db.execute("create table loads (a int, b varchar(10))")
    with pytest.raises(psycopg.errors.InternalError_) as e:
        db.execute("copy loads from 's3://my-bucket/loads/' iam_role 'arn:aws:iam::123456789012:role/load' "
                   "format as csv ignoreheader 1 gzip region 'us-east-1'")
    assert str(e.value).startswith("S3ServiceException:The specified bucket does not exist,Status 404,"
                                   "Error NoSuchBucket")
    assert "context:   Listing bucket=my-bucket prefix=loads/" in e.value.diag.message_detail
    assert e.value.diag.context is None
    with pytest.raises(psycopg.errors.UndefinedTable):
        db.execute("copy nosuch from 's3://b/k' iam_role default")
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="LOAD source is not supported"):
        db.execute("copy loads from '/etc/passwd' iam_role default")
    with pytest.raises(psycopg.errors.SyntaxError, match='syntax error at or near "xml"'):
        db.execute("copy loads from 's3://b/k' iam_role default format as xml")
    with pytest.raises(psycopg.errors.InternalError_, match="NoSuchBucket"):
        db.execute("unload ('select * from loads') to 's3://b/out_' iam_role default parquet")
    with pytest.raises(psycopg.errors.UndefinedTable):
        db.execute("unload ('select * from nosuch') to 's3://b/out_' iam_role default")
    with db.cursor().copy("copy loads from stdin") as copy:  # PostgreSQL's client-side COPY stays
        copy.write_row((1, "x"))
    assert db.execute("select * from loads").fetchall() == [(1, "x")]


def test_an_ordinary_user_gets_the_translators_features(sql_cluster, database, db, names):
    """Everything the translator relies on works for a user who is no superuser of any kind."""
    names.append("worker")
    db.execute("create user worker password 'Worker123'")
    db.execute("grant create, usage on schema it to worker")
    with sql_cluster.connect(database, "worker", "Worker123") as conn:
        conn.execute("set search_path to it")
        conn.execute("create table w (a int encode az64, b varchar(max)) distkey(a) sortkey(b)")
        conn.execute("alter table w alter diststyle even")
        conn.execute("create table w2 (like w)")
        conn.execute("insert into w2 values (1, 'x')")
        conn.execute("alter table w append from w2")
        assert conn.execute("select count(*) from w").fetchone() == (1,)
        conn.execute("set query_group to 'mine'")
        assert conn.execute("show query_group").fetchone() == ("mine",)
        assert [r[2] for r in conn.execute("show tables from schema %s.it" % database).fetchall()] == ["w", "w2"]
        with pytest.raises(psycopg.errors.InternalError_, match="NoSuchBucket"):
            conn.execute("copy w from 's3://b/k' iam_role default")
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            conn.execute("select 1::geography")
    assert db.execute("select diststyle, sortkey from localshift.table_attributes "
                      "where table_oid = 'it.w'::regclass").fetchone() == ("EVEN", ["b"])


def test_cluster_facts_are_the_clusters_and_follow_its_default_iam_role(sql_cluster, database, db, names):
    redshift = sql_cluster.server.client(OWNER)
    cluster = redshift.describe_clusters(ClusterIdentifier="sql")["Clusters"][0]
    namespace = cluster["ClusterNamespaceArn"].rsplit(":", 1)[1]
    facts = "select current_aws_account, current_namespace, default_iam_role()"
    cursor = db.execute(facts)
    assert cursor.fetchone() == (int(OWNER), namespace, None)
    assert [column.name for column in cursor.description] == ["current_aws_account", "current_namespace",
                                                               "default_iam_role"]
    # Read once per statement, whatever the rows: each read of the files costs about half a millisecond,
    # so 20,000 rows reading them each would take 10 s.
    started = time.monotonic()
    assert db.execute("select count(distinct current_aws_account::text || current_namespace"
                      " || coalesce(default_iam_role(), '-')) from generate_series(1, 20000)").fetchone() == (1,)
    assert time.monotonic() - started < 2
    # A column's DEFAULT (no subquery there) reads them too.
    db.execute("create table it.facts (n int, account bigint default current_aws_account,"
               " namespace varchar(64) default current_namespace, role varchar(256) default default_iam_role())")
    db.execute("insert into it.facts (n) values (1)")
    assert db.execute("select account, namespace, role from it.facts").fetchone() == (int(OWNER), namespace, None)

    role = f"arn:aws:iam::{OWNER}:role/facts"
    redshift.modify_cluster_iam_roles(ClusterIdentifier="sql", AddIamRoles=[role], DefaultIamRoleArn=role)
    try:
        wait_for(lambda: db.execute("select default_iam_role()").fetchone() == (role,))
        # A tenant changes none of them: not by a setting, nor by the configuration files.
        names.append("u_facts")
        db.execute("create user u_facts password 'Facts1234'")
        with sql_cluster.connect(database, "u_facts", "Facts1234") as user:
            user.execute("set localshift.default_iam_role = 'arn:aws:iam::1:role/mine'")
            assert user.execute(facts).fetchone() == (int(OWNER), namespace, role)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                user.execute("select localshift.cluster_fact('aws_account')")
        with pytest.raises(psycopg.Error):
            db.execute("alter system set localshift.default_iam_role = 'arn:aws:iam::1:role/mine'")
        assert db.execute("select default_iam_role()").fetchone() == (role,)
    finally:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="sql", RemoveIamRoles=[role])
    wait_for(lambda: db.execute("select default_iam_role()").fetchone() == (None,))
