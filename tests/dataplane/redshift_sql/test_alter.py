"""ALTER TABLE with Redshift's actions, ALTER MATERIALIZED VIEW ... AUTO REFRESH, distribution and sort key."""

from __future__ import annotations

import pytest

from .helpers import marker, pg, refused


@pytest.mark.parametrize("action, attrs", [
    ("alter diststyle even", {"diststyle": "EVEN", "distkey": None}),
    ("alter diststyle key distkey b", {"diststyle": "KEY", "distkey": "b"}),
    ("alter distkey b", {"diststyle": "KEY", "distkey": "b"}),
    ("alter compound sortkey (a, b)", {"sortkey": ["a", "b"], "sortkey_type": "compound"}),
    ("alter sortkey none", {"sortkey": [], "sortkey_type": None}),
    ("alter column a encode zstd, alter column b encode az64", {"encode": {"a": "zstd", "b": "az64"}}),
])
def test_metadata_only_actions_change_nothing_but_the_record(action, attrs):
    sql = f"alter table s.t {action}"
    assert pg(sql).startswith("alter table s.t RESET (autovacuum_enabled) /*localshift:")
    assert marker(sql) == {"schema": "s", "name": "t", **attrs}


def test_column_actions_and_append():
    assert pg("alter table t alter column a type varchar(max)") == \
        "alter table t ALTER COLUMN a TYPE varchar(65535)"
    sql = "alter table t add column c varchar(20) encode lzo default 'x'"
    assert pg(sql).startswith("alter table t ADD COLUMN c varchar(20) default 'x' /*localshift:")
    assert marker(sql)["encode"] == {"c": "lzo"}
    assert pg("alter table t append from s.src filltarget") == \
        "SELECT localshift.append_table(E't', E's.src', E'filltarget')"
    assert pg("alter table t rename to u") == "alter table t rename to u"


def test_a_renamed_column_carries_its_old_and_new_name_for_the_record():
    assert pg("alter table s.t rename column b to c").startswith("alter table s.t rename column b to c /*localshift:")
    assert marker("alter table s.t rename column b to c") == {"schema": "s", "name": "t", "rename_column": ["b", "c"]}
    assert marker('alter table t rename "B" to c')["rename_column"] == ["b", "c"]
    assert pg("alter table t rename constraint k to k2") == "alter table t rename constraint k to k2"


def test_keys_and_foreign_keys():
    # A key's index is built plain and lent as unique to ADD ... USING INDEX (the table may hold
    # duplicates), then named as PostgreSQL names the key.
    assert ("CREATE INDEX localshift_new_key_index ON s.t (a, b); ALTER TABLE s.t ADD PRIMARY KEY USING INDEX "
            'localshift_new_key_index /*localshift:key_index["s.t","localshift_new_key_index"]*/; '
            "ALTER INDEX s.localshift_new_key_index RENAME TO t_pkey;") in pg("alter table s.t add primary key (a, b)")
    assert "ADD UNIQUE USING INDEX localshift_new_key_index" in pg('alter table t add unique (a, "B")')
    assert "ALTER INDEX localshift_new_key_index RENAME TO t_a_b_key;" in pg('alter table t add unique (a, "B")')
    assert 'RENAME TO "my key";' in pg('alter table "S".t add constraint "My Key" unique (a)')
    assert 'ALTER INDEX "my s".localshift_new_key_index' in pg('alter table "My S".t add unique (a)')
    long = "x" * 60
    assert f"RENAME TO {'x' * 29}_{'y' * 29}_key;" in pg(f"alter table {long} add unique ({'y' * 60})")
    # Options Redshift does not have stay PostgreSQL's.
    assert pg("alter table t add primary key (a) deferrable") == "alter table t add primary key (a) deferrable"
    assert pg("alter table t add foreign key (a) references p") == \
        'alter table t ADD foreign key (a) references p NOT ENFORCED /*localshift:references["p"]*/'
    assert pg("alter table t add column b int references s.p (b)").startswith(
        'alter table t ADD COLUMN b int references s.p (b) NOT ENFORCED /*localshift:references["s.p"]*/')


@pytest.mark.parametrize("sql", [
    "alter table t alter diststyle key",
    "alter table t alter interleaved sortkey (a)",
    "alter table t alter column a encode nope",
    "alter table t add column c int distkey",
    "alter table t append from s sideways",
])
def test_bad_alters_are_refused(sql):
    assert refused(sql)[0] in ("42601", "0A000", "42704")


@pytest.mark.parametrize("sql, message", [
    ("alter table t alter column a set default 1", "ALTER COLUMN SET/DROP DEFAULT is not supported"),
    ("alter table t alter a drop default", "ALTER COLUMN SET/DROP DEFAULT is not supported"),
    ("alter table t alter column a set not null", "ALTER COLUMN SET NOT NULL is not supported"),
    ("alter table t alter column b encode lzo, alter column a drop not null",
     "ALTER COLUMN DROP NOT NULL is not supported"),
    ("alter table t alter column a type varchar(9) using a::varchar(9)",
     "ALTER TABLE ALTER COLUMN does not support USING expression"),
    ("alter table t row level security on",
     "ALTER TABLE ... ROW LEVEL SECURITY (RLS policies) is not supported by localshift"),
])
def test_what_redshift_refuses_is_refused_in_its_words(sql, message):
    assert refused(sql) == ("0A000", message)


def test_materialized_view_auto_refresh_is_recorded():
    sql = 'alter materialized view "db"."s"."mv" auto refresh yes'
    assert pg(sql).startswith('alter materialized view "db"."s"."mv" RESET (autovacuum_enabled) /*localshift:')
    assert marker(sql) == {"schema": "s", "name": "mv", "auto_refresh": True}
    assert marker("alter materialized view mv auto refresh no") == {"schema": None, "name": "mv", "auto_refresh": False}
    assert refused("alter materialized view mv auto refresh later")[0] == "42601"
    assert pg("alter materialized view mv rename to mv2") == "alter materialized view mv rename to mv2"


@pytest.mark.parametrize("sql, attrs", [
    ("ALTER MATERIALIZED VIEW s.mv ALTER DISTSTYLE ALL", {"schema": "s", "name": "mv", "diststyle": "ALL", "distkey": None}),
    ("alter materialized view mv alter compound sortkey (a, b)",
     {"schema": None, "name": "mv", "sortkey": ["a", "b"], "sortkey_type": "compound"}),
    ("ALTER MATERIALIZED VIEW mv ALTER SORTKEY AUTO", {"schema": None, "name": "mv", "sortkey": [], "sortkey_type": "auto"})])
def test_materialized_view_distribution_and_sort_key_are_recorded(sql, attrs):
    # Redshift's ALTER MATERIALIZED VIEW takes ALTER TABLE's distribution and sort-key actions.
    assert marker(sql) == attrs


def test_materialized_view_row_level_security_is_refused():
    assert refused("ALTER MATERIALIZED VIEW mv ROW LEVEL SECURITY ON")[0] == "0A000"
