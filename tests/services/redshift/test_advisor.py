"""ListRecommendations: Advisor's SQA recommendation follows each cluster's WLM configuration."""

from __future__ import annotations

import json
import shlex

import pytest
from botocore.exceptions import ClientError

from support import create_available_cluster, error_of

MANUAL_WLM = '[{"query_concurrency":5,"memory_percent_to_use":100}]'


def refused(call, **params) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**params)
    return error_of(caught)


def manual_group(redshift, name: str = "manual") -> None:  # type: ignore[no-untyped-def]
    redshift.create_cluster_parameter_group(ParameterGroupName=name, ParameterGroupFamily="redshift-2.0",
                                            Description="manual WLM")
    redshift.modify_cluster_parameter_group(ParameterGroupName=name, Parameters=[
        {"ParameterName": "wlm_json_configuration", "ParameterValue": MANUAL_WLM}])


def test_no_recommendations_for_default_clusters(redshift):
    assert redshift.list_recommendations()["Recommendations"] == []
    create_available_cluster(redshift)  # automatic WLM: SQA is on
    assert redshift.list_recommendations()["Recommendations"] == []
    assert redshift.list_recommendations(ClusterIdentifier="c1")["Recommendations"] == []


def test_sqa_recommendation_appears_and_goes_with_the_configuration(redshift):
    manual_group(redshift)
    cluster = create_available_cluster(redshift, ClusterParameterGroupName="manual")
    [found] = redshift.list_recommendations()["Recommendations"]
    assert found["RecommendationType"] == "enable-sqa"
    assert (found["ClusterIdentifier"], found["NamespaceArn"]) == ("c1", cluster["ClusterNamespaceArn"])
    assert found["ImpactRanking"] == "MEDIUM" and found["Title"] == "Enable short query acceleration"
    assert "manual" in found["Observation"] and found["ReferenceLinks"]
    assert redshift.list_recommendations()["Recommendations"][0]["Id"] == found["Id"]  # stable
    assert redshift.list_recommendations(NamespaceArn=cluster["ClusterNamespaceArn"])["Recommendations"] == [found]
    # The recommended command is real: run through boto3, it turns SQA on and the recommendation goes.
    [action] = found["RecommendedActions"]
    assert action["Type"] == "CLI"
    words = shlex.split(action["Command"])
    assert words[:3] == ["aws", "redshift", "modify-cluster-parameter-group"]
    parameters = json.loads(words[words.index("--parameters") + 1])
    redshift.modify_cluster_parameter_group(ParameterGroupName=words[words.index("--parameter-group-name") + 1],
                                            Parameters=parameters)
    assert redshift.list_recommendations()["Recommendations"] == []
    # Turned off again explicitly: it comes back, with the same id.
    redshift.modify_cluster_parameter_group(ParameterGroupName="manual", Parameters=[{
        "ParameterName": "wlm_json_configuration",
        "ParameterValue": '[{"query_concurrency":5},{"short_query_queue":false}]'}])
    assert [r["Id"] for r in redshift.list_recommendations()["Recommendations"]] == [found["Id"]]


def test_filters_and_pages(ls, redshift):
    manual_group(redshift)
    for name in ("c1", "c2", "c3"):
        create_available_cluster(redshift, name, ClusterParameterGroupName="manual")
    create_available_cluster(redshift, "auto")
    first = redshift.list_recommendations(MaxRecords=2)
    assert [r["ClusterIdentifier"] for r in first["Recommendations"]] == ["c1", "c2"]
    second = redshift.list_recommendations(MaxRecords=2, Marker=first["Marker"])
    assert [r["ClusterIdentifier"] for r in second["Recommendations"]] == ["c3"] and "Marker" not in second
    pages = redshift.get_paginator("list_recommendations").paginate(PaginationConfig={"PageSize": 1})
    assert [r["ClusterIdentifier"] for page in pages for r in page["Recommendations"]] == ["c1", "c2", "c3"]
    only_c2 = redshift.list_recommendations(ClusterIdentifier="C2")["Recommendations"]
    assert [r["ClusterIdentifier"] for r in only_c2] == ["c2"]
    assert redshift.list_recommendations(ClusterIdentifier="auto")["Recommendations"] == []
    assert ls.client("222222222222").list_recommendations()["Recommendations"] == []
    assert refused(redshift.list_recommendations, ClusterIdentifier="nope")[:2] == ("ClusterNotFound", 404)
    unknown_namespace = "arn:aws:redshift:us-east-1:111111111111:namespace:nope"
    assert refused(redshift.list_recommendations, NamespaceArn=unknown_namespace)[:2] == ("ClusterNotFound", 404)
    assert refused(redshift.list_recommendations, MaxRecords=0)[:2] == ("InvalidParameterValue", 400)
    assert refused(redshift.list_recommendations, Marker="garbage")[:2] == ("InvalidParameterValue", 400)
