"""Custom domain associations: one per workgroup, shown on the workgroup, certificate ARNs checked
in form, expiry 13 months after association; listed with filters and pages."""

from __future__ import annotations

from datetime import timedelta

from support import aws_cli

CERTIFICATE = "arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-aaaa-bbbb-cccc-000000000001"
RENEWED = "arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-aaaa-bbbb-cccc-000000000002"


def test_associate_update_disassociate(owner):
    owner.namespace_with_workgroup()
    created = owner.create_custom_domain_association(workgroupName="wg1", customDomainName="db.example.com",
                                                     customDomainCertificateArn=CERTIFICATE)
    created.pop("ResponseMetadata")
    expiry = created.pop("customDomainCertificateExpiryTime")
    assert created == {"workgroupName": "wg1", "customDomainName": "db.example.com",
                       "customDomainCertificateArn": CERTIFICATE}
    workgroup = owner.get_workgroup(workgroupName="wg1")["workgroup"]
    assert workgroup["customDomainName"] == "db.example.com" and workgroup["customDomainCertificateExpiryTime"] == expiry
    assert expiry - workgroup["creationDate"] > timedelta(days=394)
    got = owner.get_custom_domain_association(workgroupName="wg1", customDomainName="db.example.com")
    assert got["customDomainCertificateArn"] == CERTIFICATE and got["customDomainCertificateExpiryTime"] == expiry
    updated = owner.update_custom_domain_association(workgroupName="wg1", customDomainName="db.example.com",
                                                     customDomainCertificateArn=RENEWED)
    assert updated["customDomainCertificateArn"] == RENEWED
    owner.delete_custom_domain_association(workgroupName="wg1", customDomainName="db.example.com")
    assert "customDomainName" not in owner.get_workgroup(workgroupName="wg1")["workgroup"]
    for call in (owner.get_custom_domain_association, owner.delete_custom_domain_association):
        assert owner.error(call, workgroupName="wg1", customDomainName="db.example.com")[:2] == (
            "ResourceNotFoundException", 404)


def test_validation_and_conflicts(owner):
    owner.namespace_with_workgroup("ns1", "wg1")
    owner.namespace_with_workgroup("ns2", "wg2")
    associate = owner.create_custom_domain_association
    for certificate in ("arn:aws:acm:eu-west-1:111111111111:certificate/abc-1",
                        "arn:aws:acm:us-east-1:222222222222:certificate/abc-1",
                        "arn:aws:iam::111111111111:server-certificate/abc"):
        assert owner.error(associate, workgroupName="wg1", customDomainName="db.example.com",
                           customDomainCertificateArn=certificate)[:2] == ("ValidationException", 400), certificate
    assert owner.error(associate, workgroupName="wg1", customDomainName="not a domain",
                       customDomainCertificateArn=CERTIFICATE)[0] == "ValidationException"
    assert owner.error(associate, workgroupName="nope", customDomainName="db.example.com",
                       customDomainCertificateArn=CERTIFICATE)[:2] == ("ResourceNotFoundException", 404)
    associate(workgroupName="wg1", customDomainName="db.example.com", customDomainCertificateArn=CERTIFICATE)
    assert owner.error(associate, workgroupName="wg2", customDomainName="DB.example.com",
                       customDomainCertificateArn=CERTIFICATE)[:2] == ("ConflictException", 409)
    assert owner.error(associate, workgroupName="wg1", customDomainName="other.example.com",
                       customDomainCertificateArn=CERTIFICATE)[:2] == ("ConflictException", 409)


def test_list_filters_and_pages(owner, grantee):
    for index in range(3):
        owner.namespace_with_workgroup(f"ns{index}", f"wg{index}")
        owner.create_custom_domain_association(workgroupName=f"wg{index}", customDomainName=f"d{index}.example.com",
                                               customDomainCertificateArn=RENEWED if index else CERTIFICATE)
    listed = owner.list_custom_domain_associations()["associations"]
    assert [a["workgroupName"] for a in listed] == ["wg0", "wg1", "wg2"]
    assert [a["workgroupName"] for a in owner.list_custom_domain_associations(
        customDomainCertificateArn=RENEWED)["associations"]] == ["wg1", "wg2"]
    assert [a["customDomainName"] for a in owner.list_custom_domain_associations(
        customDomainName="d2.example.com")["associations"]] == ["d2.example.com"]
    pages = list(owner.get_paginator("list_custom_domain_associations").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["associations"]) for page in pages] == [2, 1]
    assert grantee.list_custom_domain_associations()["associations"] == []


def test_aws_cli(owner):
    owner.namespace_with_workgroup()
    cli = {"service": "redshift-serverless"}
    created = aws_cli(owner.server, "create-custom-domain-association", "--workgroup-name", "wg1",
                      "--custom-domain-name", "db.example.com", "--custom-domain-certificate-arn", CERTIFICATE, **cli)
    assert created["customDomainName"] == "db.example.com"
    listed = aws_cli(owner.server, "list-custom-domain-associations", **cli)["associations"]
    assert [(a["workgroupName"], a["customDomainName"]) for a in listed] == [("wg1", "db.example.com")]
    aws_cli(owner.server, "delete-custom-domain-association", "--workgroup-name", "wg1", "--custom-domain-name",
            "db.example.com", **cli)
    assert owner.list_custom_domain_associations()["associations"] == []
