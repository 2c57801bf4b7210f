"""Serverless state survives restarts, and work a kill -9 interrupted is resumed or failed at the next start."""

from __future__ import annotations

from support import GRANTEE, OWNER, make_server, wait_for


def test_state_survives_and_interrupted_work_resumes(tmp_path):
    server = make_server(tmp_path, extra_env={"LOCALSHIFT_TRANSITION_DELAY": "0.05"}).start()
    try:
        sls = server.client(OWNER, service="redshift-serverless")
        sls.create_namespace(namespaceName="kept")
        sls.create_workgroup(workgroupName="wg-kept", namespaceName="kept")
        wait_for(lambda: sls.get_workgroup(workgroupName="wg-kept")["workgroup"]["status"] == "AVAILABLE")
        sls.create_snapshot(namespaceName="kept", snapshotName="shared")
        wait_for(lambda: sls.get_snapshot(snapshotName="shared")["snapshot"]["status"] == "AVAILABLE")
        arn = sls.get_snapshot(snapshotName="shared")["snapshot"]["snapshotArn"]
        sls.put_resource_policy(resourceArn=arn, policy=(
            '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "%s"},'
            ' "Action": "redshift-serverless:RestoreFromSnapshot"}]}' % GRANTEE))
        server.stop()

        # Restarted with slow work, then killed while everything below is in progress.
        server.env["LOCALSHIFT_TRANSITION_DELAY"] = "5"
        server.start()
        sls = server.client(OWNER, service="redshift-serverless")
        assert sls.get_workgroup(workgroupName="wg-kept")["workgroup"]["endpoint"]["address"] == "127.0.0.1"
        sls.create_namespace(namespaceName="ns-wg")
        sls.create_workgroup(workgroupName="wg-new", namespaceName="ns-wg")
        sls.create_namespace(namespaceName="ns-snap")
        sls.create_snapshot(namespaceName="ns-snap", snapshotName="interrupted")
        sls.create_namespace(namespaceName="ns-gone")
        sls.delete_namespace(namespaceName="ns-gone", finalSnapshotName="final")
        server.stop(kill=True)

        server.env["LOCALSHIFT_TRANSITION_DELAY"] = "0.05"
        server.start()
        sls = server.client(OWNER, service="redshift-serverless")
        wait_for(lambda: sls.get_workgroup(workgroupName="wg-new")["workgroup"]["status"] == "AVAILABLE")
        # A snapshot's data would no longer be that of its create time: it failed.
        assert sls.get_snapshot(snapshotName="interrupted")["snapshot"]["status"] == "FAILED"
        # A namespace being deleted is deleted, its final snapshot taken again.
        wait_for(lambda: sls.get_snapshot(snapshotName="final")["snapshot"]["status"] == "AVAILABLE")
        wait_for(lambda: "ns-gone" not in [n["namespaceName"] for n in sls.list_namespaces()["namespaces"]])
        assert sls.get_snapshot(snapshotName="shared")["snapshot"]["accountsWithRestoreAccess"] == [GRANTEE]
        grantee = server.client(GRANTEE, service="redshift-serverless")
        assert grantee.get_snapshot(snapshotArn=arn)["snapshot"]["snapshotName"] == "shared"
    finally:
        server.stop()
