"""One cluster's PostgreSQL instance: initdb, configuration, start, stop, admin access.

Layout of an engine directory (owned by the engine user, mode 700)::

    <engine_dir>/data/            PGDATA
    <engine_dir>/postgres.log     server log (stderr of the postmaster)
    <engine_dir>/cluster.json     metadata written by the DataPlane
    <engine_dir>/.s.PGSQL.5432    the engine's Unix socket (see ``socket_dir``)

The engine never listens on TCP (``listen_addresses = ''``): clients reach it
through the wire front, which connects to the Unix socket.  Administration
(creating the master user, setting passwords, base backups) uses a hidden
superuser, ``rdsdb`` (Redshift's own internal superuser is called that too),
whose password is a per-DataPlane secret.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psycopg

from .binaries import PgBinaries
from .errors import DataPlaneError

ADMIN_USER = "rdsdb"
RUNTIME_CONF = "localshift.runtime.conf"
SOCKET_PORT = 5432  # only names the socket file: .s.PGSQL.5432
# sun_path holds 108 bytes; keep a margin.
_MAX_SOCKET_PATH = 100

HBA_CONF = """\
# localshift: the engine only listens on its Unix socket; the wire front
# forwards TCP clients here.  md5 (not scram-sha-256): redshift_connector
# 2.2.0 mis-parses the SASL mechanism list and fails with SCRAM.  A role whose
# stored password is SCRAM (the internal admin) is still authenticated with
# SCRAM under the md5 method.
local   all           all      md5
local   replication   {admin}  md5
"""


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


class Engine:
    """A PostgreSQL data directory and the postmaster serving it."""

    def __init__(self, bins: PgBinaries, engine_dir: Path, admin_password: str) -> None:
        self.bins = bins
        self.dir = Path(engine_dir)
        self.data_dir = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self.meta_path = self.dir / "cluster.json"
        self.admin_password = admin_password
        self._proc: subprocess.Popen | None = None
        sock = self.dir / f".s.PGSQL.{SOCKET_PORT}"
        if len(str(sock)) > _MAX_SOCKET_PATH:
            # Unix socket paths are limited to ~107 bytes: fall back to a short
            # per-engine directory.
            h = hashlib.sha1(str(self.dir).encode()).hexdigest()[:16]
            self.socket_dir = Path("/tmp") / f"localshift-sock-{h}"
        else:
            self.socket_dir = self.dir
        self.socket_path = self.socket_dir / f".s.PGSQL.{SOCKET_PORT}"

    # -- metadata ----------------------------------------------------------------
    def exists(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def read_meta(self) -> dict:
        try:
            return json.loads(self.meta_path.read_text())
        except FileNotFoundError:
            return {}

    def write_meta(self, meta: dict) -> None:
        tmp = self.meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, indent=1))
        os.replace(tmp, self.meta_path)

    # -- creation ----------------------------------------------------------------
    def prepare_dirs(self) -> None:
        self.bins.make_dir(self.dir)
        if self.socket_dir != self.dir:
            self.bins.make_dir(self.socket_dir)

    def initdb(self) -> None:
        self.prepare_dirs()
        pwfile = self.dir / ".initdb-pw"
        pwfile.write_text(self.admin_password + "\n")
        os.chmod(pwfile, 0o600)
        self.bins.chown(pwfile)
        try:
            # --no-sync: an emulator does not need initdb's fsync of ~1,000 files
            # (saves most of initdb's time on a VM).  PG 18 enables data checksums
            # by default.
            self.bins.run(["initdb", "-D", self.data_dir, "-U", ADMIN_USER, "--pwfile", pwfile,
                           "-A", "md5", "-E", "UTF8", "--locale=C", "--no-sync",
                           "--no-instructions"])
        finally:
            pwfile.unlink(missing_ok=True)
        self.write_config()

    def write_config(self) -> None:
        """Append localshift's settings to postgresql.conf and replace pg_hba.conf.
        Both travel inside snapshots, so a restored engine has them too."""
        lines = [
            "", "# --- localshift ---",
            "listen_addresses = ''",
            # redshift_connector cannot do SCRAM (see pg_hba.conf): store md5 hashes.
            "password_encryption = 'md5'",
            "max_connections = 100",
            # base backups: wal_level=replica and wal senders are PG defaults.
            "max_wal_senders = 10",
            "max_replication_slots = 10",
            # Fresh, sparse WAL segments instead of recycled ones: the unused tail
            # of every segment in a snapshot then reads as zeros and deduplicates,
            # instead of carrying 16 MiB of stale WAL into each incremental snapshot.
            "wal_recycle = off",
            "wal_init_zero = off",
            # Written only while an engine restored from a snapshot starts: see start().
            f"include_if_exists = '{RUNTIME_CONF}'",
        ]
        if self.bins.version[0] >= 18:
            # PG 18 warns on every md5 password; the setting does not exist before.
            lines.append("md5_password_warnings = off")
        with open(self.data_dir / "postgresql.conf", "a") as f:
            f.write("\n".join(lines) + "\n")
        (self.data_dir / "pg_hba.conf").write_text(HBA_CONF.format(admin=ADMIN_USER))
        for name in ("postgresql.conf", "pg_hba.conf"):
            self.bins.chown(self.data_dir / name)

    # -- lifecycle -----------------------------------------------------------------
    def running_pid(self) -> int | None:
        """PID of a live postmaster serving this data directory (ours or one left
        by a previous service process), else None."""
        if self._proc is not None and self._proc.poll() is not None:
            self._proc = None
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid = int(lines[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        if not _pid_alive(pid):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if b"postgres" in cmdline else None

    def is_running(self) -> bool:
        return self.running_pid() is not None

    def _ready(self, pid: int) -> bool:
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return False
        # Line 8 of postmaster.pid is the postmaster status (PG 10+).
        return len(lines) >= 8 and lines[0].strip() == str(pid) and lines[7].strip() == "ready"

    def start(self, timeout: float = 300, fast_recovery: bool = False) -> None:
        """Start the postmaster (no-op when already running) and wait until it
        accepts connections.  Crash/backup recovery happens inside this wait.

        ``fast_recovery`` (used for a freshly restored data directory): before
        recovery PostgreSQL fsyncs the whole data directory and ends recovery
        with a checkpoint, which for a just-written directory means waiting
        for the disk to absorb all of it (as long as the restore itself).
        Running that first start with ``fsync = off`` skips both; fsync is then
        switched back on with a reload (it is a SIGHUP setting), so normal
        operation stays durable and the OS writes the restored files back in
        its own time."""
        if self.running_pid() is not None:
            return
        if not self.exists():
            raise DataPlaneError(f"no data directory at {self.data_dir}")
        self.prepare_dirs()
        runtime_conf = self.data_dir / RUNTIME_CONF
        if fast_recovery:
            runtime_conf.write_text("fsync = off\n")
            self.bins.chown(runtime_conf)
        try:
            self._start(timeout)
        finally:
            if runtime_conf.exists():
                runtime_conf.unlink()
                pid = self.running_pid()
                if pid is not None:
                    os.kill(pid, signal.SIGHUP)  # reload: fsync back on

    def _start(self, timeout: float) -> None:
        log = open(self.log_path, "ab")
        try:
            # start_new_session: the postmaster must not receive the service's
            # Ctrl-C, and it keeps running if the service dies (start_cluster of
            # a later service process adopts it).
            self._proc = self.bins.popen(
                ["postgres", "-D", self.data_dir, "-c", f"unix_socket_directories={self.socket_dir}",
                 "-c", f"port={SOCKET_PORT}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        finally:
            log.close()
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

    def stop(self, timeout: float = 60) -> None:
        """Fast shutdown (SIGINT: abort sessions, checkpoint, exit).  Idempotent."""
        pid = self.running_pid()
        proc, self._proc = self._proc, None
        if pid is None:
            if proc is not None:
                proc.wait()
            return
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if proc is not None and proc.pid == pid:
                    if proc.poll() is not None:
                        break
                elif not _pid_alive(pid):
                    break
                time.sleep(0.01)
            else:
                continue
            break
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.socket_dir != self.dir:
            shutil.rmtree(self.socket_dir, ignore_errors=True)

    # -- access --------------------------------------------------------------------
    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """An autocommit superuser connection over the engine's Unix socket."""
        try:
            return psycopg.connect(host=str(self.socket_dir), port=SOCKET_PORT, user=ADMIN_USER,
                                   password=self.admin_password, dbname=dbname,
                                   autocommit=True, connect_timeout=30)
        except psycopg.Error as e:
            raise DataPlaneError(f"cannot connect to engine {self.dir.name}: {e}") from e

    def conninfo_env(self) -> dict[str, str]:
        """libpq environment for client programs (pg_basebackup) run as the engine user."""
        return {"PGHOST": str(self.socket_dir), "PGPORT": str(SOCKET_PORT),
                "PGUSER": ADMIN_USER, "PGPASSWORD": self.admin_password}

    def size_bytes(self) -> int:
        """Bytes of the data directory, without the WAL (pg_wal)."""
        total = 0
        for dirpath, dirnames, filenames in os.walk(self.data_dir):
            if dirpath == str(self.data_dir) and "pg_wal" in dirnames:
                dirnames.remove("pg_wal")
            for name in filenames:
                try:
                    total += os.lstat(os.path.join(dirpath, name)).st_size
                except FileNotFoundError:
                    pass
        return total

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode(errors="replace")
        except FileNotFoundError:
            return ""
