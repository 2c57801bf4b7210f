"""PostgresDataPlane: the data plane the services call (api.py), from worker threads.

It ties together the engines (one PostgreSQL per cluster or namespace), the wire fronts
(public TCP ports) and the snapshot store.  Operations on one cluster key are
serialised by a per-key lock; different clusters proceed in parallel.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import secrets
import shutil
import stat
import subprocess
import threading
from datetime import datetime
from pathlib import Path
from typing import Callable, Collection, Iterator, Mapping, Sequence

from localshift.config import Settings

from . import audit_logs, engine_settings, table_restore, watchdog
from .binaries import PgBinaries, accessible_by, running_as_root
from .api import ClusterFacts, LogTarget, SqlConnectionError, SqlSession
from .credentials import LoginRegistry, TemporaryLogin
from .drop_guard import DropGuard
from .engine import MAX_SOCKET_PATH, SOCKET_NAME, Engine
from .engine_lifecycle import FRONT_META, EngineLifecycle
from .engine_template import EngineTemplate
from .engine_limits import EngineLimits
from .engine_timeouts import DEFAULT_ENGINE_TIMEOUT, EngineTimeout
from .engine_users import DEFAULT_UIDS, EngineUsers, parse_uid_range
from .mv_autorefresh import DEFAULT_INTERVAL as DEFAULT_AUTOREFRESH_INTERVAL, DEFAULT_TIMEOUT as DEFAULT_AUTOREFRESH_TIMEOUT
from .mv_autorefresh import Connect, MvAutorefresh
from .errors import ClusterNotFoundError, DataPlaneError
from .host import raise_open_file_limit, sql_connection_budget
from .redshift_sql import install_engine
from .redshift_sql.history import QueryRecorder
from .roles import INTERNAL_ROLES, connect_admin, EngineSetup, Initialiser, confine_roles, set_master_user
from .snapshot_operations import SnapshotOperations, check_key as _check_key
from .snapshot_store import SnapshotStore
from .temporary_login import TemporaryLogins, leave_groups_of_ended_sessions
from .tls import ensure_certificates, server_context
from .wire_front import WireFront

log = logging.getLogger("localshift")

_LONGEST_KEY = "k" * 63
# PostgreSQL's max_connections stops at 262143; keep far below, with room for the reserved slots.
MAX_USER_CONNECTIONS = 100_000


def _short_hash(path: Path) -> str:
    return hashlib.sha256(str(path).encode()).hexdigest()[:12]


def default_engine_root(root: Path) -> Path:
    """Where the data plane over ``root`` (resolved) keeps its engines unless told otherwise."""
    if not running_as_root():
        return root / "engines"
    # Engines run as uids of their own, which cannot enter the root (0700): keep them in a place
    # derived from its path, so a restarted service finds them again.
    return Path("/var/tmp") / f"localshift-engines-{_short_hash(root)}"


class PostgresDataPlane(EngineLifecycle, SnapshotOperations):
    serves_sql = True

    def __init__(self, root: Path, pg_bin_dir: Path | None = None, *,
                 engine_root: Path | None = None, ephemeral: bool = False,
                 also_remove: Sequence[Path] = (), initialisers: Sequence[Initialiser] = (),
                 sql_startup_timeout: float = 10.0, sql_max_connections: int = 500,
                 engine_uids: tuple[int, int] = DEFAULT_UIDS, log_root: Path | None = None,
                 clock: Callable[[], datetime] | None = None, engine_template: bool = True,
                 supervise_interval: float = 1.0, revive_attempts: int = 3,
                 engine_timeout: float = DEFAULT_ENGINE_TIMEOUT,
                 engine_limits: EngineLimits = EngineLimits(),
                 autorefresh_interval: float = DEFAULT_AUTOREFRESH_INTERVAL,
                 autorefresh_timeout: float = DEFAULT_AUTOREFRESH_TIMEOUT) -> None:
        """``root``: where snapshots (and, when the service is not root, engines) live, owner
        only.  ``engine_root`` overrides where engine directories go.  ``ephemeral``: the
        watchdog removes the engines, the snapshots and ``also_remove`` when the service ends.
        ``initialisers``: set-up SQL run as the internal role on new and restored engines
        (roles.py), after the Redshift SQL catalog (redshift_sql/install.py).
        ``sql_startup_timeout``, ``sql_max_connections``: the wire fronts' limits (the
        engines' max_connections follows).  ``engine_uids``: the uid range engines run as
        when the service is root (engine_users.py).  ``log_root``: where audit logs are delivered
        (default ``<root>/logs``).  ``engine_template``: new engines are copied from a prepared
        data directory (engine_template.py) rather than made by initdb each.  ``supervise_interval``:
        how often (seconds) the engines that should be running are checked, and one whose postmaster
        died started again (0: never); after ``revive_attempts`` failed starts in a row it is given up
        (engine_supervisor.py).  ``engine_timeout``: seconds the service waits on its own connections to
        an engine (engine_timeouts.py); one that does not answer in time is killed, then started again.
        ``engine_limits``: the memory and temporary files each engine's processes may take (engine_limits.py).
        ``autorefresh_interval``: seconds between rounds of the materialized views' autorefresh, and how long
        base tables stay unchanged before it refreshes their views (mv_autorefresh.py; 0: never);
        ``autorefresh_timeout``: seconds one of its refreshes may take (not bounded by ``engine_timeout``)."""
        if not 0 < sql_startup_timeout <= 3600:
            raise DataPlaneError(f"sql_startup_timeout {sql_startup_timeout}: expected seconds in (0, 3600]")
        if not 1 <= sql_max_connections <= MAX_USER_CONNECTIONS:
            raise DataPlaneError(f"sql_max_connections {sql_max_connections}: expected 1 to {MAX_USER_CONNECTIONS}")
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.log_root = Path(log_root).resolve() if log_root else self.root / "logs"
        self.bins = PgBinaries(pg_bin_dir)
        self.users = EngineUsers(engine_uids) if running_as_root() else None
        self.engine_root = Path(engine_root).resolve() if engine_root else default_engine_root(self.root)
        if engine_root is None or not self.engine_root.exists():
            self.engine_root.mkdir(parents=True, exist_ok=True)
            # Engines own their directories (0700); with uids of their own they only pass through.
            os.chmod(self.engine_root, 0o711 if self.users else 0o700)
        elif self.users:  # a directory the user had: only let the engines pass through it
            os.chmod(self.engine_root, stat.S_IMODE(self.engine_root.stat().st_mode) | stat.S_IXOTH)
        if self.users and not accessible_by(self.engine_root, engine_uids[0], engine_uids[0]):
            raise DataPlaneError(f"engines cannot reach {self.engine_root}: every directory above it "
                                 "must be searchable (o+x) by other users")
        # Unix socket paths are limited to ~107 bytes: engines whose directory path is too long
        # for one put their socket under this short directory instead.
        self.socket_root = Path("/tmp") / f"localshift-{_short_hash(self.engine_root)}"
        snapshots = self.root / "snapshots"
        snapshots.mkdir(exist_ok=True)
        os.chmod(snapshots, 0o700)
        self.store = SnapshotStore(snapshots)
        self.initialisers: list[Initialiser] = [confine_roles, leave_groups_of_ended_sessions, install_engine,
                                                *initialisers]
        self.max_connections = sql_max_connections
        self.engine_timeout = EngineTimeout(engine_timeout)
        self.engine_limits = engine_limits
        self._admin_password = self._load_admin_secret()
        self.template = EngineTemplate(self.bins, self.engine_root, self._admin_password, self.users,
                                       self._socket_dir) if engine_template else None
        self.logins = LoginRegistry(clock) if clock else LoginRegistry()
        self._tls = ensure_certificates(self.root / "tls")
        self._drops = drops = DropGuard()
        history_connect = drops.connector(lambda socket_path, dbname: connect_admin(
            socket_path, self._admin_password, self.engine_timeout, dbname, at_most=5))
        self.front = WireFront(INTERNAL_ROLES, sql_startup_timeout, sql_max_connections,
                               sql_connection_budget(raise_open_file_limit()), QueryRecorder(history_connect),
                               server_context(self._tls),
                               TemporaryLogins(self.logins, self._admin_password, self.engine_timeout), drops)
        self._engines: dict[str, Engine] = {}
        self._ports: dict[str, int] = {}
        self._extra_ports: dict[str, set[int]] = {}  # further ports serving an engine (serve_extra_port)
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()
        self._watchdog = self._start_watchdog([self.root, self.socket_root, *also_remove] if ephemeral else None)
        for leftover in self.engine_root.glob(watchdog.STAGING_PREFIX + "*"):  # creates cut short by a crash
            shutil.rmtree(leftover, ignore_errors=True)
        self._start_supervisor(supervise_interval, revive_attempts)
        self.autorefresh = MvAutorefresh(autorefresh_interval, self._autorefreshed_engines, autorefresh_timeout)
        for leftover in self.engine_root.glob(table_restore.SCRATCH_PREFIX + "*"):  # table restores cut short
            self.destroy_engine(leftover.name)

    @classmethod
    def from_settings(cls, settings: Settings, data_dir: Path, initialisers: Sequence[Initialiser] = (),
                      clock: Callable[[], datetime] | None = None) -> "PostgresDataPlane":
        """The data plane of a service whose state lives in ``data_dir`` (under
        ``<data_dir>/dataplane``); an ephemeral service's whole data dir goes with it.
        ``clock``: the service clock, which temporary credentials expire by."""
        return cls(data_dir / "dataplane", Path(settings.pg_bin_dir) if settings.pg_bin_dir else None,
                   engine_root=Path(settings.engine_dir) if settings.engine_dir else None,
                   ephemeral=settings.ephemeral, also_remove=[data_dir], initialisers=initialisers,
                   sql_startup_timeout=settings.sql_startup_timeout,
                   sql_max_connections=settings.sql_max_connections,
                   engine_uids=parse_uid_range(settings.engine_uids), log_root=data_dir / "logs", clock=clock,
                   supervise_interval=settings.engine_check_interval, engine_timeout=settings.engine_timeout,
                   engine_limits=EngineLimits(settings.engine_memory_limit, settings.engine_temp_file_limit,
                                              settings.engine_log_limit, settings.engine_disk_limit),
                   autorefresh_interval=settings.mv_autorefresh_interval,
                   autorefresh_timeout=settings.mv_autorefresh_timeout)

    # -- setup -------------------------------------------------------------------
    @property
    def directories(self) -> list[Path]:
        """Every directory this data plane writes: snapshots and secrets, engines, and the
        socket directory when engine paths can be too long for a Unix socket."""
        dirs = [self.root, self.engine_root]
        if len(str(self.engine_root / _LONGEST_KEY / SOCKET_NAME)) > MAX_SOCKET_PATH:
            dirs.append(self.socket_root)
        return dirs

    @property
    def tls_ca_file(self) -> Path:
        """The CA certificate that signs the SQL endpoints' TLS certificate: what clients trust
        to verify them (tls.py)."""
        return self._tls.ca_cert

    def _autorefreshed_engines(self) -> list[tuple[str, Connect]]:
        """The engines whose materialized views the autorefresh visits: those that should be running (not
        a stopped, paused or deleted cluster's) and are, but for one a job holds the lock of (a restore,
        a resize, a snapshot: its state is the job's), left for the next round.  Its connections keep out
        of an engine while a session drops one of its databases, as the query history's do (drop_guard.py):
        a superuser's session there would make the drop fail."""
        engines: list[tuple[str, Connect]] = []
        for key in sorted(self._supervised.copy()):
            lock = self._lock(key)
            if not lock.acquire(blocking=False):
                continue
            try:
                eng = self._engine(key)
                if key in self._supervised and eng.is_running():
                    engines.append((key, self._drop_guarded(eng)))
            finally:
                lock.release()
        return engines

    def _drop_guarded(self, eng: Engine) -> Connect:
        guarded = self._drops.connector(lambda _, dbname: eng.connect(dbname))
        engine_key = str(eng.socket_path)  # the front's name of the engine
        return lambda dbname: guarded(engine_key, dbname)

    def _load_admin_secret(self) -> str:
        path = self.root / "admin-secret"
        with open(self.root / ".admin-secret.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(24))
            return path.read_text().strip()

    def _start_watchdog(self, ephemeral_dirs: list[Path] | None) -> subprocess.Popen:
        try:
            return watchdog.start(self.engine_root, ephemeral_dirs)
        except watchdog.EnginesInUse as e:
            raise DataPlaneError(str(e)) from None

    def _lock(self, key: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(key, threading.RLock())

    def _socket_dir(self, key: str) -> Path:
        if len(str(self.engine_root / key / SOCKET_NAME)) <= MAX_SOCKET_PATH:
            return self.engine_root / key
        if not self.socket_root.is_dir():
            self.socket_root.mkdir(exist_ok=True)
            os.chmod(self.socket_root, 0o711 if self.users else 0o700)
        return self.socket_root / key

    def _engine(self, key: str) -> Engine:
        _check_key(key)
        with self._guard:
            eng = self._engines.get(key)
            if eng is None:
                eng = Engine(self.bins, self.engine_root / key, self._admin_password,
                             self._socket_dir(key), self.users, self.max_connections, self.engine_timeout,
                             self.engine_limits)
                self._engines[key] = eng
            return eng

    def _existing(self, key: str) -> Engine:
        eng = self._engine(key)
        if not eng.exists():
            raise ClusterNotFoundError(f"cluster {key} has no engine")
        return eng

    @contextlib.contextmanager
    def _running(self, eng: Engine) -> Iterator[Engine]:
        """Run the body with the engine up, starting it temporarily if stopped."""
        started = not eng.is_running()
        if started:
            eng.start()
        try:
            yield eng
        finally:
            if started:
                eng.stop()

    def _initialise(self, setup: EngineSetup) -> None:
        for initialiser in self.initialisers:
            initialiser(setup)

    def set_password(self, key: str, username: str, password: str) -> None:
        eng = self._existing(key)
        with self._lock(key), self._running(eng), eng.connect() as conn:
            set_master_user(conn, username, password)
            eng.write_meta(dict(eng.read_meta(), master_username=username))

    def apply_settings(self, key: str, settings: Mapping[str, str]) -> None:
        eng = self._existing(key)
        with self._lock(key), self._running(eng), eng.connect() as conn:
            engine_settings.apply_settings(conn, settings)
        flags = {meta_key: settings[parameter].lower() == "true"
                 for parameter, meta_key in FRONT_META.items() if parameter in settings}
        if flags:
            meta = dict(eng.read_meta(), **flags)
            eng.write_meta(meta)
            self._follow_front_parameters(eng, meta)

    def set_cluster_facts(self, key: str, facts: ClusterFacts) -> None:
        eng = self._existing(key)
        with self._lock(key), self._running(eng), eng.connect() as conn:
            engine_settings.set_cluster_facts(conn, facts)

    def set_audit_logging(self, key: str, log_types: Collection[str]) -> None:
        eng = self._existing(key)
        with self._lock(key), self._running(eng):
            with eng.connect() as conn:
                engine_settings.set_audit_logging(conn, log_types)
            audit_logs.start_capture(eng, log_types)

    def deliver_logs(self, key: str, log_types: Collection[str], target: LogTarget, now: datetime) -> list[str]:
        eng = self._existing(key)
        with self._lock(key):
            return audit_logs.deliver(eng, self.log_root, log_types, target, now)

    def discard_logs(self, accounts: Collection[str] | None) -> None:
        audit_logs.discard_logs(self.log_root, accounts)

    def engine_size_bytes(self, key: str) -> int | None:
        eng = self._engine(key)
        return eng.size_bytes() if eng.exists() else None

    def is_running(self, key: str) -> bool:
        """True when the engine is up and its public port is served."""
        eng = self._engine(key)
        return key in self._ports and eng.is_running()

    # -- SQL ---------------------------------------------------------------------------
    def sql_port(self, key: str) -> int | None:
        """The port a cluster's SQL is served on (None when it is not served: stopped, or
        not yet created).  An engine that died meanwhile refuses logins on it."""
        return self._ports.get(key)

    def allow_login(self, key: str, login: TemporaryLogin) -> None:
        """Let ``login`` (a temporary credential) log in to the cluster's SQL endpoint until it expires."""
        self.logins.allow(str(self._engine(key).socket_path), login)

    def open_sql(self, key: str, user: str, password: str, database: str) -> SqlSession:
        """A session as ``user`` through the cluster's SQL endpoint (sql_sessions.py)."""
        from .sql_sessions import SqlSession as PostgresSqlSession

        port = self._ports.get(key)
        if port is None:
            raise SqlConnectionError(f"engine {key} serves no SQL")
        # The statements' query ids come from the front, which knows the engine by its socket.
        return PostgresSqlSession(port, user, password, database, history=self.front.history,
                                  engine_key=str(self._engine(key).socket_path))

    def stop_all(self) -> None:
        """Stop every engine under the engine root (including ones a previous
        service process left running) and every front; one log line per engine stopped."""
        self._stop_supervisor()
        self.autorefresh.close()
        self._supervised.clear()
        self.front.close_all()
        self._ports.clear()
        self._extra_ports.clear()
        self.store.stop_background()
        keys = set(self._engines) | {p.name for p in watchdog.engine_dirs(self.engine_root)}
        for key in sorted(keys):
            eng = self._engine(key)
            with self._lock(key):
                if eng.stop():
                    log.info("stopped engine %s (%s)", key, eng.dir)

    def close(self) -> None:
        """Stop everything and end the watchdog (a later PostgresDataPlane may then take the engines)."""
        self.stop_all()
        if self._watchdog.poll() is None:
            pipe = self._watchdog.stdin
            assert pipe is not None  # watchdog.start's stdin=PIPE
            pipe.close()
            self._watchdog.wait()

    def __enter__(self) -> "PostgresDataPlane":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
