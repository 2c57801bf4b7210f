"""Every Redshift Data API operation localshift serves, by its API name (docs/data-api.md)."""

from __future__ import annotations

from typing import Any, Callable

from localshift.services.context import RequestContext
from localshift.services.data_api import metadata, statement_results, statements
from localshift.services.data_api.backend import DataApiBackend

Handler = Callable[[DataApiBackend, RequestContext, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    **statements.OPERATIONS,
    **statement_results.OPERATIONS,
    **metadata.OPERATIONS,
}

# Every read of the Data API answers from engines (the catalog) or from statements' state and
# result files, not from the store alone: all run on worker threads, and no answer is kept.
READS_BEYOND_THE_STORE = frozenset({
    "DescribeStatement", "ListStatements", "GetStatementResult", "GetStatementResultV2",
    "ListDatabases", "ListSchemas", "ListTables", "DescribeTable",
})
