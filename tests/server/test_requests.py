"""The request path (server/requests.py): slow operations off the event loop, reads kept per
store generation and clock second, each answer with its own request id."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from typing import Any, Callable

from in_process_server import InProcessServer
from localshift.server.services import SERVICES, Service
from localshift.services.context import RequestContext
from support import OWNER, Server, create_available_cluster


def test_a_slow_operation_does_not_stall_other_requests() -> None:
    """An operation that blocks (here until the test lets it go) runs off the event loop: reads of
    every service are answered meanwhile; a write waits its turn and then runs."""
    release, started = threading.Event(), threading.Event()

    def execute_statement(backend: Any, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        started.set()
        assert release.wait(timeout=60)
        return {"Id": "statement-1", "Database": params["Database"]}

    blocking = Service("redshift-data", {"ExecuteStatement": execute_statement}, lambda runtime: None)
    with InProcessServer([*SERVICES, blocking]) as server:
        finished: list[str] = []

        def call(name: str, request: Callable[[], Any]) -> threading.Thread:
            thread = threading.Thread(target=lambda: (request(), finished.append(name)))
            thread.start()
            return thread

        data = server.client("redshift-data")
        slow = call("statement", lambda: data.execute_statement(Sql="select 1", Database="dev", ClusterIdentifier="c1"))
        assert started.wait(timeout=30)
        redshift, serverless = server.client("redshift"), server.client("redshift-serverless")
        write = call("namespace", lambda: serverless.create_namespace(namespaceName="ns1"))
        for _ in range(3):
            assert redshift.describe_clusters()["Clusters"] == []
            assert redshift.describe_cluster_snapshots()["Snapshots"] == []
            assert serverless.list_namespaces()["namespaces"] == []
        assert finished == [] and slow.is_alive() and write.is_alive()
        release.set()
        slow.join(timeout=60)
        write.join(timeout=60)
        assert sorted(finished) == ["namespace", "statement"]
        assert [n["namespaceName"] for n in serverless.list_namespaces()["namespaces"]] == ["ns1"]


def test_a_read_after_a_write_sees_the_write(redshift) -> None:  # type: ignore[no-untyped-def]
    assert redshift.describe_clusters()["Clusters"] == []
    create_available_cluster(redshift)
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["c1"]
    redshift.create_tags(ResourceName="arn:aws:redshift:us-east-1:111111111111:cluster:c1",
                         Tags=[{"Key": "team", "Value": "a"}])
    assert redshift.describe_clusters()["Clusters"][0]["Tags"] == [{"Key": "team", "Value": "a"}]


def test_repeated_reads_have_their_own_request_ids(ls: Server, redshift) -> None:  # type: ignore[no-untyped-def]
    create_available_cluster(redshift)
    answers = [redshift.describe_clusters() for _ in range(3)]
    ids = {answer["ResponseMetadata"]["RequestId"] for answer in answers}
    headers = {answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] for answer in answers}
    assert len(ids) == 3 and ids == headers
    assert all(answer["Clusters"] == answers[0]["Clusters"] for answer in answers)
    serverless = ls.client(OWNER, "redshift-serverless")
    serverless.create_namespace(namespaceName="ns1")
    listed = [serverless.list_namespaces() for _ in range(3)]
    assert len({answer["ResponseMetadata"]["RequestId"] for answer in listed}) == 3
    assert all(answer["namespaces"] == listed[0]["namespaces"] for answer in listed)


def test_reads_follow_the_service_clock(ls: Server, redshift) -> None:  # type: ignore[no-untyped-def]
    create_available_cluster(redshift)
    redshift.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1", ManualSnapshotRetentionPeriod=10)
    redshift.get_waiter("snapshot_available").wait(SnapshotIdentifier="s1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})

    def remaining() -> int:
        return redshift.describe_cluster_snapshots(SnapshotIdentifier="s1")["Snapshots"][0]["ManualSnapshotRemainingDays"]

    assert remaining() == 10
    ls.admin("/_localshift/time-travel?seconds=172800")
    assert remaining() == 8


def test_reads_are_per_account(ls: Server) -> None:
    create_available_cluster(ls.client(OWNER))
    request = ls.client(OWNER).describe_clusters()
    assert len(request["Clusters"]) == 1
    assert ls.client("222222222222").describe_clusters()["Clusters"] == []


def test_an_error_is_not_kept(redshift) -> None:  # type: ignore[no-untyped-def]
    from botocore.exceptions import ClientError

    try:
        redshift.describe_clusters(ClusterIdentifier="c1")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ClusterNotFound"
    else:
        raise AssertionError("c1 does not exist yet")
    create_available_cluster(redshift)
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterIdentifier"] == "c1"


def test_query_bodies_carry_the_request_id_of_their_header(ls: Server) -> None:
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    ids = set()
    for _ in range(2):
        request = AWSRequest(method="POST", url=ls.url + "/", data=b"Action=DescribeClusters&Version=2012-12-01",
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials(OWNER, "secret"), "redshift", "us-east-1").add_auth(request)
        prepared = request.prepare()
        sent = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST")
        with urllib.request.urlopen(sent, timeout=30) as response:
            header = response.headers["x-amzn-requestid"]
            body = response.read()
        root = ET.fromstring(body)
        assert root.find("{*}ResponseMetadata/{*}RequestId").text == header  # type: ignore[union-attr]
        ids.add(header)
    assert len(ids) == 2
    assert json.dumps(sorted(ids))  # two distinct ids


def test_kept_answers_last_one_generation_and_one_second() -> None:
    from datetime import datetime, timedelta, timezone

    from localshift.protocol.wire import Answer
    from localshift.server.requests import AnswerCache

    cache = AnswerCache()
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert cache.get("k", 7, now, "rid-0") is None
    cache.put("k", 7, now, Answer(200, "text/xml", b"<a><RequestId>rid-1</RequestId></a>", "rid-1"), "Op", 10)
    answer, action = cache.get("k", 7, now, "rid-2")  # type: ignore[misc]
    assert (answer.body, answer.request_id, action) == (b"<a><RequestId>rid-2</RequestId></a>", "rid-2", "Op")
    assert cache.get("k", 7, now + timedelta(seconds=1), "rid-3") is None  # the next second
    assert cache.get("other", 7, now, "rid-3") is None
    assert cache.get("k", 8, now, "rid-3") is None  # something was written
    # JSON bodies carry no request id; errors and answers computed at an older generation are not kept.
    cache.put("j", 8, now, Answer(200, "application/x-amz-json-1.1", b'{"a":1}', "rid-4"), "Op", 0)
    assert cache.get("j", 8, now, "rid-5")[0].body == b'{"a":1}'  # type: ignore[index]
    cache.put("e", 8, now, Answer(404, "text/xml", b"<e/>", "rid-6"), "Op", 0)
    cache.put("old", 7, now, Answer(200, "text/xml", b"<o/>", "rid-7"), "Op", 0)
    assert cache.get("e", 8, now, "x") is None and cache.get("old", 8, now, "x") is None
