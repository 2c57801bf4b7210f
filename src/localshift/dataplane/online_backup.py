"""Online, consistent backups with PostgreSQL's low-level backup API.

This is what ``pg_basebackup`` does inside the server, without streaming every
byte through a walsender, a client process and a pipe (six copies of the data
on a 2-core machine; here the snapshot store reads each file once):

1. a temporary physical replication slot reserves WAL from now on, so the WAL
   the backup needs cannot be recycled (it vanishes with the session);
2. ``pg_backup_start(label, fast => true)``: checkpoint, full-page writes forced
   on, the session stays open;
3. the data directory is read while the cluster keeps serving reads and
   writes (pages torn by concurrent writes are repaired from the WAL on
   restore, as with any base backup);
4. ``pg_backup_stop(false)`` returns the ``backup_label`` (and tablespace map)
   the restored copy needs and switches to a new WAL segment;
5. the WAL segments from the start to the stop position are added, the last
   one cut at the stop position (the rest of it zeroed: see ``_wal_up_to``).

Restoring = writing these files back, then starting PostgreSQL: it replays
the WAL to its end, which is the stop position, so the restored cluster holds
exactly the transactions committed when the backup finished.

What is left out follows ``pg_basebackup`` (src/backend/backup/basebackup.c):
postmaster.pid/opts, the contents of pg_wal (re-added in step 5),
pg_replslot, pg_stat_tmp, pg_dynshmem, pg_notify, pg_serial, pg_snapshots,
pg_subtrans, temporary files and relations, pg_internal.init, and the main
forks of unlogged relations (only their init fork is kept).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import psycopg

from .engine import Engine
from .engine_config import RUNTIME_CONF
from .errors import DataPlaneError

EXCLUDED_DIR_CONTENTS = {"pg_wal", "pg_replslot", "pg_stat_tmp", "pg_dynshmem", "pg_notify",
                         "pg_serial", "pg_snapshots", "pg_subtrans"}
EXCLUDED_FILES = {"postmaster.pid", "postmaster.opts", "backup_label", "backup_label.old",
                  "tablespace_map", "tablespace_map.old", "postgresql.auto.conf.tmp",
                  "current_logfiles.tmp", "pg_internal.init", RUNTIME_CONF}
_TEMP_REL = re.compile(r"^t\d+_\d+")
_REL_FORK = re.compile(r"^(\d+)(_(?:init|fsm|vm))?(\.\d+)?$")
_WAL_SEGMENT = re.compile(r"^[0-9A-F]{24}$")


@dataclass
class SourceEntry:
    """One item of a backup: a directory (``content`` None), or a file read from a path
    (live) or given as bytes.  ``size_hint``: what a live file holds, for progress totals."""
    name: str
    mode: int
    content: Path | bytes | None = None
    size_hint: int = 0


def _walk(data_dir: Path) -> Iterator[SourceEntry]:
    """Directories and live files of PGDATA, minus what a base backup excludes."""
    stack = [""]
    while stack:
        rel = stack.pop()
        full = data_dir / rel if rel else data_dir
        try:
            items = sorted(os.scandir(full), key=lambda e: e.name)
        except FileNotFoundError:  # a database dropped meanwhile
            continue
        unlogged = {m.group(1) for e in items if (m := _REL_FORK.match(e.name))
                    and m.group(2) == "_init"}
        subdirs = []
        for e in items:
            name = f"{rel}/{e.name}" if rel else e.name
            if e.name in EXCLUDED_FILES or e.name.startswith("pgsql_tmp"):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(st.st_mode):
                raise DataPlaneError(f"{name}: tablespaces/symlinks in PGDATA are not supported")
            if stat.S_ISDIR(st.st_mode):
                yield SourceEntry(name, stat.S_IMODE(st.st_mode))
                if name not in EXCLUDED_DIR_CONTENTS:
                    subdirs.append(name)
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if rel.startswith("base/") or rel == "global":
                if _TEMP_REL.match(e.name):
                    continue  # temporary relation
                m = _REL_FORK.match(e.name)
                if m and m.group(1) in unlogged and m.group(2) != "_init":
                    continue  # unlogged relation: restored empty from its init fork
            if name == "global/pg_control":
                continue  # added last, after every other data file
            yield SourceEntry(name, stat.S_IMODE(st.st_mode), Path(e.path), size_hint=st.st_size)
        stack.extend(reversed(subdirs))


def data_size(data_dir: Path) -> int:
    """Approximate bytes a backup will read (for progress totals): the files,
    and the WAL segment it starts in (it carries at least that one)."""
    segments = [e.stat().st_size for e in os.scandir(data_dir / "pg_wal")
                if _WAL_SEGMENT.match(e.name)]
    return sum(e.size_hint for e in _walk(data_dir)) + max(segments, default=0)  # a directory's is 0


class OnlineBackup:
    """Iterate ``entries()`` while the cluster runs; the backup is complete
    (and consistent) when the iterator is exhausted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stop_lsn: str | None = None
        self.consistent_at: datetime | None = None

    def entries(self) -> Iterator[SourceEntry]:
        data_dir = self.engine.data_dir
        with self.engine.connect() as conn:
            slot = f"localshift_{secrets.token_hex(6)}"
            # temporary => dropped at session end even if we crash.
            conn.execute("SELECT pg_create_physical_replication_slot(%s, true, true)", (slot,))
            (start_wal,) = _the_row(conn.execute(
                "SELECT pg_walfile_name(pg_backup_start(%s, true))", (f"localshift {slot}",)))
            stopped = False
            try:
                yield from _walk(data_dir)
                control = data_dir / "global" / "pg_control"
                yield SourceEntry("global/pg_control", 0o600, control, size_hint=8192)
                # The restored data is what was committed when the backup's end was written to
                # the WAL, an instant inside pg_backup_stop.  The instant just before the call
                # is the one to report: everything committed before it is in the snapshot for
                # sure; read after the call, a commit that waited for the WAL switch could
                # finish before the reported instant and yet be missing.  Both in one statement,
                # the clock read first (the call takes it as a lateral argument; OFFSET 0 keeps
                # the planner from inlining it): no round trip between them, in which commits
                # begun after the reported instant would land in the snapshot.
                stopping_at, lsn, label, spcmap, stop_wal = _the_row(conn.execute(
                    "SELECT clock.at, stop.lsn::text, stop.labelfile, stop.spcmapfile, pg_walfile_name(stop.lsn) "
                    "FROM (SELECT clock_timestamp() AS at OFFSET 0) AS clock, "
                    "LATERAL pg_backup_stop(clock.at IS NULL) AS stop"))
                stopped = True
                self.stop_lsn = lsn
                self.consistent_at = stopping_at
            finally:
                if not stopped:
                    # aborting: the session's end also aborts the backup; be explicit.
                    try:
                        conn.execute("SELECT pg_backup_stop(false)")
                    except Exception:  # noqa: BLE001 - best effort
                        pass
            yield SourceEntry("backup_label", 0o600, label.encode())
            if spcmap:
                yield SourceEntry("tablespace_map", 0o600, spcmap.encode())
            wal_dir = data_dir / "pg_wal"
            names = sorted(os.listdir(wal_dir))
            wanted = [n for n in names if _WAL_SEGMENT.match(n)
                      and start_wal[:8] == n[:8] and start_wal <= n <= stop_wal]
            if not wanted or wanted[0] != start_wal or wanted[-1] != stop_wal:
                raise DataPlaneError(f"WAL {start_wal}..{stop_wal} is not all in pg_wal")
            for n in wanted[:-1] + [n for n in names if n.endswith(".history")]:
                yield SourceEntry(f"pg_wal/{n}", 0o600, wal_dir / n, size_hint=(wal_dir / n).stat().st_size)
            yield SourceEntry(f"pg_wal/{stop_wal}", 0o600, _wal_up_to(wal_dir / stop_wal, lsn))
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))


def _wal_up_to(segment: Path, lsn: str) -> bytes:
    """The WAL segment that holds ``lsn``, with every byte from ``lsn`` on zeroed.

    ``pg_backup_stop`` writes the backup-end record, then switches segment: the commits of
    other sessions that land between the two are in the stop segment, after the stop
    position.  Restoring replays the WAL to its end, where it reads a zero record header
    (or page header), so without this they would be restored too although they committed
    after the snapshot; the switch record goes with them, which leaves the restored WAL
    ending exactly at the stop position, as a cluster's WAL does after a crash.  A stop
    position on a segment boundary is the end of the previous segment (``pg_walfile_name``),
    whose bytes are all kept."""
    size = segment.stat().st_size  # a WAL segment's file is wal_segment_size bytes
    high, low = (int(half, 16) for half in lsn.split("/"))
    keep = ((high << 32) | low) % size or size
    with open(segment, "rb") as f:
        head = f.read(keep)
    if len(head) != keep:
        raise DataPlaneError(f"WAL segment {segment.name} ends before the backup's stop position {lsn}")
    return head + bytes(size - keep)


def _the_row(cursor: psycopg.Cursor[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The one row of a SELECT of functions without FROM (or of a function returning one row)."""
    [row] = cursor.fetchall()
    return row
