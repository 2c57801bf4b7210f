"""Services are registrations: a new JSON service (the Redshift Data API's model, with a toy
operation) is served through the one request path by adding one entry, and driven by boto3
(against a server in this process: the extra service exists only in this test)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Any, Iterator

import pytest
from botocore.exceptions import ClientError

from in_process_server import InProcessServer
from localshift.errors import ApiError
from localshift.protocol.wire import Request
from localshift.server.services import SERVICES, Router, Service
from localshift.services.context import RequestContext
from support import OWNER


def list_databases(backend: Any, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """A toy ListDatabases: echoes what it was given, so the test sees the parsed input."""
    if params["Database"] == "missing":
        raise ApiError("DatabaseConnectionException", "No database named missing.")
    return {"Databases": [params["Database"], params.get("ClusterIdentifier", "-"), ctx.account, backend]}


DATA_API = Service("redshift-data", {"ListDatabases": list_databases}, lambda runtime: "toy-backend")


@pytest.fixture()
def with_data_api() -> Iterator[InProcessServer]:
    with InProcessServer([*SERVICES, DATA_API]) as server:
        yield server


def test_a_json_service_is_one_registration(with_data_api: InProcessServer) -> None:
    data = with_data_api.client("redshift-data")
    answer = data.list_databases(Database="dev", ClusterIdentifier="c1")
    assert answer["Databases"] == ["dev", "c1", OWNER, "toy-backend"]
    # Its errors are the JSON protocol's, with the model's codes.
    with pytest.raises(ClientError) as caught:
        data.list_databases(Database="missing")
    assert caught.value.response["Error"]["Code"] == "DatabaseConnectionException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500  # a server fault in AWS's Smithy model
    # An operation of its model that is not registered.
    with pytest.raises(ClientError) as caught:
        data.describe_statement(Id="x")
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
    # The services registered before are served as they were, on the same port.
    assert with_data_api.client("redshift").describe_clusters()["Clusters"] == []
    assert with_data_api.client("redshift-serverless").list_namespaces()["namespaces"] == []


def test_the_new_service_checks_its_own_model(with_data_api: InProcessServer) -> None:
    data = with_data_api.client("redshift-data", validate=False)
    with pytest.raises(ClientError) as caught:
        data.list_databases(ClusterIdentifier="c1")  # without its required Database
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "at 'Database' failed to satisfy constraint: Member must not be null" in caught.value.response["Error"]["Message"]


def _routed(router: Router, headers: dict[str, str], body: bytes = b"", query: str = "") -> str:
    return router.route(Request("POST", "/", query, headers, body)).name


def test_routing_by_target_prefix_content_type_and_action() -> None:
    router = Router([*SERVICES, DATA_API])
    assert _routed(router, {"x-amz-target": "RedshiftData.ListDatabases"}) == "redshift-data"
    assert _routed(router, {"x-amz-target": "RedshiftServerless.ListNamespaces"}) == "redshift-serverless"
    # A JSON body naming no registered service: the first JSON service answers it.
    assert _routed(router, {"content-type": "application/x-amz-json-1.1"}) == "redshift-serverless"
    assert _routed(router, {"x-amz-target": "Nobody.Op", "content-type": "application/x-amz-json-1.0"}) == (
        "redshift-serverless"
    )
    assert _routed(router, {"content-type": "application/x-www-form-urlencoded"}) == "redshift"
    assert _routed(router, {}) == "redshift"


def test_an_unsigned_request_is_routed_by_its_action_to_the_service_that_takes_it_unsigned() -> None:
    router = Router(SERVICES)
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert _routed(router, form, b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15") == "sts"
    assert _routed(router, {}, query="Action=AssumeRoleWithSAML") == "sts"
    # Signed, or an operation that must be signed: by the credential scope, else Redshift's as before.
    signed = {**form, "authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/redshift/aws4_request"}
    assert _routed(router, signed, b"Action=AssumeRoleWithWebIdentity") == "redshift"
    assert _routed(router, form, b"Action=GetCallerIdentity") == "redshift"
    assert _routed(router, {}, query="Action=AssumeRoleWithSAML&X-Amz-Credential=x") == "redshift"
    sts = next(service for service in SERVICES if service.name == "sts")
    assert sts.unsigned == {"AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"}


def test_a_registration_names_only_operations_of_its_model() -> None:
    with pytest.raises(ValueError, match="no operations named NoSuchThing"):
        Service("redshift-data", {"NoSuchThing": list_databases}, lambda runtime: None)


def test_reads_run_inline_and_everything_else_on_worker_threads() -> None:
    redshift, serverless = SERVICES[:2]
    assert {"DescribeClusters", "DescribeClusterSnapshots", "DescribeTags"} <= redshift.reads
    assert not {"DeleteClusterSnapshot", "RestoreFromClusterSnapshot", "CreateCluster"} & redshift.reads
    # DescribeStorage measures the data plane: a read that is not the store's alone.
    assert {"DescribeEvents", "DescribeSnapshotSchedules"} <= redshift.reads and "DescribeStorage" not in redshift.reads
    assert {"GetNamespace", "ListSnapshots"} <= serverless.reads
    assert not {"DeleteSnapshot", "RestoreFromSnapshot"} & serverless.reads


def test_a_service_whose_reads_touch_more_than_the_store_runs_them_on_worker_threads() -> None:
    # The Data API's reads (results kept in files, say) may not run on the event loop or be kept.
    data_api = Service("redshift-data", {"ListDatabases": list_databases}, lambda runtime: None,
                       reads_beyond_the_store=frozenset({"ListDatabases"}))
    assert data_api.reads == frozenset()
    assert DATA_API.reads == {"ListDatabases"}


def test_the_data_api_and_the_credential_operations_run_as_kept_reads_only_when_they_read_the_store() -> None:
    # The Data API's results (files) and catalog calls (engines) are beyond the store; its statements'
    # records are not.  GetClusterCredentials(WithIAM) and GetCredentials issue a credential at each call.
    redshift, serverless, data_api = SERVICES[:3]
    assert data_api.name == "redshift-data" and data_api.reads == {"DescribeStatement", "ListStatements"}
    assert {"GetStatementResult", "GetStatementResultV2", "ListTables"} <= data_api.reads_beyond_the_store
    assert not {"GetClusterCredentials", "GetClusterCredentialsWithIAM"} & redshift.reads
    assert "GetCredentials" not in serverless.reads


def test_answers_are_kept_per_identity_not_per_account(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def whoami(backend: Any, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        calls.append(ctx.request_id)
        return {"Databases": [str(len(calls))]}

    counting = Service("redshift-data", {"ListDatabases": whoami}, lambda runtime: None)
    with InProcessServer([*SERVICES, counting], accounts=["AKIDONE0000000000001:s1:111111111111",
                                                        "AKIDTWO0000000000002:s2:111111111111"]) as server:
        # An answer is kept within one second of the service clock: stopped, every call falls in the same one.
        clock = server.app.runtime.clock
        monkeypatch.setattr(clock, "now", lambda stopped=clock.now(): stopped)
        one = server.client("redshift-data", access_key="AKIDONE0000000000001", secret="s1")
        two = server.client("redshift-data", access_key="AKIDTWO0000000000002", secret="s2")
        first = one.list_databases(Database="dev")["Databases"]
        assert one.list_databases(Database="dev")["Databases"] == first  # kept for the same identity
        assert two.list_databases(Database="dev")["Databases"] != first  # computed again for another


@functools.cache
def _services_functions() -> dict[str, list[ast.AST]]:
    """Every function of services/ by name (parsed once: every read's search walks them)."""
    import localshift.services

    functions: dict[str, list[ast.AST]] = {}
    for path in Path(localshift.services.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.setdefault(node.name, []).append(node)
    return functions


def _reaches(handler: Any) -> set[str]:
    """What ``handler`` may reach of the data plane and of writes, over-approximated: every function
    of services/ named as something it calls (transitively), searched for ``.dataplane`` and for
    calls of ``transaction`` and ``submit_for``."""
    functions = _services_functions()
    found: set[str] = set()
    seen: set[str] = set()
    waiting = [handler.__name__]
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        for function in functions.get(name, []):
            for node in ast.walk(function):
                if isinstance(node, ast.Attribute) and node.attr == "dataplane":
                    found.add("dataplane")
                if isinstance(node, ast.Call):
                    called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                    if called in ("transaction", "submit_for"):
                        found.add(called)
                    waiting.append(called)
    return found


def test_reads_reach_neither_the_data_plane_nor_a_write() -> None:
    """Reads run on the event loop: nothing they call may wait for an engine or the disk."""
    for service in SERVICES:
        for name in sorted(service.reads):
            assert _reaches(service.operations[name]) == set(), f"{service.name} {name}"
    # The search finds what the other operations reach.
    redshift, serverless = SERVICES[:2]
    assert _reaches(redshift.operations["DeleteClusterSnapshot"]) >= {"dataplane", "transaction"}
    assert _reaches(redshift.operations["RestoreFromClusterSnapshot"]) >= {"dataplane", "submit_for"}
    assert "dataplane" in _reaches(serverless.operations["RestoreFromSnapshot"])
