"""Usage limits on workgroups: created with AWS's defaults, validated, updated, listed in pages,
deleted, gone with their workgroup; missing ones in the words Terraform's provider matches."""

from __future__ import annotations

import re

from support import aws_cli


def test_create_get_update_delete(owner):
    workgroup = owner.namespace_with_workgroup()
    created = owner.create_usage_limit(resourceArn=workgroup["workgroupArn"], usageType="serverless-compute",
                                       amount=60)["usageLimit"]
    assert (created["period"], created["breachAction"], created["amount"]) == ("monthly", "log", 60)
    assert re.fullmatch(r"arn:aws:redshift-serverless:us-east-1:111111111111:usagelimit/[0-9a-f-]{36}",
                        created["usageLimitArn"])
    assert created["usageLimitArn"].endswith(created["usageLimitId"])
    assert owner.get_usage_limit(usageLimitId=created["usageLimitId"])["usageLimit"] == created
    updated = owner.update_usage_limit(usageLimitId=created["usageLimitId"], amount=120,
                                       breachAction="deactivate")["usageLimit"]
    assert (updated["amount"], updated["breachAction"], updated["period"]) == (120, "deactivate", "monthly")
    deleted = owner.delete_usage_limit(usageLimitId=created["usageLimitId"])["usageLimit"]
    assert deleted["amount"] == 120
    code, status, message = owner.error(owner.get_usage_limit, usageLimitId=created["usageLimitId"])
    assert (code, status) == ("ValidationException", 400) and "does not exist" in message
    assert owner.error(owner.delete_usage_limit, usageLimitId=created["usageLimitId"])[:2] == (
        "ResourceNotFoundException", 404)
    assert owner.error(owner.update_usage_limit, usageLimitId="nope", amount=1)[:2] == ("ResourceNotFoundException", 404)


def test_validation(owner, grantee):
    workgroup = owner.namespace_with_workgroup()
    arn = workgroup["workgroupArn"]
    assert owner.error(owner.create_usage_limit, resourceArn=arn, usageType="serverless-compute", amount=0)[:2] == (
        "ValidationException", 400)
    namespace_arn = owner.get_namespace(namespaceName="ns1")["namespace"]["namespaceArn"]
    assert owner.error(owner.create_usage_limit, resourceArn=namespace_arn, usageType="serverless-compute",
                       amount=1)[0] == "ValidationException"
    assert owner.error(owner.create_usage_limit, resourceArn="not-an-arn", usageType="serverless-compute",
                       amount=1)[0] == "ValidationException"
    assert owner.error(owner.create_usage_limit, resourceArn=arn, usageType="gpu", amount=1)[0] == "ValidationException"
    assert owner.error(owner.create_usage_limit, resourceArn=arn, usageType="serverless-compute", amount=1,
                       period="yearly")[0] == "ValidationException"
    # Another account's workgroup does not exist for the caller.
    assert grantee.error(grantee.create_usage_limit, resourceArn=arn, usageType="serverless-compute",
                         amount=1)[:2] == ("ResourceNotFoundException", 404)
    for amount in range(4):
        owner.create_usage_limit(resourceArn=arn, usageType="serverless-compute", amount=amount + 1, period="daily")
    assert owner.error(owner.create_usage_limit, resourceArn=arn, usageType="serverless-compute", amount=9)[:2] == (
        "ServiceQuotaExceededException", 402)
    owner.create_usage_limit(resourceArn=arn, usageType="cross-region-datasharing", amount=1)


def test_list_filters_and_pages(owner):
    first = owner.namespace_with_workgroup("ns1", "wg1")["workgroupArn"]
    second = owner.namespace_with_workgroup("ns2", "wg2")["workgroupArn"]
    for arn in (first, second):
        owner.create_usage_limit(resourceArn=arn, usageType="serverless-compute", amount=10)
        owner.create_usage_limit(resourceArn=arn, usageType="cross-region-datasharing", amount=2)
    assert len(owner.list_usage_limits()["usageLimits"]) == 4
    assert {u["resourceArn"] for u in owner.list_usage_limits(resourceArn=first)["usageLimits"]} == {first}
    assert {u["usageType"] for u in owner.list_usage_limits(usageType="cross-region-datasharing")["usageLimits"]} == {
        "cross-region-datasharing"}
    pages = list(owner.get_paginator("list_usage_limits").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(page["usageLimits"]) for page in pages] == [3, 1]
    assert owner.error(owner.list_usage_limits, nextToken="forged-token")[:2] == ("InvalidPaginationException", 400)


def test_a_workgroups_limits_go_with_it(owner):
    arn = owner.namespace_with_workgroup()["workgroupArn"]
    owner.create_usage_limit(resourceArn=arn, usageType="serverless-compute", amount=10)
    owner.delete_workgroup(workgroupName="wg1")
    owner.wait_for_gone(owner.get_workgroup, workgroupName="wg1")
    assert owner.list_usage_limits()["usageLimits"] == []


def test_aws_cli(owner):
    workgroup = owner.namespace_with_workgroup()
    cli = {"service": "redshift-serverless"}
    created = aws_cli(owner.server, "create-usage-limit", "--resource-arn", workgroup["workgroupArn"], "--usage-type",
                      "serverless-compute", "--amount", "30", "--breach-action", "emit-metric", **cli)["usageLimit"]
    assert (created["amount"], created["breachAction"]) == (30, "emit-metric")
    listed = aws_cli(owner.server, "list-usage-limits", "--resource-arn", workgroup["workgroupArn"], **cli)
    assert [limit["usageLimitId"] for limit in listed["usageLimits"]] == [created["usageLimitId"]]
    aws_cli(owner.server, "delete-usage-limit", "--usage-limit-id", created["usageLimitId"], **cli)
    assert owner.list_usage_limits()["usageLimits"] == []
