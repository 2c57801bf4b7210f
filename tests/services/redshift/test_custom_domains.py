"""Custom domain associations of clusters: one per cluster, shown on the cluster, certificates checked in
form, described grouped by certificate."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError

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


def test_paginator_and_aws_cli(ls, redshift):
    for name in ("c1", "c2"):
        create_available_cluster(redshift, name)
    for name, certificate in (("c1", CERTIFICATE), ("c2", RENEWED)):
        aws_cli(ls, "create-custom-domain-association", "--cluster-identifier", name, "--custom-domain-name",
                f"{name}.example.com", "--custom-domain-certificate-arn", certificate)
    pages = list(redshift.get_paginator("describe_custom_domain_associations").paginate(
        PaginationConfig={"PageSize": 20}))
    shown = [a["CustomDomainCertificateArn"] for page in pages for a in page["Associations"]]
    assert sorted(shown) == [CERTIFICATE, RENEWED]
    listed = aws_cli(ls, "describe-custom-domain-associations", "--custom-domain-certificate-arn", RENEWED)
    assert [a["CertificateAssociations"] for a in listed["Associations"]] == [
        [{"CustomDomainName": "c2.example.com", "ClusterIdentifier": "c2"}]]
    aws_cli(ls, "delete-custom-domain-association", "--cluster-identifier", "c1", "--custom-domain-name",
            "c1.example.com")
    assert "CustomDomainName" not in redshift.describe_clusters(ClusterIdentifier="c1")["Clusters"][0]
