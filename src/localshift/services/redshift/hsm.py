"""HSM client certificates and HSM configurations: stored and validated metadata.

A client certificate hands out a newly made RSA public key (rsa_keys.py); a configuration keeps
what Describe shows (the partition password and the HSM's certificate are checked, never kept).
No HSM is reached: a cluster naming both simply reports them in ``HsmStatus``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from localshift.errors import ApiError, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift import named_resources, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import HsmClientCertificateRecord, HsmConfigurationRecord
from localshift.services.redshift.rsa_keys import public_key_pem
from localshift.services.redshift.views import tags_view

# Redshift's quotas per account and region.
CERTIFICATE_QUOTA = 20
CONFIGURATION_QUOTA = 20
_PEM_CERTIFICATE = re.compile(r"\s*-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*")


def certificate_not_found(name: str) -> ApiError:
    return ApiError("HsmClientCertificateNotFoundFault", f"HSM client certificate {name} not found.")


def configuration_not_found(name: str) -> ApiError:
    return ApiError("HsmConfigurationNotFoundFault", f"HSM configuration {name} not found.")


def certificate_view(certificate: HsmClientCertificateRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
    return {"HsmClientCertificateIdentifier": certificate.name, "HsmClientCertificatePublicKey": certificate.public_key,
            "Tags": tags_view(tags)}


def configuration_view(configuration: HsmConfigurationRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
    return {"HsmConfigurationIdentifier": configuration.name, "Description": configuration.description,
            "HsmIpAddress": configuration.ip_address, "HsmPartitionName": configuration.partition_name,
            "Tags": tags_view(tags)}


def _in_use(backend: RedshiftBackend, ctx: RequestContext, attribute: str, name: str) -> str | None:
    """A cluster using an HSM item, if any."""
    for cluster in backend.clusters.page(ctx.account, ctx.region, 0, 1_000_000):
        if getattr(cluster, attribute) == name:
            return cluster.identifier
    return None


def create_hsm_client_certificate(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = validation.identifier(p["HsmClientCertificateIdentifier"], "HsmClientCertificateIdentifier", 255)
    tags = validation.tag_list(p.get("Tags", []))
    certificate = HsmClientCertificateRecord(ctx.account, ctx.region, name, public_key_pem())
    named_resources.insert_tagged(
        backend, backend.hsm_client_certificates, certificate, tags,
        ApiError("HsmClientCertificateAlreadyExistsFault", f"HSM client certificate {name} already exists."),
        (CERTIFICATE_QUOTA, ApiError("HsmClientCertificateQuotaExceededFault",
                                     f"An account can have at most {CERTIFICATE_QUOTA} HSM client certificates.")))
    return {"HsmClientCertificate": named_resources.render(backend, [certificate], certificate_view)[0]}


def delete_hsm_client_certificate(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["HsmClientCertificateIdentifier"]
    with backend.db.transaction():
        certificate = named_resources.find(backend.hsm_client_certificates, ctx, name.lower(), certificate_not_found(name))
        user = _in_use(backend, ctx, "hsm_client_certificate_identifier", certificate.name)
        if user is not None:
            raise ApiError("InvalidHsmClientCertificateStateFault",
                           f"HSM client certificate {certificate.name} is in use by cluster {user}.")
        named_resources.delete_tagged(backend, backend.hsm_client_certificates, certificate)
    return {}


def describe_hsm_client_certificates(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("HsmClientCertificateIdentifier")
    return named_resources.describe(backend, ctx, p, backend.hsm_client_certificates,
                                    name.lower() if name is not None else None, certificate_not_found(name or ""),
                                    certificate_view, "HsmClientCertificates")


def create_hsm_configuration(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = validation.identifier(p["HsmConfigurationIdentifier"], "HsmConfigurationIdentifier", 255)
    try:
        address = str(ipaddress.IPv4Address(p["HsmIpAddress"]))
    except ValueError:
        raise invalid_parameter(f"HsmIpAddress {p['HsmIpAddress']} is not a valid IPv4 address.") from None
    for parameter in ("HsmPartitionName", "HsmPartitionPassword"):
        if not p[parameter]:
            raise invalid_parameter(f"{parameter} must not be empty.")
    if not _PEM_CERTIFICATE.fullmatch(p["HsmServerPublicCertificate"]):
        raise invalid_parameter("HsmServerPublicCertificate must be a PEM certificate (-----BEGIN CERTIFICATE-----).")
    tags = validation.tag_list(p.get("Tags", []))
    configuration = HsmConfigurationRecord(ctx.account, ctx.region, name, p["Description"], address,
                                           p["HsmPartitionName"])
    named_resources.insert_tagged(
        backend, backend.hsm_configurations, configuration, tags,
        ApiError("HsmConfigurationAlreadyExistsFault", f"HSM configuration {name} already exists."),
        (CONFIGURATION_QUOTA, ApiError("HsmConfigurationQuotaExceededFault",
                                       f"An account can have at most {CONFIGURATION_QUOTA} HSM configurations.")))
    return {"HsmConfiguration": named_resources.render(backend, [configuration], configuration_view)[0]}


def delete_hsm_configuration(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p["HsmConfigurationIdentifier"]
    with backend.db.transaction():
        configuration = named_resources.find(backend.hsm_configurations, ctx, name.lower(), configuration_not_found(name))
        user = _in_use(backend, ctx, "hsm_configuration_identifier", configuration.name)
        if user is not None:
            raise ApiError("InvalidHsmConfigurationStateFault",
                           f"HSM configuration {configuration.name} is in use by cluster {user}.")
        named_resources.delete_tagged(backend, backend.hsm_configurations, configuration)
    return {}


def describe_hsm_configurations(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("HsmConfigurationIdentifier")
    return named_resources.describe(backend, ctx, p, backend.hsm_configurations,
                                    name.lower() if name is not None else None, configuration_not_found(name or ""),
                                    configuration_view, "HsmConfigurations")


def cluster_settings(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """A new cluster's HSM fields: each item it names must be one of the caller's."""
    settings: dict[str, Any] = {}
    certificate, configuration = p.get("HsmClientCertificateIdentifier"), p.get("HsmConfigurationIdentifier")
    if certificate is not None:
        settings["hsm_client_certificate_identifier"] = named_resources.find(
            backend.hsm_client_certificates, ctx, certificate.lower(), certificate_not_found(certificate)).name
    if configuration is not None:
        settings["hsm_configuration_identifier"] = named_resources.find(
            backend.hsm_configurations, ctx, configuration.lower(), configuration_not_found(configuration)).name
    return settings


OPERATIONS = {
    "CreateHsmClientCertificate": create_hsm_client_certificate,
    "DeleteHsmClientCertificate": delete_hsm_client_certificate,
    "DescribeHsmClientCertificates": describe_hsm_client_certificates,
    "CreateHsmConfiguration": create_hsm_configuration,
    "DeleteHsmConfiguration": delete_hsm_configuration,
    "DescribeHsmConfigurations": describe_hsm_configurations,
}
