"""Test support: starting real `localshift serve` processes, clients, waiting helpers."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from unittest import mock

import boto3
from awscli.clidriver import create_clidriver
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from engine_seed import remove_engine_root, seed_data_plane

REGION = "us-east-1"
OWNER, GRANTEE, STRANGER = "111111111111", "222222222222", "333333333333"
# The strict-mode server's keys (conftest.strict_server): OWNER may administer, GRANTEE may not.
ADMIN_KEY, ADMIN_SECRET = "AKIDADMIN", "admin-secret"
TENANT_KEY, TENANT_SECRET = "AKIDTENANT", "tenant-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A localshift process the tests started, and how to reach it."""

    port: int
    data_dir: Path
    env: dict[str, str]
    args: list[str] = field(default_factory=list)
    preexec_fn: Callable[[], None] | None = None  # run in the server's process before it starts
    seeded: bool = False  # its data plane starts from the session's seed (engine_seed.py)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        """The CA certificate the SQL endpoints' TLS certificate is signed with (`localshift serve` prints it)."""
        return self.data_dir / "dataplane" / "tls" / "ca.pem"

    def start(self) -> "Server":
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "localshift", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir),
             *self.args],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=self.preexec_fn,
        )
        # Starting Python and importing the server has taken over 30 s on a loaded machine.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"localshift exited: {self.log_path.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(self.url + "/_localshift/health", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("localshift did not start")

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(timeout=30)

    def close(self) -> None:
        """Wipe the server's state (engines and snapshot data may live outside its data dir), then stop it;
        a seeded server's engine directory goes too (its template outlives the engines)."""
        if self.process and self.process.poll() is None:
            self.reset()
        self.stop()
        if self.seeded:
            remove_engine_root(self.data_dir / "dataplane")

    def admin(self, path: str, method: str = "POST") -> bytes:
        """Call an admin endpoint; in strict mode signed, as the admin endpoints require there."""
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        for name, value in self.admin_signature(path, method).items():
            request.add_header(name, value)
        # A reset stops every engine the server holds: on a loaded machine that has taken over 30 s.
        return urllib.request.urlopen(request, timeout=120).read()

    def admin_signature(self, path: str, method: str = "POST") -> dict[str, str]:
        """SigV4 headers for an admin request by the first configured key (none in open mode)."""
        entries = [e.strip() for e in self.env.get("LOCALSHIFT_ACCOUNTS", "").split(",") if e.strip()]
        if not entries:
            return {}
        key, secret, _ = entries[0].split(":")
        signed = AWSRequest(method=method, url=self.url + path, data=b"")
        SigV4Auth(Credentials(key, secret), "localshift", REGION).add_auth(signed)
        return {name: signed.headers[name] for name in ("Authorization", "X-Amz-Date")}

    def reset(self) -> None:
        self.admin("/_localshift/reset")

    def client(self, account: str = OWNER, service: str = "redshift", secret: str = "secret", region: str = REGION):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}),
        )


def aws_cli(server: Server, *args: str, account: str = OWNER, service: str = "redshift") -> dict:
    """Run ``aws <service> <args>`` against a server as ``account``; its JSON output.  The CLI's driver runs
    in this process, as its `aws` entry point runs it: a process of its own took a second or more per call
    to start Python and import the CLI."""
    env = {"AWS_ENDPOINT_URL": server.url, "AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_DEFAULT_REGION": REGION}
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        returncode = create_clidriver().main([service, *args, "--output", "json"])
    assert returncode == 0, err.getvalue()
    return json.loads(out.getvalue()) if out.getvalue().strip() else {}


def make_server(tmp: Path, *, data_plane: bool = False, extra_env: dict[str, str] | None = None,
                args: list[str] | None = None, keys: dict[str, tuple[str, str]] | None = None) -> Server:
    """A server (not yet started) over ``tmp``; with ``keys`` a strict-mode one, whose LOCALSHIFT_ACCOUNTS
    are those access key ids, each with its (secret, account or account:identity), and whose admin account
    (unless ``extra_env`` names them) is the first key's, which signs its resets (Server.admin)."""
    env = dict(os.environ)
    env.update({"LOCALSHIFT_TRANSITION_DELAY": "0.05", "LOCALSHIFT_LOG_LEVEL": "warning"})
    if keys:
        env["LOCALSHIFT_ACCOUNTS"] = ",".join(f"{key}:{secret}:{identity}" for key, (secret, identity) in keys.items())
        env["LOCALSHIFT_ADMIN_ACCOUNTS"] = next(iter(keys.values()))[1].split(":")[0]
    env.update(extra_env or {})
    server_args = list(args or [])
    if not data_plane:
        server_args.append("--no-data-plane")
    # An ephemeral server, or one told where its engines go, makes its data plane elsewhere.
    seeded = data_plane and "--ephemeral" not in server_args and not {
        "LOCALSHIFT_EPHEMERAL", "LOCALSHIFT_ENGINE_DIR"} & set(extra_env or {})
    if seeded:
        seed_data_plane(tmp / "data" / "dataplane")
    return Server(free_port(), tmp / "data", env, server_args, seeded=seeded)


# How long wait_for waits by default: generous (CI runs two workers on two loaded cores, where an engine's start
# or a ticker's round has taken tens of seconds); spent only when the condition never holds.
WAIT_SECONDS = 120.0


def answers(url: str) -> bool:
    """Whether a localshift server answers its health check at ``url``."""
    try:
        urllib.request.urlopen(url + "/_localshift/health", timeout=2).read()
        return True
    except OSError:
        return False


def wait_for(predicate, timeout: float = WAIT_SECONDS, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """``predicate()``'s first truthy value, polled until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def travel_until(server: Server, seconds: float, predicate, steps: int) -> bool:  # type: ignore[no-untyped-def]
    """Move the server's clock ``seconds`` at a time, at most ``steps`` times, giving the scheduler's ticks a
    moment to see each step, until ``predicate`` holds; whether it did.  After the last step the ticks get
    as long as wait_for gives: on a loaded machine a tick can come well after the 1.5 s a step waits, and
    the clock has then moved all it may (what the test bounds), so waiting longer proves nothing less."""
    for step in range(1, steps + 1):
        server.admin(f"/_localshift/time-travel?seconds={seconds}")
        try:
            wait_for(predicate, timeout=1.5 if step < steps else WAIT_SECONDS)
            return True
        except AssertionError:
            continue
    return False


def error_of(excinfo) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    """The code, HTTP status and message of a ClientError caught by pytest.raises."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def wait_available(client, identifier: str = "c1") -> dict:  # type: ignore[no-untyped-def]
    """Wait (patiently: reboots and resizes take a while) until a cluster is available; the cluster."""
    client.get_waiter("cluster_available").wait(ClusterIdentifier=identifier,
                                                WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    return client.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]


def create_available_cluster(client, identifier: str = "c1", **overrides) -> dict:  # type: ignore[no-untyped-def]
    params = dict(
        ClusterIdentifier=identifier, NodeType="ra3.xlplus", NumberOfNodes=2,
        MasterUsername="admin", MasterUserPassword="Passw0rd1",
    )
    params.update(overrides)
    client.create_cluster(**params)
    client.get_waiter("cluster_available").wait(
        ClusterIdentifier=identifier, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600}
    )
    return client.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]


def create_available_snapshot(client, snapshot: str = "s1", cluster: str = "c1", **extra) -> dict:  # type: ignore[no-untyped-def]
    client.create_cluster_snapshot(SnapshotIdentifier=snapshot, ClusterIdentifier=cluster, **extra)
    client.get_waiter("snapshot_available").wait(
        SnapshotIdentifier=snapshot, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600}
    )
    return client.describe_cluster_snapshots(SnapshotIdentifier=snapshot)["Snapshots"][0]


def sql(port: int, statement: str, user: str = "admin", password: str = "Passw0rd1", db: str = "dev") -> list[tuple]:
    """Run one statement on a cluster's or workgroup's endpoint; its rows (none for a statement without)."""
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user=user, password=password, dbname=db,
                         connect_timeout=30, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


@functools.lru_cache(maxsize=None)
def value_matching(pattern: str, low: int = 0, high: int | None = None) -> str:
    """A string that matches a model pattern (searched, as the server checks it) within length bounds:
    for patterns newer botocore models bring that no hand-picked value matches.  The first example a
    derandomized search finds (the same every run): shrinking it further took minutes for some ARN
    and UUID patterns, and brought the same value."""
    from hypothesis import HealthCheck, Phase, find, settings, strategies

    def fits(text: str) -> bool:
        return low <= len(text) and (high is None or len(text) <= high) and text.isprintable()

    return find(
        strategies.from_regex(pattern),
        fits,
        settings=settings(database=None, max_examples=5000, derandomize=True, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck)),
    )


def served(tmp_path_factory, name: str, **options) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """A server for a fixture to yield: started in a fresh directory, wiped and stopped after."""
    server = make_server(tmp_path_factory.mktemp(name), **options).start()
    yield server
    server.close()
