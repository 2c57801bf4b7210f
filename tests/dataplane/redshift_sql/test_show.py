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
        "FROM localshift.show_parameters(E'dev', E'public', E'f', 'f')")


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
