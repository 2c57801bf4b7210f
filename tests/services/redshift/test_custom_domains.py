"""Custom domain associations of clusters: one per cluster, shown on the cluster, certificates checked in
form, described grouped by certificate."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from localshift.store.paging import encode_marker
from support import aws_cli, create_available_cluster

CERTIFICATE = "arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-aaaa-bbbb-cccc-000000000001"
RENEWED = "arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-aaaa-bbbb-cccc-000000000002"


def error_of(call, **params) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_associate_modify_describe_delete(redshift):
    cluster = create_available_cluster(redshift)
    created = redshift.create_custom_domain_association(ClusterIdentifier="c1", CustomDomainName="DB.example.com",
                                                        CustomDomainCertificateArn=CERTIFICATE)
    assert (created["CustomDomainName"], created["ClusterIdentifier"]) == ("db.example.com", "c1")
    expiry = datetime.fromisoformat(created["CustomDomainCertExpiryTime"].replace("Z", "+00:00"))
    assert expiry - cluster["ClusterCreateTime"] > timedelta(days=394)
    shown = redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert (shown["CustomDomainName"], shown["CustomDomainCertificateArn"]) == ("db.example.com", CERTIFICATE)
    modified = redshift.modify_custom_domain_association(ClusterIdentifier="c1", CustomDomainName="db.example.com",
                                                         CustomDomainCertificateArn=RENEWED)
    assert modified["CustomDomainCertificateArn"] == RENEWED
    [association] = redshift.describe_custom_domain_associations()["Associations"]
    assert association["CustomDomainCertificateArn"] == RENEWED
    assert association["CertificateAssociations"] == [{"CustomDomainName": "db.example.com", "ClusterIdentifier": "c1"}]
    assert redshift.describe_custom_domain_associations(CustomDomainName="db.example.com")["Associations"]
    redshift.delete_custom_domain_association(ClusterIdentifier="c1", CustomDomainName="db.example.com")
    assert "CustomDomainName" not in redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
    assert redshift.describe_custom_domain_associations()["Associations"] == []
    assert error_of(redshift.describe_custom_domain_associations, CustomDomainName="db.example.com") == (
        "CustomDomainAssociationNotFoundFault", 404)
    assert error_of(redshift.delete_custom_domain_association, ClusterIdentifier="c1",
                    CustomDomainName="db.example.com") == ("CustomDomainAssociationNotFoundFault", 404)


def test_errors(redshift):
    create_available_cluster(redshift, "c1")
    create_available_cluster(redshift, "c2")
    associate = redshift.create_custom_domain_association
    assert error_of(associate, ClusterIdentifier="nope", CustomDomainName="db.example.com",
                    CustomDomainCertificateArn=CERTIFICATE) == ("ClusterNotFound", 404)
    assert error_of(associate, ClusterIdentifier="c1", CustomDomainName="db.example.com",
                    CustomDomainCertificateArn="arn:aws:acm:eu-west-1:111111111111:certificate/abc-1")[0] == (
        "CustomCnameAssociationFault")
    associate(ClusterIdentifier="c1", CustomDomainName="db.example.com", CustomDomainCertificateArn=CERTIFICATE)
    assert error_of(associate, ClusterIdentifier="c2", CustomDomainName="db.example.com",
                    CustomDomainCertificateArn=CERTIFICATE) == ("CustomCnameAssociationFault", 400)
    assert error_of(associate, ClusterIdentifier="c1", CustomDomainName="other.example.com",
                    CustomDomainCertificateArn=CERTIFICATE) == ("CustomCnameAssociationFault", 400)


def test_pages_and_aws_cli(ls, redshift):
    # 21 certificates: two pages of at least 20 (MaxRecords' least).
    names = [f"c{i:02}" for i in range(21)]
    for name in names:
        redshift.create_cluster(ClusterIdentifier=name, NodeType="ra3.xlplus", NumberOfNodes=2,
                                MasterUsername="admin", MasterUserPassword="Passw0rd1")
    for name in names:
        redshift.get_waiter("cluster_available").wait(ClusterIdentifier=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
    certificates = {name: CERTIFICATE.replace("000000000001", f"0000000000{i:02}") for i, name in enumerate(names)}
    for name in names[1:]:
        redshift.create_custom_domain_association(ClusterIdentifier=name, CustomDomainName=f"{name}.example.com",
                                                  CustomDomainCertificateArn=certificates[name])
    aws_cli(ls, "create-custom-domain-association", "--cluster-identifier", "c00", "--custom-domain-name",
            "c00.example.com", "--custom-domain-certificate-arn", certificates["c00"])
    pages = list(redshift.get_paginator("describe_custom_domain_associations").paginate(
        PaginationConfig={"PageSize": 20}))
    assert [len(page["Associations"]) for page in pages] == [20, 1]
    shown = [a["CustomDomainCertificateArn"] for page in pages for a in page["Associations"]]
    assert shown == sorted(certificates.values())
    # A marker names the certificate a page ended with: any other text was not issued here.
    for forged in (encode_marker(["1"]), encode_marker([CERTIFICATE.replace("111111111111", "222222222222")])):
        assert error_of(redshift.describe_custom_domain_associations, Marker=forged) == ("InvalidParameterValue", 400)
    listed = aws_cli(ls, "describe-custom-domain-associations", "--custom-domain-certificate-arn", certificates["c00"])
    assert [a["CertificateAssociations"] for a in listed["Associations"]] == [
        [{"CustomDomainName": "c00.example.com", "ClusterIdentifier": "c00"}]]
    assert len(aws_cli(ls, "describe-custom-domain-associations")["Associations"]) == 21  # the CLI follows markers
    aws_cli(ls, "delete-custom-domain-association", "--cluster-identifier", "c00", "--custom-domain-name",
            "c00.example.com")
    assert "CustomDomainName" not in redshift.describe_clusters(ClusterIdentifier="c00")["Clusters"][0]
