"""The statement runner's own failures: a statement is never left running."""

from __future__ import annotations

import uuid

from localshift.services.clock import Clock
from localshift.services.data_api.backend import DataApiBackend, Running
from localshift.services.data_api.runner import run_statement
from localshift.services.data_api.targets import DB_USER, Target
from localshift.store.data_api import FAILED, StatementPart, StatementRecord
from localshift.store.database import Database
from support import OWNER, REGION

from .conftest import FakeDataPlane, FakeSession


class _Breaking(FakeSession):
    """A connection on which localshift itself fails (a bug's exception, not the engine's error)."""

    def run(self, *args: object) -> None:
        raise RuntimeError("boom")


def test_a_failure_of_localshifts_own_ends_the_statement_failed_and_drops_its_connection(tmp_path):
    # It stayed STARTED for ever, its connection given back to the pool in whatever state the failure left it.
    dataplane = FakeDataPlane(_Breaking)
    backend = DataApiBackend(Database(tmp_path / "store.db"), dataplane, Clock(), None, None,  # type: ignore[arg-type]
                             tmp_path / "results")
    try:
        now = backend.clock.now()
        record = StatementRecord(str(uuid.uuid4()), OWNER, REGION, OWNER, now, now,
                                 [StatementPart("SELECT 1", updated_at=now)], "dev")
        backend.statements.insert(record)
        target = Target("c1", None, "engine", "available", "dev", DB_USER, "bob", "bob", None)
        backend.run(run_statement, record.id, Running(record, target)).result(timeout=60)
        ended = backend.statements.get(record.id)
        assert ended is not None
        assert (ended.status, ended.error) == (FAILED, "The statement failed inside localshift: RuntimeError: boom")
        assert [part.status for part in ended.parts] == [FAILED]
        [connection] = dataplane.opened
        assert connection.closed and backend.connections.take_idle(target) is None
        assert record.id not in backend.running
    finally:
        backend.shutdown()
