"""The Redshift catalog is installed in every engine: new, restored, and set up by an older localshift."""

from __future__ import annotations

import psycopg
import pytest

from localshift.dataplane.redshift_sql.install import catalog_digest, install_catalog
from localshift.services.redshift.views import ENGINE_BUILD

from ..helpers import DB, USER, connect, free_port

# The build is the one the API shows (EngineFullVersion), as a Redshift cluster's version() does.
REDSHIFT_VERSION = ("PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 "
                    f"(Red Hat 3.4.2-6.fc3), Redshift 1.0.{ENGINE_BUILD}")

# What a catalog installed in a database amounts to: its objects in pg_catalog and localshift.
MARKER = "SELECT obj_description('localshift'::regnamespace, 'pg_namespace')"
OBJECTS = """
SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'localshift'::regnamespace),
       (SELECT count(*) FROM pg_class WHERE relnamespace = 'localshift'::regnamespace),
       (SELECT count(*) FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace),
       (SELECT count(*) FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace)
"""


def test_a_new_cluster_speaks_redshift_in_every_database_and_in_those_created_later(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        assert conn.execute("SELECT version()").fetchone() == (REDSHIFT_VERSION,)
        conn.execute("CREATE DATABASE later")
    with psycopg.connect(host="127.0.0.1", port=port, user="awsuser", password="Passw0rd-1",
                         dbname="later") as conn:
        assert conn.execute("SELECT getdate() IS NOT NULL, count(*) FROM svv_tables"
                            " WHERE table_schema = 'public'").fetchone() == (True, 0)
        assert conn.execute("SELECT localshift.engine_version()").fetchone()[0].startswith("PostgreSQL 18")
    with dp._engine(key).connect(DB) as admin:
        assert admin.execute(MARKER).fetchone() == (f"localshift catalog {catalog_digest()}",)


def test_installing_again_changes_nothing_and_keeps_recorded_attributes(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (a int, b varchar(10))")
        conn.execute("CREATE VIEW v AS SELECT * FROM svv_table_info")  # users' views on system views survive
    with dp._engine(key).connect(DB) as admin:
        admin.execute("INSERT INTO localshift.table_attributes (table_oid, diststyle, distkey)"
                      " VALUES ('public.t'::regclass, 'KEY', 'a')")
        before = admin.execute(OBJECTS).fetchone()
        assert not install_catalog(admin)  # already current: skipped
        admin.execute("COMMENT ON SCHEMA localshift IS 'older'")
        assert install_catalog(admin)
        assert admin.execute(OBJECTS).fetchone() == before
    with connect(port) as conn:
        assert conn.execute("SELECT \"column\", distkey FROM pg_table_def WHERE tablename = 't'").fetchall() == [
            ("a", True), ("b", False)]


def test_an_engine_set_up_by_an_older_localshift_gets_the_catalog_when_it_starts(dp, cluster):
    key, port = cluster
    eng = dp._engine(key)
    with eng.connect(DB) as admin:
        admin.execute("DROP VIEW pg_catalog.svv_tables")
        admin.execute("COMMENT ON SCHEMA localshift IS 'localshift catalog older'")
    dp.stop_engine(key)
    dp.start_engine(key, port)
    with connect(port) as conn:
        assert conn.execute("SELECT count(*) FROM svv_tables WHERE table_schema = 'public'").fetchone() == (0,)


def test_a_restored_cluster_has_the_catalog_even_when_the_snapshot_lacks_it(dp, cluster):
    key, port = cluster
    with dp._engine(key).connect(DB) as admin:
        admin.execute("DROP VIEW pg_catalog.svv_tables")
        admin.execute("COMMENT ON SCHEMA localshift IS 'localshift catalog older'")
    dp.create_snapshot(key, "s1")
    restored_port = free_port()
    dp.restore_snapshot("s1", "c2", restored_port)
    with connect(restored_port) as conn:
        assert conn.execute("SELECT count(*) FROM svv_tables WHERE table_schema = 'public'").fetchone() == (0,)
        assert conn.execute("SELECT version()").fetchone() == (REDSHIFT_VERSION,)


def test_late_binding_views_an_older_localshift_recorded_bind_as_new_ones(dp, cluster):
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE TABLE lb_t (a int)")
        conn.execute("CREATE VIEW lb_old AS SELECT a FROM public.lb_t WITH NO SCHEMA BINDING")
        view_oid = conn.execute("SELECT 'lb_old'::regclass::oid").fetchone()[0]
    with dp._engine(key).connect(DB) as admin:
        # What an older localshift left: the view's row alone, and a function running its query.
        admin.execute("UPDATE localshift.late_binding_views SET create_text = NULL, query = NULL, "
                      "column_names = NULL, search_path = NULL, relations = NULL")
        admin.execute(f"DROP FUNCTION localshift.late_binding_probe_{view_oid}()")
        admin.execute(f"CREATE OR REPLACE FUNCTION localshift.late_binding_{view_oid}() RETURNS SETOF record "
                      "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS "
                      "$$BEGIN RETURN QUERY EXECUTE ' SELECT lb_t.a\n   FROM public.lb_t WHERE ''x'' <> ''y'''; END$$")
        admin.execute("COMMENT ON SCHEMA localshift IS 'localshift catalog older'")
        assert install_catalog(admin)
        admin.commit()
    with connect(port, autocommit=True) as conn:
        # Its statement is made again by the internal role, whose search path is pg_catalog alone.
        assert conn.execute("SHOW VIEW lb_old").fetchone() == (
            "CREATE VIEW public.lb_old AS SELECT lb_t.a\n   FROM public.lb_t WHERE 'x' <> 'y' WITH NO SCHEMA BINDING;",)
        conn.execute("DROP TABLE lb_t")
        conn.execute("CREATE TABLE lb_t (a bigint)")
        conn.execute("INSERT INTO lb_t VALUES (5000000000)")
        assert conn.execute("SELECT a FROM lb_old").fetchall() == [(5000000000,)]
        conn.execute("DROP VIEW lb_old")
        conn.execute("DROP TABLE lb_t")


def test_an_older_engines_users_and_superusers_objects_are_reached_when_it_starts(dp, cluster):
    """An older localshift granted no user to localshift_superuser, nor a superuser's objects: an
    engine it set up gets both when it starts (each grant once, the user's by its creator, so that
    ALTER USER ... CREATEUSER takes it back)."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE USER old_user PASSWORD 'Olduser12'")
        conn.execute("CREATE USER old_boss PASSWORD 'Oldboss12' CREATEUSER")
        conn.execute("CREATE TABLE masters_table (a int)")
        conn.execute("INSERT INTO masters_table VALUES (1)")
    memberships = ("SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.grantor"
                   " WHERE a.roleid = 'old_user'::regrole AND a.member = 'localshift_superuser'::regrole")
    reached = "SELECT has_table_privilege('localshift_superuser', 'public.masters_table', 'TRUNCATE')"
    with dp._engine(key).connect(DB) as admin:  # what an older localshift left
        admin.execute(f"REVOKE old_user FROM localshift_superuser GRANTED BY {USER}")
        admin.execute("REVOKE ALL ON public.masters_table FROM localshift_superuser")
        admin.execute("COMMENT ON SCHEMA localshift IS 'localshift catalog older'")
        admin.commit()
        assert admin.execute(memberships).fetchall() == [] and admin.execute(reached).fetchone() == (False,)
    for _ in range(2):
        dp.stop_engine(key)
        dp.start_engine(key, port)
        with dp._engine(key).connect(DB) as admin:
            assert admin.execute(memberships).fetchall() == [(USER,)]
            assert admin.execute(reached).fetchone() == (True,)
    with connect(port, user="old_boss", password="Oldboss12", autocommit=True) as conn:
        conn.execute("TRUNCATE masters_table")
    with connect(port, autocommit=True) as conn:
        conn.execute("ALTER USER old_user CREATEUSER")
        assert conn.execute("SELECT usesuper FROM pg_user WHERE usename = 'old_user'").fetchone() == (True,)


def test_an_older_engines_superusers_lose_their_admin_option_on_localshifts_roles(dp, cluster):
    """An older localshift granted localshift_superuser and localshift_syslog_unrestricted to every superuser
    WITH ADMIN OPTION, with which it could rename, drop, alter and log in as them, and its SYSLOG ACCESS
    grants were its own: when the engine starts, each member keeps its membership, the internal role's
    grant without ADMIN OPTION."""
    key, port = cluster
    with connect(port, autocommit=True) as conn:
        conn.execute("CREATE USER old_super PASSWORD 'Oldsuper12' CREATEUSER")
        conn.execute("CREATE USER old_viewer PASSWORD 'Oldviewer12'")
    grants = ("SELECT r.rolname, m.rolname, g.rolname, a.admin_option FROM pg_auth_members a"
              " JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member"
              " JOIN pg_roles g ON g.oid = a.grantor WHERE r.rolname IN ('localshift_superuser',"
              " 'localshift_syslog_unrestricted') AND m.rolname IN (%s, 'old_super', 'old_viewer') ORDER BY 1, 2, 3")
    with dp._engine(key).connect(DB) as admin:  # what an older localshift left
        for user in (USER, "old_super"):
            admin.execute(f"GRANT localshift_superuser, localshift_syslog_unrestricted TO {user} WITH ADMIN OPTION")
        admin.execute(f"GRANT localshift_syslog_unrestricted TO old_viewer GRANTED BY {USER}")
        admin.commit()
    dp.stop_engine(key)
    dp.start_engine(key, port)
    with dp._engine(key).connect(DB) as admin:
        assert admin.execute(grants, (USER,)).fetchall() == [
            ("localshift_superuser", USER, "rdsdb", False), ("localshift_superuser", "old_super", "rdsdb", False),
            ("localshift_syslog_unrestricted", USER, "rdsdb", False),
            ("localshift_syslog_unrestricted", "old_super", "rdsdb", False),
            ("localshift_syslog_unrestricted", "old_viewer", "rdsdb", False)]
    with connect(port, autocommit=True) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DO $$ BEGIN EXECUTE 'ALTER ROLE localshift_superuser LOGIN'; END $$")


def test_an_older_localshifts_pg_attrdef_view_is_made_again_with_text_adbin(dp, cluster):
    key, port = cluster
    older = ("SELECT d.*, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS adsrc FROM pg_catalog.pg_attrdef d"
             " UNION ALL SELECT 0::oid, 0::oid, 0::int2, NULL::pg_node_tree, NULL::text")
    adbin_type = ("SELECT format_type(atttypid, NULL) FROM pg_attribute"
                  " WHERE attrelid = 'localshift.redshift_pg_attrdef'::regclass AND attname = 'adbin'")
    with dp._engine(key).connect(DB) as admin:
        for user_view in (False, True):
            # What an older localshift made (adbin PostgreSQL's pg_node_tree), and a user's view reading it.
            admin.execute("DROP VIEW localshift.redshift_pg_attrdef")
            admin.execute(f"CREATE VIEW localshift.redshift_pg_attrdef AS {older}")
            if user_view:
                admin.execute("CREATE VIEW public.defaults AS SELECT adsrc FROM localshift.redshift_pg_attrdef")
            admin.execute("COMMENT ON SCHEMA localshift IS 'localshift catalog older'")
            assert install_catalog(admin)
            assert admin.execute(adbin_type).fetchone() == ("text",)
        # The user's view keeps the older one, renamed.
        assert admin.execute("SELECT count(*) FROM public.defaults").fetchone()[0] >= 1
        admin.execute("DROP VIEW public.defaults")
        admin.execute("DROP VIEW localshift.redshift_pg_attrdef_node_tree")
        admin.commit()
