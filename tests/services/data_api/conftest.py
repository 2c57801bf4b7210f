"""Fixtures of the Data API tests: one server with the data plane and one cluster for the package.

The cluster is shared: tests make tables of their own names (``table`` fixture) and never
reset the server; those that need a server of their own (restarts) start one.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support import OWNER, REGION, Server, create_available_cluster, make_server, wait_for

CLUSTER, DATABASE, MASTER, PASSWORD = "dapi", "dev", "admin", "Passw0rd1"
DONE = ("FINISHED", "FAILED", "ABORTED")


class DataApi:
    """A redshift-data client of one account, with helpers that wait for statements."""

    def __init__(self, server: Server, account: str = OWNER, **target: Any) -> None:
        self.server = server
        self.client = server.client(account, "redshift-data")
        self.target = target or {"ClusterIdentifier": CLUSTER, "Database": DATABASE, "DbUser": MASTER}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def submit(self, sql: str, **params: Any) -> str:
        return self.client.execute_statement(Sql=sql, **{**self.target, **params})["Id"]

    def wait(self, statement_id: str, until: tuple[str, ...] = DONE, timeout: float = 120) -> dict:
        return wait_for(lambda: _described(self.client, statement_id, until), timeout=timeout, interval=0.01)

    def run(self, sql: str, **params: Any) -> dict:
        """Run a statement to its end; its description."""
        return self.wait(self.submit(sql, **params))

    def ok(self, sql: str, **params: Any) -> dict:
        described = self.run(sql, **params)
        assert described["Status"] == "FINISHED", described.get("Error")
        return described

    def records(self, sql: str, **params: Any) -> list[list[dict]]:
        return self.client.get_statement_result(Id=self.ok(sql, **params)["Id"])["Records"]

    def batch(self, sqls: list[str], **params: Any) -> dict:
        statement_id = self.client.batch_execute_statement(Sqls=sqls, **{**self.target, **params})["Id"]
        return self.wait(statement_id)


class FakeSession:
    """A kept connection whose reuse the test decides (no engine behind it)."""

    pid = 4242

    def __init__(self) -> None:
        self.can_be_reused = True
        self.closed = False

    def reusable(self) -> bool:
        return self.can_be_reused and not self.closed

    def reset(self) -> bool:
        return not self.closed

    def close(self) -> None:
        self.closed = True


class FakeDataPlane:
    """A data plane serving every engine on one port, whose logins open ``session`` objects."""

    serves_sql = True

    def __init__(self, session: type[FakeSession] = FakeSession) -> None:
        self.session = session
        self.opened: list[FakeSession] = []

    def sql_port(self, key: str) -> int:
        return 5439

    def allow_login(self, key: str, login: object) -> None:
        pass

    def open_sql(self, key: str, user: str, password: str, database: str) -> FakeSession:
        self.opened.append(self.session())
        return self.opened[-1]


def unchecked(server: Server, account: str = OWNER) -> Any:
    """A redshift-data client that sends what the model forbids, for the server to refuse."""
    return boto3.client("redshift-data", endpoint_url=server.url, region_name=REGION, aws_access_key_id=account,
                        aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=False))


def _described(client: Any, statement_id: str, until: tuple[str, ...]) -> dict | None:
    described = client.describe_statement(Id=statement_id)
    return described if described["Status"] in until else None


def error_of(call: Any, **params: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value


def code_of(call: Any, **params: Any) -> str:
    return error_of(call, **params).response["Error"]["Code"]


@pytest.fixture(scope="package")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("data-api"), data_plane=True).start()
    create_available_cluster(server.client(OWNER), CLUSTER, MasterUsername=MASTER, MasterUserPassword=PASSWORD)
    yield server
    server.close()


@pytest.fixture
def data(data_server: Server) -> DataApi:
    return DataApi(data_server)


@pytest.fixture
def table(request: pytest.FixtureRequest) -> str:
    """A table name of this test's own."""
    return "t_" + re.sub(r"\W", "_", request.node.name).lower()[:50]
