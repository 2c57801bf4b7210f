"""Redshift data type names -> PostgreSQL's.

``read_type`` reads a type at a position of a node list (multi-word names,
modifiers, array brackets) and returns its PostgreSQL spelling.
"""

from __future__ import annotations

from .errors import TranslationError, not_supported, syntax_error
from .tokens import Group, Node, render, split_commas, strip

# Redshift's VARCHAR(MAX) is 65535 bytes; VARBYTE(MAX) is 1,024,000 bytes.
VARCHAR_MAX = 65535

# Redshift's DECIMAL / NUMERIC without a precision: DECIMAL(18, 0).
DECIMAL_DEFAULT = ["18", "0"]
# Redshift's DECIMAL holds up to 38 digits (128-bit integers); PostgreSQL's up to 1000.
DECIMAL_MAX_PRECISION = 38

# Multi-word type names: first word -> the words that may follow, longest first.
_MULTI_WORD = {
    "character": (("varying",),),
    "char": (("varying",),),
    "national": (("character", "varying"), ("character",)),
    "double": (("precision",),),
    "binary": (("varying",),),
    "timestamp": (("without", "time", "zone"), ("with", "time", "zone")),
    "time": (("without", "time", "zone"), ("with", "time", "zone")),
}

# Redshift names PostgreSQL lacks (or means differently).
_RENAMED = {
    "nvarchar": "varchar",
    "national character varying": "varchar",
    "char varying": "varchar",
    "nchar": "char",
    "national character": "char",
    "bpchar": "char",
    "super": "jsonb",
    "varbyte": "bytea",
    "varbinary": "bytea",
    "binary varying": "bytea",
    "float": "double precision",
    "datetime": "timestamp",  # CONVERT(datetime, '2008-02-18 02:36:48') in AWS's examples
}

_VARCHARS = {"varchar", "character varying", "nvarchar", "national character varying",
             "char varying", "text"}
_NOT_SUPPORTED = {"geometry", "geography", "hllsketch", "intervaly2m", "intervald2s"}


def read_type(nodes: list[Node], i: int, column: bool = False) -> tuple[str, int]:
    """The type whose first word is ``nodes[i]``: (PostgreSQL text, index after it).
    ``column``: a column definition, where Redshift stores TEXT as VARCHAR(256)."""
    first = nodes[i]
    if first.kind not in ("ident", "qident"):
        raise syntax_error(first.text)
    name = first.low if first.kind == "ident" else first.text
    j = i + 1
    for tail in _MULTI_WORD.get(name, ()):
        k, matched = j, True
        for word in tail:
            k = _skip_blank(nodes, k)
            if k < len(nodes) and nodes[k].low == word:
                k += 1
            else:
                matched = False
                break
        if matched:
            name = " ".join((name,) + tail)
            j = k
            break
    while j + 1 < len(nodes) and nodes[j].text == "." and nodes[j + 1].kind in ("ident", "qident"):
        name = f"{name}.{nodes[j + 1].text}"  # schema-qualified type
        j += 2
    k = _skip_blank(nodes, j)
    modifier = None
    if k < len(nodes) and isinstance(group := nodes[k], Group) and group.open == "(":
        modifier, j = group, k + 1
    k = _skip_blank(nodes, j)
    array = ""
    while k < len(nodes) and isinstance(group := nodes[k], Group) and group.open == "[":
        array += group.text
        j = k + 1
        k = _skip_blank(nodes, j)
    return _pg_type(name, modifier, column) + array, j


def _pg_type(name: str, modifier: Group | None, column: bool) -> str:
    if name in _NOT_SUPPORTED:
        raise not_supported(f"data type {name.upper()}")
    args = [render(strip(a)) for a in split_commas(modifier.nodes)] if modifier else []
    if name in _VARCHARS:
        if not args and column:
            # A VARCHAR (NVARCHAR, TEXT...) column without a length is VARCHAR(256) ("Character types").
            return "varchar(256)"
        if name == "text" and not args:
            return "text"
        if [a.lower() for a in args] == ["max"]:
            args = [str(VARCHAR_MAX)]
    elif name in ("numeric", "decimal") and not args:
        # Redshift's DECIMAL without precision is DECIMAL(18, 0) ("Numeric types": default
        # precision 18, default scale 0), wherever a type is named: '3.7'::decimal is 4, and so is
        # what CREATE TABLE AS keeps.  PostgreSQL's would be an unconstrained NUMERIC.
        args = DECIMAL_DEFAULT
    elif name in ("numeric", "decimal"):
        _check_decimal(args)
    elif name == "bpchar" and not args:
        # A BPCHAR column is CHAR(256) ("Character types"); elsewhere BPCHAR is a blank-padded
        # string of any length, not CHAR(1): Redshift's catalog writes a CHAR column's default as
        # 'active'::bpchar (pg_attrdef, pg_get_viewdef), which DDL written from it runs again.
        return "char(256)" if column else "bpchar"
    elif name in ("varbyte", "varbinary", "binary varying"):
        args = []  # bytea has no length; VARBYTE(n) limits are not enforced
    elif name == "float" and args:
        # FLOAT(p): REAL up to 24 bits of precision, DOUBLE PRECISION above
        # (SQLAlchemy and pandas write FLOAT(53)).
        return "real" if args[0].isdigit() and int(args[0]) <= 24 else "double precision"
    pg = _RENAMED.get(name, name)
    return f"{pg}({', '.join(args)})" if args else pg


def _check_decimal(args: list[str]) -> None:
    """DECIMAL(p, s): Redshift takes a precision of 1 to 38 and a scale of 0 to p, with its
    parser's messages as PostgreSQL's were up to version 14 (with Redshift's limit); PostgreSQL 18
    takes 1000 digits, a negative scale and one past the precision."""
    try:
        precision, scale = int(args[0]), int(args[1]) if len(args) > 1 else 0
    except ValueError:
        return  # not integer constants: the engine reports it
    if not 1 <= precision <= DECIMAL_MAX_PRECISION:
        raise TranslationError(f"NUMERIC precision {precision} must be between 1 and {DECIMAL_MAX_PRECISION}",
                               "22023")
    if not 0 <= scale <= precision:
        raise TranslationError(f"NUMERIC scale {scale} must be between 0 and precision {precision}", "22023")


def _skip_blank(nodes: list[Node], j: int) -> int:
    while j < len(nodes) and nodes[j].blank:
        j += 1
    return j
