"""HSM client certificates and HSM configurations, and clusters that name them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from support import OWNER, STRANGER, aws_cli, create_available_cluster, wait_for

SERVER_CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexample==\n-----END CERTIFICATE-----\n"


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def configuration(client, name: str = "hsm1", **overrides) -> dict:  # type: ignore[no-untyped-def]
    params = dict(HsmConfigurationIdentifier=name, Description="our HSM", HsmIpAddress="10.0.0.5",
                  HsmPartitionName="p1", HsmPartitionPassword="secret", HsmServerPublicCertificate=SERVER_CERTIFICATE)
    params.update(overrides)
    return client.create_hsm_configuration(**params)["HsmConfiguration"]


def test_client_certificates_hand_out_a_new_rsa_public_key(redshift):
    first = redshift.create_hsm_client_certificate(HsmClientCertificateIdentifier="Cert1",
                                                   Tags=[{"Key": "k", "Value": "v"}])["HsmClientCertificate"]
    second = redshift.create_hsm_client_certificate(HsmClientCertificateIdentifier="cert2")["HsmClientCertificate"]
    assert first["HsmClientCertificateIdentifier"] == "cert1" and first["Tags"] == [{"Key": "k", "Value": "v"}]
    keys = [load_pem_public_key(c["HsmClientCertificatePublicKey"].encode()) for c in (first, second)]
    assert all(isinstance(key, RSAPublicKey) and key.key_size == 2048 for key in keys)
    assert keys[0].public_numbers() != keys[1].public_numbers()
    [described] = redshift.describe_hsm_client_certificates(HsmClientCertificateIdentifier="cert1")[
        "HsmClientCertificates"]
    assert described == first
    with pytest.raises(ClientError) as excinfo:
        redshift.create_hsm_client_certificate(HsmClientCertificateIdentifier="cert1")
    assert error_of(excinfo) == ("HsmClientCertificateAlreadyExistsFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.create_hsm_client_certificate(HsmClientCertificateIdentifier="bad_name")
    assert error_of(excinfo) == ("InvalidParameterValue", 400)
    redshift.delete_hsm_client_certificate(HsmClientCertificateIdentifier="cert1")
    for call in (lambda: redshift.delete_hsm_client_certificate(HsmClientCertificateIdentifier="cert1"),
                 lambda: redshift.describe_hsm_client_certificates(HsmClientCertificateIdentifier="cert1")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("HsmClientCertificateNotFoundFault", 400)
    assert redshift.describe_tags(ResourceType="hsmclientcertificate")["TaggedResources"] == []


def test_configurations(redshift):
    created = configuration(redshift, "HSM1", Tags=[{"Key": "k", "Value": "v"}])
    assert created == {"HsmConfigurationIdentifier": "hsm1", "Description": "our HSM", "HsmIpAddress": "10.0.0.5",
                       "HsmPartitionName": "p1", "Tags": [{"Key": "k", "Value": "v"}]}
    assert redshift.describe_hsm_configurations()["HsmConfigurations"] == [created]
    with pytest.raises(ClientError) as excinfo:
        configuration(redshift, "hsm1")
    assert error_of(excinfo) == ("HsmConfigurationAlreadyExistsFault", 400)
    redshift.delete_hsm_configuration(HsmConfigurationIdentifier="hsm1")
    with pytest.raises(ClientError) as excinfo:
        redshift.describe_hsm_configurations(HsmConfigurationIdentifier="hsm1")
    assert error_of(excinfo) == ("HsmConfigurationNotFoundFault", 400)


@pytest.mark.parametrize("overrides", [
    {"HsmIpAddress": "10.0.0.256"}, {"HsmIpAddress": "hsm.example.com"}, {"HsmPartitionName": ""},
    {"HsmPartitionPassword": ""}, {"HsmServerPublicCertificate": "not a certificate"},
    {"HsmConfigurationIdentifier": "-x"}, {"Tags": [{"Key": "aws:x", "Value": "v"}]},
])
def test_configuration_validates(redshift, overrides):
    with pytest.raises(ClientError) as excinfo:
        configuration(redshift, **overrides)
    assert error_of(excinfo)[0] in ("InvalidParameterValue", "InvalidTagFault")
    assert redshift.describe_hsm_configurations()["HsmConfigurations"] == []


def test_quotas_paging_and_tag_filters(ls):
    redshift = ls.client(OWNER)
    for i in range(20):
        configuration(redshift, f"h{i:02d}", Tags=[{"Key": "n", "Value": str(i)}])
    with pytest.raises(ClientError) as excinfo:
        configuration(redshift, "h20")
    assert error_of(excinfo) == ("HsmConfigurationQuotaExceededFault", 400)
    pages = list(redshift.get_paginator("describe_hsm_configurations").paginate(PaginationConfig={"PageSize": 20}))
    assert [h["HsmConfigurationIdentifier"] for p in pages for h in p["HsmConfigurations"]] == [
        f"h{i:02d}" for i in range(20)]
    assert [h["HsmConfigurationIdentifier"] for h in redshift.describe_hsm_configurations(
        TagValues=["3", "4"])["HsmConfigurations"]] == ["h03", "h04"]
    assert ls.client(STRANGER).describe_hsm_configurations()["HsmConfigurations"] == []
    certificates = list(redshift.get_paginator("describe_hsm_client_certificates").paginate())
    assert [c for p in certificates for c in p["HsmClientCertificates"]] == []


def test_clusters_name_existing_hsm_items_which_then_stay(redshift):
    with pytest.raises(ClientError) as excinfo:
        create_available_cluster(redshift, HsmClientCertificateIdentifier="cert1")
    assert error_of(excinfo) == ("HsmClientCertificateNotFoundFault", 400)
    with pytest.raises(ClientError) as excinfo:
        create_available_cluster(redshift, HsmConfigurationIdentifier="hsm1")
    assert error_of(excinfo) == ("HsmConfigurationNotFoundFault", 400)
    redshift.create_hsm_client_certificate(HsmClientCertificateIdentifier="cert1")
    configuration(redshift, "hsm1")
    cluster = create_available_cluster(redshift, HsmClientCertificateIdentifier="CERT1", HsmConfigurationIdentifier="hsm1")
    assert cluster["HsmStatus"] == {"HsmClientCertificateIdentifier": "cert1", "HsmConfigurationIdentifier": "hsm1",
                                    "Status": "active"}
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_hsm_client_certificate(HsmClientCertificateIdentifier="cert1")
    assert error_of(excinfo) == ("InvalidHsmClientCertificateStateFault", 400)
    with pytest.raises(ClientError) as excinfo:
        redshift.delete_hsm_configuration(HsmConfigurationIdentifier="hsm1")
    assert error_of(excinfo) == ("InvalidHsmConfigurationStateFault", 400)
    redshift.delete_cluster(ClusterIdentifier="c1", SkipFinalClusterSnapshot=True)
    wait_for(lambda: not redshift.describe_clusters()["Clusters"])
    redshift.delete_hsm_client_certificate(HsmClientCertificateIdentifier="cert1")
    redshift.delete_hsm_configuration(HsmConfigurationIdentifier="hsm1")


def test_aws_cli(ls):
    created = aws_cli(ls, "create-hsm-client-certificate", "--hsm-client-certificate-identifier", "cli")
    assert created["HsmClientCertificate"]["HsmClientCertificatePublicKey"].startswith("-----BEGIN PUBLIC KEY-----")
    listed = aws_cli(ls, "describe-hsm-client-certificates")["HsmClientCertificates"]
    assert [c["HsmClientCertificateIdentifier"] for c in listed] == ["cli"]
