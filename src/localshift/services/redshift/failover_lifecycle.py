"""The job of a Multi-AZ failover (multi_az.py): the zones are swapped on the record already, and the
one local engine keeps serving, so the cluster is available again once the job runs.  A failed job
swaps the zones back (the primary stayed where it was); a restart meanwhile resumes the failover as
any ``modifying`` cluster (maintenance_lifecycle.resume)."""

from __future__ import annotations

from typing import Callable

from localshift.records import ClusterRecord
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.lifecycle import cluster_job, serving_or_failed


def _swapped_back(backend: RedshiftBackend, cluster: ClusterRecord) -> Callable[[ClusterRecord], None]:
    settle = serving_or_failed(backend, cluster)

    def change(c: ClusterRecord) -> None:
        settle(c)
        if c.secondary_availability_zone is not None:
            c.availability_zone, c.secondary_availability_zone = c.secondary_availability_zone, c.availability_zone

    return change


def failover_primary_compute(backend: RedshiftBackend, row_id: int) -> None:
    def work(cluster: ClusterRecord) -> None:
        def done(c: ClusterRecord) -> None:
            if c.status == "modifying":
                c.status = "available"

        backend.mutate_cluster(row_id, done)

    cluster_job(backend, row_id, "fail over the primary compute of", work, settle=_swapped_back)
