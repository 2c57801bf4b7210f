"""The state document (/_localshift/state): what the console and `localshift status` read."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from support import ADMIN_KEY, ADMIN_SECRET, GRANTEE, OWNER, REGION, STRANGER, TENANT_KEY, TENANT_SECRET, Server
from serverless_support import Serverless
from support import create_available_cluster, create_available_snapshot, wait_for

WEST = "us-west-2"



def read_state(server: Server, key: str | None = None, secret: str = "") -> tuple[int, dict[str, Any]]:
    headers: dict[str, str] = {}
    if key is not None:
        signed = AWSRequest(method="GET", url=server.url + "/_localshift/state")
        SigV4Auth(Credentials(key, secret), "localshift", REGION).add_auth(signed)
        headers = {name: signed.headers[name] for name in ("Authorization", "X-Amz-Date")}
    request = urllib.request.Request(server.url + "/_localshift/state", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def state(server: Server) -> dict[str, Any]:
    status, document = read_state(server)
    assert status == 200, document
    return document


def rows(document: dict[str, Any], section: str) -> list[dict[str, Any]]:
    [found] = [s for s in document["sections"] if s["name"] == section]
    assert {"account", "region"} <= {c["key"] for c in found["columns"]} or section == "calls"
    return found["rows"]


def test_clusters_and_snapshots_with_their_grantees(ls):
    owner = ls.client(OWNER)
    create_available_cluster(owner, "c1", NumberOfNodes=3)
    create_available_snapshot(owner, "s1", "c1")
    owner.authorize_snapshot_access(SnapshotIdentifier="s1", AccountWithRestoreAccess=GRANTEE)
    owner.authorize_snapshot_access(SnapshotIdentifier="s1", AccountWithRestoreAccess=STRANGER)
    document = state(ls)
    [cluster] = rows(document, "clusters")
    assert cluster["identifier"] == "c1" and cluster["status"] == "available" and cluster["account"] == OWNER
    assert (cluster["node_type"], cluster["nodes"]) == ("ra3.xlplus", 3)
    assert cluster["endpoint"].startswith("127.0.0.1:")
    # The control plane alone: no engine behind the cluster.
    assert (cluster["engine"], cluster["size"]) == ("no data plane", None)
    manual = [s for s in rows(document, "snapshots") if s["type"] == "manual"]
    assert [(s["identifier"], s["cluster"], s["status"], s["shared_with"]) for s in manual] == [
        ("s1", "c1", "available", [GRANTEE, STRANGER])]
    assert document["accounts"] == [{"account": OWNER, "regions": [REGION]}]
    assert document["server"]["mode"] == "open" and document["server"]["account"] is None


def test_lineage_across_accounts_and_copies(ls):
    owner, grantee = ls.client(OWNER), ls.client(GRANTEE)
    create_available_cluster(owner, "c1", AutomatedSnapshotRetentionPeriod=1)
    create_available_snapshot(owner, "s1", "c1")
    owner.authorize_snapshot_access(SnapshotIdentifier="s1", AccountWithRestoreAccess=GRANTEE)
    grantee.restore_from_cluster_snapshot(ClusterIdentifier="copy-of-c1", SnapshotIdentifier="s1", OwnerAccount=OWNER)
    automated = owner.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"][0]
    owner.copy_cluster_snapshot(SourceSnapshotIdentifier=automated["SnapshotIdentifier"], TargetSnapshotIdentifier="kept")
    lineage = rows(state(ls), "lineage")
    assert {(r["account"], r["kind"], r["name"], r["from_snapshot"], r["from_account"]) for r in lineage} == {
        (GRANTEE, "cluster", "copy-of-c1", f"arn:aws:redshift:{REGION}:{OWNER}:snapshot:c1/s1", OWNER),
        (OWNER, "snapshot copy", "kept", automated["SnapshotArn"], OWNER),
    }


def test_serverless_resources_and_a_namespace_restored_from_another_accounts_snapshot(ls):
    owner, grantee = ls.client(OWNER, service="redshift-serverless"), ls.client(GRANTEE, service="redshift-serverless")
    owner.create_namespace(namespaceName="ns1", adminUsername="admin", adminUserPassword="Passw0rd1")
    owner.create_snapshot(namespaceName="ns1", snapshotName="snap1")
    wait_for(lambda: owner.get_snapshot(snapshotName="snap1")["snapshot"]["status"] == "AVAILABLE")
    arn = owner.get_snapshot(snapshotName="snap1")["snapshot"]["snapshotArn"]
    owner.put_resource_policy(resourceArn=arn, policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": [GRANTEE]}, "Action": ["redshift-serverless:RestoreFromSnapshot"]}]}))
    grantee.create_namespace(namespaceName="theirs")
    grantee.create_workgroup(workgroupName="wg1", namespaceName="theirs")
    wait_for(lambda: grantee.get_workgroup(workgroupName="wg1")["workgroup"]["status"] == "AVAILABLE")
    grantee.restore_from_snapshot(namespaceName="theirs", workgroupName="wg1", snapshotArn=arn)
    # The namespace is AVAILABLE a moment before its workgroup is.
    wait_for(lambda: grantee.get_namespace(namespaceName="theirs")["namespace"]["status"] == "AVAILABLE")
    wait_for(lambda: grantee.get_workgroup(workgroupName="wg1")["workgroup"]["status"] == "AVAILABLE")
    document = state(ls)
    assert [(n["account"], n["name"]) for n in rows(document, "namespaces")] == [(OWNER, "ns1"), (GRANTEE, "theirs")]
    [workgroup] = rows(document, "workgroups")
    assert (workgroup["name"], workgroup["namespace"], workgroup["status"]) == ("wg1", "theirs", "AVAILABLE")
    [snapshot] = rows(document, "serverless_snapshots")
    assert (snapshot["name"], snapshot["status"], snapshot["shared_with"]) == ("snap1", "AVAILABLE", [GRANTEE])
    assert [(r["account"], r["kind"], r["name"], r["from_snapshot"], r["from_account"])
            for r in rows(document, "lineage")] == [(GRANTEE, "namespace", "theirs", arn, OWNER)]


def test_smaller_resources_by_kind_with_their_status(ls):
    ls.client(OWNER).create_snapshot_schedule(ScheduleIdentifier="nightly", ScheduleDefinitions=["rate(12 hours)"])
    ls.client(GRANTEE).create_snapshot_schedule(ScheduleIdentifier="hourly", ScheduleDefinitions=["rate(1 hour)"])
    create_available_cluster(ls.client(OWNER), "shared-endpoints")
    ls.client(OWNER).authorize_endpoint_access(ClusterIdentifier="shared-endpoints", Account=GRANTEE)
    # The cluster also brings defaults of other kinds (its subnet group): not what this test is about.
    assert [(r["account"], r["kind"], r["status"]) for r in rows(state(ls), "other_resources")
            if r["kind"] in ("snapshot-schedule", "endpoint-authorization")] == [
        (OWNER, "snapshot-schedule", None), (GRANTEE, "snapshot-schedule", None),
        (OWNER, "endpoint-authorization", "Authorized")]


def test_copies_to_other_regions_in_the_lineage(ls):
    owner = ls.client(OWNER)
    create_available_cluster(owner, "c1")
    owner.enable_snapshot_copy(ClusterIdentifier="c1", DestinationRegion=WEST)
    create_available_snapshot(owner, "s1", "c1")
    serverless = Serverless(ls)
    serverless.namespace_with_workgroup("ns1", "wg1")
    serverless.create_snapshot_copy_configuration(namespaceName="ns1", destinationRegion=WEST)
    source = serverless.snapshot("snap1")
    wait_for(lambda: {r["name"] for r in rows(state(ls), "lineage")} >= {"copy:s1", "snap1"})
    assert {(r["region"], r["kind"], r["name"], r["from_snapshot"], r["from_account"])
            for r in rows(state(ls), "lineage") if r["name"] in ("copy:s1", "snap1")} == {
        (WEST, "snapshot copy", "copy:s1", f"arn:aws:redshift:{REGION}:{OWNER}:snapshot:c1/s1", OWNER),
        (WEST, "snapshot copy", "snap1", source["snapshotArn"], OWNER),
    }


def test_recovery_points_have_a_section_of_their_own(ls):
    serverless = Serverless(ls)
    serverless.namespace_with_workgroup("ns1", "wg1")
    ls.admin("/_localshift/time-travel?seconds=1800")
    point = wait_for(lambda: serverless.list_recovery_points()["recoveryPoints"])[0]
    document = state(ls)
    assert [(r["account"], r["id"], r["namespace"], r["status"]) for r in rows(document, "recovery_points")] == [
        (OWNER, point["recoveryPointId"], "ns1", "AVAILABLE")]
    assert "serverless-recovery-point" not in {r["kind"] for r in rows(document, "other_resources")}


def test_work_in_progress_shows_until_it_is_done(slow):
    owner = slow.client(OWNER)
    create_available_cluster(owner, "c1")
    owner.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1")
    [work] = [row for row in rows(state(slow), "progress") if row["name"] == "s1"]
    assert (work["account"], work["work"]) == (OWNER, "snapshot")
    assert set(work["progress"]) == {"done_mb", "total_mb"}
    wait_for(lambda: not rows(state(slow), "progress"))


def test_table_restores_are_work_in_progress(slow):
    owner = slow.client(OWNER)
    create_available_cluster(owner, "c1")
    create_available_snapshot(owner, "s1", "c1")
    owner.restore_table_from_cluster_snapshot(ClusterIdentifier="c1", SnapshotIdentifier="s1", SourceDatabaseName="dev",
                                              SourceTableName="orders", NewTableName="orders_back")
    [work] = rows(state(slow), "progress")
    assert (work["account"], work["work"], work["name"]) == (OWNER, "table restore", "c1: orders_back")
    wait_for(lambda: not rows(state(slow), "progress"))


def test_data_api_statements_newest_first(data_server):
    create_available_cluster(data_server.client(OWNER), "c1")
    data = data_server.client(OWNER, service="redshift-data")
    target = {"ClusterIdentifier": "c1", "Database": "dev", "DbUser": "admin"}
    single = data.execute_statement(Sql="SELECT 1", **target)["Id"]
    batch = data.batch_execute_statement(Sqls=["SELECT 2", "SELECT 3"], **target)["Id"]
    wait_for(lambda: all(data.describe_statement(Id=i)["Status"] == "FINISHED" for i in (single, batch)), 60)
    shown = rows(state(data_server), "data_api_statements")
    assert [(r["account"], r["id"], r["target"], r["database"], r["sql"], r["status"]) for r in shown] == [
        (OWNER, batch, "c1", "dev", "batch of 2: SELECT 2", "FINISHED"),
        (OWNER, single, "c1", "dev", "SELECT 1", "FINISHED"),
    ]
    assert all(r["milliseconds"] >= 0 and r["error"] is None for r in shown)


def test_recent_calls_name_account_operation_status_error_and_time(ls):
    answered = ls.client(OWNER).describe_clusters()
    with pytest.raises(ClientError) as refused:
        ls.client(GRANTEE).describe_clusters(ClusterIdentifier="missing")
    newest, older = rows(state(ls), "calls")[:2]
    assert (newest["account"], newest["operation"], newest["status"]) == (GRANTEE, "DescribeClusters", 404)
    assert (older["account"], older["operation"], older["status"]) == (OWNER, "DescribeClusters", 200)
    assert newest["sequence"] > older["sequence"] and newest["milliseconds"] >= 0 and newest["time"]
    # What went wrong, as the SDK heard it, and the request id that ties the row to the SDK's exception.
    assert newest["error"] == "ClusterNotFound: Cluster missing not found."
    assert newest["request_id"] == refused.value.response["ResponseMetadata"]["RequestId"]
    assert older["error"] is None
    assert older["request_id"] == answered["ResponseMetadata"]["RequestId"]


def test_recent_calls_show_serverless_errors_too(ls):
    with pytest.raises(ClientError) as refused:
        Serverless(ls, OWNER).client.get_namespace(namespaceName="missing")
    [newest] = rows(state(ls), "calls")[:1]
    assert (newest["operation"], newest["status"]) == ("GetNamespace", 404)
    assert newest["error"] == f"ResourceNotFoundException: {refused.value.response['Error']['Message']}"


def test_reset_of_one_account_leaves_the_others(ls):
    for account in (OWNER, GRANTEE):
        create_available_snapshot_of(ls, account)
    ls.admin(f"/_localshift/reset?account={OWNER}")
    document = state(ls)
    assert {c["account"] for c in rows(document, "clusters")} == {GRANTEE}
    assert {s["account"] for s in rows(document, "snapshots")} == {GRANTEE}


def create_available_snapshot_of(server: Server, account: str) -> None:
    client = server.client(account)
    create_available_cluster(client, "c1")
    create_available_snapshot(client, "s1", "c1")


@pytest.mark.parametrize("query", ["account=", "account=12345", f"account={OWNER}&account=abc"])
def test_reset_refuses_what_is_not_an_account_id(ls, query):
    create_available_cluster(ls.client(OWNER), "c1")
    with pytest.raises(urllib.error.HTTPError) as refused:
        ls.admin(f"/_localshift/reset?{query}")
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["code"] == "InvalidParameterValue"
    assert len(rows(state(ls), "clusters")) == 1


# --------------------------------------------------------------------------------------------
# Strict mode: an admin's signature, and that admin's account alone
# --------------------------------------------------------------------------------------------


def test_strict_mode_shows_the_signing_admins_account_alone(strict):
    create_available_cluster(strict.client(ADMIN_KEY, secret=ADMIN_SECRET), "mine")
    create_available_cluster(strict.client(TENANT_KEY, secret=TENANT_SECRET), "theirs")
    status, document = read_state(strict, ADMIN_KEY, ADMIN_SECRET)
    assert status == 200
    assert [c["identifier"] for c in rows(document, "clusters")] == ["mine"]
    assert document["accounts"] == [{"account": OWNER, "regions": [REGION]}]
    assert {call["account"] for call in rows(document, "calls")} == {OWNER}
    assert (document["server"]["mode"], document["server"]["account"]) == ("strict", OWNER)


@pytest.mark.parametrize("who, code", [
    ({}, "MissingAuthenticationToken"),
    ({"key": ADMIN_KEY, "secret": "wrong"}, "SignatureDoesNotMatch"),
    ({"key": TENANT_KEY, "secret": TENANT_SECRET}, "AccessDenied"),
])
def test_strict_mode_refuses_others(strict_server, who, code):
    status, answer = read_state(strict_server, **who)
    assert (status, answer["code"]) == (403, code)


# --------------------------------------------------------------------------------------------
# The console's files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, content_type, marker", [
    ("/_localshift/console", "text/html; charset=utf-8", b"<title>localshift console</title>"),
    ("/_localshift/console/", "text/html; charset=utf-8", b"<title>localshift console</title>"),
    ("/_localshift/console/console.js", "text/javascript; charset=utf-8", b"/_localshift/state"),
    ("/_localshift/console/sigv4.js", "text/javascript; charset=utf-8", b"AWS4-HMAC-SHA256"),
    ("/_localshift/console/console.css", "text/css; charset=utf-8", b"--accent"),
])
def test_console_files_are_served_to_anyone(strict_server, path, content_type, marker):
    with urllib.request.urlopen(strict_server.url + path, timeout=30) as response:
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert marker in response.read()


@pytest.mark.parametrize("path", ["/_localshift/console/missing.js", "/_localshift/console/../state",
                                  "/_localshift/consoles"])
def test_no_other_console_file(server, path):
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server.url + path, timeout=30)
    assert missing.value.code == 404
