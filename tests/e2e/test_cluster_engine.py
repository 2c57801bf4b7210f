"""End to end with the data plane: parameter groups reach the engine, reboots and resizes keep the data,
audit logging writes Redshift's logs into the data dir."""

from __future__ import annotations

import gzip
from pathlib import Path

import psycopg
import pytest

from support import OWNER, Server, create_available_cluster, wait_available, wait_for

PASSWORD = "Passw0rd1"


def connect(cluster: dict, user: str = "admin", password: str = PASSWORD, **options: str) -> psycopg.Connection:
    endpoint = cluster["Endpoint"]
    return psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user=user, password=password,
                           dbname=cluster["DBName"], autocommit=True, connect_timeout=30, **options)


def show(cluster: dict, *settings: str) -> list[str]:
    with connect(cluster) as conn:
        return [conn.execute(f"SELECT current_setting('{name}')").fetchone()[0] for name in settings]


def modify(client, **values: str) -> None:  # type: ignore[no-untyped-def]
    client.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": name, "ParameterValue": value} for name, value in values.items()])


def test_parameters_reach_the_engine_and_static_ones_wait_for_the_reboot(real):
    client = real.client(OWNER)
    client.create_cluster_parameter_group(ParameterGroupName="custom", ParameterGroupFamily="redshift-2.0",
                                          Description="engine test")
    modify(client, search_path="$user, public, Analytics", statement_timeout="20000", datestyle="SQL, DMY",
           extra_float_digits="2", query_group="etl")
    cluster = create_available_cluster(client, ClusterParameterGroupName="custom")
    assert show(cluster, "search_path", "statement_timeout", "DateStyle", "extra_float_digits",
                "redshift.query_group") == ['"$user", public, analytics', "20s", "SQL, DMY", "2", "etl"]
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t (id int)")
        conn.execute("INSERT INTO t SELECT generate_series(1, 1000)")
        # A user's own setting still wins over the group's, as in Redshift.
        conn.execute("SET statement_timeout = 0")
        assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)
    modify(client, statement_timeout="0", search_path="public")
    # Static: not in new sessions until the reboot.
    assert show(cluster, "statement_timeout") == ["20s"]
    assert client.describe_clusters()["Clusters"][0]["ClusterParameterGroups"][0]["ParameterApplyStatus"] == (
        "pending-reboot")
    with connect(cluster) as conn:
        started = conn.execute("SELECT extract(epoch FROM pg_postmaster_start_time())").fetchone()[0]
    client.reboot_cluster(ClusterIdentifier="c1")
    cluster = wait_available(client)
    assert show(cluster, "statement_timeout", "search_path") == ["0", "public"]
    with connect(cluster) as conn:
        assert conn.execute("SELECT extract(epoch FROM pg_postmaster_start_time())").fetchone()[0] > started  # really restarted
    assert cluster["ClusterParameterGroups"][0]["ParameterApplyStatus"] == "in-sync"
    with connect(cluster) as conn:
        assert conn.execute("SELECT count(*) FROM public.t").fetchone() == (1000,)
        conn.execute('CREATE TABLE "Folded" (id int)')  # quoted names fold to lowercase by default
    # enable_case_sensitive_identifier: after the reboot, quoted names keep their case in every new session.
    modify(client, enable_case_sensitive_identifier="true")
    client.reboot_cluster(ClusterIdentifier="c1")
    cluster = wait_available(client)
    with connect(cluster) as conn:
        conn.execute('CREATE TABLE "Kept" (id int)')
        assert conn.execute("SHOW enable_case_sensitive_identifier").fetchone()[0] == "true"
        names = conn.execute("SELECT relname FROM pg_class WHERE lower(relname) IN ('folded', 'kept') "
                             "ORDER BY 1").fetchall()
    assert names == [("Kept",), ("folded",)]


def test_a_restored_cluster_takes_its_own_groups_values(real):
    client = real.client(OWNER)
    client.create_cluster_parameter_group(ParameterGroupName="custom", ParameterGroupFamily="redshift-2.0",
                                          Description="engine test")
    modify(client, search_path="public, reports", statement_timeout="100")
    cluster = create_available_cluster(client, ClusterParameterGroupName="custom")
    with connect(cluster) as conn, pytest.raises(psycopg.errors.QueryCanceled):
        conn.execute("SELECT pg_sleep(1)")
    # The group's timeout binds users, never the service's own work on the engine (the snapshot).
    client.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1")
    client.get_waiter("snapshot_available").wait(SnapshotIdentifier="s1", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    client.restore_from_cluster_snapshot(ClusterIdentifier="r1", SnapshotIdentifier="s1")
    restored = wait_available(client, "r1")
    assert show(restored, "search_path") == ['"$user", public']


def test_a_resize_keeps_the_data(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client, NodeType="ra3.xlplus", NumberOfNodes=2)
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t AS SELECT g AS id, repeat('x', 100) AS v FROM generate_series(1, 20000) g")
    client.resize_cluster(ClusterIdentifier="c1", NumberOfNodes=4)
    progress = client.describe_resize(ClusterIdentifier="c1")
    assert progress["Status"] == "IN_PROGRESS"
    cluster = wait_available(client)
    done = client.describe_resize(ClusterIdentifier="c1")
    # The data moved is the engine's data.
    assert done["Status"] == "SUCCEEDED" and done["TotalResizeDataInMegaBytes"] > 1
    assert done["ProgressInMegaBytes"] == done["TotalResizeDataInMegaBytes"]
    assert cluster["NumberOfNodes"] == 4
    with connect(cluster) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (20000,)


def test_a_paused_clusters_final_snapshot_holds_its_data(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client)
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t AS SELECT generate_series(1, 500) AS id")
    client.pause_cluster(ClusterIdentifier="c1")
    wait_for(lambda: client.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] == "paused")
    deleting = client.delete_cluster(ClusterIdentifier="c1", FinalClusterSnapshotIdentifier="final")["Cluster"]
    assert deleting["ClusterStatus"] == "final-snapshot"
    client.get_waiter("cluster_deleted").wait(ClusterIdentifier="c1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    client.restore_from_cluster_snapshot(ClusterIdentifier="c2", SnapshotIdentifier="final")
    with connect(wait_available(client, "c2")) as conn:
        assert conn.execute("SELECT count(*), sum(id) FROM t").fetchone() == (500, 125250)


def log_files(server: Server, pattern: str) -> list[Path]:
    return sorted((server.data_dir / "logs").glob(pattern))


def read_logs(files: list[Path]) -> str:
    return "".join(gzip.decompress(f.read_bytes()).decode() if f.suffix == ".gz" else f.read_text() for f in files)


def delivered(client, cluster: dict):  # type: ignore[no-untyped-def]
    """Open a session (something for the connection log), then whether logs were delivered yet."""
    connect(cluster).close()
    return client.describe_logging_status(ClusterIdentifier="c1").get("LastSuccessfulDeliveryTime")


def test_audit_logs_are_delivered_in_redshifts_formats(real):
    client = real.client(OWNER)
    client.create_cluster_parameter_group(ParameterGroupName="custom", ParameterGroupFamily="redshift-2.0",
                                          Description="logging")
    modify(client, enable_user_activity_logging="true")
    cluster = create_available_cluster(client, ClusterParameterGroupName="custom")
    client.enable_logging(ClusterIdentifier="c1", BucketName="audit-logs", S3KeyPrefix="team/prod")
    first = wait_for(lambda: delivered(client, cluster))
    with connect(cluster) as conn:
        conn.execute("CREATE TABLE t (id int)")
        conn.execute("SELECT count(*) FROM t")
        conn.execute("CREATE USER bob PASSWORD 'Secret123'")
        conn.execute("ALTER USER bob RENAME TO robert")
    with pytest.raises(psycopg.OperationalError):
        connect(cluster, password="wrong")
    key = f"s3/audit-logs/team/prod/AWSLogs/{OWNER}/redshift/us-east-1/*/*/*/{OWNER}_redshift_us-east-1_c1_"

    def caught_up() -> bool:
        """Everything above delivered.  A delivery records its time after writing its files; and it
        reads the engine's log before its users, so the rename can come a delivery before the
        failed login that followed it."""
        connections = read_logs(log_files(real, key + "connectionlog_*.gz"))
        return ("robert" in read_logs(log_files(real, key + "userlog_*.gz"))
                and "\nauthentication failure|" in "\n" + connections
                and "\ndisconnecting session|" in "\n" + connections  # the front logs a close as it learns of it
                and "LOG: SELECT count(*) FROM t" in read_logs(log_files(real, key + "useractivitylog_*.gz"))
                and client.describe_logging_status(ClusterIdentifier="c1")["LastSuccessfulDeliveryTime"] != first)

    wait_for(caught_up)
    assert client.describe_logging_status(ClusterIdentifier="c1")["LastSuccessfulDeliveryTime"] > first
    connections = read_logs(log_files(real, key + "connectionlog_*.gz"))
    events = [line.split("|")[0] for line in connections.splitlines()]
    assert {"initiating session", "authenticated", "disconnecting session", "authentication failure"} <= set(events)
    authenticated = next(line.split("|") for line in connections.splitlines() if line.startswith("authenticated"))
    assert (authenticated[5], authenticated[6]) == ("dev", "admin")
    activity = read_logs(log_files(real, key + "useractivitylog_*.gz"))
    assert "db=dev user=admin" in activity and "LOG: SELECT count(*) FROM t" in activity
    assert "Secret123" not in activity and "PASSWORD '***'" in activity
    users = [line.split("|") for line in read_logs(log_files(real, key + "userlog_*.gz")).splitlines()]
    assert [(u[1], u[2], u[3]) for u in users] in ([("robert", "", "create")],
                                                    [("bob", "", "create"), ("robert", "bob", "rename")])
    client.disable_logging(ClusterIdentifier="c1")
    assert client.describe_logging_status(ClusterIdentifier="c1")["LoggingEnabled"] is False
    # Delivered logs stay after logging stops; a reset of another account leaves them, the owner's takes them.
    real.admin("/_localshift/reset?account=222222222222")
    assert log_files(real, key + "userlog_*.gz")
    real.admin(f"/_localshift/reset?account={OWNER}")
    assert log_files(real, f"s3/audit-logs/team/prod/AWSLogs/{OWNER}") == []


def test_cloudwatch_logs_append_to_their_log_group(real):
    client = real.client(OWNER)
    cluster = create_available_cluster(client)
    client.enable_logging(ClusterIdentifier="c1", LogDestinationType="cloudwatch", LogExports=["connectionlog"])

    def authenticated() -> bool:
        # A delivery may hold a connection's first lines only: wait for the line that says it logged in.
        connect(cluster).close()
        files = log_files(real, f"cloudwatch/{OWNER}/us-east-1/aws/redshift/cluster/c1/connectionlog.log")
        return "\nauthenticated|" in "\n" + read_logs(files)

    wait_for(authenticated)
    # useractivitylog was not asked for, and the default group does not enable it anyway.
    assert log_files(real, f"cloudwatch/{OWNER}/us-east-1/aws/redshift/cluster/c1/useractivitylog.log") == []
    real.reset()
    assert log_files(real, "*") == []


def test_require_ssl_refuses_plain_text_until_a_reboot_applies_false(real):
    client = real.client(OWNER)
    # The default group (default.redshift-2.0) requires SSL: plain text gets Redshift's pg_hba refusal.
    cluster = create_available_cluster(client)
    with pytest.raises(psycopg.OperationalError) as refused:
        connect(cluster, sslmode="disable")
    assert 'no pg_hba.conf entry for host "::ffff:127.0.0.1", user "admin", database "dev", SSL off' in str(
        refused.value)
    with connect(cluster) as conn:  # psycopg's default asks for TLS
        assert conn.pgconn.ssl_in_use
    client.create_cluster_parameter_group(ParameterGroupName="custom", ParameterGroupFamily="redshift-2.0",
                                          Description="plain text")
    modify(client, require_ssl="false")
    client.modify_cluster(ClusterIdentifier="c1", ClusterParameterGroupName="custom")
    cluster = wait_available(client)
    # Static, as AWS reports it: the reboot applies it.
    assert cluster["ClusterParameterGroups"][0]["ParameterApplyStatus"] == "pending-reboot"
    with pytest.raises(psycopg.OperationalError, match="SSL off"):
        connect(cluster, sslmode="disable")
    client.reboot_cluster(ClusterIdentifier="c1")
    cluster = wait_available(client)
    with connect(cluster, sslmode="disable") as conn:
        assert not conn.pgconn.ssl_in_use
        assert conn.execute("SELECT current_setting('redshift.require_ssl')").fetchone() == ("false",)
