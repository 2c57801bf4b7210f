"""SHOW commands of redshift_connector's metadata path."""

from __future__ import annotations

from .helpers import pg, refused


def test_show_commands_select_from_the_catalog_functions():
    assert pg("SHOW DATABASES;") == "SELECT * FROM localshift.show_databases()"
    assert pg("SHOW SCHEMAS FROM DATABASE $1 LIKE $2;") == \
        "SELECT * FROM localshift.show_schemas($1) WHERE schema_name LIKE $2"
    assert pg("SHOW TABLES FROM SCHEMA dev.public LIMIT 5") == \
        "SELECT * FROM localshift.show_tables(E'dev', E'public') LIMIT 5"
    assert pg("SHOW COLUMNS FROM TABLE $1.$2.$3 LIKE $4;") == \
        "SELECT * FROM localshift.show_columns($1, $2, $3) WHERE column_name LIKE $4"
    assert pg("SHOW CONSTRAINTS PRIMARY KEYS FROM TABLE dev.public.t;") == \
        "SELECT * FROM localshift.show_primary_keys(E'dev', E'public', E't')"
    assert pg("SHOW CONSTRAINTS FOREIGN KEYS EXPORTED FROM TABLE $1.$2.$3;") == \
        "SELECT * FROM localshift.show_foreign_keys($1, $2, $3, true)"
    assert pg("SHOW TABLES FROM DATABASE $1 DRIVER_TOKEN 'x' WHERE SCHEMA_NAME LIKE $2 AND TABLE_NAME LIKE $3;") == \
        "SELECT * FROM localshift.show_tables($1, NULL) WHERE schema_name like $2 and table_name like $3"
    assert pg("SHOW PROCEDURES FROM SCHEMA dev.public;").startswith(
        "SELECT database_name, schema_name, routine_name AS procedure_name, return_type, argument_list "
        "FROM localshift.show_routines(E'dev', E'public', 'p')")
    assert pg("SHOW PARAMETERS OF FUNCTION dev.public.f;").endswith(
        "FROM localshift.show_parameters(E'dev', E'public', E'f', 'f', NULL)")


def test_show_of_a_setting_and_unknown_objects():
    assert pg("show search_path") == "show search_path"
    assert refused("show model public.m")[0] == "0A000"
    assert refused("show table a.b.c")[0] == "42601"
    assert refused("show view v extra")[0] == "42601"


def test_show_table_and_view_select_their_ddl():
    assert pg("SHOW TABLE Sales;") == \
        "SELECT localshift.show_table_ddl(NULL, E'sales') AS \"Show Table DDL statement\""
    assert pg('show view "Pub".v') == \
        "SELECT localshift.show_view_ddl(E'pub', E'v') AS \"Show View DDL statement\""
    assert refused("show schemas from database")[0] == "42601"


def test_show_names_keep_their_case_when_identifiers_are_case_sensitive():
    """SET enable_case_sensitive_identifier TO true: ``SHOW TABLE "MixedCase"`` names the table
    created as ``"MixedCase"``; a WHERE's delimited column names stay names."""
    assert pg('SHOW TABLE "MixedCase"', case_sensitive=True) == \
        "SELECT localshift.show_table_ddl(NULL, E'MixedCase') AS \"Show Table DDL statement\""
    assert pg('SHOW VIEW "S"."V"', case_sensitive=True).startswith("SELECT localshift.show_view_ddl(E'S', E'V')")
    assert pg('SHOW COLUMNS FROM TABLE dev."S"."T" WHERE "COLUMN_NAME" LIKE \'a%\'', case_sensitive=True) == \
        "SELECT * FROM localshift.show_columns(E'dev', E'S', E'T') WHERE \"COLUMN_NAME\" like 'a%'"
    assert pg('SHOW TABLE "MixedCase"') == \
        "SELECT localshift.show_table_ddl(NULL, E'mixedcase') AS \"Show Table DDL statement\""


def test_show_grants_name_the_object_and_the_grantee():
    assert pg("SHOW GRANTS ON TABLE t1") == "SELECT * FROM localshift.show_grants('r', " \
        "localshift.show_grants_target('TABLE', NULL, NULL, E't1', NULL), NULL)"
    assert pg("show grants on table dev.s.t1 for Bob limit 3").endswith(
        "show_grants_target('TABLE', E'dev', E's', E't1', NULL), localshift.show_grants_identity('user', E'bob'))"
        " LIMIT 3")
    assert pg("SHOW GRANTS ON SCHEMA dev.s FOR ROLE r").endswith(
        "show_grants_target('SCHEMA', E'dev', NULL, E's', NULL), localshift.show_grants_identity('role', E'r'))")
    assert pg("SHOW GRANTS ON DATABASE dev FOR PUBLIC").endswith(
        "show_grants_target('DATABASE', NULL, NULL, E'dev', NULL), 0)")
    assert "show_grants_target('FUNCTION', NULL, E'public', E'f', ARRAY[E'int', E'varchar(65535)']::regtype[])" \
        in pg("SHOW GRANTS ON FUNCTION public.f(a int, varchar(max))")
    assert pg("SHOW GRANTS FOR ROLE r FROM DATABASE dev").startswith(
        "SELECT database_name, schema_name, object_name, object_type, privilege_type, identity_id, identity_name,")
    assert pg("SHOW GRANTS FOR bob") == \
        "SELECT * FROM localshift.show_grants(NULL, NULL, localshift.show_grants_for('user', E'bob'))"
    assert pg("SHOW COLUMN GRANTS ON TABLE $1.$2.$3 LIKE $4;") == \
        "SELECT * FROM localshift.show_column_grants(localshift.show_grants_target('TABLE', $1, $2, $3, NULL), " \
        "NULL) WHERE column_name LIKE $4"
    # The driver's batch form: its WHERE names the table TABLE_NAME.
    assert pg("SHOW GRANTS ON TABLES FROM DATABASE $1 WHERE TABLE_NAME LIKE $2").endswith(
        "FROM (SELECT *, object_name AS table_name FROM localshift.show_grants('r', NULL, NULL) "
        "WHERE database_name = $1) AS grants WHERE table_name like $2")


def test_show_procedure_and_malformed_show_grants():
    assert pg("SHOW PROCEDURE sp1") == \
        "SELECT localshift.show_procedure(NULL, E'sp1', NULL) AS \"Stored Procedure Definition\""
    assert pg("show procedure s.sp1(f1 int, INOUT f2 varchar, OUT varchar)") == \
        "SELECT localshift.show_procedure(E's', E'sp1', ARRAY[E'int', E'varchar', E'varchar']::regtype[]) " \
        "AS \"Stored Procedure Definition\""
    assert refused("show procedure sp1 extra")[0] == "42601"
    assert pg("SHOW GRANTS ON t1 FOR PUBLIC") == pg("SHOW GRANTS ON TABLE t1 FOR PUBLIC")
    assert refused("show grants on view v")[1] == 'syntax error at or near "v"'
    assert refused("show grants on")[0] == "42601"
    assert refused("show column grants on schema s")[0] == "42601"
    assert refused("show grants on database a.b")[0] == "42601"
    assert refused("show grants")[0] == "42601"
