"""COPY and UNLOAD, parsed as Redshift parses them.

localshift has no S3 yet: a well-formed COPY from (or UNLOAD to) ``s3://``
first checks what Redshift checks before it reads the bucket (the target table
exists and takes inserts; the UNLOAD query is valid), then fails with the
error Redshift returns when the bucket cannot be found.  Nothing reads or
writes a server-side file: any other source is refused as Redshift refuses it.
``COPY ... FROM STDIN`` / ``TO STDOUT`` (PostgreSQL's client-side copy, which
Redshift lacks) pass through unchanged.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from .errors import TranslationError, do_block, not_supported, syntax_error
from .tokens import Node, quote_literal, string_value, temporary_table_names, tokenize, tree, words

if TYPE_CHECKING:
    from .expressions import Rewriter

# Parameter -> what follows it: "" nothing, "s" a string, "n" a number,
# "s?" an optional string, "w:a|b" one of the words, "w?:a|b" optionally one of them.
_COPY_PARAMETERS = {
    "iam_role": "default|s", "credentials": "s", "access_key_id": "s", "secret_access_key": "s",
    "session_token": "s", "master_symmetric_key": "s", "encrypted": "", "region": "s",
    "manifest": "", "ssh": "", "readratio": "n",
    "csv": "", "quote": "s", "delimiter": "s", "fixedwidth": "s", "shapefile": "",
    "json": "s?", "avro": "s?", "parquet": "", "orc": "",
    "bzip2": "", "gzip": "", "lzop": "", "zstd": "",
    "acceptanydate": "", "acceptinvchars": "s?", "blanksasnull": "", "dateformat": "s",
    "emptyasnull": "", "encoding": "w:utf8|utf16|utf16le|utf16be", "escape": "",
    "explicit_ids": "", "fillrecord": "", "ignoreblanklines": "", "ignoreheader": "n",
    "null": "s", "removequotes": "", "roundec": "", "timeformat": "s", "trimblanks": "",
    "truncatecolumns": "", "comprows": "n", "compupdate": "w?:on|off|true|false|preset",
    "ignoreallerrors": "", "maxerror": "n", "noload": "", "statupdate": "w?:on|off|true|false",
    "serializetojson": "", "simplify": "w?:auto|auto ignorecase",
}
_UNLOAD_PARAMETERS = {
    "iam_role": "default|s", "credentials": "s", "access_key_id": "s", "secret_access_key": "s",
    "session_token": "s", "master_symmetric_key": "s", "kms_key_id": "s",
    "encrypted": "w?:auto", "region": "s", "manifest": "w?:verbose", "header": "",
    "delimiter": "s", "fixedwidth": "s", "csv": "", "json": "", "parquet": "",
    "bzip2": "", "gzip": "", "zstd": "", "addquotes": "", "null": "s", "escape": "",
    "allowoverwrite": "", "cleanpath": "", "parallel": "w?:on|off|true|false",
    "maxfilesize": "size", "rowgroupsize": "size", "extension": "s",
}
_FORMATS = {"csv", "json", "avro", "parquet", "orc", "shapefile", "fixedwidth", "delimiter"}
_AUTHORIZATION = {"iam_role", "credentials", "access_key_id"}


def _parameters(sig: list[Node], k: int, allowed: dict[str, str]) -> dict[str, object]:
    """Read ``[FORMAT [AS]] name [AS] argument`` parameters until the end."""
    found: dict[str, object] = {}
    while k < len(sig):
        word = sig[k].low
        if word == "format":
            k += 1
            if k < len(sig) and sig[k].low == "as":
                k += 1
            if k >= len(sig) or sig[k].low not in _FORMATS:
                raise syntax_error(sig[k].text if k < len(sig) else "format")
            continue
        if word == "partition" and "manifest" in allowed:  # UNLOAD ... PARTITION BY (cols) [INCLUDE]
            if k + 2 >= len(sig) or sig[k + 1].low != "by" or sig[k + 2].kind != "group":
                raise syntax_error(sig[k].text)
            k += 3
            if k < len(sig) and sig[k].low == "include":
                k += 1
            found["partition"] = True
            continue
        spec = allowed.get(word)
        if spec is None or word in found:
            raise syntax_error(sig[k].text)
        k += 1
        if k < len(sig) and sig[k].low == "as" and spec:
            k += 1
        value: object = True
        nxt = sig[k] if k < len(sig) else None
        if spec == "s" or spec == "s?" and nxt is not None and nxt.kind == "string":
            if nxt is None or nxt.kind != "string":
                raise syntax_error(nxt.text if nxt is not None else word)
            value, k = string_value(nxt), k + 1
        elif spec == "default|s":
            if nxt is None or not (nxt.kind == "string" or nxt.low == "default"):
                raise syntax_error(nxt.text if nxt is not None else word)
            value, k = (nxt.low if nxt.kind == "ident" else string_value(nxt)), k + 1
        elif spec == "n":
            if nxt is None or nxt.kind != "number":
                raise syntax_error(nxt.text if nxt is not None else word)
            value, k = nxt.text, k + 1
        elif spec == "size":
            if nxt is None or nxt.kind != "number":
                raise syntax_error(nxt.text if nxt is not None else word)
            k += 1
            if k < len(sig) and sig[k].low in ("mb", "gb"):
                k += 1
        elif spec.startswith("w"):
            choices = spec.split(":", 1)[1].split("|")
            if nxt is not None and nxt.low in choices:
                value, k = nxt.low, k + 1
            elif not spec.startswith("w?"):
                raise syntax_error(nxt.text if nxt is not None else word)
        found[word] = value
    return found


def _check_authorization(found: dict[str, object]) -> None:
    if not found.keys() & _AUTHORIZATION:
        raise TranslationError("Invalid credentials. Must be of the format: credentials "
                               "'aws_iam_role=...' or 'aws_access_key_id=...;"
                               "aws_secret_access_key=...[;token=...]'", "XX000")
    if "access_key_id" in found and "secret_access_key" not in found:
        raise syntax_error("access_key_id")


def _bucket_error(url: str) -> TranslationError:
    """What Redshift answers when S3 reports that the bucket does not exist."""
    bucket, _, prefix = url[len("s3://"):].partition("/")
    request = uuid.uuid4().hex[:16].upper()
    message = (f"S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket,"
               f"Rid {request},ExtRid {request},CanRetry 1")
    detail = ("\n  -----------------------------------------------\n"
              f"  error:  {message}\n  code:      8001\n"
              f"  context:   Listing bucket={bucket} prefix={prefix}\n"
              "  location:  s3_utility.cpp:688\n  process:   padbmaster [pid=0]\n"
              "  -----------------------------------------------\n")
    return TranslationError(message, "XX000", detail)


def copy(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str | None:
    """COPY table [(columns)] FROM 'source' authorization [parameters]."""
    lows = [w.low for w in sig]
    if "from" not in lows:
        if "to" in lows and lows[lows.index("to") + 1:lows.index("to") + 2] == ["stdout"]:
            return None  # PostgreSQL's COPY ... TO STDOUT
        raise syntax_error(sig[-1].text)
    f = lows.index("from")
    if f + 1 < len(sig) and lows[f + 1] == "stdin":
        return None  # PostgreSQL's COPY ... FROM STDIN
    table = sig[1:f]
    if table and table[-1].kind == "group":
        table = table[:-1]
    if not table:
        raise syntax_error("from")
    k = f + 1
    if k < len(sig) and lows[k] == "ssh":
        raise not_supported("COPY from a remote host over SSH")
    if k >= len(sig) or sig[k].kind != "string":
        raise syntax_error(sig[k].text if k < len(sig) else "from")
    source = string_value(sig[k])
    found = _parameters(sig, k + 1, _COPY_PARAMETERS)
    _check_authorization(found)
    if source.startswith("s3://"):
        error = _bucket_error(source)
    elif source.startswith(("dynamodb://", "emr://")):
        raise not_supported(f"COPY from {source.split(':')[0].upper()}")
    else:
        raise TranslationError("LOAD source is not supported. (Hint: only S3 or DynamoDB or EMR "
                               "based load is allowed)", "0A000")
    relation = quote_literal(rw.text(table))
    return _checked_error(
        f"IF NOT pg_catalog.has_table_privilege({relation}, 'INSERT') THEN "
        f"PERFORM localshift.raise_error('42501', 'permission denied for relation ' || {relation}, NULL); "
        "END IF;", error)


def unload(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str:
    """UNLOAD ('query') TO 's3://...' authorization [parameters]."""
    if len(sig) < 4 or sig[1].kind != "group" or sig[2].low != "to" or sig[3].kind != "string":
        raise syntax_error(sig[1].text if len(sig) > 1 else "unload")
    inner = words(sig[1].nodes)
    if len(inner) != 1 or inner[0].kind not in ("string", "dollar"):
        raise syntax_error(sig[1].text)
    query = string_value(inner[0])
    target = string_value(sig[3])
    found = _parameters(sig, 4, _UNLOAD_PARAMETERS)
    _check_authorization(found)
    if not target.startswith("s3://"):
        raise TranslationError("UNLOAD destination must be an S3 path (s3://...)", "0A000")
    query_sql = rw.text(tree(temporary_table_names(tokenize(query, rw.standard_strings))))
    # The query is planned (not run) first, as Redshift checks it before writing.
    return _checked_error(f"EXECUTE {quote_literal('EXPLAIN ' + query_sql)};", _bucket_error(target))


def _checked_error(checks: str, error: TranslationError) -> str:
    return do_block(f"{checks} PERFORM localshift.raise_error({quote_literal(error.sqlstate)}, "
                    f"{quote_literal(error.message)}, {quote_literal(error.detail or '')});")
