"""localshift.running(): a server for a block or a decorated function, the environment pointing at it."""

from __future__ import annotations

import os

import boto3
import pytest

import localshift
from support import OWNER, STRANGER, answers, create_available_cluster

ENDPOINT_VARIABLES = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_REDSHIFT", "AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS",
                      "AWS_ENDPOINT_URL_REDSHIFT_DATA"]


@pytest.fixture
def developer_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Variables a developer's shell may hold, which the block replaces and then puts back.
    The server inherits them too: a profile that does not exist must not trouble it."""
    values = {"AWS_ENDPOINT_URL": "http://elsewhere.invalid", "AWS_PROFILE": "mine", "AWS_SESSION_TOKEN": "token"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for name in ENDPOINT_VARIABLES[1:]:
        monkeypatch.delenv(name, raising=False)
    return values



def test_a_block_gets_a_server_of_its_own_and_the_environment_comes_back(developer_environment):
    with localshift.running(data_plane=False) as ls:
        assert [os.environ[name] for name in ENDPOINT_VARIABLES] == [ls.url] * 4
        assert "AWS_PROFILE" not in os.environ and "AWS_SESSION_TOKEN" not in os.environ
        # Code that builds its own clients reaches the server, as the block's first account.
        boto3.client("redshift").create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                                                MasterUsername="admin", MasterUserPassword="Passw0rd1")
        [cluster] = ls.redshift().describe_clusters()["Clusters"]
        assert cluster["ClusterNamespaceArn"].split(":")[4] == ls.account == "123456789012"
        assert ls.redshift(account=ls.accounts[1], region="eu-west-1").describe_clusters()["Clusters"] == []
        assert ls.server.health()["data_plane"] is False
        url = ls.url
    assert {name: os.environ.get(name) for name in developer_environment} == developer_environment
    assert all(name not in os.environ for name in ENDPOINT_VARIABLES[1:])
    assert not answers(url)


def test_a_decorated_function_gets_a_new_server_each_call(developer_environment):
    seen: list[str] = []

    @localshift.running(data_plane=False)
    def make_a_cluster() -> list[dict]:
        seen.append(os.environ["AWS_ENDPOINT_URL"])
        redshift = boto3.client("redshift")
        before = redshift.describe_clusters()["Clusters"]
        redshift.create_cluster(ClusterIdentifier="c1", NodeType="ra3.xlplus", NumberOfNodes=2,
                                MasterUsername="admin", MasterUserPassword="Passw0rd1")
        return before

    assert make_a_cluster() == [] and make_a_cluster() == []
    assert len(set(seen)) == 2 and not any(answers(url) for url in seen)
    assert os.environ["AWS_ENDPOINT_URL"] == developer_environment["AWS_ENDPOINT_URL"]


def test_a_running_server_is_used_and_only_its_accounts_reset(ls):
    create_available_cluster(ls.client(STRANGER), "others")
    create_available_cluster(ls.client(OWNER), "ours")  # OWNER is one of the block's accounts
    with localshift.running(url=ls.url, set_environment=False) as block:
        assert block.url == ls.url and os.environ.get("AWS_ENDPOINT_URL") != ls.url
        assert OWNER in block.accounts and STRANGER not in block.accounts
        assert block.redshift(account=OWNER).describe_clusters()["Clusters"] == []
    assert answers(ls.url)
    assert [c["ClusterIdentifier"] for c in ls.client(STRANGER).describe_clusters()["Clusters"]] == ["others"]
