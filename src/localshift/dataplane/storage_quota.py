"""A cluster's storage quota: past it, statements that store more fail with Redshift's ``Disk Full``.

PostgreSQL has no quota, so a cluster's SQL user could fill the host's disk with one table, and
every other account's engines and the service with it.  A Redshift cluster has the storage of its
nodes and no more: when it is full, queries that need more fail with ``Disk Full`` until space is
freed.  Every supervisor round (engine_supervisor.py), each running engine's data directory is
measured (Engine.size_bytes: its files but the WAL, whose size PostgreSQL bounds itself, and
temporary files, bounded by ``temp_file_limit``) against ``EngineLimits.disk_mb`` (the
``engine_disk_limit`` setting); past it, the wire front refuses the statements that store more
(redshift_sql/storage_full.py) until the engine is back under it: DELETE then VACUUM, DROP and
TRUNCATE free space, as on Redshift.  The bound is checked between statements, not inside one: a
statement that starts under it may take the engine past it by what it writes (at most a round's
worth, or a statement's, of data).
"""

from __future__ import annotations

import logging

from .engine import Engine
from .engine_limits import MIB
from .wire_front import WireFront

log = logging.getLogger("localshift")


def check_storage(front: WireFront, key: str, eng: Engine) -> None:
    """Refuse, or serve again, the statements of ``key``'s engine that store more, as its size says."""
    if not eng.limits.disk_mb:
        return
    path = str(eng.socket_path)
    full = eng.size_bytes() > eng.limits.disk_mb * MIB
    if full == (path in front.storage_full):
        return
    if full:
        front.storage_full.add(path)
        log.warning("engine %s is past its storage quota (%d MiB): statements that store more are refused",
                    key, eng.limits.disk_mb)
    else:
        front.storage_full.discard(path)
        log.warning("engine %s is back under its storage quota", key)
