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

# Reads that answer from engines (the catalog) or from result files, not from the store alone: they
# run on the request thread, and no answer is kept.  DescribeStatement and ListStatements read
# statements' records alone (every status change is a write to the store), so they run on the
# event loop as the store's reads do (a poll costs no thread hop).
READS_BEYOND_THE_STORE = frozenset({
    "GetStatementResult", "GetStatementResultV2", "ListDatabases", "ListSchemas", "ListTables", "DescribeTable",
})
