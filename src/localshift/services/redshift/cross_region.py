"""The copies cross-region snapshot copy makes (snapshot_copy.py: the operations that configure it).

With copy enabled, every snapshot of the cluster (automated and manual, as AWS copies both), once
available, gets a copy in the destination region of the same account: ``copy:<identifier>``, of the
same SnapshotType, with ``SourceRegion`` and an ARN of its own region.  Copied automated snapshots
are kept for the destination's RetentionPeriod, manual ones for its ManualSnapshotRetentionPeriod,
and either restores there with its data.

localshift keeps each region as a namespace of its own in one store, so a copy shares the source's
data (the data plane's copy_snapshot shares pages): it is cheap, and available moments after its
source, where AWS transfers the data between regions.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from localshift.errors import ApiError
from localshift.records import SnapshotRecord
from localshift.services.redshift.arns import snapshot_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.snapshot_factory import insert_snapshot

# How a copy is named in its destination region.
COPY_PREFIX = "copy:"


def new_copy(backend: RedshiftBackend, snapshot_row_id: int) -> SnapshotRecord | None:
    """The destination-region copy of a snapshot that just became available, in ``creating``, when its
    cluster copies snapshots to another region (None otherwise); the caller copies the data into it."""
    source = backend.snapshots.get_by_id(snapshot_row_id)
    if source is None or source.status != "available" or source.source_region is not None:
        return None
    cluster = backend.clusters.get_by_id(source.cluster_row_id) if source.cluster_row_id is not None else None
    settings = cluster.snapshot_copy if cluster is not None else None
    if settings is None:
        return None
    grant = (backend.copy_grants.get(source.account, settings.destination_region, settings.grant_name)
             if settings.grant_name else None)
    automated = source.snapshot_type == "automated"
    copy = dataclasses.replace(
        source,
        row_id=0,
        data_key=None,
        region=settings.destination_region,
        identifier=COPY_PREFIX + source.identifier,
        status="creating",
        source_region=source.region,
        copied_from=snapshot_arn(source.region, source.account, source.cluster_identifier, source.identifier),
        # Encrypted there with the grant's key; without a grant, with a key AWS owns.
        kms_key_id=grant.kms_key_id if grant is not None and source.encrypted else None,
        manual_snapshot_retention_period=-1 if automated else settings.manual_retention_period,
        copy_retention_period=settings.retention_period if automated else None,
        retention_start_time=None,
        progress_mb=0.0,
        rate_mb_per_s=0.0,
        elapsed_seconds=0,
        estimated_seconds_to_completion=-1,
    )
    try:
        return insert_snapshot(backend, copy)
    except ApiError:
        return None  # copied already


def expired_copies(backend: RedshiftBackend, now: datetime) -> list[SnapshotRecord]:
    """Copied automated snapshots past their destination retention period (failed ones too)."""
    return [
        s for s in backend.snapshots.automated_copies()
        if s.status in ("available", "failed")
        and (s.retention_start_time or s.create_time) + timedelta(days=s.copy_retention_period or 0) <= now
    ]
