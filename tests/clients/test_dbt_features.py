"""dbt-core with dbt-redshift against a cluster's endpoint, the features beyond test_dbt's
(tests/clients/dbt_project_features): materialized views (dist, sort, backup, auto refresh; the
second run refreshes one, alters another's AUTO REFRESH and rebuilds a third whose sort key
changed), a microbatch model run over three days then one, an append model, `on_schema_change`
(append_new_columns, sync_all_columns) with changed models; the second run is a `dbt build` (unit
tests, one in incremental mode, models, data tests); `dbt test`, `dbt source freshness`, persist_docs, `dbt show --inline`, `dbt run-operation` and
dbt's query comment in the query history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dbt_build import Build, project_build
from sql_cluster import SqlCluster

PROJECT = Path(__file__).parent / "dbt_project_features"
# The source of `dbt source freshness`: loaded two hours ago (warn after one, error after a day).
LANDING = (
    "CREATE SCHEMA landing",
    "CREATE TABLE landing.signups (id int, loaded_at timestamp)",
    "INSERT INTO landing.signups VALUES (1, getdate() - interval '3 hours'), (2, getdate() - interval '2 hours')",
)
# Events of the second and third day, loaded between the runs.
NEW_EVENTS = "INSERT INTO analytics.events VALUES (7, 1, 'buy', 3.00, '2024-01-02 15:00'), (8, 2, 'click', 1.00, '2024-01-03 10:00')"
USER_SPEND = "SELECT user_id, events, spent::text FROM analytics.user_spend_mv ORDER BY 1"


@pytest.fixture(scope="module")
def build(sql_cluster: SqlCluster, tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = project_build(sql_cluster, tmp_path_factory, PROJECT, __file__)
    build.run(*LANDING)
    build.dbt("seed")
    build.dbt("run", "--event-time-start", "2024-01-01", "--event-time-end", "2024-01-04")
    build.run(NEW_EVENTS)
    build.user_spend_before_refresh = build.rows(USER_SPEND)
    for changed in (build.project_dir / "second_run").iterdir():
        shutil.copy(changed, build.project_dir / "models" / changed.name)
    # The second run is a build: unit tests (one in incremental mode, which reads the model's
    # table), models, data tests; not the seeds, which would drop the events loaded since.
    build.dbt("build", "--exclude-resource-type", "seed", "--event-time-start", "2024-01-02",
              "--event-time-end", "2024-01-03")
    build.dbt("test")
    build.dbt("source", "freshness")
    build.dbt("docs", "generate")
    build.dbt("show", "--inline", "select name, spent from {{ ref('user_totals') }} order by spent desc",
              "--limit", "2")
    build.dbt("run-operation", "record_operation", "--args", "{label: nightly}")
    return build


def dbt_log(build: Build) -> str:
    return (build.project_dir / "logs" / "dbt.log").read_text()


def test_every_command_succeeds(build):
    assert [(command.split(" --")[0], ok) for command, ok, _ in build.commands] == [
        ("seed", True), ("run", True), ("build", True), ("test", True), ("source freshness", True),
        ("docs generate", True), ("show", True), ("run-operation record_operation", True)], build.commands


def test_materialized_views_have_their_layout_and_auto_refresh(build):
    assert build.rows("""SELECT "table", diststyle, sortkey1 FROM svv_table_info
                         WHERE schema = 'analytics' AND "table" LIKE '%\\_mv' ORDER BY 1""") == [
        ("kind_counts_mv", "EVEN", "AUTO(SORTKEY)"), ("kind_days_mv", "EVEN", "first_at"),
        ("user_spend_mv", "KEY(user_id)", "user_id")]
    # kind_counts_mv's second run turned AUTO REFRESH on (ALTER MATERIALIZED VIEW ... AUTO REFRESH YES).
    mv_info = [("kind_counts_mv", "t"), ("kind_days_mv", "f"), ("user_spend_mv", "f")]
    assert build.rows("SELECT trim(name), autorefresh FROM svv_mv_info"
                      " WHERE schema_name = 'analytics' ORDER BY 1") == mv_info
    assert build.rows("SELECT trim(name), autorefresh FROM stv_mv_info"
                      " WHERE schema = 'analytics' ORDER BY 1") == mv_info


def test_materialized_views_are_listed_with_their_create_statement(build):
    # dbt-redshift finds materialized views in INFORMATION_SCHEMA.VIEWS and reads their sort key and
    # query back from PG_VIEWS' definition, the CREATE statement as dbt sent it.
    assert build.rows("""SELECT table_name FROM information_schema.views WHERE table_schema = 'analytics'
                         AND view_definition ILIKE '%create materialized view%' ORDER BY 1""") == [
        ("kind_counts_mv",), ("kind_days_mv",), ("user_spend_mv",)]
    [(definition,)] = build.rows("SELECT definition FROM pg_views WHERE viewname = 'kind_days_mv'")
    assert definition.startswith('create materialized view "')
    assert "sortkey (first_at)" in definition and "auto refresh no" in definition
    assert definition.rstrip().endswith(");")
    assert build.rows("SELECT viewname FROM pg_views WHERE schemaname = 'analytics'"
                      " AND definition NOT ILIKE 'create materialized view%'") == [("user_names",)]


def test_the_second_run_refreshes_alters_and_rebuilds_materialized_views(build):
    log = dbt_log(build)
    assert 'Applying REFRESH to: "{}"."analytics"."user_spend_mv"'.format(build.database) in log
    assert 'Applying UPDATE AUTOREFRESH to: "{}"."analytics"."kind_counts_mv"'.format(build.database) in log
    assert 'Applying REPLACE to: "{}"."analytics"."kind_days_mv"'.format(build.database) in log
    # The refresh brought in the events loaded after the first run (user 1: +3.00, user 2: +1.00).
    assert build.user_spend_before_refresh == [(1, 2, "6.50"), (2, 2, "21.00"), (3, 2, "13.25")]
    assert build.rows(USER_SPEND) == [(1, 3, "9.50"), (2, 3, "22.00"), (3, 2, "13.25")]
    # An ALTER of AUTO REFRESH refreshes nothing: kind_counts_mv has the first run's rows until the
    # autorefresh refreshes it, once the events have had no change for mv_autorefresh_interval (docs/sql.md),
    # which SVL_MV_REFRESH_STATUS then shows (read in one statement: one snapshot).
    [(contents, autorefreshed, current)] = build.rows(
        "SELECT (SELECT listagg(kind || ':' || events, ',') WITHIN GROUP (ORDER BY kind) FROM analytics.kind_counts_mv),"
        " (SELECT count(*) FROM svl_mv_refresh_status WHERE trim(mv_name) = 'kind_counts_mv'),"
        " (SELECT listagg(kind || ':' || n, ',') WITHIN GROUP (ORDER BY kind)"
        "  FROM (SELECT kind, count(*) AS n FROM analytics.events GROUP BY kind) AS e)")
    assert contents == (current if autorefreshed else "buy:3,click:3")


def test_microbatch_runs_one_batch_per_day_and_reruns_only_the_days_asked(build):
    first = next(r for r in build.results["run"].result.results if r.node.name == "daily_spend")
    assert [batch[0].date().isoformat() for batch in first.batch_results.successful] == [
        "2024-01-01", "2024-01-02", "2024-01-03"]
    second = next(r for r in build.results["build"].result.results if r.node.name == "daily_spend")
    assert [batch[0].date().isoformat() for batch in second.batch_results.successful] == ["2024-01-02"]
    # Day 2 was rebuilt with event 7; day 3's batch did not run again, so event 8 is not counted.
    assert build.rows("SELECT day::date::text, events, spent::text FROM analytics.daily_spend ORDER BY 1") == [
        ("2024-01-01", 2, "21.00"), ("2024-01-02", 4, "10.50"), ("2024-01-03", 1, "12.25")]


def test_the_append_model_appends_the_new_rows(build):
    assert build.rows("SELECT id FROM analytics.events_log ORDER BY 1") == [(i,) for i in range(1, 9)]


def test_on_schema_change_adds_and_syncs_columns(build):
    columns = """SELECT column_name, data_type FROM svv_columns WHERE table_schema = 'analytics'
                 AND table_name = '{}' ORDER BY ordinal_position"""
    assert build.rows(columns.format("users_widening")) == [
        ("id", "integer"), ("name", "character varying"), ("plan", "character varying")]
    assert build.rows("SELECT id, name, plan FROM analytics.users_widening ORDER BY 1") == [
        (1, "Ada", None), (2, "Bryan", None), (3, "Chen", "free")]
    # sync_all_columns dropped name and added shout; the second run merged users 2 and 3.
    assert build.rows(columns.format("users_synced")) == [
        ("id", "integer"), ("plan", "character varying"), ("shout", "character varying")]
    assert build.rows("SELECT id, plan, shout FROM analytics.users_synced ORDER BY 1") == [
        (1, "free", None), (2, "pro", "BRYAN"), (3, "free", "CHEN")]


def test_unit_tests_pass_in_build_and_test(build):
    for command in ("build", "test"):
        unit_tests = [(r.node.name, str(r.status)) for r in build.results[command].result.results
                      if r.node.resource_type == "unit_test"]
        assert sorted(unit_tests) == [("events_log_appends_events_after_the_last_id", "pass"),
                                      ("user_totals_sums_amounts_per_user", "pass")], command
        data_tests = [str(r.status) for r in build.results[command].result.results if r.node.resource_type == "test"]
        assert data_tests == ["pass"] * 4, command


def test_source_freshness_reads_the_loaded_at_field(build):
    [result] = json.loads((build.project_dir / "target" / "sources.json").read_text())["results"]
    assert result["unique_id"] == "source.localshift_features.landing.signups"
    assert result["status"] == "warn"
    assert 2 * 3600 - 60 < result["max_loaded_at_time_ago_in_s"] < 2 * 3600 + 600


def test_persisted_docs_are_comments_in_the_catalog(build):
    assert build.rows("""SELECT table_name, remarks FROM svv_tables WHERE table_schema = 'analytics'
                         AND remarks IS NOT NULL ORDER BY 1""") == [
        ("user_names", "The users' names (a view)."),
        ("user_totals", "What each user spent, with 'quotes' in its comment.")]
    assert build.rows("""SELECT table_name, column_name, remarks FROM svv_columns WHERE table_schema = 'analytics'
                         AND remarks IS NOT NULL ORDER BY 1, 2""") == [
        ("user_names", "name", "The user's name."),
        ("user_totals", "spent", "Sum of the user's event amounts."),
        ("user_totals", "user_id", "The user's id.")]
    catalog = json.loads((build.project_dir / "target" / "catalog.json").read_text())
    node = catalog["nodes"]["model.localshift_features.user_totals"]
    assert node["metadata"]["comment"] == "What each user spent, with 'quotes' in its comment."
    assert {name: column["comment"] for name, column in node["columns"].items()} == {
        "user_id": "The user's id.", "name": None, "spent": "Sum of the user's event amounts."}


def test_show_inline_previews_the_query(build):
    [result] = build.results["show"].result.results
    assert [(row[0], str(row[1])) for row in result.agate_table.rows] == [("Bryan", "22.00"), ("Chen", "13.25")]


def test_run_operation_runs_the_macro(build):
    assert build.rows("SELECT label, users FROM analytics.operations") == [("nightly", 3)]


def test_statements_carry_dbt_query_comment_in_the_query_history(build):
    comment = '/* {"app": "dbt", "dbt_version": "%", "profile_name": "localshift", "target_name": "dev", '
    node = '"node_id": "model.localshift_features.user_totals"} */'
    assert build.rows(f"""SELECT count(*) > 0 FROM stl_query WHERE querytxt LIKE '{comment}{node}%'
                          AND querytxt ILIKE '%select u.id as user_id%'""") == [(True,)]
    assert build.rows(f"""SELECT count(*) > 0 FROM stl_ddltext WHERE text LIKE '{comment}%'
                          AND text ILIKE '%create materialized view%'""") == [(True,)]
