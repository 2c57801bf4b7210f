"""Stored procedures' privileges as AWS's guide describes them ("Security and privileges for stored
procedures", "Managing transactions"): EXECUTE is the owner's (and superusers') until granted, and a
SECURITY DEFINER procedure runs with its owner's privileges."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from sql_cluster import SqlCluster

from .helpers import fresh_user

USER1, USER2, PASSWORD = "sp_guide_user1", "sp_guide_user2", "Guide1234"


@pytest.fixture(scope="module")
def users(sql_cluster: SqlCluster, database: str) -> Iterator[None]:
    for user in (USER1, USER2):
        fresh_user(sql_cluster, database, user, PASSWORD)
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA IF EXISTS guide CASCADE")
        conn.execute("CREATE SCHEMA guide")
        conn.execute(f"GRANT USAGE, CREATE ON SCHEMA guide TO {USER1}")
        conn.execute(f"GRANT USAGE ON SCHEMA guide TO {USER2}")
    yield
    with sql_cluster.connect(database) as conn:
        conn.execute("DROP SCHEMA guide CASCADE")
        for user in (USER1, USER2):
            conn.execute(f"DROP OWNED BY {user} CASCADE")
            conn.execute(f"DROP USER {user}")


def test_a_security_definer_procedure_truncates_for_a_user_granted_execute(sql_cluster, database, users):
    with sql_cluster.connect(database, USER1, PASSWORD) as conn:
        conn.execute("create table guide.test_tbl(id int, name varchar(20))")
        conn.execute("insert into guide.test_tbl values (1,'john'), (2, 'mary')")
        conn.execute("""CREATE OR REPLACE PROCEDURE guide.sp_truncate_test_tbl() LANGUAGE plpgsql
        AS $$
        DECLARE
          tbl_rows int;
        BEGIN
          select count(*) into tbl_rows from guide.test_tbl;
          RAISE INFO 'RowCount before Truncate: %', tbl_rows;
          TRUNCATE guide.test_tbl;
          select count(*) into tbl_rows from guide.test_tbl;
          RAISE INFO 'RowCount after Truncate: %', tbl_rows;
        END;
        $$ SECURITY DEFINER""")
    with sql_cluster.connect(database, USER2, PASSWORD) as conn:
        # EXECUTE is the owner's and superusers' until granted (PostgreSQL would grant it to PUBLIC)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("call guide.sp_truncate_test_tbl()")
    with sql_cluster.connect(database, USER1, PASSWORD) as conn:
        conn.execute(f"grant execute on procedure guide.sp_truncate_test_tbl() to {USER2}")
    with sql_cluster.connect(database, USER2, PASSWORD) as conn:
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("truncate guide.test_tbl")
        conn.execute("call guide.sp_truncate_test_tbl()")
        assert notices == ["RowCount before Truncate: 2", "RowCount after Truncate: 0"]


def test_execute_is_the_owners_and_superusers_and_a_replaced_procedure_keeps_its_grants(
        sql_cluster, database, users):
    with sql_cluster.connect(database, USER1, PASSWORD) as conn:
        conn.execute("CREATE PROCEDURE guide.sp_mine(a int) AS $$ BEGIN RAISE INFO 'a %', a; END $$ LANGUAGE plpgsql")
        conn.execute("CALL guide.sp_mine(1)")
        conn.execute("CREATE FUNCTION guide.f_mine(int) RETURNS int IMMUTABLE AS $$ SELECT $1 $$ LANGUAGE sql")
    with sql_cluster.connect(database) as conn:  # the master user, a superuser
        conn.execute("CALL guide.sp_mine(2)")
        assert conn.execute("SELECT has_function_privilege('public', 'guide.sp_mine(int)', 'execute'), "
                            "has_function_privilege('public', 'guide.f_mine(int)', 'execute')").fetchone() == (
            False, True)
    with sql_cluster.connect(database, USER1, PASSWORD) as conn:
        conn.execute(f"GRANT EXECUTE ON PROCEDURE guide.sp_mine(int) TO {USER2}")
        conn.execute("CREATE OR REPLACE PROCEDURE guide.sp_mine(a int) AS $$ BEGIN NULL; END $$ LANGUAGE plpgsql")
    with sql_cluster.connect(database, USER2, PASSWORD) as conn:
        conn.execute("CALL guide.sp_mine(3)")
