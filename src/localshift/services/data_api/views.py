"""Statement records as the Data API shows them (DescribeStatement, ListStatements, submissions)."""

from __future__ import annotations

from typing import Any

from localshift.dataplane.api import mask_passwords
from localshift.store.data_api import StatementPart, StatementRecord


def submitted(record: StatementRecord) -> dict[str, Any]:
    """What ExecuteStatement and BatchExecuteStatement answer."""
    return {
        "Id": record.id, "CreatedAt": record.created_at, "ClusterIdentifier": record.cluster_identifier,
        "WorkgroupName": record.workgroup_name, "Database": record.database, "DbUser": record.db_user,
        "SecretArn": record.secret_arn, "SessionId": record.session_id,
    }


def _part_view(part: StatementPart) -> dict[str, Any]:
    return {
        "Duration": part.duration_ns, "Error": part.error, "Status": part.status, "UpdatedAt": part.updated_at,
        "QueryString": mask_passwords(part.query), "ResultRows": part.result_rows, "ResultSize": part.result_size,
        "RedshiftQueryId": part.redshift_query_id, "HasResultSet": part.has_result_set,
    }


def described(record: StatementRecord, part_index: int | None = None) -> dict[str, Any]:
    """DescribeStatement: a batch sums its parts and lists them; ``part_index`` describes one part."""
    view = {
        "Id": record.id, "SecretArn": record.secret_arn, "DbUser": record.db_user, "Database": record.database,
        "ClusterIdentifier": record.cluster_identifier, "WorkgroupName": record.workgroup_name,
        "CreatedAt": record.created_at, "UpdatedAt": record.updated_at, "Status": record.status,
        "Error": record.error, "RedshiftPid": record.redshift_pid, "QueryParameters": record.parameters,
        "ResultFormat": record.result_format, "SessionId": record.session_id,
    }
    if part_index is not None:
        return {**view, **_part_view(record.parts[part_index]), "Id": f"{record.id}:{part_index + 1}"}
    if not record.is_batch:
        return {**view, **_part_view(record.parts[0]), "UpdatedAt": record.updated_at, "Status": record.status,
                "Error": record.error}
    parts = record.parts
    return {
        **view,
        "Duration": record.duration_ns,
        "HasResultSet": any(part.has_result_set for part in parts),
        "ResultRows": sum(max(part.result_rows, 0) for part in parts),
        "ResultSize": sum(max(part.result_size, 0) for part in parts),
        "RedshiftQueryId": -1,
        "SubStatements": [{**_part_view(part), "Id": f"{record.id}:{i + 1}", "CreatedAt": record.created_at}
                          for i, part in enumerate(parts)],
    }


def listed(record: StatementRecord) -> dict[str, Any]:
    """ListStatements' StatementData."""
    return {
        "Id": record.id, "SecretArn": record.secret_arn, "Status": record.status,
        "StatementName": record.statement_name, "CreatedAt": record.created_at, "UpdatedAt": record.updated_at,
        "QueryParameters": record.parameters, "IsBatchStatement": record.is_batch,
        "ResultFormat": record.result_format, "SessionId": record.session_id,
        **({"QueryStrings": [mask_passwords(part.query) for part in record.parts]} if record.is_batch
           else {"QueryString": mask_passwords(record.parts[0].query)}),
    }
