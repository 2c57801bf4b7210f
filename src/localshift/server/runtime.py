"""Everything one running service holds: settings, store, data plane, backend, background threads."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Collection

from localshift import __version__
from localshift.config import ENV_PREFIX, Settings, SettingsError
from localshift.dataplane.host import keep_files_private
from localshift.server import data_dir
from localshift.server.auth import Authenticator, check_unique, parse_accounts, parse_admin_accounts
from localshift.server.recent_calls import RecentCalls
from localshift.services.clock import Clock
from localshift.dataplane.api import DataPlane
from localshift.dataplane.null import NullDataPlane
from localshift.services.common.jobs import let_in_again
from localshift.services.data_api import backend as data_api
from localshift.services.redshift import lifecycle, scheduler
from localshift.services.redshift.backend import BackendSettings, RedshiftBackend
from localshift.services.serverless import lifecycle as serverless_lifecycle
from localshift.services.serverless import scheduler as serverless_scheduler
from localshift.services.serverless.backend import ServerlessBackend
from localshift.services.serverless.provisioned import ProvisionedSnapshots
from localshift.store.database import Database, NewerStoreError

log = logging.getLogger("localshift")


def _make_dataplane(settings: Settings, data_dir: Path,
                    clock: Clock) -> tuple[DataPlane, dict[str, Path], Path | None]:
    """The data plane, the directories its engines use, by what they hold (none without engines),
    and the CA certificate its SQL endpoints' TLS is verified with (None without engines)."""
    if not settings.data_plane:
        return NullDataPlane(settings.transition_delay), {}, None
    from localshift.dataplane import PostgresDataPlane
    from localshift.dataplane.errors import DataPlaneError

    try:
        dataplane = PostgresDataPlane.from_settings(settings, data_dir, clock=clock.now)
    except (OSError, DataPlaneError) as error:
        raise SettingsError(f"the data plane cannot start: {error}") from None
    directories = {"engine files": dataplane.engine_root}
    sockets = [d for d in dataplane.directories if d not in (dataplane.root, dataplane.engine_root)]
    if sockets:
        # Engine paths too long for a Unix socket put the sockets here.
        directories["engine sockets"] = sockets[0]
    return dataplane, directories, dataplane.tls_ca_file


def _load_authenticator(settings: Settings) -> Authenticator:
    credentials = parse_accounts(settings.accounts, ENV_PREFIX + "ACCOUNTS")
    if settings.accounts_file:
        source = f"{ENV_PREFIX}ACCOUNTS_FILE {settings.accounts_file}"
        try:
            text = Path(settings.accounts_file).read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise SettingsError(f"{source}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
        credentials += parse_accounts(text, source)
    check_unique(credentials)
    admins = parse_admin_accounts(settings.admin_accounts, credentials, ENV_PREFIX + "ADMIN_ACCOUNTS")
    return Authenticator(settings.default_account, credentials, admins)


def _open_store(path: Path, on_upgrade: Callable[[int, int], None] | None) -> Database:
    try:
        return Database(path, on_upgrade)
    except NewerStoreError as error:
        raise SettingsError(str(error)) from None
    except sqlite3.DatabaseError as error:
        raise SettingsError(f"the store {path} cannot be opened: {error}") from None
    except OSError as error:  # its path a directory, say
        raise SettingsError(f"the store {path} cannot be opened: {error.strerror or error}") from None


class Runtime:
    def __init__(self, settings: Settings, on_store_upgrade: Callable[[int, int], None] | None = None) -> None:
        """``on_store_upgrade(done, total)``: the progress of migrating a store an earlier version made."""
        keep_files_private()  # data dir, SQLite files, snapshots: readable by this user alone
        self.settings = settings
        self.started = time.monotonic()
        self.authenticator = _load_authenticator(settings)
        self.clock = Clock()
        self._temp_dir = tempfile.mkdtemp(prefix="localshift-") if settings.ephemeral else None
        self.data_dir = Path(self._temp_dir) if self._temp_dir else settings.resolved_data_dir()
        try:
            # Held open for the life of the process: one data dir, one server.
            self._data_dir_lock = data_dir.claim(self.data_dir)
            self.db = _open_store(self.data_dir / "localshift.sqlite3", on_store_upgrade)
            # Temporary credentials expire by the service clock.
            self.dataplane, self.engine_directories, self.sql_ca_file = _make_dataplane(settings, self.data_dir,
                                                                                        self.clock)
        except BaseException:
            if self._temp_dir:
                shutil.rmtree(self._temp_dir, ignore_errors=True)
            raise
        self.redshift = RedshiftBackend(
            self.db,
            self.dataplane,
            self.clock,
            BackendSettings(
                automated_snapshot_interval=settings.automated_snapshot_interval,
                manual_snapshot_quota=settings.manual_snapshot_quota,
            ),
            # The provisioned operations reach serverless snapshots (SnapshotArn) through this alone.
            ProvisionedSnapshots(self.db),
        )
        self.serverless = ServerlessBackend(
            self.db, self.dataplane, self.clock, self.redshift, snapshot_quota=settings.manual_snapshot_quota
        )
        self.data_api = data_api.DataApiBackend(self.db, self.dataplane, self.clock, self.redshift, self.serverless,
                                       self.data_dir / "data-api")
        self._reset_lock = threading.Lock()
        self.recent_calls = RecentCalls()

    @property
    def api_url(self) -> str:
        host = self.settings.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.settings.port}"

    def directories(self) -> dict[str, Path]:
        """Every directory the service writes, by what it holds."""
        found = {"data dir": self.data_dir}
        found.update(self.engine_directories)
        return found

    def start(self) -> None:
        self.redshift.start(scheduler.recover, scheduler.tick)
        self.serverless.start(serverless_scheduler.recover, serverless_scheduler.tick)
        let_in_again(self.redshift)  # temporary credentials handed out before a restart
        self.data_api.start(data_api.recover, data_api.tick)
        mode = "strict mode" if self.authenticator.strict else "open mode"
        plane = "data plane on" if self.settings.data_plane else "data plane off"
        log.info("localshift %s serving the AWS API at %s (%s, %s)", __version__, self.api_url, mode, plane)
        for label, path in self.directories().items():
            log.info("%s: %s%s", label, path, " (removed at exit)" if self._temp_dir else "")
        if self.sql_ca_file is not None:
            log.info("SQL endpoints serve TLS; clients verify it with the CA certificate %s", self.sql_ca_file)

    def reset(self, accounts: Collection[str] | None = None) -> None:
        """Wipe every resource of every account: engines, snapshot data, rows, clock offset.

        Given ``accounts``, wipe only their resources (tests sharing one server, an account
        each); the clock, which every account shares, stays where it is."""
        with self._reset_lock:
            if accounts is None:
                # Recovery points queued would only be taken to be wiped; one being taken ends first.
                self.serverless.cancel_background()
            self.data_api.reset(accounts)
            lifecycle.release_all(self.redshift, accounts)
            serverless_lifecycle.release_all(self.serverless, accounts)
            self.db.wipe(accounts)
            if accounts is None:
                self.clock.reset()

    def stop(self) -> None:
        if self._temp_dir:
            # Ephemeral: engines may live outside the temp dir (when the engine user
            # cannot reach it), so remove them and their data explicitly.
            self.reset()
        self.data_api.shutdown()
        self.serverless.shutdown()
        self.redshift.shutdown()
        self.dataplane.stop_all()
        self.db.close()
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            engines = self.directories().get("engine files")
            if engines is not None and not self.settings.engine_dir:
                # The default engine dir is this server's own; one the user named may hold more.
                shutil.rmtree(engines, ignore_errors=True)
            log.info("localshift stopped; its state is removed")
        else:
            log.info("localshift stopped; its state stays in %s", self.data_dir)
