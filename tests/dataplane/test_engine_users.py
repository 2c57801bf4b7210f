"""One OS uid per engine: no engine reaches another engine's files, nor the service's
(engine_users.py; with the service as root, as in CI)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from localshift.dataplane import DataPlaneError
from localshift.dataplane.engine_users import DEFAULT_UIDS, EngineUsers, parse_uid_range

from .helpers import DB, PASSWORD, USER, connect, free_port

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="engines get uids of their own only when the service is root")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _read_as(uid: int, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["cat", str(path)], user=uid, group=uid, extra_groups=[], capture_output=True, text=True)


def test_claims_are_distinct_kept_released_and_swept(tmp_path):
    users = EngineUsers((2_100_000_000, 2_100_000_001), registry=tmp_path / "registry")
    first, second = tmp_path / "engines" / "a", tmp_path / "engines" / "b"
    uid_a, uid_b = users.claim(first)[0], users.claim(second)[0]
    assert {uid_a, uid_b} == {2_100_000_000, 2_100_000_001}
    assert first.stat().st_uid == uid_a and _mode(first) == 0o700
    assert users.claim(first) == (uid_a, uid_a)  # the same directory keeps its uid
    with pytest.raises(DataPlaneError, match="every engine uid"):
        users.claim(tmp_path / "engines" / "c")
    users.release(first)
    assert not os.path.lexists(tmp_path / "registry" / str(uid_a))
    shutil.rmtree(second)  # removed without a release (a crash): the claim is stale
    third = tmp_path / "engines" / "c"
    assert users.claim(third)[0] in (uid_a, uid_b)
    assert sorted(p.name for p in (tmp_path / "registry").iterdir() if p.name.isdigit()) == [str(third.stat().st_uid)]


def test_an_engine_made_by_an_older_version_is_handed_its_own_uid(tmp_path):
    users = EngineUsers(DEFAULT_UIDS, registry=tmp_path / "registry")
    old = tmp_path / "old"
    (old / "data").mkdir(parents=True)
    (old / "data" / "PG_VERSION").write_text("18\n")
    for path in (old, old / "data", old / "data" / "PG_VERSION"):
        os.chown(path, 65534, 65534)
    uid, _ = users.claim(old)
    assert uid != 65534
    assert {p.stat().st_uid for p in (old, old / "data", old / "data" / "PG_VERSION")} == {uid}


@pytest.mark.parametrize("text", ["", "5-", "10-5", "0-10", "60000-70000", "2000000000-3000000000"])
def test_bad_uid_ranges_are_refused(text):
    with pytest.raises(DataPlaneError, match="engine uids"):
        parse_uid_range(text)


def test_engines_cannot_read_each_other_or_the_service(dp):
    ports = {key: dp.create_engine(key, free_port(), USER, PASSWORD, DB) for key in ("a", "b")}
    dp.create_snapshot("a", "snap")
    owner = {key: (dp.engine_root / key).stat().st_uid for key in ports}
    assert owner["a"] != owner["b"] and all(DEFAULT_UIDS[0] <= uid <= DEFAULT_UIDS[1] for uid in owner.values())
    for key in ports:
        engine_dir = dp.engine_root / key
        assert _mode(engine_dir) == 0o700 and _mode(engine_dir / "data") == 0o700
        pid = int((engine_dir / "data" / "postmaster.pid").read_text().split()[0])
        status = Path(f"/proc/{pid}/status").read_text()
        assert f"Uid:\t{owner[key]}\t{owner[key]}" in status  # the postmaster runs as its engine
        with connect(ports[key]) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    # engine a's user: its own files yes; engine b's, the secret and the snapshots no
    assert _read_as(owner["a"], dp.engine_root / "a" / "data" / "PG_VERSION").returncode == 0
    for path in (dp.engine_root / "b" / "data" / "PG_VERSION", dp.root / "admin-secret",
                 next((dp.root / "snapshots" / "manifests").iterdir())):
        denied = _read_as(owner["a"], path)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr, path
    assert _mode(dp.root) == 0o700 and _mode(dp.root / "snapshots") == 0o700
    assert _mode(dp.root / "admin-secret") == 0o600
    assert _mode(dp.engine_root) == 0o711  # engines pass through, nobody lists it
    dp.destroy_engine("b")
    assert not os.path.lexists(Path("/var/lib/localshift-pg/engine-uids") / str(owner["b"]))


def test_a_uid_is_taken_and_given_back_with_no_process_left_running_as_it(tmp_path):
    """A process of an engine's uid that outlived its postmaster (a flaw in the engine let a user
    start it, in a session of its own) would reach the files of the next engine given that uid."""
    users = EngineUsers((2_100_000_010, 2_100_000_010), registry=tmp_path / "registry")
    lingering = subprocess.Popen(["sleep", "300"], user=2_100_000_010, group=2_100_000_010, extra_groups=[],
                                 start_new_session=True)
    try:
        first = users.claim(tmp_path / "first")
        assert first == (2_100_000_010, 2_100_000_010)
        assert lingering.wait(10) == -9
        again = subprocess.Popen(["sleep", "300"], user=first[0], group=first[1], extra_groups=[],
                                 start_new_session=True)
        users.release(tmp_path / "first")
        assert again.wait(10) == -9
    finally:
        for process in (lingering, locals().get("again")):
            if process is not None and process.poll() is None:
                process.kill()
