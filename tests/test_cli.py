"""The localshift command line, and the AWS CLI as a client."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from support import OWNER, create_available_cluster, create_available_snapshot


def test_version():
    out = subprocess.run([sys.executable, "-m", "localshift", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "localshift, version 0.1.0"


def aws(server, *args: str) -> dict:  # type: ignore[no-untyped-def]
    env = dict(os.environ, AWS_ENDPOINT_URL=server.url, AWS_ACCESS_KEY_ID=OWNER, AWS_SECRET_ACCESS_KEY="x",
               AWS_DEFAULT_REGION="us-east-1")
    done = subprocess.run([sys.executable, "-m", "awscli", "redshift", *args, "--output", "json"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_aws_cli_lists_and_paginates_snapshots(ls):
    client = ls.client(OWNER)
    create_available_cluster(client, AutomatedSnapshotRetentionPeriod=1)
    for name in ("a", "b", "c"):
        create_available_snapshot(client, name)
    listed = aws(ls, "describe-cluster-snapshots", "--snapshot-type", "manual", "--page-size", "20")
    assert [s["SnapshotIdentifier"] for s in listed["Snapshots"]] == ["a", "b", "c"]
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/b"
    by_arn = aws(ls, "describe-cluster-snapshots", "--snapshot-arn", arn)
    assert [s["SnapshotIdentifier"] for s in by_arn["Snapshots"]] == ["b"]
    shared = aws(ls, "authorize-snapshot-access", "--snapshot-arn", arn, "--account-with-restore-access", "222222222222")
    assert shared["Snapshot"]["AccountsWithRestoreAccess"] == [{"AccountId": "222222222222"}]
