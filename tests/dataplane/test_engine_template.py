"""The data directory new engines are copied from (engine_template.py): built once per engine root
and reused, rebuilt when what it is made of changes, built once when engines are created together,
skipped when it cannot be built; engines copied from it are their own and share nothing of each
other's."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine_seed import seeded_plane
from localshift.dataplane import PostgresDataPlane, engine_template
from localshift.dataplane.binaries import PgBinaries
from localshift.dataplane.engine_template import BUILD_PREFIX, EngineTemplate
from localshift.dataplane.redshift_sql.install import catalog_digest
from localshift.dataplane.watchdog import TEMPLATE_PREFIX

from .conftest import cleanup
from .helpers import DB, PASSWORD, USER, connect, free_port, rows

BUILT = "built the engine template"
CATALOG_MARKER = "select obj_description('localshift'::regnamespace, 'pg_namespace')"


def _templates(plane: PostgresDataPlane) -> list[str]:
    return sorted(p.name for p in plane.engine_root.glob(TEMPLATE_PREFIX + "*"))


def _builds(caplog) -> int:
    return sum(r.getMessage().startswith(BUILT) for r in caplog.records if r.name == "localshift")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _catalog_marker(port: int) -> str:
    return rows(port, CATALOG_MARKER)[0][0]


def _owners(data: Path) -> set[int]:
    """The uids owning the data directory and what is in it (files come and go while it runs)."""
    owners = set()
    for path in [data, *data.iterdir(), *(data / "base").iterdir()]:
        try:
            owners.add(path.lstat().st_uid)
        except FileNotFoundError:
            pass
    return owners


@pytest.fixture
def dp(tmp_path):
    """A data plane over an empty root, which builds its own template (the conftest's starts from the
    session's seed)."""
    plane = PostgresDataPlane(tmp_path / "dp")
    try:
        yield plane
    finally:
        cleanup(plane)


def test_engines_are_copied_from_one_template_and_share_nothing(dp, caplog):
    caplog.set_level(logging.INFO, "localshift")
    a = dp.create_engine("a", free_port(), USER, PASSWORD, DB)
    with connect(a) as conn:
        conn.execute("create table only_in_a (x int)")
        conn.execute("create user a_user password 'Passw0rd-2'")
        conn.commit()
    b = dp.create_engine("b", free_port(), "other", PASSWORD, "otherdb")
    assert _builds(caplog) == 1 and _templates(dp) == [dp.template.dir.name]
    # b has its own master user and database, the catalog, and nothing of a's
    with connect(b, user="other", dbname="otherdb") as conn:
        assert conn.execute(f"select rolname, rolsuper from pg_roles where rolname in ('other', 'a_user', '{USER}')"
                            ).fetchall() == [("other", False)]
        assert conn.execute("select to_regclass('only_in_a')").fetchone() == (None,)
        # (the engine's own database postgres is in no listing a user sees)
        assert conn.execute("select datname from pg_database where datname not like 'template%' order by 1"
                            ).fetchall() == [("otherdb",)]
        assert conn.execute("select pg_has_role('other', 'localshift_superuser', 'member')").fetchone() == (True,)
        assert conn.execute(CATALOG_MARKER).fetchone() == (f"localshift catalog {catalog_digest()}",)
    # The template is the service's alone; each copy its engine's, with the template's modes.
    template = dp.template.data_dir
    service = (os.geteuid(), os.getegid())
    for path in (template, template / "PG_VERSION", template / "postgresql.conf", template / "global" / "pg_control"):
        assert (path.stat().st_uid, path.stat().st_gid) == service
        for key in ("a", "b"):
            copy = dp.engine_root / key / "data" / path.relative_to(template)
            assert _mode(copy) == _mode(path) and _mode(copy) & 0o077 == 0
    assert _mode(dp.template.dir) == 0o700 and _mode(template) == 0o700
    owners = {key: (dp.engine_root / key / "data" / "base").stat().st_uid for key in ("a", "b")}
    if dp.users is not None:
        assert owners["a"] != owners["b"] and service[0] not in owners.values()
        for key, uid in owners.items():
            assert _owners(dp.engine_root / key / "data") == {uid}
        denied = subprocess.run(["cat", str(template / "PG_VERSION")], user=owners["a"], group=owners["a"],
                                extra_groups=[], capture_output=True, text=True)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr


def test_a_changed_catalog_rebuilds_the_template(dp, caplog, monkeypatch):
    caplog.set_level(logging.INFO, "localshift")
    dp.create_engine("a", free_port(), USER, PASSWORD, DB)
    first = dp.template.dir.name
    monkeypatch.setattr(engine_template, "catalog_digest", lambda: "another catalog")
    dp.template = EngineTemplate(dp.bins, dp.engine_root, dp._admin_password, dp.users, dp._socket_dir)
    assert dp.template.dir.name != first
    port = dp.create_engine("b", free_port(), USER, PASSWORD, DB)
    assert _builds(caplog) == 2 and _templates(dp) == [dp.template.dir.name]  # the old one removed
    assert rows(port, "select current_user") == [(USER,)]


def test_engines_created_together_build_the_template_once(dp, caplog):
    caplog.set_level(logging.INFO, "localshift")
    keys = [f"c{i}" for i in range(3)]
    with ThreadPoolExecutor(len(keys)) as pool:
        ports = list(pool.map(lambda key: dp.create_engine(key, free_port(), USER, PASSWORD, DB), keys))
    assert _builds(caplog) == 1 and _templates(dp) == [dp.template.dir.name]
    for port in ports:
        assert _catalog_marker(port) == f"localshift catalog {catalog_digest()}"


def test_a_template_that_cannot_be_built_is_skipped(dp, caplog, monkeypatch):
    caplog.set_level(logging.INFO, "localshift")

    def broken(setup) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(engine_template, "install_engine", broken)
    port = dp.create_engine("a", free_port(), USER, PASSWORD, DB)
    warnings = [r for r in caplog.records if r.name == "localshift" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cannot build the engine template" in warnings[0].getMessage()
    assert _templates(dp) == [] and not list(dp.engine_root.glob(".initdb-*"))  # the build left nothing
    if dp.users is not None:  # nor a claim on an engine uid
        claims = [Path(os.readlink(p)) for p in dp.users.registry.iterdir() if p.name.isdigit()]
        assert not [c for c in claims if c.parent == dp.engine_root and c.name.startswith(BUILD_PREFIX)]
    # The engine was made the old way (initdb, then the whole set-up), the catalog in its database.
    assert _catalog_marker(port) == f"localshift catalog {catalog_digest()}"
    # Later engines do not try again.
    dp.create_engine("b", free_port(), USER, PASSWORD, DB)
    assert [r for r in caplog.records if r.name == "localshift" and r.levelno == logging.WARNING] == warnings
    assert _templates(dp) == []


def test_a_data_plane_without_the_template_initialises_each_engine(tmp_path):
    plane = PostgresDataPlane(tmp_path / "dp", engine_template=False)
    try:
        port = plane.create_engine("a", free_port(), USER, PASSWORD, DB)
        assert _templates(plane) == [] and _catalog_marker(port) == f"localshift catalog {catalog_digest()}"
    finally:
        cleanup(plane)


def test_a_build_cut_short_is_removed_and_the_template_made_whole(dp, caplog):
    caplog.set_level(logging.INFO, "localshift")
    leftover = dp.engine_root / f"{BUILD_PREFIX}0123456789abcdef"
    (leftover / "data").mkdir(parents=True)
    (leftover / "data" / "PG_VERSION").write_text("18\n")
    port = dp.create_engine("a", free_port(), USER, PASSWORD, DB)
    assert _templates(dp) == [dp.template.dir.name] and rows(port, "select 1") == [(1,)]
    assert _builds(caplog) == 1


def test_a_data_plane_over_the_secret_and_template_another_left_builds_none(tmp_path, caplog):
    """As a service restarted over its root finds its template (and as the tests' data planes start
    from the session's seed, engine_seed.py)."""
    caplog.set_level(logging.INFO, "localshift")
    plane = seeded_plane(tmp_path / "dp")
    caplog.clear()  # the seed's own build, when this test is the session's first to need it
    try:
        assert _templates(plane) == [plane.template.dir.name]
        port = plane.create_engine("a", free_port(), USER, PASSWORD, DB)
        assert _builds(caplog) == 0 and _catalog_marker(port) == f"localshift catalog {catalog_digest()}"
        assert rows(port, "select current_user") == [(USER,)]
    finally:
        cleanup(plane)


@pytest.mark.parametrize("what", ["catalog", "settings", "password"])
def test_the_fingerprint_follows_what_the_template_is_made_of(monkeypatch, what):
    bins = PgBinaries()
    before = engine_template.fingerprint(bins, "secret")
    if what == "catalog":
        monkeypatch.setattr(engine_template, "catalog_digest", lambda: "another catalog")
    elif what == "settings":
        monkeypatch.setitem(engine_template.ENGINE_SETTINGS, "timezone", "PST8PDT")
    assert engine_template.fingerprint(bins, "other secret" if what == "password" else "secret") != before
    monkeypatch.undo()
    assert engine_template.fingerprint(bins, "secret") == before
