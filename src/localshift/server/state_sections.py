"""The state document's sections, one per resource kind, in the order the console shows them.

A new resource kind is shown by writing its rows function here and adding its Section to
SECTIONS: the console draws it from its columns.  Rows carry ``account`` and ``region``
(the console's account and region filter) and the values their columns name.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from localshift.server.state import (
    BYTES, LIST, MEGABYTES, MILLISECONDS, PROGRESS, SECONDS, STATUS, TIME, Column, StateView, Section, when,
)
from localshift.records import TableRestoreRecord
from localshift.services.redshift.jobs import cluster_key
from localshift.services.serverless.lifecycle import engine_key
from localshift.services.serverless.snapshot_copies import COPYING
from localshift.store.resources import named_resources
from localshift.store.secrets import arn_account
from localshift.store.serverless import PROVISIONED_RESTORE, RESTORE

LOCAL_ADDRESS = "127.0.0.1"
# The newest Data API statements shown, and how much of a statement's SQL.
STATEMENTS_SHOWN = 200
SQL_SHOWN = 120
# Columns every section starts with.
PLACE = (Column("account", "Account"), Column("region", "Region"))


def _endpoint(port: int | None) -> str | None:
    return f"{LOCAL_ADDRESS}:{port}" if port else None


def _progress(done_mb: float, total_mb: float) -> dict[str, float]:
    return {"done_mb": round(done_mb, 1), "total_mb": round(total_mb, 1)}


# --- Redshift (provisioned) ---------------------------------------------------------------


def clusters(view: StateView) -> list[dict[str, Any]]:
    rows = []
    for cluster in view.visible(view.runtime.redshift.clusters.everything()):
        engine = view.engine(cluster_key(cluster))
        rows.append({
            "account": cluster.account, "region": cluster.region, "identifier": cluster.identifier,
            "status": cluster.status, "endpoint": _endpoint(cluster.endpoint_port),
            "node_type": cluster.node_type, "nodes": cluster.number_of_nodes,
            "size": engine.size_bytes, "engine": engine.health, "created": when(cluster.create_time),
        })
    return rows


def snapshots(view: StateView) -> list[dict[str, Any]]:
    repository = view.runtime.redshift.snapshots
    records = view.visible(repository.everything())
    grantees = repository.grantees_of_many([s.row_id for s in records])
    rows = []
    for snapshot in records:
        if snapshot.data_key:
            view.snapshot_keys.add(snapshot.data_key)
        rows.append({
            "account": snapshot.account, "region": snapshot.region, "identifier": snapshot.identifier,
            "cluster": snapshot.cluster_identifier, "type": snapshot.snapshot_type, "status": snapshot.status,
            "size_mb": snapshot.total_size_mb, "incremental_mb": snapshot.incremental_size_mb,
            "shared_with": grantees[snapshot.row_id],
            "created": when(snapshot.create_time),
        })
    return rows


# --- Redshift Serverless ------------------------------------------------------------------


def namespaces(view: StateView) -> list[dict[str, Any]]:
    rows = []
    for namespace in view.visible(view.runtime.serverless.namespaces.all()):
        engine = view.engine(engine_key(namespace.row_id, namespace.engine_generation))
        rows.append({
            "account": namespace.account, "region": namespace.region, "name": namespace.name,
            "status": namespace.status, "database": namespace.db_name, "admin_user": namespace.admin_username,
            "size": engine.size_bytes, "engine": engine.health, "created": when(namespace.create_time),
        })
    return rows


def workgroups(view: StateView) -> list[dict[str, Any]]:
    return [
        {
            "account": w.account, "region": w.region, "name": w.name, "namespace": w.namespace_name,
            "status": w.status, "endpoint": _endpoint(w.endpoint_port), "base_capacity": w.base_capacity,
            "created": when(w.create_time),
        }
        for w in view.visible(view.runtime.serverless.workgroups.all())
    ]


def serverless_snapshots(view: StateView) -> list[dict[str, Any]]:
    repository = view.runtime.serverless.snapshots
    records = view.visible(repository.all())
    row_ids = [s.row_id for s in records]
    restore = repository.grantees_of_many(row_ids, RESTORE)
    provisioned = repository.grantees_of_many(row_ids, PROVISIONED_RESTORE)
    rows = []
    for snapshot in records:
        if snapshot.data_key:
            view.snapshot_keys.add(snapshot.data_key)
        row_id = snapshot.row_id
        rows.append({
            "account": snapshot.account, "region": snapshot.region, "name": snapshot.name,
            "namespace": snapshot.namespace_name, "status": snapshot.status, "size_mb": snapshot.total_size_mb,
            "incremental_mb": snapshot.incremental_size_mb,
            "shared_with": sorted(set(restore[row_id]) | set(provisioned[row_id])),
            "created": when(snapshot.create_time),
        })
    return rows


def recovery_points(view: StateView) -> list[dict[str, Any]]:
    rows = []
    for point in view.visible(view.runtime.serverless.recovery_points.everything()):
        if point.data_key:
            view.snapshot_keys.add(point.data_key)
        rows.append({
            "account": point.account, "region": point.region, "id": point.name, "namespace": point.namespace_name,
            "status": point.status, "size_mb": point.total_size_mb, "created": when(point.create_time),
        })
    return rows


# --- across kinds ---------------------------------------------------------------------------


def lineage(view: StateView) -> list[dict[str, Any]]:
    """Which cluster or namespace holds the data of which snapshot, and which snapshot copies which."""
    runtime = view.runtime
    snapshots = runtime.redshift.snapshots.everything()
    serverless_snapshots = runtime.serverless.snapshots.all()
    # A serverless copy in another region has an ARN of its own: its source is the snapshot of
    # the same name in the source region.
    serverless_arns = {(s.account, s.region, s.name): s.arn for s in serverless_snapshots}
    sources = [
        *(("cluster", c.identifier, c.account, c.region, c.restored_from)
          for c in runtime.redshift.clusters.everything()),
        *(("namespace", n.name, n.account, n.region, n.restored_from) for n in runtime.serverless.namespaces.all()),
        # Copies in their region or in another one (the row's region against the source's ARN).
        *(("snapshot copy", s.identifier, s.account, s.region, s.copied_from) for s in snapshots),
        *(("snapshot copy", s.name, s.account, s.region, serverless_arns.get((s.account, s.source_region, s.name)))
          for s in serverless_snapshots if s.source_region),
    ]
    return [
        {"account": account, "region": region, "kind": kind, "name": name, "from_snapshot": source,
         "from_account": arn_account(source)}
        for kind, name, account, region, source in sources
        if source and (view.account is None or account == view.account)
    ]


def _snapshot_work(snapshot: Any, work: str, name: str) -> dict[str, Any]:
    """A snapshot (provisioned or serverless) being taken or copied, as a row of work in progress."""
    return {
        "account": snapshot.account, "region": snapshot.region, "work": work, "name": name,
        "progress": _progress(snapshot.progress_mb, snapshot.total_size_mb),
        "rate_mb_per_s": round(snapshot.rate_mb_per_s, 1), "elapsed": snapshot.elapsed_seconds,
        "remaining": max(snapshot.estimated_seconds_to_completion, 0),
    }


def _table_restore_work(restore: TableRestoreRecord) -> dict[str, Any]:
    return {
        "account": restore.account, "region": restore.region, "work": "table restore",
        "name": f"{restore.target}: {restore.table.new_table}",
        "progress": _progress(restore.progress_mb, restore.total_mb) if restore.total_mb else None,
    }


def progress(view: StateView) -> list[dict[str, Any]]:
    """Work under way: snapshots being taken or copied (to another region too), restores of
    clusters, namespaces and tables."""
    runtime = view.runtime
    rows = [
        _snapshot_work(s, "copy" if s.copied_from or s.source_region else "snapshot", s.identifier)
        for s in view.visible(runtime.redshift.snapshots.in_statuses(["creating"]))
    ]
    for cluster in view.visible(runtime.redshift.clusters.everything()):
        if cluster.restore_status in ("starting", "restoring"):
            rows.append({
                "account": cluster.account, "region": cluster.region, "work": "restore", "name": cluster.identifier,
                "progress": _progress(cluster.restore_progress_mb, cluster.restore_snapshot_size_mb),
                "rate_mb_per_s": round(cluster.restore_rate_mb_per_s, 1), "elapsed": cluster.restore_elapsed_seconds,
                "remaining": cluster.restore_estimated_seconds,
            })
    rows.extend(
        _snapshot_work(s, "copy" if s.status == COPYING else "snapshot", s.name)
        for s in view.visible(runtime.serverless.snapshots.in_statuses(["CREATING", COPYING]))
    )
    for namespace in view.visible(runtime.serverless.namespaces.all()):
        if namespace.restore_plan is not None:
            # A namespace's restore reports no progress of its own: shown as under way.
            rows.append({"account": namespace.account, "region": namespace.region, "work": "restore",
                         "name": namespace.name, "progress": None})
    for restores in (runtime.redshift.table_restores, runtime.serverless.table_restores):
        rows.extend(_table_restore_work(r) for r in view.visible(restores.everything())
                    if r.status in ("PENDING", "IN_PROGRESS"))
    return rows


def other_resources(view: StateView) -> list[dict[str, Any]]:
    """Every smaller resource (store/resources.py) by kind and name: schedules, subnet groups, ...
    (but recovery points, which have a section of their own)."""
    shown_elsewhere = {view.runtime.serverless.recovery_points.kind}
    return [
        {"account": account, "region": region, "kind": kind, "name": name, "status": status}
        for kind, account, region, name, status in named_resources(view.runtime.db)
        if (view.account is None or account == view.account) and kind not in shown_elsewhere
    ]


def data_api_statements(view: StateView) -> list[dict[str, Any]]:
    """The newest Data API statements (ExecuteStatement, BatchExecuteStatement), as kept 24 hours."""
    rows = []
    for statement in view.runtime.data_api.statements.newest(STATEMENTS_SHOWN, view.account):
        first = statement.parts[0].query if statement.parts else ""
        text = f"batch of {len(statement.parts)}: {first}" if statement.is_batch else first
        rows.append({
            "account": statement.account, "region": statement.region, "id": statement.id,
            "target": statement.cluster_identifier or statement.workgroup_name, "database": statement.database,
            "sql": text if len(text) <= SQL_SHOWN else text[:SQL_SHOWN - 1] + "…", "status": statement.status,
            "error": statement.error,
            "milliseconds": round(statement.duration_ns / 1e6, 1) if statement.duration_ns >= 0 else None,
            "created": when(statement.created_at),
        })
    return rows


def recent_calls(view: StateView) -> list[dict[str, Any]]:
    # Calls name no region: they are not counted among the places that hold resources.
    return [
        {**call, "time": when(datetime.fromtimestamp(call["time"], timezone.utc)), "region": None}
        for call in view.runtime.recent_calls.newest_first(view.account)
    ]


SECTIONS = (
    Section("progress", "Work in progress", "Overview", (
        *PLACE, Column("work", "Work"), Column("name", "Resource"), Column("progress", "Progress", PROGRESS),
        Column("rate_mb_per_s", "MB/s"), Column("elapsed", "Elapsed", SECONDS),
        Column("remaining", "Remaining", SECONDS),
    ), progress),
    Section("clusters", "Clusters", "Clusters", (
        *PLACE, Column("identifier", "Cluster"), Column("status", "Status", STATUS), Column("endpoint", "Endpoint"),
        Column("node_type", "Node type"), Column("nodes", "Nodes"), Column("size", "Size", BYTES),
        Column("engine", "Engine", STATUS), Column("created", "Created", TIME),
    ), clusters),
    Section("snapshots", "Cluster snapshots", "Snapshots", (
        *PLACE, Column("identifier", "Snapshot"), Column("cluster", "Cluster"), Column("type", "Type"),
        Column("status", "Status", STATUS), Column("size_mb", "Size", MEGABYTES),
        Column("incremental_mb", "Stored incrementally", MEGABYTES), Column("shared_with", "Shared with", LIST),
        Column("created", "Created", TIME),
    ), snapshots),
    Section("namespaces", "Serverless namespaces", "Serverless", (
        *PLACE, Column("name", "Namespace"), Column("status", "Status", STATUS), Column("database", "Database"),
        Column("admin_user", "Admin user"), Column("size", "Size", BYTES), Column("engine", "Engine", STATUS),
        Column("created", "Created", TIME),
    ), namespaces),
    Section("workgroups", "Serverless workgroups", "Serverless", (
        *PLACE, Column("name", "Workgroup"), Column("namespace", "Namespace"), Column("status", "Status", STATUS),
        Column("endpoint", "Endpoint"), Column("base_capacity", "Base RPUs"), Column("created", "Created", TIME),
    ), workgroups),
    Section("serverless_snapshots", "Serverless snapshots", "Serverless", (
        *PLACE, Column("name", "Snapshot"), Column("namespace", "Namespace"), Column("status", "Status", STATUS),
        Column("size_mb", "Size", MEGABYTES), Column("incremental_mb", "Stored incrementally", MEGABYTES),
        Column("shared_with", "Shared with", LIST), Column("created", "Created", TIME),
    ), serverless_snapshots),
    Section("recovery_points", "Serverless recovery points", "Serverless", (
        *PLACE, Column("id", "Recovery point"), Column("namespace", "Namespace"), Column("status", "Status", STATUS),
        Column("size_mb", "Size", MEGABYTES), Column("created", "Created", TIME),
    ), recovery_points),
    Section("lineage", "Lineage", "Lineage", (
        *PLACE, Column("kind", "Kind"), Column("name", "Name"), Column("from_snapshot", "From snapshot"),
        Column("from_account", "Snapshot's account"),
    ), lineage),
    Section("other_resources", "Other resources", "Other resources", (
        *PLACE, Column("kind", "Kind"), Column("name", "Name"), Column("status", "Status", STATUS),
    ), other_resources),
    Section("data_api_statements", "Data API statements", "Data API", (
        *PLACE, Column("created", "Submitted", TIME), Column("target", "Cluster or workgroup"),
        Column("database", "Database"), Column("sql", "SQL"), Column("status", "Status", STATUS),
        Column("milliseconds", "ms", MILLISECONDS), Column("error", "Error"), Column("id", "Statement id"),
    ), data_api_statements),
    Section("calls", "Recent API calls", "API calls", (
        Column("time", "Time", TIME), Column("account", "Account"), Column("operation", "Operation"),
        Column("status", "HTTP status", STATUS), Column("milliseconds", "ms", MILLISECONDS),
        Column("error", "Error"), Column("request_id", "Request id"),
    ), recent_calls),
)
