"""In-process test support for the lifecycle code: real backends over a real store, a test data plane.

Request handlers and background jobs run here as the server runs them (the
handlers from the operation tables, the jobs on the backends' worker pools),
without HTTP, so tests can run them against each other many times and make
the data plane slow or failing on demand.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from localshift.services.clock import Clock
from localshift.services.context import RequestContext
from localshift.dataplane.api import ENGINE_REVIVED
from localshift.dataplane.null import NullDataPlane
from localshift.services.redshift.backend import BackendSettings, RedshiftBackend
from localshift.services.redshift.operations import OPERATIONS as REDSHIFT_OPERATIONS
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.provisioned import ProvisionedSnapshots
from localshift.services.serverless.operations import OPERATIONS as SERVERLESS_OPERATIONS
from localshift.store.database import Database

OWNER = "111111111111"


class ScriptedDataPlane(NullDataPlane):
    """A data plane holding no data that remembers what it serves, takes ``delay`` seconds
    per piece of work, and raises for the operations named in ``failing``."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self.failing: set[str] = set()
        self.running: set[str] = set()
        self.passwords: dict[str, tuple[str, str]] = {}
        self.ports: dict[str, int] = {}
        self.taken: dict[int, int] = {}  # a port another process holds -> the one served instead
        self.announced: set[str] = set()  # engines served before they start, whose start is not over
        self.listeners: list[Any] = []  # on_engine_event's
        self._lock = threading.Lock()

    def on_engine_event(self, listener: Any) -> None:
        self.listeners.append(listener)

    def engine_died(self, key: str, what: str) -> None:
        """What the real data plane's supervisor does when ``key``'s engine died: it was started again
        (ENGINE_REVIVED), or it could not be and is no longer served (ENGINE_FAILED)."""
        if what != ENGINE_REVIVED:
            with self._lock:
                self.running.discard(key)
        for listener in self.listeners:
            listener(key, what)

    def _step(self, operation: str, what: str) -> None:
        self._work()
        if operation in self.failing:
            raise RuntimeError(f"the engine failed to {what}")

    def create_engine(self, key: str, port: int, master_username: str, master_password: str, db_name: str) -> int:
        self._step("create_engine", "create cluster")
        with self._lock:
            self.running.add(key)
            self.ports[key] = port
            self.passwords[key] = (master_username, master_password)
        return port

    def start_engine(self, key: str, port: int) -> int:
        self.end_start(key)  # however the start ends, the one announced is over
        self._step("start_engine", "start cluster")
        with self._lock:
            self.running.add(key)
            self.ports[key] = port
        return port

    def serve_engine(self, key: str, port: int) -> int:
        self._step("serve_engine", "serve cluster")
        with self._lock:
            self.announced.add(key)
            self.ports[key] = self.taken.get(port, port)
            return self.ports[key]

    def end_start(self, key: str) -> None:
        with self._lock:
            self.announced.discard(key)

    def stop_engine(self, key: str) -> None:
        self.end_start(key)
        self._step("stop_engine", "stop cluster")
        with self._lock:
            self.running.discard(key)

    def destroy_engine(self, key: str) -> None:
        self.end_start(key)
        self._step("destroy_engine", "destroy cluster")
        with self._lock:
            self.running.discard(key)
            self.passwords.pop(key, None)

    def set_password(self, key: str, username: str, password: str) -> None:
        self._step("set_password", "set master password")
        with self._lock:
            self.passwords[key] = (username, password)

    def serve_extra_port(self, key: str, port: int) -> int:
        self._step("serve_extra_port", "serve a further port")
        return port

    def close_extra_port(self, key: str, port: int) -> None:
        self._step("close_extra_port", "close a further port")

    def is_running(self, key: str) -> bool:
        with self._lock:
            return key in self.running

    def create_snapshot(self, cluster_key: str, snapshot_key: str, progress: Any = None, *,
                        without_no_backup_tables: bool = False) -> Any:
        self._step("create_snapshot", "create snapshot")
        return super().create_snapshot(cluster_key, snapshot_key, progress,
                                       without_no_backup_tables=without_no_backup_tables)

    def copy_snapshot(self, source_snapshot_key: str, target_snapshot_key: str) -> Any:
        self._step("copy_snapshot", "copy snapshot")
        return super().copy_snapshot(source_snapshot_key, target_snapshot_key)

    def delete_snapshot(self, snapshot_key: str) -> None:
        self._step("delete_snapshot", "delete snapshot")

    def restore_snapshot(self, snapshot_key: str, cluster_key: str, port: int, progress: Any = None,
                         master_username: str | None = None, master_password: str | None = None) -> int:
        self._step("restore_snapshot", "restore snapshot")
        with self._lock:
            self.running.add(cluster_key)
            self.ports[cluster_key] = port
            self.passwords[cluster_key] = (master_username or "", master_password or "")
        return port


@dataclass
class World:
    """Both backends over one store and one test data plane."""

    db: Database
    dataplane: ScriptedDataPlane
    redshift: RedshiftBackend
    serverless: ServerlessBackend

    def ctx(self, account: str = OWNER) -> RequestContext:
        return RequestContext(account, "us-east-1", "rid", self.redshift.clock.now())

    def call(self, operation: str, account: str = OWNER, **params: Any) -> dict[str, Any]:
        """A Redshift (Query API) operation, as the server would run it."""
        return REDSHIFT_OPERATIONS[operation](self.redshift, self.ctx(account), params)

    def serverless_call(self, operation: str, account: str = OWNER, **params: Any) -> dict[str, Any]:
        return SERVERLESS_OPERATIONS[operation](self.serverless, self.ctx(account), params)

    def events(self, source_type: str, identifier: str) -> list[str]:
        """The messages of the ERROR events kept for a resource (a failed job's reason)."""
        return [e.message for e in self.redshift.events.of_source(OWNER, "us-east-1", source_type, identifier)
                if e.severity == "ERROR"]

    def cluster(self, identifier: str = "c1") -> dict[str, Any]:
        return self.call("DescribeClusters", ClusterIdentifier=identifier)["Clusters"][0]

    def snapshot(self, identifier: str) -> dict[str, Any]:
        return self.call("DescribeClusterSnapshots", SnapshotIdentifier=identifier)["Snapshots"][0]

    def available_cluster(self, identifier: str = "c1", **params: Any) -> dict[str, Any]:
        request = {"ClusterIdentifier": identifier, "NodeType": "ra3.xlplus", "NumberOfNodes": 2,
                   "MasterUsername": "admin", "MasterUserPassword": "Passw0rd1", **params}
        self.call("CreateCluster", **request)
        wait(lambda: self.cluster(identifier)["ClusterStatus"] == "available")
        return self.cluster(identifier)

    def close(self) -> None:
        self.serverless.shutdown()
        self.redshift.shutdown()
        self.db.close()


def make_world(tmp_path: Path, delay: float = 0.0, dataplane: ScriptedDataPlane | None = None,
               **settings: Any) -> World:
    db = Database(tmp_path / "localshift.sqlite3")
    dataplane = dataplane or ScriptedDataPlane(delay)
    redshift = RedshiftBackend(db, dataplane, Clock(), BackendSettings(**settings), ProvisionedSnapshots(db))
    serverless = ServerlessBackend(db, dataplane, redshift.clock, redshift)
    return World(db, dataplane, redshift, serverless)


class HeldJobs:
    """The jobs a backend submits, held until the test runs them, in the order it chooses
    (``monkeypatch`` undoes the hold)."""

    def __init__(self, backend: Any, monkeypatch: Any) -> None:
        self.backend = backend
        self.held: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        monkeypatch.setattr(backend, "submit_for", lambda account, job, *args: self.held.append((job, args)))

    def take(self) -> Callable[[], None]:
        """The jobs held so far; calling the result runs them, in the order they were submitted."""
        taken, self.held = self.held, []

        def run() -> None:
            for job, args in taken:
                job(self.backend, *args)

        return run


def meanwhile(monkeypatch: Any, repository: Any, request: Callable[[], Any]) -> None:
    """The next read of a record by row id (a job's, as it begins) gets the record as it is then,
    and ``request`` (what a client does meanwhile, with its jobs) runs right after that read."""
    read = repository.get_by_id
    pending = [request]

    def get_by_id(row_id: int) -> Any:
        found = read(row_id)
        while pending:
            pending.pop()()
        return found

    monkeypatch.setattr(repository, "get_by_id", get_by_id)


def wait(predicate: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError("condition not met in time")


def status(world: World, identifier: str = "c1") -> str:
    return world.cluster(identifier)["ClusterStatus"]


def settles(world: World, identifier: str = "c1") -> str:
    """The cluster's status once its job is done."""
    transitional = {"creating", "modifying", "renaming", "pausing", "resuming", "deleting", "final-snapshot"}
    return wait(lambda: (s := status(world, identifier)) not in transitional and s)


def deleted(world: World, identifier: str = "c1") -> None:
    world.call("DeleteCluster", ClusterIdentifier=identifier, SkipFinalClusterSnapshot=True)
    wait(lambda: not world.call("DescribeClusters")["Clusters"])
