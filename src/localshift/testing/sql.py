"""SQL connections to a cluster or a serverless workgroup, found by identifier through the API."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator

DRIVERS = ("psycopg", "redshift_connector")
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    user: str
    database: str


def find_endpoint(redshift: Any, serverless: Any, identifier: str, deadline: float) -> Endpoint:
    """The SQL endpoint of cluster ``identifier`` or, when there is no such cluster, of workgroup
    ``identifier``; waits (until ``deadline``, a time.monotonic() value) for it to be available."""
    while True:
        found = _cluster_endpoint(redshift, identifier)
        if found is _ABSENT:
            found = _workgroup_endpoint(serverless, identifier)
        if found is _ABSENT:
            raise LookupError(f"no cluster or serverless workgroup named {identifier!r}")
        if isinstance(found, Endpoint):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{identifier} is {found}, not available")
        time.sleep(POLL_SECONDS)


_ABSENT = object()


def _cluster_endpoint(redshift: Any, identifier: str) -> Endpoint | str | object:
    """The cluster's endpoint; its status while not available; _ABSENT when there is no such cluster."""
    try:
        cluster = redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]
    except redshift.exceptions.ClusterNotFoundFault:
        return _ABSENT
    if cluster["ClusterStatus"] != "available" or "Endpoint" not in cluster:
        return cluster["ClusterStatus"]
    address = cluster["Endpoint"]
    return Endpoint(address["Address"], address["Port"], cluster["MasterUsername"], cluster["DBName"])


def _workgroup_endpoint(serverless: Any, identifier: str) -> Endpoint | str | object:
    try:
        workgroup = serverless.get_workgroup(workgroupName=identifier)["workgroup"]
    except serverless.exceptions.ResourceNotFoundException:
        return _ABSENT
    if workgroup["status"] != "AVAILABLE" or "endpoint" not in workgroup:
        return workgroup["status"]
    namespace = serverless.get_namespace(namespaceName=workgroup["namespaceName"])["namespace"]
    if namespace["status"] != "AVAILABLE":
        return namespace["status"]
    address = workgroup["endpoint"]
    return Endpoint(address["address"], address["port"], namespace.get("adminUsername") or "admin",
                    namespace.get("dbName") or "dev")


def connect(driver: str, host: str, port: int, user: str, password: str, database: str,
            ca_file: str | None = None, **options: Any) -> Any:
    """A connection with ``driver``, over TLS unless ``options`` say otherwise: psycopg with
    sslmode=require; redshift_connector verifies the endpoint's certificate against the system's
    CAs, so ``ca_file`` (the server's CA) is made trusted while it connects."""
    if driver == "psycopg":
        import psycopg

        # TLS, which every endpoint serves: libpq's default "prefer" would retry a refused login in plain text,
        # which a require_ssl endpoint refuses too, with an error that hides the first.
        return psycopg.connect(host=host, port=port, user=user, password=password, dbname=database,
                               **{"sslmode": "require", **options})
    if driver == "redshift_connector":
        import redshift_connector

        with _trusting(ca_file):
            return redshift_connector.connect(host=host, port=port, user=user, password=password,
                                              database=database, **options)
    raise ValueError(f"unknown driver {driver!r}: use one of {', '.join(DRIVERS)}")


_TRUST_LOCK = threading.Lock()


@contextlib.contextmanager
def _trusting(ca_file: str | None) -> Iterator[None]:
    """redshift_connector has no CA option: its certificate loading reads SSL_CERT_FILE, set here
    for the time of a connect (one at a time: the environment is the process's)."""
    if ca_file is None:
        yield
        return
    with _TRUST_LOCK:
        before = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = ca_file
        try:
            yield
        finally:
            if before is None:
                del os.environ["SSL_CERT_FILE"]
            else:
                os.environ["SSL_CERT_FILE"] = before
