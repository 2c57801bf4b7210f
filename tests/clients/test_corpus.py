"""The public corpus: Redshift statements from AWS's SQL reference and from real
clients' source, run through a cluster's endpoint, each with the result or the error
Redshift gives (tests/clients/corpus/*.yaml).

A corpus file::

    source: where its statements come from
    setup: [statements run first, in the file's own database]
    cases:
      - sql: select dateadd(month, 18, '2008-02-28')
        columns: [date_add]                   # optional: the result's column names
        rows: [["2009-08-28 00:00:00"]]       # every value as its text form, null as ~
        unordered: true                       # optional: compare rows as a multiset
        read: [relname, description]          # optional: compare only these columns, as a client
                                              # reads them by name (others hold oids, sizes)
      - sql: select json_parse('{')
        error: {sqlstate: "22P02", message: "JSON"}   # message: a part of it

Values are compared as the text the server sends, which is how psql and Redshift's
own console show them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import psycopg
import pytest
import yaml

from sql_cluster import SqlCluster

CORPUS = Path(__file__).parent / "corpus"


class _Text(psycopg.adapt.Loader):
    """Every value as the text the server sent."""

    def load(self, data: Any) -> str:
        return bytes(data).decode()


def _load_corpus() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        for index, case in enumerate(document["cases"]):
            cases.append((path.stem, dict(case, index=index)))
    return cases


CASES = _load_corpus()


def test_the_corpus_holds_at_least_300_statements_each_with_an_expectation():
    assert len(CASES) >= 300
    for name, case in CASES:
        assert ("rows" in case) != ("error" in case), f"{name} #{case['index']}: rows or error, not both"


@pytest.fixture(scope="module")
def corpus_connections(sql_cluster: SqlCluster) -> Iterator[dict[str, psycopg.Connection]]:
    """One connection per corpus file, to a database of its own where the file's setup ran."""
    connections: dict[str, psycopg.Connection] = {}
    try:
        for path in sorted(CORPUS.glob("*.yaml")):
            conn = sql_cluster.connect(sql_cluster.fresh_database(f"corpus_{path.stem}"))
            for (oid,) in conn.execute("SELECT oid FROM pg_type").fetchall():
                conn.adapters.register_loader(oid, _Text)
            for statement in yaml.safe_load(path.read_text()).get("setup", []):
                conn.execute(statement)
            connections[path.stem] = conn
        yield connections
    finally:
        for conn in connections.values():
            conn.close()


@pytest.mark.parametrize("name, case", CASES, ids=[f"{name}-{case['index']}" for name, case in CASES])
def test_statement(corpus_connections: dict[str, psycopg.Connection], name: str, case: dict) -> None:
    conn = corpus_connections[name]
    if "error" in case:
        with pytest.raises(psycopg.Error) as raised:
            conn.execute(case["sql"])
        expected = case["error"]
        assert raised.value.sqlstate == expected["sqlstate"], raised.value
        assert expected.get("message", "") in str(raised.value)
        return
    cursor = conn.execute(case["sql"])
    rows = [list(row) for row in cursor.fetchall()] if cursor.description else []
    if "read" in case:
        names = [column.name for column in cursor.description]
        rows = [[row[names.index(name)] for name in case["read"]] for row in rows]
    expected_rows = [[None if value is None else str(value) for value in row] for row in case["rows"]]
    if case.get("unordered"):
        rows.sort(key=repr)
        expected_rows.sort(key=repr)
    assert rows == expected_rows
    if "columns" in case:
        assert [column.name for column in cursor.description] == case["columns"]
