"""RebootCluster, IAM roles, maintenance deferral, key rotation, DB revisions and AQUA (no data plane)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time

import pytest
from botocore.exceptions import ClientError

from support import OWNER, aws_cli, create_available_cluster, error_of, wait_available, wait_for

ROLE = "arn:aws:iam::123456789012:role/{}"


def test_reboot_shows_rebooting_then_available(slow):
    redshift = slow.client(OWNER)
    create_available_cluster(redshift, NodeType="dc2.large", NumberOfNodes=1)
    rebooted = redshift.reboot_cluster(ClusterIdentifier="c1")["Cluster"]
    assert (rebooted["ClusterStatus"], rebooted["ClusterAvailabilityStatus"]) == ("rebooting", "Maintenance")
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["ClusterStatus"] == "rebooting"
    with pytest.raises(ClientError) as excinfo:
        redshift.reboot_cluster(ClusterIdentifier="c1")
    assert error_of(excinfo)[:2] == ("InvalidClusterState", 400)
    assert wait_available(redshift)["ClusterStatus"] == "available"


def test_reboot_of_a_missing_or_paused_cluster(redshift):
    with pytest.raises(ClientError) as excinfo:
        redshift.reboot_cluster(ClusterIdentifier="nope")
    assert error_of(excinfo) == ("ClusterNotFound", 404, "Cluster nope not found.")
    create_available_cluster(redshift)
    redshift.pause_cluster(ClusterIdentifier="c1")
    with pytest.raises(ClientError) as excinfo:
        redshift.reboot_cluster(ClusterIdentifier="c1")
    assert error_of(excinfo)[:2] == ("InvalidClusterState", 400)


def test_iam_roles_are_added_removed_and_one_is_default(redshift):
    create_available_cluster(redshift, IamRoles=[ROLE.format("a")])
    cluster = redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", AddIamRoles=[ROLE.format("b"), ROLE.format("c")],
                                                DefaultIamRoleArn=ROLE.format("b"))["Cluster"]
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [ROLE.format(x) for x in "abc"]
    assert {r["ApplyStatus"] for r in cluster["IamRoles"]} == {"in-sync"}
    assert cluster["DefaultIamRoleArn"] == ROLE.format("b")
    cluster = redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", RemoveIamRoles=[ROLE.format("b")])["Cluster"]
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [ROLE.format("a"), ROLE.format("c")]
    assert "DefaultIamRoleArn" not in cluster  # the default role was removed


@pytest.mark.parametrize(
    "params, code",
    [
        ({"AddIamRoles": ["not-an-arn"]}, "InvalidParameterValue"),
        ({"AddIamRoles": [ROLE.format("x")], "RemoveIamRoles": [ROLE.format("x")]}, "InvalidParameterCombination"),
        ({"RemoveIamRoles": [ROLE.format("never-added")]}, "InvalidParameterValue"),
        ({"DefaultIamRoleArn": ROLE.format("not-attached")}, "InvalidParameterValue"),
        ({"AddIamRoles": [ROLE.format(i) for i in range(51)]}, "InvalidParameterValue"),
    ],
)
def test_iam_role_changes_are_checked(redshift, params, code):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", **params)
    assert error_of(excinfo)[:2] == (code, 400)
    assert redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]["IamRoles"] == []


@pytest.mark.parametrize(("roles", "code"), [(["not-an-arn"], "InvalidParameterValue"),
                                             ([ROLE.format(i) for i in range(51)], "LimitExceededFault")])
def test_a_new_clusters_iam_roles_are_checked_as_a_restored_ones(redshift, roles, code):
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster(ClusterIdentifier="c1", NodeType="ra3.large", NumberOfNodes=2, MasterUsername="u",
                                MasterUserPassword="Passw0rd!", IamRoles=roles)
    assert error_of(excinfo)[:2] == (code, 400)
    assert redshift.describe_clusters()["Clusters"] == []


DEFAULT_NOT_AMONG_ROLES = ("The list of Amazon Resource Names (ARNs) for customer roles should contain the ARN of the "
                           "default IAM role when a default is specified.")
SERVICE_LINKED = "arn:aws:iam::123456789012:role/aws-service-role/redshift.amazonaws.com/AWSServiceRoleForRedshift"


def test_iam_role_errors_are_in_aws_words(redshift):
    """AWS's answers: a default that is not among the roles (also when it is removed in the same request),
    a service-linked role; a missing cluster is ClusterNotFound (404), one not available InvalidClusterState."""
    create_available_cluster(redshift, IamRoles=[ROLE.format("a")], DefaultIamRoleArn=ROLE.format("a"))
    for params in ({"DefaultIamRoleArn": ROLE.format("b")},
                   {"RemoveIamRoles": [ROLE.format("a")], "DefaultIamRoleArn": ROLE.format("a")}):
        with pytest.raises(ClientError) as excinfo:
            redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", **params)
        assert error_of(excinfo) == ("InvalidParameterValue", 400, DEFAULT_NOT_AMONG_ROLES)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", AddIamRoles=[SERVICE_LINKED])
    assert error_of(excinfo) == ("InvalidParameterValue", 400,
                                 f"The IAM Role ARN {SERVICE_LINKED} can't be used since it's a AWS service-linked IAM role.")
    cluster = redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert ([r["IamRoleArn"] for r in cluster["IamRoles"]], cluster["DefaultIamRoleArn"]) == ([ROLE.format("a")],
                                                                                            ROLE.format("a"))
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="nope", AddIamRoles=[ROLE.format("b")])
    assert error_of(excinfo) == ("ClusterNotFound", 404, "Cluster nope not found.")
    redshift.pause_cluster(ClusterIdentifier="c1")
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", AddIamRoles=[ROLE.format("b")])
    assert error_of(excinfo)[:2] == ("InvalidClusterState", 400)
    refusals = {ROLE.format("x"): DEFAULT_NOT_AMONG_ROLES,
                SERVICE_LINKED: f"The IAM Role ARN {SERVICE_LINKED} can't be used since it's a AWS service-linked IAM role."}
    for role, message in refusals.items():
        with pytest.raises(ClientError) as excinfo:
            redshift.create_cluster(ClusterIdentifier="c2", NodeType="ra3.large", NumberOfNodes=2, MasterUsername="u",
                                    MasterUserPassword="Passw0rd!", IamRoles=[role], DefaultIamRoleArn=ROLE.format("y"))
        assert error_of(excinfo) == ("InvalidParameterValue", 400, message)
    # An empty default is none (Terraform's provider sends DefaultIamRoleArn="" when it has none).
    created = redshift.create_cluster(ClusterIdentifier="c3", NodeType="ra3.large", ClusterType="single-node",
                                      MasterUsername="u", MasterUserPassword="Passw0rd!", IamRoles=[ROLE.format("y")],
                                      DefaultIamRoleArn="")["Cluster"]
    assert "DefaultIamRoleArn" not in created


def test_iam_roles_of_a_cluster_being_set_up_wait_for_it(slow):
    """A cluster still being created (or modified) refuses role changes as AWS does, in its words; Terraform
    meets this when it adds roles right after creating a cluster."""
    redshift = slow.client(OWNER)
    redshift.create_cluster(ClusterIdentifier="c1", NodeType="ra3.large", ClusterType="single-node",
                            MasterUsername="admin", MasterUserPassword="Passw0rd1")
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", AddIamRoles=[ROLE.format("a")])
    assert error_of(excinfo) == ("InvalidClusterState", 400, "The Cluster is being modified by a concurrent operation. "
                                 "Please check the Cluster's status and try again.")
    wait_available(redshift)
    assert redshift.modify_cluster_iam_roles(ClusterIdentifier="c1", AddIamRoles=[ROLE.format("a")])["Cluster"][
        "IamRoles"] == [{"IamRoleArn": ROLE.format("a"), "ApplyStatus": "in-sync"}]


def test_fifty_roles_fit(redshift):
    create_available_cluster(redshift)
    cluster = redshift.modify_cluster_iam_roles(ClusterIdentifier="c1",
                                                AddIamRoles=[ROLE.format(i) for i in range(50)])["Cluster"]
    assert len(cluster["IamRoles"]) == 50


def test_maintenance_is_deferred_and_the_next_window_moves(redshift):
    create_available_cluster(redshift)
    before = redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert before["DeferredMaintenanceWindows"] == []
    cluster = redshift.modify_cluster_maintenance(ClusterIdentifier="c1", DeferMaintenance=True,
                                                  DeferMaintenanceDuration=30)["Cluster"]
    [window] = cluster["DeferredMaintenanceWindows"]
    assert window["DeferMaintenanceIdentifier"].startswith("dfm-") and len(window["DeferMaintenanceIdentifier"]) == 24
    assert window["DeferMaintenanceEndTime"] - window["DeferMaintenanceStartTime"] == timedelta(days=30)
    assert cluster["NextMaintenanceWindowStartTime"] > window["DeferMaintenanceEndTime"]
    start = datetime.now(timezone.utc) + timedelta(days=2)
    cluster = redshift.modify_cluster_maintenance(
        ClusterIdentifier="c1", DeferMaintenance=True, DeferMaintenanceIdentifier="my-window",
        DeferMaintenanceStartTime=start, DeferMaintenanceEndTime=start + timedelta(days=10))["Cluster"]
    assert cluster["DeferredMaintenanceWindows"][0]["DeferMaintenanceIdentifier"] == "my-window"
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_maintenance(ClusterIdentifier="c1", DeferMaintenance=False,
                                            DeferMaintenanceIdentifier="other")
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)
    cluster = redshift.modify_cluster_maintenance(ClusterIdentifier="c1", DeferMaintenance=False)["Cluster"]
    assert cluster["DeferredMaintenanceWindows"] == []
    assert cluster["NextMaintenanceWindowStartTime"] == before["NextMaintenanceWindowStartTime"]


def test_a_deferral_that_has_not_begun_keeps_the_windows_before_it(redshift):
    cluster = create_available_cluster(redshift, PreferredMaintenanceWindow="wed:04:00-wed:04:30")
    window = cluster["NextMaintenanceWindowStartTime"]
    assert timedelta(0) < window - datetime.now(timezone.utc) <= timedelta(days=7)
    start = window + timedelta(days=20)
    deferred = redshift.modify_cluster_maintenance(ClusterIdentifier="c1", DeferMaintenance=True,
                                                   DeferMaintenanceStartTime=start,
                                                   DeferMaintenanceDuration=10)["Cluster"]
    assert deferred["NextMaintenanceWindowStartTime"] == window
    # One that covers the next window moves it past its end, to the same weekday and time.
    covering = redshift.modify_cluster_maintenance(ClusterIdentifier="c1", DeferMaintenance=True,
                                                   DeferMaintenanceStartTime=window - timedelta(hours=1),
                                                   DeferMaintenanceDuration=10)["Cluster"]
    [deferral] = covering["DeferredMaintenanceWindows"]
    moved = covering["NextMaintenanceWindowStartTime"]
    assert deferral["DeferMaintenanceEndTime"] < moved <= deferral["DeferMaintenanceEndTime"] + timedelta(days=7)
    assert (moved.weekday(), moved.hour, moved.minute) == (2, 4, 0)


@pytest.mark.parametrize(
    "params, code",
    [
        ({"DeferMaintenanceDuration": 61}, "InvalidParameterValue"),
        ({"DeferMaintenanceDuration": 0}, "InvalidParameterValue"),
        ({"DeferMaintenanceDuration": 5, "DeferMaintenanceEndTime": datetime(2100, 1, 1)}, "InvalidParameterCombination"),
        ({}, "InvalidParameterCombination"),
        ({"DeferMaintenanceStartTime": datetime(2000, 1, 1), "DeferMaintenanceDuration": 5}, "InvalidParameterValue"),
        ({"DeferMaintenanceStartTime": datetime(9999, 12, 1), "DeferMaintenanceDuration": 60}, "InvalidParameterValue"),
        ({"DeferMaintenanceEndTime": datetime(2000, 1, 1)}, "InvalidParameterValue"),
        ({"DeferMaintenanceEndTime": datetime.now(timezone.utc) + timedelta(days=61)}, "InvalidParameterValue"),
    ],
)
def test_deferrals_are_limited_like_aws(redshift, params, code):
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_maintenance(ClusterIdentifier="c1", DeferMaintenance=True, **params)
    assert error_of(excinfo)[:2] == (code, 400)


def test_a_new_maintenance_track_waits_for_the_next_window(ls, redshift):
    """AWS: "The new track name stays in the PendingModifiedValues for the cluster until the next
    maintenance window"; the cluster stays available meanwhile."""
    create_available_cluster(redshift, PreferredMaintenanceWindow="mon:03:00-mon:03:30")
    cluster = redshift.modify_cluster(ClusterIdentifier="c1", MaintenanceTrackName="trailing")["Cluster"]
    assert (cluster["ClusterStatus"], cluster["MaintenanceTrackName"]) == ("available", "current")
    assert cluster["PendingModifiedValues"] == {"MaintenanceTrackName": "trailing"}
    # Naming the track it is on drops the switch; asking again starts it again.
    cluster = redshift.modify_cluster(ClusterIdentifier="c1", MaintenanceTrackName="current")["Cluster"]
    assert (cluster["MaintenanceTrackName"], cluster["PendingModifiedValues"]) == ("current", {})
    cluster = redshift.modify_cluster(ClusterIdentifier="c1", MaintenanceTrackName="trailing")["Cluster"]
    window = cluster["NextMaintenanceWindowStartTime"]
    assert (window.weekday(), window.hour, window.minute) == (0, 3, 0)

    def described() -> dict:
        return redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]

    # A deferral moves the window, and the switch with it.
    redshift.modify_cluster_maintenance(ClusterIdentifier="c1", DeferMaintenance=True, DeferMaintenanceDuration=10)
    ls.admin(f"/_localshift/time-travel?seconds={8 * 86400}")  # past the window, within the deferral
    time.sleep(1.5)  # the scheduler ticks once a second
    assert described()["PendingModifiedValues"] == {"MaintenanceTrackName": "trailing"}
    ls.admin(f"/_localshift/time-travel?seconds={10 * 86400}")
    switched = wait_for(lambda: (c := described())["PendingModifiedValues"] == {} and c)
    assert (switched["MaintenanceTrackName"], switched["ClusterStatus"]) == ("trailing", "available")


def test_a_reboot_applies_a_pending_maintenance_track(slow):
    """AWS (RebootCluster): "Any pending cluster modifications (see ModifyCluster) are applied at this reboot"."""
    redshift = slow.client(OWNER)
    create_available_cluster(redshift, NodeType="dc2.large", NumberOfNodes=1)
    redshift.modify_cluster(ClusterIdentifier="c1", MaintenanceTrackName="trailing")
    rebooting = redshift.reboot_cluster(ClusterIdentifier="c1")["Cluster"]
    assert rebooting["PendingModifiedValues"] == {"MaintenanceTrackName": "trailing"}
    rebooted = wait_available(redshift)
    assert (rebooted["MaintenanceTrackName"], rebooted["PendingModifiedValues"]) == ("trailing", {})


def test_maintenance_tracks_are_checked(redshift):
    with pytest.raises(ClientError) as excinfo:
        redshift.create_cluster(ClusterIdentifier="c1", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword="Passw0rd1", MaintenanceTrackName="preview")
    assert error_of(excinfo) == ("InvalidClusterTrack", 400,
                                 "Maintenance track preview is not valid: use current or trailing.")
    create_available_cluster(redshift)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster(ClusterIdentifier="c1", MaintenanceTrackName="preview")
    assert error_of(excinfo)[:2] == ("InvalidClusterTrack", 400)


def test_encryption_key_rotation(redshift):
    create_available_cluster(redshift)
    cluster = redshift.rotate_encryption_key(ClusterIdentifier="c1")["Cluster"]
    assert (cluster["ClusterStatus"], cluster["ClusterAvailabilityStatus"]) == ("rotating-keys", "Modifying")
    assert wait_available(redshift)["Encrypted"] is True


def test_db_revisions_and_the_latest_revision(redshift):
    for name in ("c1", "c2"):
        create_available_cluster(redshift, name)
    revisions = redshift.describe_cluster_db_revisions()["ClusterDbRevisions"]
    assert [r["ClusterIdentifier"] for r in revisions] == ["c1", "c2"]
    current = revisions[0]["CurrentDatabaseRevision"]
    assert revisions[0]["RevisionTargets"] == []
    cluster = redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert cluster["ClusterRevisionNumber"] == current
    assert len(redshift.describe_cluster_db_revisions(ClusterIdentifier="c2")["ClusterDbRevisions"]) == 1
    paged = redshift.get_paginator("describe_cluster_db_revisions").paginate(PaginationConfig={"PageSize": 20})
    assert sum(len(page["ClusterDbRevisions"]) for page in paged) == 2
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_db_revision(ClusterIdentifier="c1", RevisionTarget=current)
    assert error_of(excinfo)[:2] == ("ClusterOnLatestRevision", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_cluster_db_revision(ClusterIdentifier="c1", RevisionTarget="12345")
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_cluster_db_revisions(ClusterIdentifier="nope")
    assert error_of(excinfo)[:2] == ("ClusterNotFound", 404)


def test_aqua_configuration(redshift):
    create_available_cluster(redshift)
    assert redshift.describe_clusters()["Clusters"][0]["AquaConfiguration"] == {
        "AquaStatus": "disabled", "AquaConfigurationStatus": "auto"}
    answer = redshift.modify_aqua_configuration(ClusterIdentifier="c1", AquaConfigurationStatus="enabled")
    assert answer["AquaConfiguration"] == {"AquaStatus": "enabled", "AquaConfigurationStatus": "enabled"}
    assert redshift.describe_clusters()["Clusters"][0]["AquaConfiguration"]["AquaConfigurationStatus"] == "enabled"
    create_available_cluster(redshift, "small", NodeType="dc2.large", NumberOfNodes=1)
    with pytest.raises(ClientError) as excinfo:
        redshift.modify_aqua_configuration(ClusterIdentifier="small", AquaConfigurationStatus="enabled")
    assert error_of(excinfo)[:2] == ("UnsupportedOperation", 400)


def test_default_encryption_reports_an_aws_owned_key(redshift):
    cluster = create_available_cluster(redshift)
    assert (cluster["Encrypted"], cluster["KmsKeyId"]) == (True, "AWS_OWNED_KMS_KEY")
    redshift.create_cluster_snapshot(SnapshotIdentifier="s1", ClusterIdentifier="c1")
    redshift.get_waiter("snapshot_available").wait(SnapshotIdentifier="s1", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    snapshot = redshift.describe_cluster_snapshots(SnapshotIdentifier="s1")["Snapshots"][0]
    assert snapshot["KmsKeyId"] == "AWS_OWNED_KMS_KEY"
    restored = redshift.restore_from_cluster_snapshot(ClusterIdentifier="restored", SnapshotIdentifier="s1")["Cluster"]
    assert (restored["Encrypted"], restored["KmsKeyId"]) == (True, "AWS_OWNED_KMS_KEY")
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    assert create_available_cluster(redshift, "c2", KmsKeyId=key)["KmsKeyId"] == key


def test_the_aws_cli_reboots_and_defers(ls):
    create_available_cluster(ls.client(OWNER))
    deferred = aws_cli(ls, "modify-cluster-maintenance", "--cluster-identifier", "c1", "--defer-maintenance",
                       "--defer-maintenance-duration", "30")
    assert len(deferred["Cluster"]["DeferredMaintenanceWindows"]) == 1
    assert aws_cli(ls, "reboot-cluster", "--cluster-identifier", "c1")["Cluster"]["ClusterStatus"] == "rebooting"
    wait_available(ls.client(OWNER))
