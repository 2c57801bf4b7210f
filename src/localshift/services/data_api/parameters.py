"""Named parameters in Data API SQL (``:name``), turned into PostgreSQL's own (``$1``, ``$2``...).

As Redshift reads them: a placeholder is a colon and a name of letters, digits and
underscores, outside string literals, quoted identifiers, dollar-quoted bodies and comments;
``::`` is a cast, not a placeholder (``:id::smallint`` is parameter ``id`` cast to smallint).
A name may appear many times (each place is a parameter of its own, so each takes the type
its place needs: ``:id`` and ``:id::smallint`` in one statement) and parameters may come in
any order.  Every value must be used: a value no placeholder names is refused as AWS refuses it
("Parameters list contains unused parameters"), a batch's values being shared by its statements.
Every value is sent as text of unknown type, so the engine casts it to what the
context needs; a value is never NULL (Redshift passes the text ``null`` through as it is).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from localshift.services.data_api.errors import validation

_NAME = re.compile(r"[A-Za-z0-9_]+")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def parameter_values(parameters: list[dict[str, Any]] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for parameter in parameters or []:
        if parameter["name"] in values:
            raise validation(f"The parameter {parameter['name']} is given more than once.")
        values[parameter["name"]] = parameter["value"]
    return values


def check(queries: list[str], values: dict[str, str]) -> None:
    """Refuse what AWS refuses before running anything: a placeholder without its value, and a
    value no placeholder names (a batch's parameters are shared: one statement naming it is
    enough; a ``:name`` inside a string literal is no placeholder, so its value is unused)."""
    if not values:
        return
    named: set[str] = set()
    for query in queries:
        named.update(name for _, _, name in _placeholders(query, values))
    unused = [name for name in values if name not in named]
    if unused:
        raise validation(f"Parameters list contains unused parameters. Unused parameters: [{', '.join(unused)}]")


def bind(sql: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """``sql`` with its ``:name`` placeholders numbered, and the values in that order.  Without
    parameters the text is left alone (a colon in it means nothing)."""
    if not values:
        return sql, []
    out: list[str] = []
    ordered: list[str] = []
    done = 0
    for start, end, name in _placeholders(sql, values):
        ordered.append(values[name])
        out.append(sql[done:start] + f"${len(ordered)}")
        done = end
    out.append(sql[done:])
    return "".join(out), ordered


def _placeholders(sql: str, values: dict[str, str]) -> Iterator[tuple[int, int, str]]:
    """Where each ``:name`` placeholder of ``sql`` starts and ends, and its name; one without a
    value in ``values`` is refused."""
    i, n = 0, len(sql)
    while i < n:
        end = _skip_quoted(sql, i)
        if end > i:
            i = end
            continue
        if sql.startswith("::", i):
            i += 2
            continue
        match = _NAME.match(sql, i + 1) if sql[i] == ":" else None
        if match is None:
            i += 1
            continue
        name = match.group(0)
        if name not in values:
            raise validation(f"The SQL names the parameter :{name}, which Parameters does not give.")
        yield i, match.end(), name
        i = match.end()


def _skip_quoted(sql: str, i: int) -> int:
    """The end of the literal, quoted identifier, dollar-quoted body or comment starting at
    ``i`` (``i`` itself when none starts there)."""
    char = sql[i]
    if char == "'":
        escapes = i > 0 and sql[i - 1] in "eE"
        return _closing_quote(sql, i + 1, "'", escapes)
    if char == '"':
        return _closing_quote(sql, i + 1, '"', False)
    if sql.startswith("--", i):
        end = sql.find("\n", i)
        return len(sql) if end < 0 else end + 1
    if sql.startswith("/*", i):
        depth, j = 0, i
        while j < len(sql):
            if sql.startswith("/*", j):
                depth, j = depth + 1, j + 2
            elif sql.startswith("*/", j):
                depth, j = depth - 1, j + 2
                if depth == 0:
                    return j
            else:
                j += 1
        return len(sql)
    if char == "$":
        tag = _DOLLAR_TAG.match(sql, i)
        if tag is not None and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            end = sql.find(tag.group(0), tag.end())
            return len(sql) if end < 0 else end + len(tag.group(0))
    return i


def _closing_quote(sql: str, j: int, quote: str, escapes: bool) -> int:
    while j < len(sql):
        if escapes and sql[j] == "\\":
            j += 2
        elif sql[j] == quote:
            if sql.startswith(quote * 2, j):
                j += 2
            else:
                return j + 1
        else:
            j += 1
    return len(sql)
