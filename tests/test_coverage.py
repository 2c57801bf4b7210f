"""docs/coverage.md is what the coverage tool writes, every unserved operation has its reason, and
every unserved operation answers its protocol's documented error through botocore, never a 500."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localshift.protocol.spec import service_model
from localshift.server.services import SERVICES
from localshift.tools import coverage
from support import OWNER, REGION

REGENERATE = "run `python -m localshift.tools.coverage --write`"


def test_the_committed_coverage_is_the_tools_output():
    assert coverage.DOC.read_text() == coverage.render(), f"docs/coverage.md is stale: {REGENERATE}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_every_unserved_operation_has_a_reason_and_no_reason_outlives_its_operation(service):
    operations = set(service_model(service.name).operation_names)
    missing = sorted(name for name in operations - set(service.operations) if name not in service.unserved)
    assert missing == [], f"give these {service.name} operations a reason in server/unserved.py"
    stale = sorted(name for name in service.unserved if name in service.operations or name not in operations)
    assert stale == [], f"{service.name} serves these now (or the model lost them): delete them from server/unserved.py"


def test_the_counts_add_up():
    for service in SERVICES:
        total = len(service_model(service.name).operation_names)
        assert len(coverage.served(service)) + len(coverage.not_served(service)) == total
        assert f"| `{service.name}` | {total} | {len(coverage.served(service))} |" in coverage.render()


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_every_unserved_operation_answers_the_documented_error(server, service):
    # Parameters are not checked on the client: an unserved operation is refused before its input is read.
    client = boto3.client(service.name, endpoint_url=server.url, region_name=REGION, aws_access_key_id=OWNER,
                          aws_secret_access_key="secret",
                          config=Config(retries={"max_attempts": 1}, parameter_validation=False))
    expected = coverage.NOT_SERVED_ERRORS[service.protocol.name]
    for name in coverage.not_served(service):
        with pytest.raises(ClientError) as caught:
            client._make_api_call(name, {})
        response = caught.value.response
        # STS's AssumeRoleWithSAML/WebIdentity are sent unsigned: routed by their Action, answered alike.
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400, name
        assert response["Error"]["Code"] == expected, name
        assert service.why_not_served(name) in response["Error"]["Message"], name
