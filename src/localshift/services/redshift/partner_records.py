"""The record of a partner integration (kept in the store's resources table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class PartnerRecord:
    account: str
    region: str
    name: str  # "<cluster>/<database>/<partner>": one integration per partner and database of a cluster
    cluster_identifier: str
    database_name: str
    partner_name: str
    status: str  # Active | Inactive | RuntimeFailure | ConnectionFailure
    created_at: datetime
    updated_at: datetime
    status_message: str | None = None
    row_id: int = 0
