"""What both services' table-restore operations check alike: names, the one restore in progress
per target, and the lease on the source's data."""

from __future__ import annotations

import uuid
from typing import Any, Callable

from localshift.dataplane.api import TableToRestore
from localshift.errors import ApiError
from localshift.records import TableRestoreRecord
from localshift.services.common.backend import ServiceBackend
from localshift.services.common.jobs import release_lease, take_lease
from localshift.services.common.table_restore_lifecycle import UNFINISHED, Restores

# Redshift identifiers are at most 127 bytes.
MAX_NAME_BYTES = 127
DEFAULT_SCHEMA = "public"


def table_names(p: dict[str, Any], keys: dict[str, str], case_sensitive: bool,
                invalid: Callable[[str], ApiError]) -> TableToRestore:
    """The table a restore copies and the new one it makes, from the request's parameters (``keys``:
    TableToRestore field -> parameter name).

    Redshift folds identifiers to lowercase unless case-sensitive identifiers are turned on for
    the request.  Without source or target schema the restore uses ``public``; without a target
    database, the source database.
    """
    names = {
        "source_database": p.get(keys["source_database"]),
        "source_schema": p.get(keys["source_schema"]) or DEFAULT_SCHEMA,
        "source_table": p.get(keys["source_table"]),
        "target_database": p.get(keys["target_database"]) or p.get(keys["source_database"]),
        "target_schema": p.get(keys["target_schema"]) or DEFAULT_SCHEMA,
        "new_table": p.get(keys["new_table"]),
    }
    checked: dict[str, str] = {}
    for field, value in names.items():
        if not value or len(value.encode()) > MAX_NAME_BYTES or "\x00" in value:
            raise invalid(f"{keys[field]} must be a name of 1 to {MAX_NAME_BYTES} bytes.")
        checked[field] = value if case_sensitive else value.lower()
    return TableToRestore(**checked)


def restore_in_progress(restores: Restores, account: str, region: str, target_row_id: int) -> bool:
    return any(r.target_row_id == target_row_id and r.status in UNFINISHED for r in restores.all_of(account, region))


def accept_restore(
    backend: ServiceBackend, restores: Restores, data_key: str | None, unavailable: ApiError,
    checked: Callable[[], TableRestoreRecord],
) -> TableRestoreRecord:
    """Store an accepted restore, holding a lease on its source's data (``unavailable`` when the data
    is gone).  ``checked`` makes the record after checking the target, in the transaction that stores
    it; the lease is taken before (a data-plane copy, never inside the store's transaction)."""
    lease = None
    if data_key is not None:
        try:
            lease = take_lease(backend, data_key, f"table-restore-lease-{uuid.uuid4().hex}")
        except Exception:
            raise unavailable from None
    try:
        with backend.db.transaction():
            record = checked()
            record.lease = lease
            return restores.insert(record)
    except BaseException:
        release_lease(backend, lease)
        raise
