"""SET / RESET SESSION AUTHORIZATION (authorization.py): a Redshift superuser takes another
user's privileges, nobody else does, and nobody reaches a superuser, the master user or the
internal role."""

from __future__ import annotations

import psycopg
import pytest

from .helpers import fresh_user, pg, refused

SUPER, PLAIN, OTHER = "sessauth_super", "sessauth_plain", "sessauth_other"
PASSWORD = "Authz1234"


def test_translation():
    assert pg("set session authorization default") == "SET ROLE NONE"
    assert pg("SET LOCAL SESSION AUTHORIZATION DEFAULT") == "SET LOCAL ROLE NONE"
    assert pg("reset session authorization") == "RESET ROLE"
    text = pg("SET SESSION AUTHORIZATION 'dwuser'")
    assert text.startswith("DO $localshift$") and "set_config('role', E'dwuser', false)" in text
    assert "set_config('role', E'Dw', true)" in pg('set local session authorization "Dw"')
    assert "set_config('role', E'dwuser', false)" in pg("set session session authorization dwuser")
    assert refused("set session authorization") == ("42601", 'syntax error at or near "authorization"')
    assert refused("set session authorization a b") == ("42601", 'syntax error at or near "b"')


@pytest.fixture(scope="module")
def users(sql_cluster, database):
    with sql_cluster.connect(database) as conn:
        for user in (SUPER, PLAIN, OTHER):
            conn.execute(f"DROP USER IF EXISTS {user}")
        conn.execute(f"CREATE USER {SUPER} PASSWORD '{PASSWORD}' CREATEUSER")
    fresh_user(sql_cluster, database, PLAIN, PASSWORD)
    fresh_user(sql_cluster, database, OTHER, PASSWORD)
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP TABLE IF EXISTS public.authz_secret")
        conn.execute("CREATE TABLE public.authz_secret (v int)")
        conn.execute(f"GRANT SELECT ON public.authz_secret TO {OTHER}")
    yield
    with sql_cluster.connect(database) as conn:  # users are the cluster's: other modules list them
        conn.execute("DROP TABLE public.authz_secret")
        for user in (SUPER, PLAIN, OTHER):
            conn.execute(f"DROP USER {user}")


@pytest.mark.parametrize("user", ["admin", SUPER])
def test_a_superuser_runs_as_another_user_and_back(sql_cluster, database, users, user):
    password = PASSWORD if user == SUPER else "Passw0rd1"
    with sql_cluster.connect(database, user, password) as conn:
        assert conn.execute(f"SET SESSION AUTHORIZATION '{PLAIN}'").statusmessage == "SET"
        assert conn.execute("select session_user, current_user").fetchone() == (user, PLAIN)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from public.authz_secret")  # the user's privileges, not the superuser's
        conn.execute(f"SET SESSION AUTHORIZATION {OTHER}")
        assert conn.execute("select count(*) from public.authz_secret").fetchone() == (0,)
        assert conn.execute("RESET SESSION AUTHORIZATION").statusmessage == "RESET"
        assert conn.execute("select current_user").fetchone() == (user,)
        with conn.transaction():
            conn.execute(f"SET LOCAL SESSION AUTHORIZATION '{PLAIN}'")
            assert conn.execute("select current_user").fetchone() == (PLAIN,)
        assert conn.execute("select current_user").fetchone() == (user,)
        conn.execute(f"SET SESSION AUTHORIZATION '{PLAIN}'")
        assert conn.execute("SET SESSION AUTHORIZATION DEFAULT").statusmessage == "SET"
        assert conn.execute("select current_user").fetchone() == (user,)


def test_no_user_reaches_the_internal_role_or_a_superuser_it_did_not_create(sql_cluster, database, users):
    with sql_cluster.connect(database, SUPER, PASSWORD) as conn:
        for target in ("rdsdb", "admin"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as denied:
                conn.execute(f"SET SESSION AUTHORIZATION '{target}'")
            assert denied.value.diag.message_primary == f'permission denied to set role "{target}"'
        assert conn.execute("select current_user").fetchone() == (SUPER,)
    with sql_cluster.connect(database) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SET SESSION AUTHORIZATION 'rdsdb'")


def test_an_ordinary_user_gets_redshifts_permission_error(sql_cluster, database, users):
    with sql_cluster.connect(database, PLAIN, PASSWORD) as conn:
        for target in (OTHER, SUPER, "rdsdb"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as denied:
                conn.execute(f"SET SESSION AUTHORIZATION '{target}'")
            assert denied.value.diag.message_primary == "permission denied to set session authorization"
        conn.execute(f"SET SESSION AUTHORIZATION '{PLAIN}'")  # oneself, as PostgreSQL allows
        conn.execute("RESET SESSION AUTHORIZATION")
        assert conn.execute("select session_user, current_user").fetchone() == (PLAIN, PLAIN)
