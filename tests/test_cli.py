"""The localshift command line, and the AWS CLI as a client."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner

from localshift.cli import main
from support import GRANTEE, OWNER, answers, aws_cli, wait_for, create_available_cluster, create_available_snapshot, free_port, make_server


def test_version():
    out = subprocess.run([sys.executable, "-m", "localshift", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "localshift, version 0.1.0"


def test_aws_cli_lists_and_paginates_snapshots(ls):
    client = ls.client(OWNER)
    create_available_cluster(client, AutomatedSnapshotRetentionPeriod=1)
    for name in ("a", "b", "c"):
        create_available_snapshot(client, name)
    listed = aws_cli(ls, "describe-cluster-snapshots", "--snapshot-type", "manual", "--page-size", "20")
    assert [s["SnapshotIdentifier"] for s in listed["Snapshots"]] == ["a", "b", "c"]
    arn = f"arn:aws:redshift:us-east-1:{OWNER}:snapshot:c1/b"
    by_arn = aws_cli(ls, "describe-cluster-snapshots", "--snapshot-arn", arn)
    assert [s["SnapshotIdentifier"] for s in by_arn["Snapshots"]] == ["b"]
    shared = aws_cli(ls, "authorize-snapshot-access", "--snapshot-arn", arn, "--account-with-restore-access", "222222222222")
    assert shared["Snapshot"]["AccountsWithRestoreAccess"] == [{"AccountId": "222222222222"}]


# --------------------------------------------------------------------------------------------
# Starting and refusing to start
# --------------------------------------------------------------------------------------------


def localshift(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "localshift", *args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=60)


def test_bare_localshift_prints_help():
    done = localshift()
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "serve" in done.stdout
    assert done.stderr == ""


def refusal(done: subprocess.CompletedProcess) -> str:
    """The one stderr line of a start that was refused."""
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("localshift: ")
    return lines[0]


BAD_SETTINGS = {
    "port too high": (["--port", "70000"], {}, "--port: 70000 is out of range (it must be from 1 to 65535)"),
    "port zero": ([], {"LOCALSHIFT_PORT": "0"}, "LOCALSHIFT_PORT: 0 is out of range"),
    "port text": (["--port", "http"], {}, "--port: 'http' is not a whole number"),
    "log level": (["--log-level", "loud"], {}, "--log-level: unknown log level 'loud'"),
    "log level variable": ([], {"LOCALSHIFT_LOG_LEVEL": "verbose"}, "LOCALSHIFT_LOG_LEVEL: unknown log level"),
    "accounts": ([], {"LOCALSHIFT_ACCOUNTS": "AKID1:SECRET1:111111111111,AKID2:hunter2"},
                 "LOCALSHIFT_ACCOUNTS: entry 2 (key 'AKID2') is not AKID:SECRET:ACCOUNT"),
    "accounts short id": ([], {"LOCALSHIFT_ACCOUNTS": "AKID1:SECRET1:1111"}, "LOCALSHIFT_ACCOUNTS: entry 1"),
    "accounts identity": ([], {"LOCALSHIFT_ACCOUNTS": "AKID1:hunter2:111111111111:group/admins"},
                          "entry 1 (key 'AKID1') is not AKID:SECRET:ACCOUNT with a 12-digit account, optionally "
                          "followed by :user/NAME or :role/NAME"),
    "accounts twice": ([], {"LOCALSHIFT_ACCOUNTS": "AKID1:A:111111111111,AKID1:B:111111111111"},
                       "access key 'AKID1' is configured twice"),
    "accounts file missing": ([], {"LOCALSHIFT_ACCOUNTS_FILE": "/nonexistent/accounts"},
                              "LOCALSHIFT_ACCOUNTS_FILE /nonexistent/accounts: cannot be read (No such file or directory)"),
    "admin accounts": ([], {"LOCALSHIFT_ACCOUNTS": "AKID1:SECRET1:111111111111",
                            "LOCALSHIFT_ADMIN_ACCOUNTS": "222222222222"},
                       "LOCALSHIFT_ADMIN_ACCOUNTS: account 222222222222 has no configured access key"),
    "default account": ([], {"LOCALSHIFT_DEFAULT_ACCOUNT": "me"}, "LOCALSHIFT_DEFAULT_ACCOUNT: 'me' is not"),
    "delay": ([], {"LOCALSHIFT_TRANSITION_DELAY": "nan"}, "LOCALSHIFT_TRANSITION_DELAY: 'nan' is not a number"),
    "interval": ([], {"LOCALSHIFT_AUTOMATED_SNAPSHOT_INTERVAL": "1e999"}, "LOCALSHIFT_AUTOMATED_SNAPSHOT_INTERVAL"),
    "quota": ([], {"LOCALSHIFT_MANUAL_SNAPSHOT_QUOTA": "-1"}, "LOCALSHIFT_MANUAL_SNAPSHOT_QUOTA: -1 is out of range"),
    "quota text": ([], {"LOCALSHIFT_MANUAL_SNAPSHOT_QUOTA": "many"}, "is not a whole number"),
    "ephemeral": ([], {"LOCALSHIFT_EPHEMERAL": "maybe"}, "LOCALSHIFT_EPHEMERAL: 'maybe' is not a boolean"),
    "host": (["--host", "no-such-host.invalid"], {}, "cannot listen on no-such-host.invalid"),
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_bad_settings_end_with_one_clear_line(tmp_path, case):
    args, env, expected = BAD_SETTINGS[case]
    done = localshift("serve", "--no-data-plane", "--data-dir", str(tmp_path / "data"), *args, env=env)
    line = refusal(done)
    assert expected in line, line
    assert "hunter2" not in done.stderr  # a secret is never echoed


def test_a_malformed_accounts_file_is_one_line(tmp_path):
    accounts = tmp_path / "accounts"
    accounts.write_text("# keys\nAKID1:SECRET1:111111111111\n\nnot-an-entry\n")
    done = localshift("serve", "--no-data-plane", "--data-dir", str(tmp_path / "data"),
                      env={"LOCALSHIFT_ACCOUNTS_FILE": str(accounts)})
    assert f"LOCALSHIFT_ACCOUNTS_FILE {accounts}: entry 2 (key 'not-an-entry')" in refusal(done)


@pytest.mark.parametrize("data_dir, expected", [
    ("file", "is not a directory"),
    ("file/below", "cannot be created: Not a directory"),
    ("/sys", "is not writable: Permission denied"),  # not even root may create files there
    ("/sys/localshift", "cannot be created"),
])
def test_unusable_data_dirs_end_with_one_clear_line(tmp_path, data_dir, expected):
    (tmp_path / "file").write_text("not a directory")
    path = tmp_path / data_dir if not data_dir.startswith("/") else data_dir
    line = refusal(localshift("serve", "--no-data-plane", "--data-dir", str(path)))
    assert line.startswith(f"localshift: data dir {path} ") and expected in line, line


def test_a_store_that_cannot_be_opened_is_one_line(tmp_path):
    data = tmp_path / "data"
    (data / "localshift.sqlite3").mkdir(parents=True)  # the store's path taken by a directory
    line = refusal(localshift("serve", "--no-data-plane", "--data-dir", str(data)))
    assert line == f"localshift: the store {data / 'localshift.sqlite3'} cannot be opened: Is a directory", line


def test_a_data_dir_of_a_newer_version_is_refused_untouched(tmp_path):
    from localshift.store.schema import MIGRATIONS

    data = tmp_path / "data"
    data.mkdir()
    store = sqlite3.connect(data / "localshift.sqlite3")
    store.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 3}")
    store.close()
    line = refusal(localshift("serve", "--no-data-plane", "--data-dir", str(data)))
    assert line == (f"localshift: the store {data / 'localshift.sqlite3'} was made by a newer localshift "
                    f"(schema version {len(MIGRATIONS) + 3}; this version knows up to {len(MIGRATIONS)}): "
                    f"upgrade localshift, or use another data dir"), line
    store = sqlite3.connect(data / "localshift.sqlite3")
    assert store.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 3
    assert store.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0  # no table made
    store.close()


def test_a_busy_port_ends_with_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = localshift("serve", "--no-data-plane", "--data-dir", str(tmp_path / "data"), "--port", str(port))
    assert refusal(done) == f"localshift: cannot listen on 127.0.0.1 port {port}: Address already in use"


def test_one_data_dir_one_server(tmp_path):
    first = make_server(tmp_path).start()
    try:
        done = localshift("serve", "--no-data-plane", "--data-dir", str(first.data_dir), "--port", str(free_port()))
        assert refusal(done) == f"localshift: data dir {first.data_dir} is in use by process {first.process.pid}"
        # The lock dies with its process, however it ends: kill -9 frees the data dir at once.
        first.stop(kill=True)
        second = make_server(tmp_path).start()
        second.stop()
    finally:
        first.stop()


def test_a_data_dir_under_home_is_expanded(tmp_path):
    """LOCALSHIFT_DATA_DIR=~/state where no shell expands it (a .env file): the home's, not ./~/state."""
    env = {**os.environ, "HOME": str(tmp_path), "LOCALSHIFT_DATA_DIR": "~/state", "LOCALSHIFT_LOG_LEVEL": "info"}
    port = free_port()
    with subprocess.Popen([sys.executable, "-m", "localshift", "serve", "--no-data-plane", "--port", str(port)],
                          cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True) as server:
        try:
            wait_for(lambda: answers(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
        log = server.stderr.read()
    assert f"data dir: {tmp_path / 'state'}\n" in log, log
    assert (tmp_path / "state" / "localshift.sqlite3").exists() and not (tmp_path / "~").exists()


def test_startup_and_shutdown_lines(tmp_path):
    server = make_server(tmp_path, extra_env={"LOCALSHIFT_LOG_LEVEL": "info",
                                              "LOCALSHIFT_ACCOUNTS": "AKID1:SECRET1:111111111111"}).start()
    server.stop()
    lines = [line.split(" ", 4)[-1] for line in server.log_path.read_text().splitlines()]
    assert lines[:2] == [
        f"localshift 0.1.0 serving the AWS API at {server.url} (strict mode, data plane off)",
        f"data dir: {server.data_dir}",
    ]
    assert lines[-1] == f"localshift stopped; its state stays in {server.data_dir}"


def test_ephemeral_state_is_named_at_start_and_gone_at_exit(tmp_path):
    """With the data plane: engine files are named, no warning is printed, and nothing is left behind."""
    server = make_server(tmp_path, data_plane=True, args=["--ephemeral"],
                         extra_env={"LOCALSHIFT_LOG_LEVEL": "info"}).start()
    try:
        endpoint = create_available_cluster(server.client(OWNER))["Endpoint"]
        log = server.log_path.read_text()
        directories = dict(re.findall(r"INFO localshift (data dir|engine files): (\S+) \(removed at exit\)", log))
        assert set(directories) == {"data dir", "engine files"}
        assert "(open mode, data plane on)" in log
        assert "Warning" not in log and "XDG_RUNTIME_DIR" not in log
        assert any(Path(directories["engine files"]).iterdir())  # the cluster's engine
        ca_file = re.search(r"INFO localshift SQL endpoints serve TLS; clients verify it with the CA "
                            r"certificate (\S+)\n", log).group(1)
        assert Path(ca_file).is_relative_to(directories["data dir"])
        with psycopg.connect(host="localhost", port=endpoint["Port"], user="admin", password="Passw0rd1",
                             dbname="dev", sslmode="verify-full", sslrootcert=ca_file) as conn:
            assert conn.pgconn.ssl_in_use
    finally:
        server.stop()
    assert re.search(r"INFO localshift removed engine cluster-\S+ \(" + re.escape(directories["engine files"]),
                     server.log_path.read_text())
    assert not any(Path(path).exists() for path in directories.values())
    assert server.log_path.read_text().splitlines()[-1].endswith("localshift stopped; its state is removed")


# --------------------------------------------------------------------------------------------
# status and reset, against a running server
# --------------------------------------------------------------------------------------------


def test_status_names_accounts_clusters_engines_and_disk(ls):
    client = ls.client(OWNER)
    create_available_cluster(client, "analytics")
    create_available_snapshot(client, "nightly", "analytics")
    client.authorize_snapshot_access(SnapshotIdentifier="nightly", AccountWithRestoreAccess=GRANTEE)
    done = localshift("status", "--url", ls.url)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"localshift 0.1.0 at {ls.url}: open mode, data plane off")
    assert re.search(rf"{OWNER}\s+│\s+us-east-1\s+│\s+Clusters: 1, Cluster snapshots: 2", out), out
    assert re.search(r"analytics\s+│\s+available", out) and re.search(rf"nightly .*│\s+{GRANTEE}\s+│", out), out
    assert out.rstrip().endswith("Engines: 0 serving of 0; disk used by engines 0 B, by snapshots 0 B")


def test_status_shows_the_calls_that_were_refused_and_why(ls):
    client = ls.client(OWNER)
    create_available_cluster(client, "analytics")
    answered = client.describe_clusters(ClusterIdentifier="analytics")["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as refused:
        client.restore_from_cluster_snapshot(ClusterIdentifier="copy", SnapshotIdentifier="no-such-snapshot")
    out = localshift("status", "--url", ls.url).stdout
    request_id = refused.value.response["ResponseMetadata"]["RequestId"]
    assert re.search(rf"{OWNER}\s+│\s+RestoreFromClusterSnapshot\s+│\s+404\s+│\s+ClusterSnapshotNotFound: "
                     rf"Snapshot no-such-snapshot not found.\s+│\s+{request_id}", out), out
    # Answered calls are not listed (the server's recent calls also hold other tests' refusals).
    assert answered not in out


def test_status_as_json_from_the_url_variable(ls):
    create_available_cluster(ls.client(OWNER), "c1")
    done = localshift("status", "--json", env={"LOCALSHIFT_URL": ls.url})
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    [clusters] = [s for s in document["sections"] if s["name"] == "clusters"]
    assert [row["identifier"] for row in clusters["rows"]] == ["c1"]


def test_status_follows_work_until_it_is_done(slow):
    """The follow runs in this process: one of its own can take longer to start on a loaded machine than the
    snapshot's 1.5 s of work, and then finds none.  A snapshot done before the first look is taken again."""
    client = slow.client(OWNER)
    create_available_cluster(client, "c1")
    for attempt in range(1, 6):
        client.create_cluster_snapshot(SnapshotIdentifier=f"s{attempt}", ClusterIdentifier="c1")
        done = CliRunner().invoke(main, ["status", "--follow", "--url", slow.url])
        assert done.exit_code == 0, done.output
        if done.output.strip() != "No work under way.":
            break
    assert f"snapshot s{attempt} ({OWNER})" in done.output and done.output.rstrip().endswith("Done.")
    assert localshift("status", "--follow", "--url", slow.url).stdout.strip() == "No work under way."


def test_reset_every_account_or_some(ls):
    for account in (OWNER, GRANTEE):
        create_available_cluster(ls.client(account), "c1")
    done = localshift("reset", "--url", ls.url, "--account", OWNER)
    assert (done.returncode, done.stdout.strip()) == (0, f"reset accounts {OWNER} at {ls.url}")
    assert ls.client(OWNER).describe_clusters()["Clusters"] == []
    assert len(ls.client(GRANTEE).describe_clusters()["Clusters"]) == 1
    done = localshift("reset", "--url", ls.url)
    assert (done.returncode, done.stdout.strip()) == (0, f"reset every account at {ls.url}")
    assert ls.client(GRANTEE).describe_clusters()["Clusters"] == []


@pytest.mark.parametrize("command", [["status"], ["reset"], ["reset", "--account", "nobody"]])
def test_status_and_reset_refusals_are_one_line(ls, command):
    nobody = f"http://127.0.0.1:{free_port()}"
    assert refusal(localshift(*command, "--url", nobody)) == f"localshift: no localshift server answers at {nobody}"
    if "--account" in command:
        line = refusal(localshift(*command, "--url", ls.url))
        assert line == "localshift: POST /_localshift/reset: 400 'nobody' is not a 12-digit account id."


def test_status_of_a_strict_server_needs_an_admins_key(tmp_path):
    server = make_server(tmp_path, extra_env={"LOCALSHIFT_ACCOUNTS": f"AKIDADMIN:admin-secret:{OWNER}"}).start()
    try:
        create_available_cluster(server.client("AKIDADMIN", secret="admin-secret"), "c1")
        unsigned = localshift("status", "--url", server.url, env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
        assert refusal(unsigned) == ("localshift: GET /_localshift/state: 403 Request is missing Authentication Token")
        signed = localshift("status", "--json", "--url", server.url,
                            env={"AWS_ACCESS_KEY_ID": "AKIDADMIN", "AWS_SECRET_ACCESS_KEY": "admin-secret"})
        assert json.loads(signed.stdout)["server"]["account"] == OWNER
    finally:
        server.stop()


def test_serve_migrates_an_older_data_dir_and_says_so(tmp_path):
    from localshift.store.schema import MIGRATIONS

    server = make_server(tmp_path, extra_env={"LOCALSHIFT_LOG_LEVEL": "info"})
    server.data_dir.mkdir(parents=True)
    store = sqlite3.connect(server.data_dir / "localshift.sqlite3")
    store.executescript(f"BEGIN;\n{MIGRATIONS[0]}\nPRAGMA user_version = 1;\nCOMMIT;")
    store.close()
    server.start()
    server.stop()
    steps = len(MIGRATIONS)  # the migrations after the first, then the file's rebuild
    assert [line.split(" ", 4)[-1] for line in server.log_path.read_text().splitlines() if "migrating" in line] == [
        f"migrating the store: step {done} of {steps} done" for done in range(steps + 1)]
