"""One cluster's PostgreSQL instance: initdb, configuration, start, stop, admin access.

Layout of an engine directory (owned by the engine's own uid when the service
is root, see engine_users.py; mode 700)::

    <engine_dir>/data/            PGDATA
    <engine_dir>/postgres.log     server log (written by the engine's logging collector)
    <engine_dir>/postgres.log.1   the server log before its last rotation (bound_log)
    <engine_dir>/postgres.stderr  what the postmaster wrote before its logging collector ran
    <engine_dir>/cluster.json     metadata written by the PostgresDataPlane
    <socket_dir>/.s.PGSQL.5432    the engine's Unix socket (the engine dir when the path fits)

The engine never listens on TCP (``listen_addresses = ''``): clients reach it
through the wire front, which connects to the Unix socket.  Administration
(creating the master user, setting passwords, base backups) uses the internal
superuser ``rdsdb`` (Redshift's own internal superuser is called that too),
whose password is a per-PostgresDataPlane secret; the front refuses that user, so only
the service, on the Unix socket, can log in as it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psycopg

from .binaries import Identity, PgBinaries
from .engine_config import HBA_CONF, INITDB_LOCALE, RESTORE_HBA, RUNTIME_CONF, localshift_config
from .engine_files import open_own_log, read_own, write_engine_file, write_own
from .engine_log import collector_options, log_tail, rotate_log, set_log_aside
from .engine_users import EngineUsers, chown_tree
from .errors import DataPlaneError
from .engine_limits import MIB, EngineLimits
from .engine_timeouts import EngineNotAnswering, EngineTimeout
from .roles import ADMIN_USER, connect_admin, store_admin_password
from .watchdog import STAGING_PREFIX, STOP_STEPS, end_leftovers, postmaster_pid, stop_postmaster

log = logging.getLogger("localshift")
NOTIFY_QUEUE_PAGES = 16384  # of 8 KiB

SOCKET_PORT = 5432  # only names the socket file: .s.PGSQL.5432
SOCKET_NAME = f".s.PGSQL.{SOCKET_PORT}"
# sun_path holds 108 bytes, the terminating NUL included.
MAX_SOCKET_PATH = 107
# Connections kept for the internal role (backups, password changes) when users hold the rest.
ADMIN_RESERVED_CONNECTIONS = 3
class Engine:
    """A PostgreSQL data directory and the postmaster serving it."""

    def __init__(self, bins: PgBinaries, engine_dir: Path, admin_password: str, socket_dir: Path,
                 users: EngineUsers | None, max_user_connections: int,
                 timeout: EngineTimeout = EngineTimeout(), limits: EngineLimits = EngineLimits()) -> None:
        """``users``: where the engine's own uid comes from (None: run as the service's user).
        ``max_user_connections``: connections for every role but the internal one.  ``timeout``:
        the bound of the service's connections to it and of a fast shutdown (engine_timeouts.py).
        ``limits``: the memory and temporary files its processes may take (engine_limits.py)."""
        self.bins = bins
        self.dir = Path(engine_dir)
        self.data_dir = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self.rotated_log_path = self.dir / "postgres.log.1"
        self.stderr_path = self.dir / "postgres.stderr"
        self.meta_path = self.dir / "cluster.json"
        self.admin_password = admin_password
        self.socket_dir = Path(socket_dir)
        self.socket_path = self.socket_dir / SOCKET_NAME
        self.users = users
        self.max_user_connections = max_user_connections
        self.timeout = timeout
        self.limits = limits
        # A fast shutdown that takes longer than the bound is a hung engine's: SIGQUIT, then SIGKILL.
        (_, fast), (_, immediate), kill = STOP_STEPS
        self._stop_steps = ((signal.SIGINT, min(fast, timeout.seconds)),
                            (signal.SIGQUIT, min(immediate, timeout.seconds)), kill)
        self._owner: Identity = None
        self._proc: subprocess.Popen | None = None

    # -- metadata ----------------------------------------------------------------
    def exists(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def read_meta(self) -> dict:
        try:
            return json.loads(read_own(self.meta_path))
        except FileNotFoundError:
            return {}

    def write_meta(self, meta: dict) -> None:
        write_own(self.meta_path, json.dumps(meta, indent=1).encode())

    # -- creation ----------------------------------------------------------------
    @property
    def owner(self) -> Identity:
        """The engine's (uid, gid), claimed the first time (which creates its directory)."""
        if self.users is not None and self._owner is None:
            self._owner = self.users.claim(self.dir)
        return self._owner

    def prepare_dirs(self) -> None:
        self.bins.make_dir(self.dir, self.owner)
        if self.socket_dir != self.dir:
            self.bins.make_dir(self.socket_dir, self.owner)

    def initdb(self) -> None:
        """A new data directory owned by the engine.  initdb needs a passwd entry for its user,
        which engine uids do not have: when they are used, initdb runs as the setup user
        (nobody) in a staging directory whose result is then chowned and moved in place."""
        self.prepare_dirs()
        owner = self.owner
        setup_user = self.bins.setup_user if owner is not None else None
        staging = self.dir.parent / f"{STAGING_PREFIX}{self.dir.name}" if setup_user else self.dir
        shutil.rmtree(staging / "data", ignore_errors=True)  # leftovers of an interrupted create
        self.bins.make_dir(staging, setup_user)
        pwfile = staging / ".initdb-pw"
        pwfile.write_text(self.admin_password + "\n")
        os.chmod(pwfile, 0o600)
        self.bins.chown(pwfile, setup_user)
        try:
            # --no-sync: an emulator does not need initdb's fsync of ~1,000 files
            # (saves most of initdb's time on a VM).  PG 18 enables data checksums
            # by default.
            self.bins.run(["initdb", "-D", staging / "data", "-U", ADMIN_USER, "--pwfile", pwfile,
                           "-A", "md5", "-E", "UTF8", *INITDB_LOCALE, "--no-sync",
                           "--no-instructions"], setup_user)
            if owner is not None and staging != self.dir:
                self._move_in(staging / "data")
        finally:
            pwfile.unlink(missing_ok=True)
            if staging != self.dir:
                shutil.rmtree(staging, ignore_errors=True)
        self.write_config()

    def copy_data(self, source: Path) -> None:
        """A new data directory copied from ``source`` (the engine template, engine_template.py):
        modes kept, owned by the engine.  The copy is made in a staging directory and moved in
        once whole, so an interrupted copy never looks like an engine."""
        self.prepare_dirs()
        staging = self.dir.parent / f"{STAGING_PREFIX}{self.dir.name}"
        shutil.rmtree(staging, ignore_errors=True)  # leftovers of an interrupted create
        self.bins.make_dir(staging, None)  # the service's alone while it is filled
        try:
            shutil.copytree(source, staging / "data", symlinks=True)
            self._move_in(staging / "data")
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _move_in(self, data: Path) -> None:
        """Make the data directory ``data`` (next to the engine's) the engine's own and move it in place."""
        if self.owner is not None:
            chown_tree(data, *self.owner)
        os.rename(data, self.data_dir)

    def write_config(self) -> None:
        """Append localshift's settings to postgresql.conf and replace pg_hba.conf.
        Both travel inside snapshots, so a restored engine has them too."""
        write_engine_file(self.data_dir / "postgresql.conf", localshift_config(self.bins.version), append=True)
        self.bins.chown(self.data_dir / "postgresql.conf", self.owner)
        self._write_hba(HBA_CONF)

    def _write_hba(self, text: str) -> None:
        write_engine_file(self.data_dir / "pg_hba.conf", text.format(admin=ADMIN_USER))
        self.bins.chown(self.data_dir / "pg_hba.conf", self.owner)

    # -- lifecycle -----------------------------------------------------------------
    def running_pid(self) -> int | None:
        """PID of a live postmaster serving this data directory (ours or one left
        by a previous service process), else None."""
        if self._proc is not None and self._proc.poll() is not None:
            self._proc = None
        return postmaster_pid(self.data_dir)

    def is_running(self) -> bool:
        return self.running_pid() is not None

    def _ready(self, pid: int) -> bool:
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return False
        # Line 8 of postmaster.pid is the postmaster status (PG 10+).
        return len(lines) >= 8 and lines[0].strip() == str(pid) and lines[7].strip() == "ready"

    def start(self, timeout: float = 300, restored: bool = False) -> None:
        """Start the postmaster (no-op when already running) and wait until it
        accepts connections.  Crash/backup recovery happens inside this wait.

        ``restored``: the first start of a freshly restored data directory.
        Before recovery PostgreSQL fsyncs the whole data directory and ends
        recovery with a checkpoint, which for a just-written directory means
        waiting for the disk to absorb all of it (as long as the restore
        itself).  That start runs with ``fsync = off``, which skips both; fsync
        is then switched back on with a reload (it is a SIGHUP setting), so
        normal operation stays durable and the OS writes the restored files
        back in its own time.  The restored internal role still has the
        password of the data plane that took the snapshot: during that start it
        is trusted on the Unix socket (which only the service and the engine's
        own uid can reach, and whose front refuses the role) and given ours;
        the reload puts the normal pg_hba.conf back."""
        if self.running_pid() is not None:
            if self._proc is not None or not self._lacks_options():
                return
            # Adopted from an older service process, whose postmaster lacks settings this one gives (the
            # logging collector, whose absence leaves the server log unbounded on the service's
            # postgres.stderr; a bound): started again with them.  Its sessions went with that process.
            log.warning("engine %s was started without settings it needs: starting it again", self.dir)
            self.stop()
        if not self.exists():
            raise DataPlaneError(f"no data directory at {self.data_dir}")
        if (self.data_dir / "postmaster.pid").exists():  # its postmaster died: stopped, it removes the file
            end_leftovers(self.data_dir)
        self.prepare_dirs()
        runtime_conf = self.data_dir / RUNTIME_CONF
        if restored:
            write_engine_file(runtime_conf, "fsync = off\n")
            self.bins.chown(runtime_conf, self.owner)
            self._write_hba(RESTORE_HBA + HBA_CONF)
        try:
            self._start(timeout)
            if restored:
                with self.connect() as conn:
                    store_admin_password(conn, self.admin_password)
        finally:
            if restored:
                self._write_hba(HBA_CONF)
            if runtime_conf.exists():
                runtime_conf.unlink()
                pid = self.running_pid()
                if pid is not None:
                    os.kill(pid, signal.SIGHUP)  # reload: fsync back on, the normal pg_hba.conf

    def _start(self, timeout: float) -> None:
        set_log_aside(self.log_path, self.rotated_log_path, os.geteuid() if self.owner is None else self.owner[0])
        log = open_own_log(self.stderr_path)
        try:
            # start_new_session: the postmaster must not receive the service's
            # Ctrl-C, and it keeps running if the service dies (start_cluster of
            # a later service process adopts it).
            # max_connections = what users may hold (the front caps them the same) plus
            # the internal role's reserved slots.
            self._proc = self.bins.popen(
                ["postgres", "-D", self.data_dir, *self._options()], self.owner, wrap=self.limits.bounded, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)
        finally:
            os.close(log)
        proc = self._proc
        deadline = time.monotonic() + timeout
        delay = 0.005
        while not self._ready(proc.pid):
            if proc.poll() is not None:
                self._proc = None
                raise DataPlaneError(f"postgres exited with {proc.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise DataPlaneError(f"postgres did not become ready in {timeout}s: {self.log_tail()}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.05)

    def _options(self) -> list[str]:
        """The postmaster's command-line settings (``-c name=value``)."""
        return ["-c", f"unix_socket_directories={self.socket_dir}", "-c", f"port={SOCKET_PORT}",
                "-c", f"max_connections={self.max_user_connections + ADMIN_RESERVED_CONNECTIONS}",
                "-c", f"superuser_reserved_connections={ADMIN_RESERVED_CONNECTIONS}",
                *self.limits.postgres_options(), *collector_options(self.log_path),
                # The NOTIFY queue (pg_notify/), which a session that LISTENs and never reads lets grow: 8 GiB
                # by default, past the storage quota (NOTIFY runs in read-only transactions), 128 MiB here.
                *(["-c", f"max_notify_queue_pages={NOTIFY_QUEUE_PAGES}"] if self.bins.version >= (17, 0) else [])]

    def _lacks_options(self) -> bool:
        """Whether the running postmaster was given no value of one of the settings ``_options`` gives (one
        an older version did not give); False when it does not answer (recovering: it is left alone)."""
        names = {option.partition("=")[0] for option in self._options()[1::2]}
        try:
            with self.connect() as conn:
                given = {row[0] for row in conn.execute(
                    "SELECT name FROM pg_catalog.pg_settings WHERE source = 'command line'").fetchall()}
        except (psycopg.Error, DataPlaneError, OSError):
            return False
        return not names <= given

    def stop(self) -> bool:
        """Fast shutdown (SIGINT: abort sessions, checkpoint, exit).  Idempotent; True when
        a running postmaster was stopped."""
        pid = self.running_pid()
        proc, self._proc = self._proc, None
        if pid is None:
            if proc is not None:
                proc.wait()
            return False
        if proc is not None and proc.pid == pid:
            stop_postmaster(pid, lambda: proc.poll() is not None, self._stop_steps)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
        else:  # adopted from a previous service process
            stop_postmaster(pid, steps=self._stop_steps)
        return True

    def kill(self) -> None:
        """End a hung engine at once: its postmaster and every process of it get SIGKILL (which also
        ends stopped ones).  Its data stays, as after a crash; the supervisor starts it again."""
        pid = self.running_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            if self._proc is not None and self._proc.pid == pid:
                self._proc.wait()
                self._proc = None
        end_leftovers(self.data_dir)

    def remove(self) -> None:
        self.stop()
        if self.users is not None:
            self.users.release(self.dir)
        self._owner = None
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.socket_dir != self.dir:
            shutil.rmtree(self.socket_dir, ignore_errors=True)

    # -- access --------------------------------------------------------------------
    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """An autocommit superuser connection over the engine's Unix socket, bounded by the engine's
        timeout.  An engine that does not answer it in time (connecting or later) is hung: killed."""
        try:
            return connect_admin(self.socket_path, self.admin_password, self.timeout, dbname, on_hang=self._hung)
        except EngineNotAnswering:
            raise
        except psycopg.OperationalError as e:
            if "timeout expired" in str(e):  # libpq's words for connect_timeout
                self._hung()
                raise EngineNotAnswering(f"cannot connect to engine {self.dir.name}: {e}") from e
            raise DataPlaneError(f"cannot connect to engine {self.dir.name}: {e}") from e
        except psycopg.Error as e:
            raise DataPlaneError(f"cannot connect to engine {self.dir.name}: {e}") from e

    def _hung(self) -> None:
        log.error("engine %s did not answer within %gs: killing it", self.dir.name, self.timeout.seconds)
        self.kill()

    def size_bytes(self) -> int:
        """Bytes of the data directory, without the WAL (pg_wal): one stat per file (scandir's entries,
        which save os.walk's joining of paths and its second stat of each directory)."""
        total, wal = 0, str(self.data_dir / "pg_wal")
        pending = [str(self.data_dir)]
        while pending:
            try:
                entries = os.scandir(pending.pop())
            except (FileNotFoundError, NotADirectoryError):  # removed meanwhile (a dropped database)
                continue
            with entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if entry.path != wal:
                                pending.append(entry.path)
                        else:
                            total += entry.stat(follow_symlinks=False).st_size
                    except FileNotFoundError:
                        pass
        return total

    def bound_log(self) -> bool:
        """Rotate the server log when it is past its bound (engine_limits.py, engine_log.py); True when it was."""
        return rotate_log(self.log_path, self.rotated_log_path, self.limits.log_mb * MIB, self.connect,
                          self.timeout.seconds)

    def log_tail(self, n: int = 2000) -> str:
        """The end of what the engine logged: before its logging collector ran, then by it."""
        return log_tail((self.stderr_path, self.log_path), n)
