"""The data directory new engines are copied from: initdb's, with localshift's configuration and
the Redshift catalog installed, made once per engine root.

A new engine used to run initdb and then install the catalog into each of its databases, about
half of its creation each.  Neither depends on the engine: initdb's output, postgresql.conf and
pg_hba.conf, the engine-wide settings (postgresql.auto.conf), the roles standing for Redshift's
superusers and the catalog in ``postgres`` and ``template1`` are the same for every engine of a
data plane.  So they are made once, in ``<engine root>/.template-<fingerprint>/data``, and each
new engine starts from a copy; what is the engine's own (its port and socket, its max_connections,
its master user and password, its database, its parameters, the initialisers) is applied after,
exactly as before.  The master user's database is then created from ``template1``, which already
carries the catalog, as any database a user creates is.

The template holds nothing of any account: it is made before there is one (no master user, no
user database) and never started again once built.  It holds the internal role's password (the
data plane's secret, as every engine does) and belongs to the service's user alone (0700); each
copy is handed to its engine's own uid.  Engines copied from it share its PostgreSQL system
identifier, as engines restored from one snapshot share their source's.

The fingerprint covers what the template is made of: the binaries (their path, the ``postgres``
binary's size and time, the version), the catalog's digest, the engine-wide settings, the
configuration written, the set-up version and the internal role's password.  A template of
another fingerprint is removed when the current one is built.  Builds are serialised by a flock of
the engine root (threads and other processes alike), made under a ``.template-build-`` name and
renamed into place once whole; the watchdog stops a build's postmaster and, for an ephemeral
service, removes the template with the engines.  When a build fails, the engine is made the old way (initdb, then
the whole set-up) and this data plane does not try to build again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .binaries import PgBinaries
from .engine import Engine
from .engine_config import HBA_CONF, INITDB_LOCALE, localshift_config
from .engine_users import EngineUsers, chown_tree
from .redshift_sql.install import ENGINE_SETTINGS, catalog_digest, install_engine
from .roles import SETUP_VERSION, EngineSetup
from .watchdog import TEMPLATE_PREFIX

log = logging.getLogger("localshift")

BUILD_PREFIX = TEMPLATE_PREFIX + "build-"
# Connections the build needs: the internal role's, one database at a time.
BUILD_CONNECTIONS = 2


def fingerprint(bins: PgBinaries, admin_password: str) -> str:
    """What a template is made of, hashed: a template of another fingerprint is out of date."""
    postgres = (bins.bin_dir / "postgres").stat()
    parts = [str(bins.bin_dir.resolve()), postgres.st_size, postgres.st_mtime_ns, list(bins.version),
             catalog_digest(), ENGINE_SETTINGS, localshift_config(bins.version), HBA_CONF, SETUP_VERSION,
             list(INITDB_LOCALE), admin_password]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


class EngineTemplate:
    """The template of the engines under ``engine_root``; ``socket_dir(name)`` is where the socket
    of a directory ``name`` under it goes (the data plane's rule for paths too long for a socket)."""

    def __init__(self, bins: PgBinaries, engine_root: Path, admin_password: str, users: EngineUsers | None,
                 socket_dir: Callable[[str], Path]) -> None:
        self.bins = bins
        self.engine_root = engine_root
        self.admin_password = admin_password
        self.users = users
        self.socket_dir = socket_dir
        self.dir = engine_root / f"{TEMPLATE_PREFIX}{fingerprint(bins, admin_password)}"
        self.data_dir = self.dir / "data"
        self._failed = False
        self._guard = threading.Lock()  # one thread builds; the flock keeps other processes out

    def data(self) -> Path | None:
        """The template's data directory, built first when missing; None when it cannot be built
        (logged once: engines are then made without it)."""
        if self.dir.is_dir():
            return self.data_dir
        if self._failed:
            return None
        with self._guard, self._locked():
            if self.dir.is_dir():  # built by another thread or process meanwhile
                return self.data_dir
            try:
                self._build()
            except Exception:
                self._failed = True
                log.warning("cannot build the engine template in %s; engines are made without it",
                            self.engine_root, exc_info=True)
                return None
        return self.data_dir

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the engine root's lock on building (a lock on the directory itself: no file is left
        to remove with the engines)."""
        fd = os.open(self.engine_root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _build(self) -> None:
        # Under the lock no build is under way: a build directory is one a crash cut short, and a
        # template of another fingerprint is out of date.
        for stale in self.engine_root.glob(TEMPLATE_PREFIX + "*"):
            shutil.rmtree(stale)
        build = self.engine_root / f"{BUILD_PREFIX}{self.dir.name[len(TEMPLATE_PREFIX):]}"
        eng = Engine(self.bins, build, self.admin_password, self.socket_dir(build.name), self.users,
                     BUILD_CONNECTIONS)
        try:
            eng.initdb()
            eng.start()
            install_engine(EngineSetup(eng.connect, None, None))
            eng.stop()
            if eng.socket_dir != build:
                shutil.rmtree(eng.socket_dir)
            if self.users is not None:  # the build ran as an engine uid: the template is the service's
                self.users.release(build)
                chown_tree(build, os.geteuid(), os.getegid())
            os.rename(build, self.dir)
        except BaseException:
            eng.remove()
            raise
        log.info("built the engine template %s", self.dir)
