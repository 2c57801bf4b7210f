"""What a test or script holds while it uses a localshift server: its URL, its accounts,
boto3 clients per service, account and region, SQL connections, reset."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Sequence

from localshift.testing.environment import SECRET_KEY, endpoint_environment
from localshift.testing.process import LocalshiftServer

DEFAULT_REGION = "us-east-1"
# The accounts a test uses on a server of its own: the first is where clients and the
# environment point unless told otherwise; the others are there for sharing between accounts.
DEFAULT_ACCOUNTS = ("123456789012", "111111111111", "222222222222")
ACCOUNTS_PER_WORKER = 3


def worker_accounts(worker: int) -> tuple[str, ...]:
    """The accounts of one of several test processes sharing a server: none shared with another's.
    Worker 0's are 100000000001, 100000000002, ...; worker 1's 101000000001, ..."""
    return tuple(f"{100 + worker:03d}{number:09d}" for number in range(1, ACCOUNTS_PER_WORKER + 1))


class Localshift:
    def __init__(self, server: LocalshiftServer, accounts: Sequence[str] = DEFAULT_ACCOUNTS,
                 region: str = DEFAULT_REGION, *, owns_server: bool | None = None) -> None:
        self.server = server
        self.accounts = tuple(accounts)
        self.region = region
        # A server shared with other test processes is reset one account at a time: only ours.
        self.owns_server = server.started_here if owns_server is None else owns_server
        self._clients: dict[tuple[str, str, str], Any] = {}
        # Seconds this handle moved the clock since its last reset, taken back by the next one.
        self._travelled = 0.0

    def __repr__(self) -> str:
        # What a failed test's report shows of its fixture.
        return f"Localshift(url={self.url!r}, accounts={self.accounts!r}, region={self.region!r})"

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def account(self) -> str:
        """The account clients and the endpoint variables use unless told otherwise."""
        return self.accounts[0]

    def reset(self) -> None:
        """Remove every resource: of every account on a server of our own, else of our accounts.

        The clock goes back to real time: on a server of our own with the rest, on a shared
        one (whose reset of some accounts leaves the clock) by undoing our own time travel."""
        self.server.reset(None if self.owns_server else self.accounts)
        if not self.owns_server and self._travelled:
            self.server.admin("/_localshift/time-travel", query={"seconds": -self._travelled})
        self._travelled = 0.0

    def time_travel(self, seconds: float) -> datetime:
        """Move the service's clock ``seconds`` on (negative: back), so that automated snapshots
        fall due and retention periods end without waiting; the service's time now."""
        answer = self.server.admin("/_localshift/time-travel", query={"seconds": seconds})
        self._travelled += seconds
        return datetime.fromisoformat(answer["now"])

    def environment(self) -> AbstractContextManager[None]:
        """Set AWS_ENDPOINT_URL (and the per-service variables), credentials and region for a while."""
        return endpoint_environment(self.url, self.account, self.region)

    # --- clients ---------------------------------------------------------------------------

    def client(self, service: str, account: str | None = None, region: str | None = None) -> Any:
        """A boto3 client of ``service`` signing as ``account`` (open mode: the key id is the account)."""
        key = (service, account or self.account, region or self.region)
        if key not in self._clients:
            import boto3
            from botocore.config import Config

            self._clients[key] = boto3.client(
                service, endpoint_url=self.url, region_name=key[2], aws_access_key_id=key[1],
                aws_secret_access_key=SECRET_KEY, config=Config(retries={"max_attempts": 1}),
            )
        return self._clients[key]

    def redshift(self, account: str | None = None, region: str | None = None) -> Any:
        return self.client("redshift", account, region)

    def serverless(self, account: str | None = None, region: str | None = None) -> Any:
        return self.client("redshift-serverless", account, region)

    def data(self, account: str | None = None, region: str | None = None) -> Any:
        return self.client("redshift-data", account, region)

    # --- SQL -------------------------------------------------------------------------------

    def connect(self, identifier: str, password: str, *, user: str | None = None, database: str | None = None,
                account: str | None = None, region: str | None = None, driver: str = "psycopg",
                timeout: float = 120.0, **options: Any) -> Any:
        """A SQL connection to the cluster or serverless workgroup ``identifier``, once it is available.

        The user and database default to the master (admin) user and the database it was
        created with; ``driver`` is ``psycopg`` or ``redshift_connector``; ``options`` go to
        the driver's connect."""
        from localshift.testing.sql import connect, find_endpoint

        endpoint = find_endpoint(self.redshift(account, region), self.serverless(account, region), identifier,
                                 deadline=time.monotonic() + timeout)
        ca_file = self.server.sql_ca_file() if driver == "redshift_connector" and "ssl" not in options else None
        return connect(driver, endpoint.host, endpoint.port, user or endpoint.user, password,
                       database or endpoint.database, ca_file=ca_file, **options)
