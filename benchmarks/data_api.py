#!/usr/bin/env python3
"""Redshift Data API: one-row round trip latency, and rows/s paging a large result.

What it does:

1. starts ``localshift serve --ephemeral`` (data plane on) on a free port, creates a
   single-node cluster and waits until it is available;
2. latency: --iterations times, ExecuteStatement ``SELECT 1``, DescribeStatement until
   FINISHED (polling without pause), GetStatementResult; prints p50/p90/mean of the whole
   round trip, and the same for the three calls made over raw HTTP (requests signed by
   botocore, bodies read with json.loads): the difference is boto3's own cost;
3. paging: creates a table of --rows rows (``id bigint, label varchar``), runs
   ``SELECT id, label FROM t ORDER BY id``, and prints how long the statement took to
   FINISH and how many rows/s GetStatementResult pages deliver, through boto3's
   paginator and over raw HTTP;
4. the wait for the query history: --history-reads times, over one SQL connection to the
   cluster's endpoint, a statement then a read of STL_QUERY, which waits until the statement
   before it is written to the history (docs/sql.md, "Query history"); prints p50/p90/mean of
   the read (0 skips it);
5. stops the server (its engines and data go with it).

Example (the command behind docs/benchmarks.md):

    python benchmarks/data_api.py --iterations 300 --rows 1000000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import psycopg
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ACCOUNT, REGION = "111111111111", "us-east-1"
TARGET = {"ClusterIdentifier": "bench", "Database": "dev", "DbUser": "admin"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    log = open(Path(tempfile.gettempdir()) / f"localshift-data-api-bench-{port}.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "localshift", "serve", "--port", str(port), "--ephemeral"],
                               env={**os.environ, "LOCALSHIFT_LOG_LEVEL": "warning"}, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_localshift/health", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("localshift did not start")


def client(url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=ACCOUNT,
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 1}))


class RawClient:
    """The Data API over one keep-alive HTTP connection: botocore signs, json.loads reads."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.credentials = Credentials(ACCOUNT, "secret")

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        request = AWSRequest(method="POST", url=f"http://127.0.0.1:{self.port}/", data=json.dumps(params).encode(),
                             headers={"Content-Type": "application/x-amz-json-1.1",
                                      "X-Amz-Target": f"RedshiftData.{operation}"})
        SigV4Auth(self.credentials, "redshift-data", REGION).add_auth(request)
        try:
            self.conn.request("POST", "/", body=request.body, headers=dict(request.headers.items()))
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):  # the server closed an idle keep-alive connection
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port)
            self.conn.request("POST", "/", body=request.body, headers=dict(request.headers.items()))
            response = self.conn.getresponse()
        body = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"{operation}: {body}")
        return body


def one_row_boto3(data: Any) -> float:
    started = time.perf_counter()
    statement_id = data.execute_statement(Sql="SELECT 1", **TARGET)["Id"]
    while data.describe_statement(Id=statement_id)["Status"] != "FINISHED":
        pass
    records = data.get_statement_result(Id=statement_id)["Records"]
    elapsed = time.perf_counter() - started
    assert records == [[{"longValue": 1}]]
    return elapsed


def one_row_raw(raw: RawClient) -> float:
    started = time.perf_counter()
    statement_id = raw.call("ExecuteStatement", {"Sql": "SELECT 1", **TARGET})["Id"]
    while raw.call("DescribeStatement", {"Id": statement_id})["Status"] != "FINISHED":
        pass
    records = raw.call("GetStatementResult", {"Id": statement_id})["Records"]
    elapsed = time.perf_counter() - started
    assert records == [[{"longValue": 1}]]
    return elapsed


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (f"p50 {ms[len(ms) // 2]:.2f} ms, p90 {ms[int(len(ms) * 0.9)]:.2f} ms, "
            f"mean {statistics.fmean(ms):.2f} ms ({len(ms)} round trips)")


def wait_finished(data: Any, statement_id: str) -> dict[str, Any]:
    while True:
        described = data.describe_statement(Id=statement_id)
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            assert described["Status"] == "FINISHED", described.get("Error")
            return described
        time.sleep(0.01)


def page_boto3(data: Any, statement_id: str) -> tuple[int, float]:
    started = time.perf_counter()
    rows = sum(len(page["Records"]) for page in
               data.get_paginator("get_statement_result").paginate(Id=statement_id))
    return rows, time.perf_counter() - started


def page_raw(raw: RawClient, statement_id: str) -> tuple[int, float]:
    started = time.perf_counter()
    rows, token = 0, None
    while True:
        page = raw.call("GetStatementResult", {"Id": statement_id, **({"NextToken": token} if token else {})})
        rows += len(page["Records"])
        token = page.get("NextToken")
        if not token:
            return rows, time.perf_counter() - started


def history_reads(redshift: Any, reads: int) -> list[float]:
    """Seconds each STL_QUERY read took, right after a statement (so it waits for that one's write)."""
    port = redshift.describe_clusters(ClusterIdentifier="bench")["Clusters"][0]["Endpoint"]["Port"]
    seconds = []
    with psycopg.connect(host="127.0.0.1", port=port, user="admin", password="Passw0rd1", dbname="dev",
                         autocommit=True) as conn:
        for _ in range(reads + 20):  # the first 20 warm up
            conn.execute("SELECT 1")
            started = time.perf_counter()
            conn.execute("SELECT count(*) FROM stl_query WHERE query = pg_last_query_id()").fetchall()
            seconds.append(time.perf_counter() - started)
    return seconds[20:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--history-reads", type=int, default=0)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        redshift = client(url, "redshift")
        redshift.create_cluster(ClusterIdentifier="bench", NodeType="ra3.xlplus", ClusterType="single-node",
                                MasterUsername="admin", MasterUserPassword="Passw0rd1")
        redshift.get_waiter("cluster_available").wait(ClusterIdentifier="bench",
                                                      WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
        data, raw = client(url, "redshift-data"), RawClient(port)
        for _ in range(20):  # warm up: connections pooled, code paths loaded
            one_row_boto3(data)
            one_row_raw(raw)
        print("one-row round trip, boto3:   ", summary([one_row_boto3(data) for _ in range(args.iterations)]))
        print("one-row round trip, raw HTTP:", summary([one_row_raw(raw) for _ in range(args.iterations)]))
        if args.history_reads:
            print("STL_QUERY read after a statement:", summary(history_reads(redshift, args.history_reads)))

        wait_finished(data, data.execute_statement(
            Sql=f"CREATE TABLE t AS SELECT g::bigint AS id, ('row ' || g)::varchar(20) AS label "
                f"FROM generate_series(1, {args.rows}) g", **TARGET)["Id"])
        started = time.perf_counter()
        statement_id = data.execute_statement(Sql="SELECT id, label FROM t ORDER BY id", **TARGET)["Id"]
        described = wait_finished(data, statement_id)
        print(f"{args.rows:,}-row SELECT to FINISHED: {time.perf_counter() - started:.2f} s "
              f"({described['ResultSize'] / 1e6:.0f} MB stored)")
        for name, run in (("boto3 paginator", lambda: page_boto3(data, statement_id)),
                          ("raw HTTP", lambda: page_raw(raw, statement_id))):
            rows, seconds = run()
            assert rows == args.rows, rows
            print(f"paging {rows:,} rows, {name}: {seconds:.2f} s, {rows / seconds:,.0f} rows/s")
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
