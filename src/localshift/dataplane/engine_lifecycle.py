"""The engine half of PostgresDataPlane (dataplane.py): engines created, started, served on
their ports, stopped and destroyed, and what the wire front honours of their meta.  An engine
created or started is supervised (engine_supervisor.py: started again if it dies) until stopped.

A mixin: it uses the engines, locks, front and initialisers that PostgresDataPlane sets up
(engine_host.py); ``_new_engine`` also serves the restores of snapshot_operations.py.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from . import engine_settings
from .engine import Engine
from .engine_supervisor import EngineSupervision
from .engine_timeouts import EngineNotAnswering
from .errors import DataPlaneError
from .redshift_sql import install_engine
from .roles import INTERNAL_ROLES, SETUP_VERSION, EngineSetup, give_database, set_master_user, store_admin_password
from .snapshot_operations import check_key
from .temporary_login import leave_groups_of_ended_sessions

log = logging.getLogger("localshift")

# The engine meta keys of the parameters the wire front honours itself: sessions start case sensitive
# (enable_case_sensitive_identifier), plain-text startups are refused (require_ssl).
CASE_SENSITIVE_META = "case_sensitive_identifier"
REQUIRE_SSL_META = "require_ssl"
FRONT_META = {engine_settings.CASE_SENSITIVE: CASE_SENSITIVE_META, engine_settings.REQUIRE_SSL: REQUIRE_SSL_META}


@dataclass
class NewEngine:
    """An engine being created: the port it is served on, and its meta beyond what every
    engine records (key, port, PostgreSQL version, set-up version)."""
    port: int
    meta: dict[str, Any]


class EngineLifecycle(EngineSupervision):
    def create_engine(self, key: str, port: int, master_username: str, master_password: str,
                      db_name: str) -> int:
        """A new engine served on ``port`` (any free port when it is taken); the port served."""
        eng = self._engine(key)
        with self._lock(key):
            if eng.exists():
                raise DataPlaneError(f"cluster {key} already exists")
            if master_username.lower() in INTERNAL_ROLES:
                raise DataPlaneError(f"{master_username} is reserved")
            with self._new_engine(key, eng, port) as new:
                template = self.template.data() if self.template else None
                if template is not None:  # initdb's output, configured, the catalog installed
                    eng.copy_data(template)
                else:
                    eng.initdb()
                eng.start()
                with eng.connect() as conn:
                    store_admin_password(conn, eng.admin_password)
                    set_master_user(conn, master_username, master_password)
                give_database(eng.connect, master_username, db_name)
                self._initialise(EngineSetup(eng.connect, master_username, db_name))
                new.meta.update(master_username=master_username, db_name=db_name)
        return new.port

    @contextlib.contextmanager
    def _new_engine(self, key: str, eng: Engine, port: int) -> Iterator[NewEngine]:
        """Serve the new engine ``eng`` on ``port`` (any free port when it is taken) while the
        body sets it up and fills in its meta; then write the meta and record the port.  A body
        that fails leaves nothing behind: the port is closed and the engine removed."""
        new = NewEngine(self.front.serve(port, eng.socket_path), {})
        try:
            yield new
            eng.write_meta({"key": key, "port": new.port, **new.meta, "pg_version": list(self.bins.version),
                            "setup_version": SETUP_VERSION})
        except BaseException:
            self.front.close(new.port)
            eng.remove()
            raise
        self._ports[key] = new.port
        self._supervised.add(key)

    def start_engine(self, key: str, port: int) -> int:
        """Serve a stopped (or still served) cluster on ``port`` (any free port when it is
        taken); the port served.  A cluster served on another port moves.  However it ends, a
        start ``serve_engine`` announced is over: its data gone, the start fails at once."""
        eng = self._engine(key)
        with self._lock(key), self._ending_start(eng):
            self._existing(key)  # its data gone: not found, and the start announced is over
            meta = eng.read_meta()
            try:
                self._start_and_set_up(eng, meta)
            except EngineNotAnswering:
                # Running but hung (frozen since before: a restarted service adopts it so), it was killed:
                # a failed node, replaced by starting it afresh, once.
                self._start_and_set_up(eng, meta)
            port = self._serve(key, eng, port)
            updated = dict(meta, port=port, setup_version=SETUP_VERSION)
            if updated != meta:
                eng.write_meta(updated)
            self._supervised.add(key)
        return port

    def _start_and_set_up(self, eng: Engine, meta: Mapping) -> None:
        eng.start()
        setup = EngineSetup(eng.connect, meta.get("master_username"), meta.get("db_name"))
        if meta.get("setup_version", 1) < SETUP_VERSION:  # set up by an older localshift
            self._initialise(setup)
        else:  # this version's Redshift catalog (one query per database when current)
            leave_groups_of_ended_sessions(setup)
            install_engine(setup)

    def serve_engine(self, key: str, port: int) -> int:
        """Serve the engine's public port before it starts (sessions opened meanwhile wait for
        the start); ``start_engine`` on the same port keeps it."""
        eng = self._existing(key)
        with self._lock(key):
            self.front.starts.begin(str(eng.socket_path))
            return self._serve(key, eng, port)

    def end_start(self, key: str) -> None:
        """The start ``serve_engine`` announced will not come (the job that was to start the engine
        failed or skipped it): its waiting sessions go on now, refused as not available unless the
        engine is served."""
        eng = self._engine(key)
        with self._lock(key):
            self.front.starts.end(str(eng.socket_path))

    @contextlib.contextmanager
    def _ending_start(self, eng: Engine) -> Iterator[None]:
        """Sessions waiting for a start that ``serve_engine`` announced go on once it is over,
        served or failed (failed: they are refused as not available)."""
        try:
            yield
        finally:
            self.front.starts.end(str(eng.socket_path))

    def _serve(self, key: str, eng: Engine, port: int) -> int:
        current = self._ports.get(key)
        if current == port:
            return port
        served = self.front.serve(port, eng.socket_path)
        if current is not None:
            self.front.close(current)
        self._ports[key] = served
        self._follow_front_parameters(eng, eng.read_meta())
        return served

    def _follow_front_parameters(self, eng: Engine, meta: Mapping) -> None:
        """The wire front starts the engine's sessions case sensitive, or not, and refuses plain-text
        startups, or not, as the engine's meta says (absent: not)."""
        path = str(eng.socket_path)
        self.front.storage_full.discard(path)  # measured again at the supervisor's next round (storage_quota.py)
        for meta_key, paths in ((CASE_SENSITIVE_META, self.front.case_sensitive),
                                (REQUIRE_SSL_META, self.front.ssl_required)):
            (paths.add if meta.get(meta_key, False) else paths.discard)(path)

    def stop_engine(self, key: str) -> None:
        eng = self._engine(key)
        with self._lock(key), self._ending_start(eng):
            self._supervised.discard(key)
            self._revive_failures.pop(key, None)
            self._meters.pop(key, None)
            port = self._ports.pop(key, None)
            if port is not None:
                self.front.close(port)
            # Its threads in the front end (a deleted cluster's or workgroup's, a paused one's); they come back with work.
            self.front.workers.forget(str(eng.socket_path))
            eng.stop()

    def serve_extra_port(self, key: str, port: int) -> int:
        """Serve the engine on a further port too (any free port when ``port`` is taken); the port
        served.  The front connects to the engine's socket per connection, so while the engine is
        stopped the port stays and answers 57P03 "the cluster is not available"."""
        eng = self._existing(key)
        with self._lock(key):
            served = self.front.serve(port, eng.socket_path)
            self._extra_ports.setdefault(key, set()).add(served)
        return served

    def close_extra_port(self, key: str, port: int) -> None:
        with self._lock(check_key(key)):
            ports = self._extra_ports.get(key, set())
            if port in ports:
                ports.discard(port)
                self.front.close(port)

    def destroy_engine(self, key: str) -> None:
        eng = self._engine(key)
        with self._lock(key):
            existed = eng.exists()
            self.stop_engine(key)
            self.logins.forget(str(eng.socket_path))
            for port in self._extra_ports.pop(key, set()):
                self.front.close(port)
            self._follow_front_parameters(eng, {})
            eng.remove()
        with self._guard:
            self._engines.pop(key, None)
        if existed:
            log.info("removed engine %s (%s)", key, eng.dir)
