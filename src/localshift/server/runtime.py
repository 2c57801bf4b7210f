"""Everything one running service holds: settings, store, data plane, backend, background threads."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

from localshift.config import Settings
from localshift.dataplane.host import keep_files_private
from localshift.server.auth import Authenticator, parse_accounts
from localshift.services.clock import Clock
from localshift.services.null_dataplane import NullDataPlane
from localshift.services.redshift import lifecycle, scheduler
from localshift.services.redshift.backend import BackendSettings, RedshiftBackend
from localshift.services.serverless import lifecycle as serverless_lifecycle
from localshift.services.serverless import scheduler as serverless_scheduler
from localshift.services.serverless.backend import ServerlessBackend
from localshift.store.database import Database

log = logging.getLogger("localshift")


def _make_dataplane(settings: Settings, data_dir: Path):  # type: ignore[no-untyped-def]
    if not settings.data_plane:
        return NullDataPlane(settings.transition_delay)
    from localshift.dataplane import DataPlane

    return DataPlane.from_settings(settings, data_dir)


def _load_credentials(settings: Settings) -> Authenticator:
    spec = settings.accounts
    if settings.accounts_file:
        spec = "\n".join([spec, Path(settings.accounts_file).read_text()])
    return Authenticator(settings.default_account, parse_accounts(spec))


class Runtime:
    def __init__(self, settings: Settings) -> None:
        keep_files_private()  # data dir, SQLite files, snapshots: readable by this user alone
        self.settings = settings
        self.started = time.monotonic()
        self._temp_dir = tempfile.mkdtemp(prefix="localshift-") if settings.ephemeral else None
        self.data_dir = Path(self._temp_dir) if self._temp_dir else settings.resolved_data_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.authenticator = _load_credentials(settings)
        self.clock = Clock()
        self.db = Database(self.data_dir / "localshift.sqlite3")
        self.dataplane = _make_dataplane(settings, self.data_dir)
        self.redshift = RedshiftBackend(
            self.db,
            self.dataplane,
            self.clock,
            BackendSettings(
                automated_snapshot_interval=settings.automated_snapshot_interval,
                manual_snapshot_quota=settings.manual_snapshot_quota,
            ),
        )
        self.ticker = scheduler.Ticker(self.redshift)
        self.serverless = ServerlessBackend(
            self.db, self.dataplane, self.clock, self.redshift, snapshot_quota=settings.manual_snapshot_quota
        )

    def start(self) -> None:
        scheduler.recover(self.redshift)
        self.ticker.start()
        self.serverless.start(serverless_scheduler.recover, serverless_scheduler.expire_snapshots)
        log.info("localshift serving state from %s", self.data_dir)

    def reset(self) -> None:
        """Wipe every resource of every account: engines, snapshot data, rows, clock offset."""
        for cluster in self.redshift.clusters.everything():
            self.dataplane.destroy_cluster(lifecycle.cluster_key(cluster))
            if cluster.restore_data_key:
                self.dataplane.delete_snapshot(cluster.restore_data_key)
        for snapshot in self.redshift.snapshots.everything():
            if snapshot.data_key:
                self.dataplane.delete_snapshot(snapshot.data_key)
        serverless_lifecycle.release_all(self.serverless)
        self.db.wipe()
        self.clock.reset()

    def stop(self) -> None:
        if self._temp_dir:
            # Ephemeral: engines may live outside the temp dir (when the engine user
            # cannot reach it), so remove them and their data explicitly.
            self.reset()
        self.ticker.stop()
        self.serverless.shutdown()
        self.redshift.shutdown()
        self.dataplane.stop_all()
        self.db.close()
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

