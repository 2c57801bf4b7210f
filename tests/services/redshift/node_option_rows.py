"""DescribeNodeConfigurationOptions' rows as the node options tests read them: every page's, the configurations
they list, a refusal's code and HTTP status, and the resize rows of a 2-node ra3.xlplus cluster."""

from __future__ import annotations

from typing import Any

import pytest


def code_of(excinfo: pytest.ExceptionInfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def rows(client, **params) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every row, following markers."""
    out: list[dict[str, Any]] = []
    marker = None
    for _ in range(20):
        page = client.describe_node_configuration_options(**params, **({"Marker": marker} if marker else {}))
        out.extend(page["NodeConfigurationOptionList"])
        marker = page.get("Marker")
        if not marker:
            return out
    raise AssertionError("the marker never ran out")


def configs(option_rows: list[dict[str, Any]]) -> list[tuple]:
    return [(r["NodeType"], r["NumberOfNodes"], r.get("Mode")) for r in option_rows]


# The resize-cluster rows of a 2-node ra3.xlplus cluster (4 slices, no data).
RA3_XLPLUS_2_RESIZE = [
    ("ra3.large", 2, None), ("ra3.large", 3, None), ("ra3.large", 4, None),
    ("ra3.xlplus", 3, None), ("ra3.xlplus", 4, None),
    ("ra3.4xlarge", 2, None), ("ra3.16xlarge", 2, None),
    ("rg.xlarge", 2, None), ("rg.xlarge", 3, None), ("rg.xlarge", 4, None),
    ("rg.4xlarge", 2, None),
]
