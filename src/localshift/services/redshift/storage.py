"""DescribeStorage: one account's backup and provisioned storage in a region, from the data plane."""

from __future__ import annotations

from typing import Any

from localshift.services.common.jobs import MB
from localshift.services.context import RequestContext
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.jobs import backup_bytes, engine_bytes


def describe_storage(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    # Backups: the bytes the account's snapshots take in the snapshot store, counted once however many
    # snapshots share them (so incremental snapshots cost what they add), shrinking as snapshots are deleted.
    # Provisioned storage: what the account's clusters' engines hold on disk (docs/behaviour.md).
    return {
        "TotalBackupSizeInMegaBytes": backup_bytes(backend, ctx.account, ctx.region) / MB,
        "TotalProvisionedStorageInMegaBytes": engine_bytes(backend, ctx.account, ctx.region) / MB,
    }


OPERATIONS = {"DescribeStorage": describe_storage}
