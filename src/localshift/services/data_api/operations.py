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
