"""Admin endpoints, the request log, and unknown or unimplemented actions."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from botocore.exceptions import ClientError

from support import OWNER, create_available_cluster, make_server


def test_health_reports_version_and_uptime(ls):
    health = json.loads(ls.admin("/_localshift/health", method="GET"))
    assert health["status"] == "running" and health["version"] == "0.1.0"
    assert health["uptime_seconds"] > 0 and health["schema_version"] >= 1


@pytest.mark.parametrize("path", ["/_localshift/reset", "/moto-api/reset"])
def test_reset_wipes_every_account(ls, path):
    create_available_cluster(ls.client(OWNER))
    create_available_cluster(ls.client("222222222222"))
    ls.admin(path)
    assert ls.client(OWNER).describe_clusters()["Clusters"] == []
    assert ls.client("222222222222").describe_clusters()["Clusters"] == []


def test_unknown_admin_path_is_404(ls):
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(ls.url + "/_localshift/nothing")
    assert excinfo.value.code == 404


def test_one_log_line_per_request(tmp_path):
    server = make_server(tmp_path, extra_env={"LOCALSHIFT_LOG_LEVEL": "info"}).start()
    try:
        client = server.client(OWNER)
        client.describe_clusters()
        with pytest.raises(ClientError):
            client.describe_clusters(ClusterIdentifier="missing")
    finally:
        server.stop()
    lines = [line for line in server.log_path.read_text().splitlines() if "localshift.requests" in line]
    # time, account, action, status, milliseconds
    pattern = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO localshift.requests \S+ (\d{12}) (\w+) (\d{3}) [\d.]+ms$")
    parsed = [pattern.match(line).groups() for line in lines]
    assert parsed == [(OWNER, "DescribeClusters", "200"), (OWNER, "DescribeClusters", "404")]


def test_an_operation_localshift_does_not_serve_is_invalid_action(redshift):
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_data_shares()
    assert excinfo.value.response["Error"]["Code"] == "InvalidAction"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
