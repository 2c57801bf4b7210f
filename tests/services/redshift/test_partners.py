"""Partner integrations: added to a database of a cluster, described, status reported, deleted."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from support import GRANTEE, OWNER, aws_cli, create_available_cluster, wait_for


def error_of(call, **params) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_add_describe_update_delete(redshift):
    create_available_cluster(redshift)
    key = {"AccountId": OWNER, "ClusterIdentifier": "c1", "DatabaseName": "dev", "PartnerName": "Fivetran"}
    assert redshift.add_partner(**key)["PartnerName"] == "Fivetran"
    assert redshift.add_partner(**key)["DatabaseName"] == "dev"  # again: nothing changes
    [info] = redshift.describe_partners(AccountId=OWNER, ClusterIdentifier="c1")["PartnerIntegrationInfoList"]
    assert (info["Status"], info["PartnerName"], info["DatabaseName"]) == ("Inactive", "Fivetran", "dev")
    redshift.update_partner_status(**key, Status="Active", StatusMessage="syncing")
    [info] = redshift.describe_partners(AccountId=OWNER, ClusterIdentifier="c1", PartnerName="Fivetran")[
        "PartnerIntegrationInfoList"]
    assert (info["Status"], info["StatusMessage"]) == ("Active", "syncing") and info["UpdatedAt"] >= info["CreatedAt"]
    assert redshift.describe_partners(AccountId=OWNER, ClusterIdentifier="c1", DatabaseName="other")[
        "PartnerIntegrationInfoList"] == []
    redshift.delete_partner(**key)
    assert redshift.describe_partners(AccountId=OWNER, ClusterIdentifier="c1")["PartnerIntegrationInfoList"] == []
    assert error_of(redshift.delete_partner, **key) == ("PartnerNotFound", 404)
    assert error_of(redshift.update_partner_status, **key, Status="Active") == ("PartnerNotFound", 404)


def test_errors(redshift):
    create_available_cluster(redshift)
    assert error_of(redshift.add_partner, AccountId=OWNER, ClusterIdentifier="nope", DatabaseName="dev",
                    PartnerName="Fivetran") == ("ClusterNotFound", 404)
    assert error_of(redshift.add_partner, AccountId=GRANTEE, ClusterIdentifier="c1", DatabaseName="dev",
                    PartnerName="Fivetran") == ("UnauthorizedPartnerIntegration", 401)
    assert error_of(redshift.describe_partners, AccountId=OWNER, ClusterIdentifier="nope") == ("ClusterNotFound", 404)


def test_aws_cli(ls, redshift):
    create_available_cluster(redshift)
    key = ["--account-id", OWNER, "--cluster-identifier", "c1", "--database-name", "dev", "--partner-name", "Tableau"]
    assert aws_cli(ls, "add-partner", *key)["PartnerName"] == "Tableau"
    aws_cli(ls, "update-partner-status", *key, "--status", "Active")
    [info] = aws_cli(ls, "describe-partners", "--account-id", OWNER, "--cluster-identifier", "c1")[
        "PartnerIntegrationInfoList"]
    assert (info["PartnerName"], info["Status"]) == ("Tableau", "Active")
    aws_cli(ls, "delete-partner", *key)
    assert redshift.describe_partners(AccountId=OWNER, ClusterIdentifier="c1")["PartnerIntegrationInfoList"] == []


def test_integrations_follow_a_renamed_cluster_and_go_with_a_deleted_one(redshift):
    create_available_cluster(redshift)
    redshift.add_partner(AccountId=OWNER, ClusterIdentifier="c1", DatabaseName="dev", PartnerName="Fivetran")
    redshift.modify_cluster(ClusterIdentifier="c1", NewClusterIdentifier="c2")
    redshift.get_waiter("cluster_available").wait(ClusterIdentifier="c2", WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    [info] = redshift.describe_partners(AccountId=OWNER, ClusterIdentifier="c2")["PartnerIntegrationInfoList"]
    assert info["PartnerName"] == "Fivetran"
    redshift.delete_cluster(ClusterIdentifier="c2", SkipFinalClusterSnapshot=True)
    wait_for(lambda: not redshift.describe_clusters()["Clusters"])
    create_available_cluster(redshift, "c2")
    assert redshift.describe_partners(AccountId=OWNER, ClusterIdentifier="c2")["PartnerIntegrationInfoList"] == []
