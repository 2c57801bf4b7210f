"""Engines that die are started again, as Redshift replaces a failed node by itself.

A postmaster killed with SIGKILL (or by the OOM killer) leaves its cluster served on its port while
every connection is refused.  On AWS a failed node is detected and replaced automatically and the
cluster comes back on its own, with an event ("node replaced ... Cluster operating normally").  A
supervisor thread of the data plane therefore looks, every ``interval`` seconds, at each engine that
should be running (started by ``start_engine`` or ``create_engine`` and not stopped since) and
starts again one whose postmaster is gone.  Nothing is measured on the SQL path.  Each round also
bounds what a SQL user can make grow (``bound_storage``): the server log, and the data (a storage
quota).

It works under the engine's lock, so it never races a job that stops, starts, resizes, restores or
snapshots the engine: an engine whose lock a job holds is skipped this round (the job owns its
state), and one that job stopped is no longer supervised.  When ``attempts`` starts in a row fail,
the supervisor gives up: the engine is no longer served (like a stopped one) and the listener is
told, so the service can fail the cluster as AWS does (``hardware-failure``) instead of trying
forever.  A listener that raises is logged; the other engines are still supervised.

A mixin of PostgresDataPlane (dataplane.py).  The listeners are the services' (``on_engine_event``,
which they call when they start), so the data plane knows nothing of clusters or events.
"""

from __future__ import annotations

import logging
import threading

import psycopg

from .api import ENGINE_FAILED, ENGINE_REVIVED, EngineListener
from .engine_host import EngineHost
from .errors import DataPlaneError
from .storage_quota import StorageMeter, check_storage

log = logging.getLogger("localshift")


class EngineSupervision(EngineHost):
    _supervised: set[str]  # the engines that should be running
    _revive_failures: dict[str, int]  # starts in a row that failed, by engine
    _revive_attempts: int  # failed starts in a row before an engine is given up
    _meters: dict[str, StorageMeter]  # when each engine's storage was measured (storage_quota.py)
    _engine_listeners: list[EngineListener]
    _supervisor_stop: threading.Event
    _supervisor: threading.Thread | None

    def _start_supervisor(self, interval: float, attempts: int) -> None:
        self._supervised = set()
        self._revive_failures = {}
        self._meters = {}
        self._engine_listeners = []
        self._supervisor_stop = threading.Event()
        self._revive_attempts = attempts
        self._supervisor = None
        if interval > 0:  # 0: engines that die stay down
            self._supervisor = threading.Thread(target=self._supervise, args=(interval,), daemon=True,
                                                name="localshift-engine-supervisor")
            self._supervisor.start()

    def on_engine_event(self, listener: EngineListener) -> None:
        """Also call ``listener(key, ENGINE_REVIVED | ENGINE_FAILED)`` (from the supervisor's thread) when
        an engine that died is started again, or given up."""
        self._engine_listeners.append(listener)

    def _stop_supervisor(self) -> None:
        self._supervisor_stop.set()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join()
        self._supervisor = None

    def _supervise(self, interval: float) -> None:
        while not self._supervisor_stop.wait(interval):
            for key in sorted(self._supervised.copy()):
                if self._supervisor_stop.is_set():
                    return
                self.revive(key)
                self.bound_storage(key)

    def bound_storage(self, key: str) -> None:
        """What a SQL user can make grow without end, bounded: the server log of ``key``'s engine is
        rotated past its bound (Engine.bound_log), and statements that store more are refused while its
        data is past its quota (storage_quota.py).  Under the engine's lock, as an audit log delivery
        reads the log."""
        lock = self._lock(key)
        if not lock.acquire(blocking=False):  # a job works on the engine: next round
            return
        try:
            eng = self._engine(key)
            if eng.bound_log():
                log.info("the server log of engine %s passed its bound: rotated", key)
            check_storage(self.front, key, eng, self._meters.setdefault(key, StorageMeter()))
        except (DataPlaneError, OSError, psycopg.Error) as error:  # (the engine stopping meanwhile)
            log.warning("the storage of engine %s could not be bounded: %s", key, error)
        finally:
            lock.release()

    def revive(self, key: str) -> None:
        """Start ``key``'s engine again if it should be running and its postmaster is gone."""
        lock = self._lock(key)
        if not lock.acquire(blocking=False):  # a job works on the engine: its state is the job's
            return
        try:
            eng = self._engine(key)
            if key not in self._supervised or eng.is_running():
                return
            log.warning("engine %s (%s) is not running: starting it again", key, eng.dir)
            try:
                eng.start()
            except (DataPlaneError, OSError) as error:
                failures = self._revive_failures.get(key, 0) + 1
                self._revive_failures[key] = failures
                log.error("engine %s could not be started again (attempt %d of %d): %s",
                          key, failures, self._revive_attempts, error)
                if failures < self._revive_attempts:
                    return
                self._give_up(key)
                event = ENGINE_FAILED
            else:
                self._revive_failures.pop(key, None)
                log.warning("engine %s was started again and serves", key)
                event = ENGINE_REVIVED
        finally:
            lock.release()
        for listener in list(self._engine_listeners):
            try:
                listener(key, event)
            except Exception:  # one service's listener failing must not keep the news from the others
                log.exception("telling of engine %s (%s) failed", key, event)

    def _give_up(self, key: str) -> None:
        """No longer serve an engine that cannot be started (as stop_engine does; its data stays)."""
        self._revive_failures.pop(key, None)
        self._supervised.discard(key)
        port = self._ports.pop(key, None)
        if port is not None:
            self.front.close(port)
