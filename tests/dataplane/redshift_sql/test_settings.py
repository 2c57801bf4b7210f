"""SET / RESET / SHOW of Redshift's session parameters."""

from __future__ import annotations

from localshift.dataplane.redshift_sql import translate

from .helpers import pg


def test_redshift_only_parameters_live_under_the_redshift_prefix():
    assert pg("set query_group to 'etl'") == "set redshift.query_group TO 'etl'"
    assert pg("SET SESSION enable_result_cache_for_session = off") == \
        "SET SESSION redshift.enable_result_cache_for_session TO off"
    assert pg("reset wlm_query_slot_count") == "RESET redshift.wlm_query_slot_count"
    assert pg("set json_serialization_enable to true") == "set redshift.json_serialization_enable TO true"
    assert pg("set datashare_break_glass_session_var to '620c871f890c49'") == \
        "set redshift.datashare_break_glass_session_var TO '620c871f890c49'"
    assert pg("show query_group") == \
        "SELECT current_setting(E'redshift.query_group') AS query_group"


def test_current_setting_and_set_config_name_the_engines_setting():
    assert pg("select current_setting('query_group')") == "select current_setting(E'redshift.query_group')"
    assert pg("select set_config('Query_Group', 'etl', true)") == \
        "select set_config(E'redshift.query_group', 'etl', true)"
    assert pg("select current_setting('readonly')") == "select current_setting(E'default_transaction_read_only')"
    # PostgreSQL's own parameters and expressions stand.
    assert pg("select current_setting('search_path'), current_setting(name) from t") == \
        "select current_setting('search_path'), current_setting(name) from t"


def test_postgresql_parameters_pass_through():
    for sql in ("set search_path to '$user', public", "set statement_timeout = 5000", "show timezone",
                "set time zone 'UTC'", "reset all", "set transaction isolation level serializable"):
        assert pg(sql) == sql


def test_show_all_lists_redshifts_parameters():
    sql = pg("SHOW ALL")
    assert sql.startswith("SELECT name, setting FROM (VALUES (E'analyze_threshold_percent', "
                          "current_setting(E'redshift.analyze_threshold_percent')), ")
    assert "(E'datestyle', current_setting(E'datestyle'))" in sql
    assert "(E'timezone', current_setting(E'timezone'))" in sql
    assert sql.endswith("(E'wlm_query_slot_count', current_setting(E'redshift.wlm_query_slot_count'))) "
                        "AS parameters (name, setting) ORDER BY name")
    assert sql.count("current_setting(") == 36


def test_case_sensitivity_changes_the_session():
    assert translate("set enable_case_sensitive_identifier to true").case_sensitive is True
    assert translate("set enable_case_sensitive_identifier to off").case_sensitive is False
    assert translate("reset enable_case_sensitive_identifier").case_sensitive is False
    assert translate("reset all").case_sensitive is False


def test_readonly_is_postgresqls_default_transaction_read_only():
    # What AWS's JDBC driver sends for Connection.setReadOnly(true / false).
    assert pg("SET readonly=1") == "SET default_transaction_read_only=1"
    assert pg("set session readonly to 0") == "set session default_transaction_read_only to 0"
    assert pg("reset readonly") == "RESET default_transaction_read_only"
    assert pg("show readonly") == "SELECT current_setting(E'default_transaction_read_only') AS readonly"
