"""GetStatementResult (JSON records) and GetStatementResultV2 (CSV records), page by page.

A result is served once its statement FINISHED, for 24 hours (results.py keeps the rows: a small
result's in the store with its statement, a larger one's in a file).  A page holds about 1 MB of
the result (results.PAGE_BYTES; AWS documents no page size), and NextToken names the next one.  A
batch's results are fetched per part (``<id>:<n>``).  Results survive a restart of the service
(the store and the files stay with the data dir); one whose file is gone (removed, or lost to a
crash of the machine) is reported as not there.
"""

from __future__ import annotations

from typing import Any

from localshift.errors import ApiError
from localshift.services.context import RequestContext
from localshift.services.data_api.backend import DataApiBackend
from localshift.services.data_api.errors import not_found, validation
from localshift.services.data_api.results import json_records, read_page
from localshift.services.data_api.statements import find_statement
from localshift.store.data_api import FINISHED, StatementPart
from localshift.store.paging import decode_marker, encode_marker


def get_statement_result(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    part, page, data = _page(backend, ctx, p, "JSON")
    blobs = [i for i, column in enumerate(part.columns) if column["typeName"] == "varbyte"]
    return {"Records": json_records(data, blobs), **_around(part, page, p["Id"])}


def get_statement_result_v2(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    part, page, data = _page(backend, ctx, p, "CSV")
    records = [{"CSVRecords": data.decode()}] if data else []
    return {"Records": records, "ResultFormat": "CSV", **_around(part, page, p["Id"])}


def _around(part: StatementPart, page: int, statement_id: str) -> dict[str, Any]:
    more = page + 1 < len(part.pages)
    return {"ColumnMetadata": part.columns, "TotalNumRows": part.result_rows,
            "NextToken": encode_marker([statement_id, page + 1]) if more else None}


def _page(backend: DataApiBackend, ctx: RequestContext, p: dict[str, Any], result_format: str) -> tuple[StatementPart, int, bytes]:
    record, index = find_statement(backend, ctx, p["Id"])
    if record.is_batch and index is None:
        raise validation("BatchExecuteStatement result can only be retrieved with sub-statement id.")
    part = record.parts[index or 0]
    if part.status != FINISHED or not part.has_result_set:
        raise not_found("Query does not have result. Please check query status.", p["Id"])
    if record.result_format != result_format:
        operation = "GetStatementResultV2" if record.result_format == "CSV" else "GetStatementResult"
        raise validation(f"The statement's result format is {record.result_format}: fetch it with {operation}.")
    page = _page_number(p.get("NextToken"), p["Id"], len(part.pages))
    if part.result_text is not None:
        return part, page, part.result_text.encode()  # one page: it is small
    gone = not_found("Query does not have result. Its result is no longer kept.", p["Id"])
    if part.result_file is None:
        raise gone
    try:
        data = read_page(backend.results_dir / part.result_file, part.pages, page, part.result_size)
    except FileNotFoundError:
        raise gone from None
    return part, page, data


def _page_number(token: str | None, statement_id: str, pages: int) -> int:
    if token is None:
        return 0
    try:
        named, page = decode_marker(token, (str, int))
    except ApiError:
        named, page = None, -1
    if named != statement_id or not 0 < page < pages:
        raise validation("The NextToken is not valid for this statement.")
    return page


OPERATIONS = {
    "GetStatementResult": get_statement_result,
    "GetStatementResultV2": get_statement_result_v2,
}
