"""HSM client certificates and HSM configurations: stored and validated metadata.

A client certificate hands out a newly made RSA public key (rsa_keys.py); a configuration keeps
what Describe shows (the partition password and the HSM's certificate are checked, never kept).
No HSM is reached: a cluster naming both simply reports them in ``HsmStatus``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable

from localshift.errors import ApiError, invalid_parameter
from localshift.services.context import RequestContext
from localshift.services.redshift import named_resources, validation
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.resource_records import HsmClientCertificateRecord, HsmConfigurationRecord
from localshift.services.redshift.rsa_keys import public_key_pem
from localshift.services.redshift.views import tags_view
from localshift.store.resources import ResourceRepository

# Redshift's quota per account and region, of each kind.
QUOTA = 20
_PEM_CERTIFICATE = re.compile(r"\s*-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*")


@dataclass(frozen=True)
class HsmKind:
    """What the operations on one kind of HSM item name differently; AWS's error codes follow
    its shape name: ``<shape>NotFoundFault``, ``...AlreadyExistsFault``, ``...QuotaExceededFault``,
    ``Invalid<shape>StateFault``."""

    shape: str  # HsmClientCertificate: the output member and the prefix of its errors
    label: str  # as messages name it
    list_key: str
    cluster_attribute: str  # the ClusterRecord field naming the item a cluster uses
    repository: Callable[[RedshiftBackend], ResourceRepository[Any]]
    view: Callable[[Any, list[tuple[str, str]]], dict[str, Any]]

    @property
    def parameter(self) -> str:
        return f"{self.shape}Identifier"

    def not_found(self, name: str) -> ApiError:
        return ApiError(f"{self.shape}NotFoundFault", f"{self.label} {name} not found.")


def certificate_view(certificate: HsmClientCertificateRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
    return {"HsmClientCertificateIdentifier": certificate.name, "HsmClientCertificatePublicKey": certificate.public_key,
            "Tags": tags_view(tags)}


def configuration_view(configuration: HsmConfigurationRecord, tags: list[tuple[str, str]]) -> dict[str, Any]:
    return {"HsmConfigurationIdentifier": configuration.name, "Description": configuration.description,
            "HsmIpAddress": configuration.ip_address, "HsmPartitionName": configuration.partition_name,
            "Tags": tags_view(tags)}


CERTIFICATE = HsmKind("HsmClientCertificate", "HSM client certificate", "HsmClientCertificates",
                      "hsm_client_certificate_identifier", lambda backend: backend.hsm_client_certificates,
                      certificate_view)
CONFIGURATION = HsmKind("HsmConfiguration", "HSM configuration", "HsmConfigurations",
                        "hsm_configuration_identifier", lambda backend: backend.hsm_configurations, configuration_view)


def _create(backend: RedshiftBackend, ctx: RequestContext, kind: HsmKind, p: dict[str, Any],
            record_of: Callable[[str], Any]) -> dict[str, Any]:
    """Create an item named by the request, ``record_of(name)`` checking and building the rest."""
    name = validation.identifier(p[kind.parameter], kind.parameter, 255)
    record = record_of(name)
    tags = validation.tag_list(p.get("Tags", []))
    named_resources.insert_tagged(
        backend, kind.repository(backend), record, tags,
        ApiError(f"{kind.shape}AlreadyExistsFault", f"{kind.label} {name} already exists."),
        (QUOTA, ApiError(f"{kind.shape}QuotaExceededFault", f"An account can have at most {QUOTA} {kind.label}s.")))
    return {kind.shape: named_resources.render(backend, [record], kind.view)[0]}


def _delete(backend: RedshiftBackend, ctx: RequestContext, kind: HsmKind, p: dict[str, Any]) -> dict[str, Any]:
    name = p[kind.parameter]

    def user_of(record: Any) -> str | None:
        """A cluster using the item, if any."""
        clusters = backend.clusters.page(ctx.account, ctx.region, 0, 1_000_000)
        return next((c.identifier for c in clusters if getattr(c, kind.cluster_attribute) == record.name), None)

    named_resources.delete_unused(
        backend, ctx, kind.repository(backend), name.lower(), kind.not_found(name), user_of,
        lambda record, user: ApiError(f"Invalid{kind.shape}StateFault",
                                      f"{kind.label} {record.name} is in use by cluster {user}."))
    return {}


def _describe(backend: RedshiftBackend, ctx: RequestContext, kind: HsmKind, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get(kind.parameter)
    return named_resources.describe(backend, ctx, p, kind.repository(backend), name.lower() if name is not None else None,
                                    kind.not_found(name or ""), kind.view, kind.list_key)


def create_hsm_client_certificate(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _create(backend, ctx, CERTIFICATE, p,
                   lambda name: HsmClientCertificateRecord(ctx.account, ctx.region, name, public_key_pem()))


def create_hsm_configuration(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    def configuration(name: str) -> HsmConfigurationRecord:
        try:
            address = str(ipaddress.IPv4Address(p["HsmIpAddress"]))
        except ValueError:
            raise invalid_parameter(f"HsmIpAddress {p['HsmIpAddress']} is not a valid IPv4 address.") from None
        for parameter in ("HsmPartitionName", "HsmPartitionPassword"):
            if not p[parameter]:
                raise invalid_parameter(f"{parameter} must not be empty.")
        if not _PEM_CERTIFICATE.fullmatch(p["HsmServerPublicCertificate"]):
            raise invalid_parameter("HsmServerPublicCertificate must be a PEM certificate (-----BEGIN CERTIFICATE-----).")
        return HsmConfigurationRecord(ctx.account, ctx.region, name, p["Description"], address, p["HsmPartitionName"])

    return _create(backend, ctx, CONFIGURATION, p, configuration)


def cluster_settings(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    """A new cluster's HSM fields: each item it names must be one of the caller's."""
    settings: dict[str, Any] = {}
    for kind in (CERTIFICATE, CONFIGURATION):
        name = p.get(kind.parameter)
        if name is not None:
            settings[kind.cluster_attribute] = named_resources.find(
                kind.repository(backend), ctx, name.lower(), kind.not_found(name)).name
    return settings


def delete_hsm_client_certificate(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _delete(backend, ctx, CERTIFICATE, p)


def delete_hsm_configuration(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _delete(backend, ctx, CONFIGURATION, p)


def describe_hsm_client_certificates(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _describe(backend, ctx, CERTIFICATE, p)


def describe_hsm_configurations(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    return _describe(backend, ctx, CONFIGURATION, p)


OPERATIONS = {
    "CreateHsmClientCertificate": create_hsm_client_certificate,
    "DeleteHsmClientCertificate": delete_hsm_client_certificate,
    "DescribeHsmClientCertificates": describe_hsm_client_certificates,
    "CreateHsmConfiguration": create_hsm_configuration,
    "DeleteHsmConfiguration": delete_hsm_configuration,
    "DescribeHsmConfigurations": describe_hsm_configurations,
}
