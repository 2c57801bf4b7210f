"""redshift_connector through a real endpoint: translated statements with bind
parameters, and its metadata helpers on the SHOW path."""

from __future__ import annotations

import pytest
import redshift_connector

from sql_cluster import MASTER_USER, PASSWORD


@pytest.fixture
def rs(sql_cluster, database, db):
    db.execute("create table orders (id int primary key, region varchar(max) encode zstd, total decimal(8, 2)) "
               "diststyle key distkey(id) sortkey(id)")
    db.execute("create table lines (order_id int references orders(id), n int)")
    conn = redshift_connector.connect(host=sql_cluster.host, port=sql_cluster.port, database=database,
                                      user=MASTER_USER, password=PASSWORD, ssl=False)
    conn.autocommit = True
    yield conn
    conn.close()


def test_translated_statements_with_parameters(rs):
    cursor = rs.cursor()
    cursor.executemany("insert into it.orders values (%s, %s, %s)", [(1, "eu", 1.5), (2, None, 2.5)])
    cursor.execute("select top 1 nvl(region, %s), listagg(id, ',') within group (order by id) "
                   "over (partition by 1) from it.orders order by id desc", ("none",))
    assert cursor.fetchall() == (["none", "1,2"],)
    cursor.execute("select getdate is null, sysdate is not null from (select 1 as getdate) s")
    assert cursor.fetchone() == [False, True]


def test_show_commands_with_bound_names(rs, database):
    cursor = rs.cursor()
    cursor.execute("SHOW TABLES FROM SCHEMA %s.%s LIKE %s;", [database, "it", "ord%"])
    assert [(r[1], r[2], r[3], r[9]) for r in cursor.fetchall()] == [("it", "orders", "TABLE", "KEY(id)")]
    cursor.execute("SHOW COLUMNS FROM TABLE %s.%s.%s;", [database, "it", "orders"])
    columns = {c[0]: i for i, c in enumerate(cursor.description)}
    rows = {r[columns["column_name"]]: r for r in cursor.fetchall()}
    assert rows["region"][columns["data_type"]] == "character varying"
    assert rows["region"][columns["character_maximum_length"]] == 65535
    assert rows["region"][columns["encoding"]] == "zstd"
    assert rows["id"][columns["dist_key"]] == 1 and rows["id"][columns["sort_key"]] == 1


def test_metadata_helpers_on_the_show_path(rs, database):
    # The front announces show_discovery: the driver reads metadata with SHOW commands.
    assert (b"show_discovery", b"5") in rs.parameter_statuses
    cursor = rs.cursor()
    assert ["it"] == [r[0] for r in cursor.get_schemas(schema_pattern="it")]
    tables = cursor.get_tables(schema_pattern="it", table_name_pattern="%")
    assert [(t[1], t[2], t[3]) for t in tables] == [("it", "lines", "TABLE"), ("it", "orders", "TABLE")]
    columns = cursor.get_columns(schema_pattern="it", tablename_pattern="orders")
    assert [(c[3], c[5], c[6]) for c in columns] == [("id", "int4", 10), ("region", "varchar", 65535),
                                                     ("total", "numeric", 8)]
    assert [(k[2], k[3], k[4]) for k in cursor.get_primary_keys(schema="it", table="orders")] == \
        [("orders", "id", 1)]
    assert [(k[2], k[3], k[6], k[7]) for k in cursor.get_exported_keys(schema="it", table="orders")] == \
        [("orders", "id", "lines", "order_id")]
    assert database in [c[0] for c in cursor.get_catalogs()]


def test_server_version_is_redshifts_for_redshift_drivers_and_postgresqls_for_others(rs, db):
    # Redshift reports 8.0.2; the driver identifies itself in its startup packet.
    assert (b"server_version", b"8.0.2") in rs.parameter_statuses
    assert rs._server_version.release == (8, 0, 2)
    cursor = rs.cursor()
    cursor.execute("insert into it.orders values (7, 'eu', 1.0), (8, 'us', 2.0)")
    assert cursor.rowcount == 2
    # psql 15+ refuses its describe commands below 9.2: PostgreSQL clients get the engine's.
    assert db.info.server_version >= 180000
    assert db.info.parameter_status("server_version").split(".")[0] == str(db.info.server_version // 10000)
