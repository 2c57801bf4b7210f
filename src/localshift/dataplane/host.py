"""What the service process asks of its host: private files and enough file descriptors.

* ``keep_files_private`` sets the process umask to 0o077, so everything the service creates
  afterwards (data dir, SQLite files, snapshot packs and manifests) is readable by the
  service's user alone.  The server calls it once, first thing at start.
* ``raise_open_file_limit`` lifts the soft RLIMIT_NOFILE to the hard limit (the data plane
  calls it when it starts).  ``sql_connection_budget`` is how many SQL connections the wire
  fronts may hold at once so that the HTTP API always keeps descriptors to answer with.
"""

from __future__ import annotations

import os
import resource

PRIVATE_UMASK = 0o077
# Descriptors kept for everything but SQL connections (the API's sockets, SQLite, snapshot
# packs, engine logs, pipes).
API_RESERVE_FDS = 1024
# A relayed SQL connection holds two descriptors: the client's TCP socket and the engine's
# Unix socket.
FDS_PER_SQL_CONNECTION = 2


def keep_files_private() -> None:
    """Make every file and directory this process creates from now on owner-only."""
    os.umask(PRIVATE_UMASK)


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # An unlimited hard limit still stops at the kernel's nr_open (2**20 by default).
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft if soft != resource.RLIM_INFINITY else target


def sql_connection_budget(open_file_limit: int) -> int:
    """SQL connections all fronts together may hold with ``open_file_limit`` descriptors."""
    reserve = min(API_RESERVE_FDS, open_file_limit // 2)
    return max(0, (open_file_limit - reserve) // FDS_PER_SQL_CONNECTION)
