"""ListRecommendations: Redshift Advisor's recommendations, judged from what the store knows of a cluster.

Advisor documents recommendations drawn from a cluster's workload (COPY files, table statistics,
keys and encodings) and one drawn from its configuration: *enable short query acceleration* (SQA).
localshift keeps no workload history, so it makes that one alone, for every cluster whose parameter
group's ``wlm_json_configuration`` leaves SQA off: manual WLM without a ``short_query_queue`` element,
or ``"short_query_queue": false``.  It goes as soon as the group turns SQA on (docs/behaviour.md,
"Advisor recommendations").
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from localshift.errors import ApiError
from localshift.records import ClusterRecord
from localshift.services.context import RequestContext
from localshift.services.redshift import validation, wlm
from localshift.services.redshift.arns import namespace_arn
from localshift.services.redshift.backend import RedshiftBackend
from localshift.services.redshift.parameter_lookup import values_of
from localshift.store.paging import page_of

ENABLE_SQA = "enable-sqa"
_GUIDE = "https://docs.aws.amazon.com/redshift/latest/dg"


def _sqa_off(config: list[dict[str, Any]]) -> bool:
    """Whether a WLM configuration leaves SQA off (automatic WLM turns it on unless told not to)."""
    switches = [queue["short_query_queue"] for queue in config if "short_query_queue" in queue]
    if switches:
        return not any(switches)
    return not any(queue.get("auto_wlm") for queue in config)


def _with_sqa(config: list[dict[str, Any]]) -> str:
    queues = [queue for queue in config if set(queue) != {"short_query_queue"}]
    return json.dumps([*queues, {"short_query_queue": True}], separators=(",", ":"))


def _enable_sqa(cluster: ClusterRecord, config: list[dict[str, Any]]) -> dict[str, Any]:
    group = cluster.cluster_parameter_group_name
    value = _with_sqa(config)
    parameters = json.dumps([{"ParameterName": "wlm_json_configuration", "ParameterValue": value}])
    return {
        "RecommendationType": ENABLE_SQA,
        "Title": "Enable short query acceleration",
        "Description": "Short query acceleration (SQA) runs short-running queries in a dedicated space, so "
                       "they don't wait in WLM queues behind longer queries.",
        "Observation": f"Cluster {cluster.identifier} uses parameter group {group}, whose WLM configuration "
                       f"has short query acceleration turned off.",
        "ImpactRanking": "MEDIUM",
        "RecommendationText": "Turn on short query acceleration in the cluster's WLM configuration. The change "
                              "is dynamic: it applies without a reboot.",
        "RecommendedActions": [{
            "Text": f"Add short query acceleration to parameter group {group}.",
            "Command": f"aws redshift modify-cluster-parameter-group --parameter-group-name {group} "
                       f"--parameters '{parameters}'",
            "Type": "CLI",
        }],
        "ReferenceLinks": [
            {"Text": "Enable short query acceleration",
             "Link": f"{_GUIDE}/advisor-recommendations.html#enable-sqa-recommendation"},
            {"Text": "Working with short query acceleration", "Link": f"{_GUIDE}/wlm-short-query-acceleration.html"},
        ],
    }


def recommendations_of(backend: RedshiftBackend, cluster: ClusterRecord) -> list[dict[str, Any]]:
    """The Recommendation shapes that apply to a cluster now (none when none does)."""
    values = values_of(backend, cluster.account, cluster.region, cluster.cluster_parameter_group_name)
    config = wlm.parse(values.get("wlm_json_configuration", wlm.DEFAULT))
    found = [_enable_sqa(cluster, config)] if _sqa_off(config) else []
    arn = namespace_arn(cluster.region, cluster.account, cluster.namespace_id)
    for recommendation in found:
        # Stable: the same cluster and type give the same id on every call.
        recommendation["Id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}/{recommendation['RecommendationType']}"))
        recommendation.update(ClusterIdentifier=cluster.identifier, NamespaceArn=arn, CreatedAt=cluster.create_time)
    return found


def _clusters(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> list[ClusterRecord]:
    clusters = [c for c in backend.clusters.page(ctx.account, ctx.region, 0, 1_000_000) if c.status != "deleting"]
    if "ClusterIdentifier" in p:
        clusters = [c for c in clusters if c.identifier == p["ClusterIdentifier"].lower()]
        if not clusters:
            raise ApiError("ClusterNotFound", f"Cluster {p['ClusterIdentifier']} not found.")
    if "NamespaceArn" in p:
        clusters = [c for c in clusters if namespace_arn(c.region, c.account, c.namespace_id) == p["NamespaceArn"]]
        if not clusters:
            raise ApiError("ClusterNotFound", f"Cluster with namespace {p['NamespaceArn']} not found.")
    return clusters


def list_recommendations(backend: RedshiftBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    limit = validation.max_records(p.get("MaxRecords"), 1, 100, 100)
    found = [(cluster.row_id, recommendation) for cluster in _clusters(backend, ctx, p)
             for recommendation in recommendations_of(backend, cluster)]
    page, marker = page_of(found, lambda item: f"{item[0]:012d}/{item[1]['RecommendationType']}",
                           p.get("Marker"), limit)
    result: dict[str, Any] = {"Recommendations": [recommendation for _, recommendation in page]}
    if marker:
        result["Marker"] = marker
    return result


OPERATIONS = {"ListRecommendations": list_recommendations}
