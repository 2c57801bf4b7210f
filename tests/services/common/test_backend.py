"""The backend's executors: request work on the pool is never queued behind background work, which runs one
job at a time and which a reset cancels; an account's own pool runs its jobs whatever another account's holds.

In process: a real backend over a real store and the null data plane; the jobs are the test's own.  The
control plane's own jobs: boto3 against a server in this process (its data plane told to hold one
account's snapshots).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import pytest

from in_process_server import InProcessServer
from localshift.dataplane.null import NullDataPlane
from localshift.server.services import SERVICES
from localshift.services.clock import Clock
from localshift.services.common import backend as backend_module
from localshift.services.common.backend import ServiceBackend
from localshift.services.redshift.jobs import cluster_key
from localshift.store.database import Database
from support import GRANTEE, OWNER, REGION, create_available_cluster, wait_for


@pytest.fixture
def backend(tmp_path) -> Iterator[ServiceBackend]:
    db = Database(tmp_path / "localshift.sqlite3")
    instance = ServiceBackend(db, NullDataPlane(0.0), Clock(), name="test", worker_threads=2, tick_seconds=1.0)
    yield instance
    instance.shutdown()
    db.close()


def test_request_work_runs_while_background_work_is_held(backend):
    go, ran = threading.Event(), []

    def background(_: Any, number: int) -> None:
        assert go.wait(20)
        ran.append(number)

    for number in range(6):  # more than the pool has threads
        backend.submit_background(background, number)
    assert backend.submit_for("111111111111", lambda _: "deleted").result(timeout=60) == "deleted"
    go.set()
    backend.submit_background(lambda _: None).result(timeout=20)
    assert ran == list(range(6))  # one at a time, in order


def test_cancelling_drops_the_queued_jobs_and_waits_for_the_running_one(backend):
    go, started, ran = threading.Event(), threading.Event(), []

    def background(_: Any, number: int) -> None:
        started.set()
        assert go.wait(20)
        ran.append(number)

    queued = [backend.submit_background(background, number) for number in range(3)]
    assert started.wait(60)

    def release_once_dropped() -> None:
        # The running job is let go once the queued ones are dropped: after a fixed delay instead, a loaded
        # machine could let it go before the cancel, and the next one would run.
        while not queued[-1].cancelled():
            time.sleep(0.01)
        go.set()

    releaser = threading.Thread(target=release_once_dropped, daemon=True)
    releaser.start()
    backend.cancel_background()
    releaser.join(60)
    assert ran == [0]  # the running one ended before cancel_background returned; the queued never ran
    backend.submit_background(lambda _, number: ran.append(number), 9).result(timeout=60)
    assert ran == [0, 9]


def test_an_accounts_jobs_run_while_another_account_holds_all_its_workers(backend):
    go = threading.Event()
    held = [backend.submit_for("111111111111", lambda _: go.wait(60)) for _ in range(3)]  # more than its 2 workers
    try:
        assert backend.submit_for("222222222222", lambda _: "ran").result(timeout=60) == "ran"
        assert not any(job.done() for job in held)
    finally:
        go.set()
    assert all(job.result(timeout=60) for job in held)


def test_jobs_for_an_account_are_refused_after_shutdown(tmp_path):
    db = Database(tmp_path / "localshift.sqlite3")
    instance = ServiceBackend(db, NullDataPlane(0.0), Clock(), name="test", worker_threads=2, tick_seconds=1.0)
    instance.submit_for("111111111111", lambda _: None).result(timeout=60)
    instance.shutdown()
    for account in ("111111111111", "222222222222"):  # a pool of before, and one that would be new
        with pytest.raises(RuntimeError):
            instance.submit_for(account, lambda _: None)
    db.close()


def test_an_accounts_cluster_jobs_run_while_another_accounts_snapshots_hold_all_its_workers(monkeypatch):
    """One account's long snapshots (a large cluster's) once held the control plane's four workers,
    shared by every account: another account's CreateClusterSnapshot and CreateCluster stayed
    creating until they ended."""
    with InProcessServer(SERVICES) as server:
        runtime = server.app.runtime
        busy, other = server.client("redshift", access_key=OWNER), server.client("redshift", access_key=GRANTEE)
        create_available_cluster(busy, "large")
        create_available_cluster(other, "small")
        large = runtime.redshift.clusters.get(OWNER, REGION, "large")
        assert large is not None
        go, held = threading.Event(), []
        take = runtime.dataplane.create_snapshot

        def slow_snapshot(engine_key: str, *args: Any, **kwargs: Any) -> Any:
            if engine_key == cluster_key(large):  # the large cluster's data takes until the test says so
                held.append(engine_key)
                assert go.wait(300)
            return take(engine_key, *args, **kwargs)

        monkeypatch.setattr(runtime.dataplane, "create_snapshot", slow_snapshot)
        workers = runtime.redshift.settings.worker_threads
        try:
            for number in range(workers + 1):  # more than its workers: one waits for a worker
                busy.create_cluster_snapshot(SnapshotIdentifier=f"large-{number}", ClusterIdentifier="large")
            wait_for(lambda: len(held) == workers)
            other.create_cluster_snapshot(SnapshotIdentifier="small-1", ClusterIdentifier="small")
            other.create_cluster(ClusterIdentifier="another", NodeType="ra3.xlplus", NumberOfNodes=2,
                                 MasterUsername="admin", MasterUserPassword="Passw0rd1")
            wait_for(lambda: status(other, "small-1") == "available")
            wait_for(lambda: other.describe_clusters(ClusterIdentifier="another")["Clusters"][0]["ClusterStatus"]
                     == "available")
            assert [status(busy, f"large-{n}") for n in range(workers + 1)] == ["creating"] * (workers + 1)
        finally:
            go.set()
        wait_for(lambda: all(status(busy, f"large-{n}") == "available" for n in range(workers + 1)))


def status(client: Any, snapshot: str) -> str:
    return client.describe_cluster_snapshots(SnapshotIdentifier=snapshot)["Snapshots"][0]["Status"]


def test_idle_accounts_hold_no_threads_and_their_pools_come_back_with_work(tmp_path, caplog):
    """A long-lived server sees many accounts: each account's workers end once idle (``idle_seconds``),
    and its next job makes them again; a job's failure is still logged."""
    db = Database(tmp_path / "localshift.sqlite3")
    instance = ServiceBackend(db, NullDataPlane(0.0), Clock(), name="idle", worker_threads=3, tick_seconds=1.0,
                              idle_seconds=0.2)
    baseline = set(threading.enumerate())
    try:
        accounts = [f"{number:012d}" for number in range(1, 9)]
        go = threading.Event()
        held = [instance.submit_for(account, lambda _: go.wait(30)) for account in accounts for _ in range(3)]
        assert len(set(threading.enumerate()) - baseline) == 3 * len(accounts)
        go.set()
        assert all(job.result(timeout=30) for job in held)
        wait_for(lambda: set(threading.enumerate()) <= baseline)
        assert instance._account_pools == {}
        with caplog.at_level("ERROR", logger="localshift.work"):
            failed = instance.submit_for(accounts[0], lambda _: 1 / 0)
            with pytest.raises(ZeroDivisionError):
                failed.result(timeout=30)
            wait_for(lambda: "idle background job failed" in caplog.text)
        assert instance.submit_for(accounts[0], lambda _: "again").result(timeout=30) == "again"
        wait_for(lambda: set(threading.enumerate()) <= baseline)
    finally:
        instance.shutdown()
        db.close()


def test_accounts_making_and_deleting_clusters_leave_no_threads_behind(monkeypatch):
    """Through the API: several accounts create and delete clusters; once their jobs are done and
    their workers idle, the server's threads are those it had before."""
    monkeypatch.setattr(backend_module, "IDLE_SECONDS", 0.2)
    with InProcessServer(SERVICES) as server:
        clients = [server.client("redshift", access_key=f"{number:012d}") for number in range(1, 5)]
        with pytest.raises(clients[0].exceptions.ClusterNotFoundFault):  # the request path's thread made
            clients[0].delete_cluster(ClusterIdentifier="none", SkipFinalClusterSnapshot=True)
        baseline = set(threading.enumerate())
        for client in clients:
            create_available_cluster(client, "c1")
        assert set(threading.enumerate()) - baseline  # the accounts' workers
        for client in clients:
            client.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
        for client in clients:
            wait_for(lambda: not client.describe_clusters()["Clusters"])
        wait_for(lambda: set(threading.enumerate()) <= baseline)
        create_available_cluster(clients[0], "again")  # its pool is made again
