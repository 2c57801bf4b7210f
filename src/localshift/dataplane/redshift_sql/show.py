"""SHOW DATABASES / SCHEMAS / TABLES / COLUMNS / CONSTRAINTS / PROCEDURES /
FUNCTIONS / PARAMETERS, the metadata commands redshift_connector uses on its
newer path, SHOW [COLUMN] GRANTS (on an object or for a user or role) and SHOW
TABLE / VIEW / PROCEDURE (an object's DDL).  Each becomes a SELECT over a
``localshift.show_*`` function (catalog/15_show.sql) with Redshift's result
columns.  Names may be identifiers, string literals or bind parameters (the
driver binds them).
"""

from __future__ import annotations

from .errors import not_supported, syntax_error
from .routines import argument_types
from .settings import show_setting
from .tokens import Group, Node, Token, identifier_value, quote_literal, split_commas, words

_ROUTINE_COLUMNS = "database_name, schema_name, routine_name AS {kind}_name"


def _delimited_names_kept(sig: list[Node]) -> list[Node]:
    end = next((k for k, node in enumerate(sig) if node.low == "where"), len(sig))
    return [Token("string", quote_literal(node.text[1:-1].replace('""', '"'))) if node.kind == "qident" else node
            for node in sig[:end]] + sig[end:]


def _value(node: Node) -> str:
    """A name as a SQL text value."""
    if node.kind == "param":
        return node.text
    if node.kind == "string":
        return node.text
    return quote_literal(identifier_value(node))


def _name(sig: list[Node], k: int, parts: int) -> tuple[list[str], int]:
    """``parts`` dot-separated names from ``sig[k]``; returns their values and the next index."""
    values = []
    for p in range(parts):
        if k >= len(sig) or sig[k].kind not in ("ident", "qident", "string", "param"):
            raise syntax_error(sig[k].text if k < len(sig) else "end of input")
        values.append(_value(sig[k]))
        k += 1
        if p < parts - 1:
            if k >= len(sig) or sig[k].text != ".":
                raise syntax_error(sig[k].text if k < len(sig) else "end of input")
            k += 1
    return values, k


def _dotted(sig: list[Node], k: int, most: int) -> tuple[list[str], int]:
    """``[db.][schema.]name``: up to ``most`` names, NULL for those left out in front."""
    parts = 1
    while parts < most and k + 2 * parts - 1 < len(sig) and sig[k + 2 * parts - 1].text == ".":
        parts += 1
    names, k = _name(sig, k, parts)
    return ["NULL"] * (most - parts) + names, k


def _argument_types(sig: list[Node], k: int) -> tuple[str, int]:
    """An optional ``([argname] [argmode] argtype, ...)``: a regtype[] of the types, or NULL.
    The types may be bind parameters holding them: AWS's drivers bind each type SHOW
    PROCEDURES / FUNCTIONS listed into SHOW PARAMETERS OF ... ($4, $5)."""
    group = sig[k] if k < len(sig) else None
    if not isinstance(group, Group):
        return "NULL", k
    arguments = [words(a) for a in split_commas(group.nodes)]
    if arguments and all(len(a) == 1 and a[0].kind == "param" for a in arguments):
        return f"ARRAY[{', '.join(f'localshift.redshift_type({a[0].text}::text)' for a in arguments)}]", k + 1
    return argument_types(group), k + 1


def _tail(sig: list[Node], k: int, like_column: str | None) -> str:
    """[DRIVER_TOKEN 'x'] [LIKE pattern | WHERE ...] [LIMIT n]"""
    out = ""
    if k < len(sig) and sig[k].low == "driver_token":
        k += 2
    if k < len(sig) and sig[k].low == "like" and like_column:
        if k + 1 >= len(sig):
            raise syntax_error("like")
        out += f" WHERE {like_column} LIKE {_value(sig[k + 1])}"
        k += 2
    elif k < len(sig) and sig[k].low == "where":
        end = next((i for i in range(k, len(sig)) if sig[i].low == "limit"), len(sig))
        out += " WHERE " + render_conditions(sig[k + 1:end])
        k = end
    if k < len(sig) and sig[k].low == "limit":
        if k + 2 != len(sig) or sig[k + 1].kind not in ("number", "param"):
            raise syntax_error("limit")
        out += f" LIMIT {sig[k + 1].text}"
        k += 2
    if k != len(sig):
        raise syntax_error(sig[k].text)
    return out


def render_conditions(sig: list[Node]) -> str:
    """``SCHEMA_NAME LIKE $2 AND TABLE_NAME LIKE $3``: column names fold to lower case."""
    return " ".join(n.low if n.kind == "ident" else n.text for n in sig)


def _show_ddl(sig: list[Node], what: str) -> str:
    """SHOW TABLE|VIEW [schema.]name: one row, the object's DDL (catalog/15_show.sql)."""
    parts = 2 if len(sig) > 3 and sig[3].text == "." else 1
    names, k = _name(sig, 2, parts)
    if k != len(sig):
        raise syntax_error(sig[k].text)
    schema, name = names if parts == 2 else ["NULL"] + names
    return f'SELECT localshift.show_{what}_ddl({schema}, {name}) AS "Show {what.capitalize()} DDL statement"'


def show(sig: list[Node], case_sensitive: bool = False) -> str | None:
    """None: a PostgreSQL SHOW of a setting (passed through).  Under
    enable_case_sensitive_identifier a delimited name keeps its case (``SHOW TABLE "MixedCase"``):
    such names are taken as the string literals of their text (a WHERE's column names stay names)."""
    if case_sensitive:
        sig = _delimited_names_kept(sig)
    lows = [w.low for w in sig]
    what = lows[1] if len(lows) > 1 else ""
    if what == "databases":
        return "SELECT * FROM localshift.show_databases()" + _tail(sig, 2, "database_name")
    if lows[1:4] == ["schemas", "from", "database"]:
        (db,), k = _name(sig, 4, 1)
        return f"SELECT * FROM localshift.show_schemas({db})" + _tail(sig, k, "schema_name")
    if lows[1:4] in (["tables", "from", "schema"], ["tables", "from", "database"]):
        parts = 2 if lows[3] == "schema" else 1
        names, k = _name(sig, 4, parts)
        schema = names[1] if parts == 2 else "NULL"
        return f"SELECT * FROM localshift.show_tables({names[0]}, {schema})" + _tail(sig, k, "table_name")
    if lows[1:4] in (["columns", "from", "table"], ["columns", "from", "database"]):
        parts = 3 if lows[3] == "table" else 1
        names, k = _name(sig, 4, parts)
        args = names if parts == 3 else names + ["NULL", "NULL"]
        return f"SELECT * FROM localshift.show_columns({', '.join(args)})" + _tail(sig, k, "column_name")
    if lows[1:3] == ["constraints", "primary"] and lows[3:6] == ["keys", "from", "table"]:
        names, k = _name(sig, 6, 3)
        return f"SELECT * FROM localshift.show_primary_keys({', '.join(names)})" + _tail(sig, k, None)
    if lows[1:4] == ["constraints", "foreign", "keys"]:
        exported = lows[4:5] == ["exported"]
        k = 4 + exported
        if lows[k:k + 2] != ["from", "table"]:
            raise syntax_error(sig[k].text if k < len(sig) else "keys")
        names, k = _name(sig, k + 2, 3)
        return (f"SELECT * FROM localshift.show_foreign_keys({', '.join(names)}, "
                f"{'true' if exported else 'false'})" + _tail(sig, k, None))
    if what == "grants" or lows[1:3] == ["column", "grants"]:
        return _show_grants(sig, lows)
    if lows[1:4] in (["procedures", "from", "schema"], ["functions", "from", "schema"]):
        kind = "procedure" if what == "procedures" else "function"
        names, k = _name(sig, 4, 2)
        columns = _ROUTINE_COLUMNS.format(kind=kind) + ", return_type, argument_list"
        return (f"SELECT {columns} FROM localshift.show_routines({', '.join(names)}, "
                f"'{kind[0]}')" + _tail(sig, k, "routine_name"))
    if lows[1:3] == ["parameters", "of"] and lows[3:4] in (["procedure"], ["function"]):
        kind = lows[3]
        names, k = _name(sig, 4, 3)
        types, k = _argument_types(sig, k)
        columns = (_ROUTINE_COLUMNS.format(kind=kind) + ", parameter_name, ordinal_position, "
                   "parameter_type, data_type, character_maximum_length, numeric_precision, "
                   "numeric_scale")
        return (f"SELECT {columns} FROM localshift.show_parameters({', '.join(names)}, "
                f"'{kind[0]}', {types})" + _tail(sig, k, "parameter_name"))
    if what in ("table", "view") and len(sig) > 2:
        return _show_ddl(sig, what)
    if what == "procedure" and len(sig) > 2:
        (schema, name), k = _dotted(sig, 2, 2)
        types, k = _argument_types(sig, k)
        if k != len(sig):
            raise syntax_error(sig[k].text)
        return (f"SELECT localshift.show_procedure({schema}, {name}, {types}) "
                f'AS "Stored Procedure Definition"')
    if what in ("model", "datashares", "external"):
        raise not_supported(f"SHOW {what.upper()}")
    return show_setting(sig)


# SHOW GRANTS ON kind: the object's class (catalog/35_grant_views.sql) and how many dotted
# names its name has at most.
_GRANT_COLUMNS = ("database_name, schema_name, object_name, object_type, privilege_type, identity_id, "
                  "identity_name, identity_type, admin_option, privilege_scope, grantor_name")
_GRANT_OBJECTS = {"database": ("d", 1), "schema": ("n", 2), "table": ("r", 3), "function": ("f", 3),
                  "procedure": ("f", 3)}


def _show_grants(sig: list[Node], lows: list[str]) -> str:
    """SHOW GRANTS ON {DATABASE d | SCHEMA [d.]s | [TABLE] [[d.]s.]t | FUNCTION | PROCEDURE
    [[d.]s.]f[(types)]} [FOR {user | ROLE r | PUBLIC}] [LIMIT n]; SHOW GRANTS FOR {user |
    ROLE r} [FROM DATABASE d] [LIMIT n]; SHOW COLUMN GRANTS ON TABLE [[d.]s.]t [FOR ...]
    [LIKE column] [LIMIT n]; and the driver's SHOW GRANTS ON TABLES FROM DATABASE d."""
    column = lows[1] == "column"
    k = 2 + column
    if not column and (lows[k:k + 1] == ["for"] or lows[k:k + 4] == ["on", "tables", "from", "database"]):
        if lows[k] == "for":
            grantee, k = _grantee(sig, k + 1, "show_grants_for")
            grants = f"localshift.show_grants(NULL, NULL, {grantee})"
        else:
            k, grants = k + 2, "localshift.show_grants('r', NULL, NULL)"
        if lows[k:k + 2] != ["from", "database"]:
            return f"SELECT * FROM {grants}" + _tail(sig, k, None)
        (db,), k = _name(sig, k + 2, 1)
        # The driver's WHERE names a table TABLE_NAME (the rows' object_name).
        return (f"SELECT {_GRANT_COLUMNS} FROM (SELECT *, object_name AS table_name FROM {grants} "
                f"WHERE database_name = {db}) AS grants" + _tail(sig, k, None))
    if lows[k:k + 1] != ["on"] or k + 1 == len(sig):
        raise syntax_error(sig[min(k, len(sig) - 1)].text)
    kind = lows[k + 1]
    if kind in _GRANT_OBJECTS and (kind == "table" or not column):
        k += 2
    elif column:
        raise syntax_error(sig[k + 1].text)
    else:
        kind, k = "table", k + 1  # SHOW GRANTS ON table_name
    object_class, parts = _GRANT_OBJECTS[kind]
    names, k = _dotted(sig, k, parts)
    types, k = _argument_types(sig, k) if object_class == "f" else ("NULL", k)
    names = [names[0], "NULL", names[1]] if kind == "schema" else ["NULL"] * (3 - parts) + names
    target = f"localshift.show_grants_target('{kind.upper()}', {', '.join(names)}, {types})"
    grantee = "NULL"
    if lows[k:k + 1] == ["for"]:
        grantee, k = _grantee(sig, k + 1, "show_grants_identity")
    if column:
        return (f"SELECT * FROM localshift.show_column_grants({target}, {grantee})"
                + _tail(sig, k, "column_name"))
    return f"SELECT * FROM localshift.show_grants('{object_class}', {target}, {grantee})" + _tail(sig, k, None)


def _grantee(sig: list[Node], k: int, function: str) -> tuple[str, int]:
    """``username | ROLE name | PUBLIC``: the grantee's oid, found by ``localshift.function``."""
    if k < len(sig) and sig[k].low == "public":
        return "0", k + 1
    kind = "role" if k < len(sig) and sig[k].low == "role" else "user"
    (name,), k = _name(sig, k + (kind == "role"), 1)
    return f"localshift.{function}('{kind}', {name})", k
