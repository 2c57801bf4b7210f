"""A cluster's storage quota: past it, statements that store more fail with Redshift's ``Disk Full``.

PostgreSQL has no quota, so a cluster's SQL user could fill the host's disk with one table, and
every other account's engines and the service with it.  A Redshift cluster has the storage of its
nodes and no more: when it is full, queries that need more fail with ``Disk Full`` until space is
freed.  The engine supervisor (engine_supervisor.py) measures a running engine's data directory
(Engine.size_bytes: its files but the WAL, whose size PostgreSQL bounds itself: temporary tables
and the temporary files of sorts and hashes count, as on Redshift) against ``EngineLimits.disk_mb`` (the ``engine_disk_limit``
setting); past it, the wire front refuses the statements that store more
(redshift_sql/storage_full.py) until the engine is back under it: DELETE then VACUUM, DROP and
TRUNCATE free space, as on Redshift.

Measuring stats every file of the data directory: about 0.1 s for an engine of 5,000 tables, too
much to spend every second on each engine.  So an engine is measured again (``StorageMeter.due``)
only when it may have changed: its front forwarded something from a client since, or a statement
of one of its sessions is running or was at the last measurement; or a minute has passed
(autovacuum, which no client asks for).  And never sooner than ``COST_SHARE`` times what the last measurement took after it,
which keeps the supervisor's time per engine to a tenth however many relations the engine has.

A statement that starts under the quota may take the engine past it while it runs: a measurement
that finds the engine past it with statements running cancels those that store more
(``cancel_writers``: running in a transaction that wrote, so holding a transaction id, and not
DELETE, DROP, TRUNCATE or VACUUM, which free space; or spilling to temporary files), as Redshift fails
a query that fills its disks (with Disk Full: the front rewrites the cancelled statement's 57014).
So a statement overshoots the quota by what it writes until the next measurement (one supervisor
interval, or ``COST_SHARE`` times a measurement's time if longer), and what a transaction block
wrote before it stays (docs/behaviour.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from .engine import Engine
from .engine_limits import MIB
from .wire_front import WireFront

log = logging.getLogger("localshift")

COST_SHARE = 10  # a measurement waits ten times what the last one took
IDLE_MEASURE = 60.0  # seconds after which an engine nobody used is measured again


@dataclass
class StorageMeter:
    """When an engine was last measured, and what its front had been given to do then."""
    sent: int = -1
    at: float = float("-inf")  # time.monotonic()
    cost: float = 0.0  # seconds the measurement took
    full: bool = False  # what it found
    busy: bool = False  # a statement ran then: what it wrote after is measured once it ended

    def due(self, sent: int, busy: bool, full: bool, now: float) -> bool:
        """Whether to measure again, the front having forwarded ``sent`` reads (``busy``: a statement
        runs) and saying ``full``."""
        if now - self.at < self.cost * COST_SHARE:
            return False
        return (sent != self.sent or busy or self.busy or full != self.full
                or now - self.at >= IDLE_MEASURE)


# Statements of the cluster's users running in a transaction that wrote (it has a transaction id),
# but those that free space, and those spilling to temporary files (a sort, a hash: a read too, as a
# Redshift query spilling to full disks fails).  pg_stat_activity shows the statement as the engine
# got it; pg_ls_tmpdir names a backend's temporary files pgsql_tmp<pid>.<n>.
_WRITERS = r"""
SELECT pid FROM pg_catalog.pg_stat_activity
WHERE backend_type = 'client backend' AND state = 'active'
  AND usename <> current_user AND pid <> pg_catalog.pg_backend_pid()
  AND (backend_xid IS NOT NULL AND query !~* $re$^\s*(delete|drop|truncate|vacuum)\y$re$
       OR pid IN (SELECT substring(name FROM '^pgsql_tmp([0-9]+)')::int FROM pg_catalog.pg_ls_tmpdir()))
"""
_CANCEL = "SELECT count(*) FILTER (WHERE pg_catalog.pg_cancel_backend(pid)) FROM unnest(%s::int[]) AS pid"


def cancel_writers(eng: Engine, front: WireFront) -> int:
    """Cancel the statements running on ``eng`` that store more; how many.  The front marks their
    sessions' statements first, so that they give Redshift's Disk Full rather than PostgreSQL's 57014
    (canceling statement due to user request), as a Redshift query that fills the disks fails, and
    holds what their clients send until the cancel is sent: a statement that ended between the query
    and the cancel leaves its backend idle, where the cancel is dropped, never running a statement
    sent after (WireFront.cancel_statements)."""
    with eng.connect() as conn:
        pids = [row[0] for row in conn.execute(_WRITERS).fetchall()]
        if not pids:
            return 0
        return front.cancel_statements(str(eng.socket_path), pids, lambda held: conn.execute(_CANCEL, (held,)))
def check_storage(front: WireFront, key: str, eng: Engine, meter: StorageMeter) -> None:
    """Refuse, or serve again, the statements of ``key``'s engine that store more, as its size says
    (measured when ``meter`` says it is due)."""
    if not eng.limits.disk_mb:
        return
    path = str(eng.socket_path)
    sent, busy = front.activity(path)
    start = time.monotonic()
    if not meter.due(sent, busy, path in front.storage_full, start):
        return
    full = eng.size_bytes() > eng.limits.disk_mb * MIB
    meter.sent, meter.busy, meter.at, meter.cost, meter.full = sent, busy, start, time.monotonic() - start, full
    if full and busy:
        cancelled = cancel_writers(eng, front)
        if cancelled:
            log.warning("engine %s is past its storage quota: %d statements that store more cancelled", key, cancelled)
    if full == (path in front.storage_full):
        return
    if full:
        front.storage_full.add(path)
        log.warning("engine %s is past its storage quota (%d MiB): statements that store more are refused",
                    key, eng.limits.disk_mb)
    else:
        front.storage_full.discard(path)
        log.warning("engine %s is back under its storage quota", key)
