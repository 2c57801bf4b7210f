"""ExecuteStatement, BatchExecuteStatement, CancelStatement, DescribeStatement, ListStatements.

Submitting checks what can be checked at once (where and as whom, parameters, sizes, the
session, limits), records the statement SUBMITTED and hands it to a worker (runner.py).
Statements belong to the account and region that submitted them: another account never
sees one.  Limits as AWS states them: 100 KB of SQL per statement, 200 active (SUBMITTED,
PICKED or STARTED) statements per cluster or workgroup, 40 statements per batch (the model's);
a ClientToken names one submission for 8 hours.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from concurrent.futures import wait
from datetime import timedelta
from typing import Any

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.data_api import views
from localshift.services.data_api.backend import DataApiBackend, Running
from localshift.services.data_api.errors import statement_failed, statement_not_found, validation
from localshift.services.data_api.parameters import check, parameter_values
from localshift.services.data_api.runner import run_statement
from localshift.services.data_api.sessions import DataSession
from localshift.services.data_api.targets import Target, resolve
from localshift.store.data_api import (ABORTED, ACTIVE, FAILED, SUBMITTED, StatementFilter, StatementPart,
                                       StatementRecord)
from localshift.store.paging import decode_marker

MAX_SQL_BYTES = 100 * 1024
MAX_ACTIVE_STATEMENTS = 200
QUICK_STATEMENT_SECONDS = 0.02
CLIENT_TOKEN_LIFETIME = timedelta(hours=8)
DEFAULT_LIST_PAGE = 100
_ID = re.compile(r"([a-z0-9]{8}(?:-[a-z0-9]{4}){3}-[a-z0-9]{12})(?::(\d+))?")
# What a statement submitted in a session takes from the session instead.
_SESSION_FIXES = ("ClusterIdentifier", "WorkgroupName", "Database", "SecretArn", "DbUser")


def execute_statement(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _submit(backend, ctx, p, [p["Sql"]], batch=False)


def batch_execute_statement(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _submit(backend, ctx, p, p["Sqls"], batch=True)


def _fingerprint(p: dict[str, Any]) -> str:
    request = {k: v for k, v in p.items() if k != "ClientToken"}
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def _submit(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any], queries: list[str],
            batch: bool) -> dict[str, Any]:
    for query in queries:
        # The model lets Sql be any string; AWS refuses one with nothing to run up front, before it makes
        # a statement (a blank one would otherwise reach the engine as an empty query).
        if not query.strip():
            raise validation("The SQL statement is empty: it must contain a statement to run.")
        if len(query.encode()) > MAX_SQL_BYTES:
            raise validation("The SQL statement exceeds the maximum query statement size of 100 KB.")
    fingerprint = _fingerprint(p)
    token = p.get("ClientToken")
    if token:
        earlier = backend.statements.by_client_token(ctx.account, ctx.region, token, ctx.now - CLIENT_TOKEN_LIFETIME)
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                raise validation(f"The ClientToken {token} was used with other parameters.")
            if earlier.refused:  # the same request again: the same answer (an SDK retries a 500 with its token)
                raise _refusal(earlier)
            return views.submitted(earlier)  # the same request again: the same statement
    check(queries, parameter_values(p.get("Parameters")))
    statement_id = str(uuid.uuid4())
    session = _claim_session(backend, ctx, p, statement_id) if p.get("SessionId") else None
    try:
        target = session.target if session else resolve(backend, ctx, p)
        if backend.statements.active_count(ctx.account, ctx.region, target.cluster_identifier,
                                           target.workgroup_name) >= MAX_ACTIVE_STATEMENTS:
            raise ApiError("ActiveStatementsExceededException",
                           f"{target.name} has {MAX_ACTIVE_STATEMENTS} active statements, the most it may have.")
        record = _record(ctx, p, statement_id, queries, batch, target, fingerprint)
        keep_alive = p.get("SessionKeepAliveSeconds")
        if session is None and keep_alive:
            session = backend.sessions.open(ctx, target, keep_alive, statement_id)
        record.session_id = session.id if session else None
    except BaseException:
        if session is not None:
            backend.sessions.release(session, ctx.now)
        raise
    if not backend.connections.serving(target):
        # The statement exists, and failed: nothing serves the target's SQL now.
        record.status, record.refused = FAILED, True
        record.error = f"Connection to the database failed: {target.name} is {target.status}: it serves no SQL now."
        for part in record.parts:
            part.status, part.error = FAILED, record.error
        backend.statements.insert(record)
        if session is not None:
            backend.sessions.release(session, ctx.now)
        raise _refusal(record)
    backend.statements.insert(record)
    # AWS answers before the statement runs and the caller polls DescribeStatement.  Here a
    # statement that ends within QUICK_STATEMENT_SECONDS is answered once it has ended, so the
    # first poll finds it FINISHED instead of polls racing the worker for the interpreter.
    running = Running(record, target, session)
    wait([backend.run(run_statement, statement_id, running)], timeout=QUICK_STATEMENT_SECONDS)
    return views.submitted(record)


def _refusal(record: StatementRecord) -> ApiError:
    """ExecuteStatementException or BatchExecuteStatementException, naming the statement refused."""
    code = "BatchExecuteStatementException" if record.is_batch else "ExecuteStatementException"
    return statement_failed(code, record.error or "", record.id)


def _claim_session(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any], statement_id: str) -> DataSession:
    fixed = [name for name in _SESSION_FIXES if p.get(name)]
    if fixed:
        raise validation(f"{', '.join(fixed)} can't be specified with SessionId: the session fixes them.")
    return backend.sessions.claim(ctx, p["SessionId"], statement_id, p.get("SessionKeepAliveSeconds"))


def _record(ctx: RequestContext, p: dict[str, Any], statement_id: str, queries: list[str], batch: bool,
            target: Target, fingerprint: str) -> StatementRecord:
    return StatementRecord(
        id=statement_id, account=ctx.account, region=ctx.region, identity=ctx.identity or ctx.account,
        principal=ctx.principal,
        created_at=ctx.now, updated_at=ctx.now, parts=[StatementPart(query, updated_at=ctx.now) for query in queries],
        database=target.database, is_batch=batch, status=SUBMITTED, cluster_identifier=target.cluster_identifier,
        workgroup_name=target.workgroup_name, db_user=target.db_user, secret_arn=target.secret_arn,
        statement_name=p.get("StatementName"), parameters=p.get("Parameters"),
        result_format=p.get("ResultFormat") or "JSON", client_token=p.get("ClientToken"), fingerprint=fingerprint,
        with_event=bool(p.get("WithEvent")))


def find_statement(backend: DataApiBackend, ctx: RequestContext, statement_id: str) -> tuple[StatementRecord, int | None]:
    """The caller's statement an Id names, and the batch part (0-based) its ``:n`` suffix names."""
    match = _ID.fullmatch(statement_id)
    record = backend.statements.get(match.group(1)) if match else None
    if match is None or record is None or (record.account, record.region) != (ctx.account, ctx.region):
        raise statement_not_found(statement_id)
    if match.group(2) is None:
        return record, None
    part = int(match.group(2)) - 1
    if not record.is_batch or not 0 <= part < len(record.parts):
        raise statement_not_found(statement_id)
    return record, part


def cancel_statement(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    record, _ = find_statement(backend, ctx, p["Id"])
    if record.status not in ACTIVE:
        raise validation(f"Could not cancel a query that is already in {record.status} state.")
    with backend.running_lock:
        held = backend.running.get(record.id)
    if held is not None:
        held.cancel(while_locked=lambda: _abort_if_waiting(backend, ctx, record.id))
    return {"Status": True}


def _abort_if_waiting(backend: DataApiBackend, ctx: RequestContext, statement_id: str) -> None:
    """A statement no worker took yet is ABORTED at once (no worker may be free for long)."""
    record = backend.statements.get(statement_id)
    if record is not None and record.status == SUBMITTED:
        record.status, record.updated_at = ABORTED, ctx.now
        for part in record.parts:
            part.status, part.updated_at = ABORTED, ctx.now
        backend.statements.update(record)


def describe_statement(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    record, part = find_statement(backend, ctx, p["Id"])
    return views.described(record, part)


def list_statements(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("ClusterIdentifier") and p.get("WorkgroupName"):
        raise validation("Either ClusterIdentifier or WorkgroupName can be specified, not both.")
    # By default only finished statements are listed; ALL lists every status.
    status = p.get("Status") or "FINISHED"
    role_level = p.get("RoleLevel", True)
    wanted = StatementFilter(
        status=None if status == "ALL" else status, name_prefix=p.get("StatementName"),
        # AWS: RoleLevel true (the default) lists the statements "run by the caller's IAM role", false only
        # those of its current IAM session (here: its access key).  A caller whose key stands for no IAM
        # identity (open mode) has the account's.
        identity=None if role_level else (ctx.identity or ctx.account),
        principal=(ctx.principal or None) if role_level else None,
        cluster_identifier=p.get("ClusterIdentifier"), workgroup_name=p.get("WorkgroupName"),
        database=p.get("Database"))
    token = p.get("NextToken")
    if token is not None:
        _check_token(token)
    records, next_token = backend.statements.page(ctx.account, ctx.region, wanted,
                                                  p.get("MaxResults") or DEFAULT_LIST_PAGE, token)
    return {"Statements": [views.listed(record) for record in records], "NextToken": next_token}


def _check_token(token: str) -> None:
    try:
        decode_marker(token, (str, str))
    except ApiError:
        raise validation("The NextToken is not valid.") from None


OPERATIONS = {
    "ExecuteStatement": execute_statement,
    "BatchExecuteStatement": batch_execute_statement,
    "CancelStatement": cancel_statement,
    "DescribeStatement": describe_statement,
    "ListStatements": list_statements,
}
