"""What one engine's processes may take of the host: memory, temporary files, log and data.

A cluster's SQL users run what they like, and PostgreSQL lets any of them raise the memory a sort
or hash may hold (``SET work_mem = '2000GB'``, ``hash_mem_multiplier``), which Redshift users
cannot: one query could then take the machine's memory, and the service and every other account's
engines with it.  Bounds keep an engine to its share, none of which a SQL user can lift:

* memory: every process of the engine (the postmaster, and the backends it forks, which inherit
  it) has ``RLIMIT_DATA`` set, which bounds its private memory.  The postmaster sets it on itself
  before it starts (a shell's ``ulimit -d``, then ``exec``: the same pid): lowering one's own limit
  needs no privilege, where setting another process's (``prlimit``) needs CAP_SYS_RESOURCE, which
  a container's root often lacks (PostgreSQL's shared buffers are
  shared mappings and do not count).  A query past it fails with ``53200 out of memory`` and the
  engine serves on, where the kernel's OOM killer would have picked a process of the host's;
* temporary files: ``temp_file_limit``, a setting only an engine superuser may change (no cluster
  user is one), given on the postmaster's command line: a session whose sorts and hashes spill
  more fails with ``53400 temporary file size exceeds temp_file_limit``, as Redshift fails a query
  that fills its disks;
* the server log: every engine's logging collector writes its log (postgres.log) where the service
  says, and a SQL user can make it grow as they like: RAISE LOG in a procedure, a statement of megabytes that
  fails (the log repeats it), or settings PostgreSQL lets any user set and Redshift has none of
  (``debug_print_parse``, ``debug_print_plan``, ``trace_sort``, which dump every statement's parse
  tree or plan into the log).  No setting keeps a user from them, so the log itself is bounded:
  past ``log_mb`` it is rotated (``Engine.bound_log``, which the engine supervisor calls every
  check: renamed, then the collector opens a new one), keeping the current file and the one before.  Between two checks a flood could still
  write gigabytes, so every process of the engine also has ``RLIMIT_FSIZE``: no file it writes
  grows past ``LARGEST_FILE``.  PostgreSQL writes none larger than a gigabyte (tables, indexes and
  temporary files are split into 1 GiB segments, the WAL into 16 MiB ones) and ignores SIGXFSZ,
  so a write past it fails as on a full disk: only the log can reach it;
* the data itself: past ``disk_mb``, statements that store more fail with Redshift's ``Disk Full``
  (storage_quota.py).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
# The largest file an engine's processes may write (RLIMIT_FSIZE): a 1 GiB segment (PostgreSQL's
# segment_size) and room to spare.
LARGEST_FILE = 1024 * MIB + 64 * MIB


@dataclass(frozen=True)
class EngineLimits:
    memory_mb: int = 4096  # per process
    temp_files_mb: int = 10240  # per session
    log_mb: int = 64  # the server log, per file (the current one and the one before)
    disk_mb: int = 20480  # the data directory (storage_quota.py; 0: no quota)

    def postgres_options(self) -> list[str]:
        """The postmaster's command-line settings (``temp_file_limit`` is in kB)."""
        return ["-c", f"temp_file_limit={self.temp_files_mb * 1024}"]

    def bounded(self, command: list[str]) -> list[str]:
        """``command`` run with its private memory and the size of the files it writes bounded (soft and
        hard; a POSIX shell's ``ulimit -d`` is in KiB, ``ulimit -f`` in blocks of 512 bytes)."""
        return ["/bin/sh", "-c", f'ulimit -d {self.memory_mb * 1024} && ulimit -f {LARGEST_FILE // 512} && exec "$@"',
                "sh", *command]
