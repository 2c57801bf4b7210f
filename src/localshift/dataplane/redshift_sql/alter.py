"""ALTER TABLE with Redshift's actions, and ALTER MATERIALIZED VIEW ... AUTO REFRESH.

Distribution, sort-key and encoding changes only change what Redshift stores
about the table: they become ``ALTER TABLE t RESET (autovacuum_enabled)`` (an
ALTER TABLE that changes nothing a Redshift user can set, owner-only like
Redshift's) carrying an attribute marker for the event trigger.
``APPEND FROM`` moves rows with ``localshift.append_table``.  ADD PRIMARY KEY /
UNIQUE builds a plain index and makes it the constraint's (the table may hold
duplicate keys: Redshift's keys are informational).  ADD COLUMN takes
a Redshift column definition (ENCODE recorded); ALTER COLUMN ... TYPE takes
Redshift type names; RENAME COLUMN carries a marker so the record's key and
identity columns follow the new name; the other actions are PostgreSQL's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .ddl import (DISTSTYLES, ENCODINGS, TableAttributes, attribute_marker, column_definition, name_end,
                  qualified_name, lending_marker, table_constraint)
from .errors import TranslationError, do_block, not_supported, syntax_error
from .from_list import name_of
from .tokens import Group, Node, identifier_value, quote_ident, quote_literal, render, split_commas, words
from .types import read_type
from .view_ddl import auto_refresh_value

if TYPE_CHECKING:
    from .expressions import Rewriter

_METADATA_ONLY = "RESET (autovacuum_enabled)"


def alter_materialized_view(rw: "Rewriter", nodes: list[Node], sig: list[Node], v: int) -> str | None:
    """ALTER MATERIALIZED VIEW name AUTO REFRESH YES | NO, ALTER DISTSTYLE / DISTKEY / [COMPOUND]
    SORTKEY (``sig[v]`` is VIEW): recorded (SVV_MV_INFO, SVV_TABLE_INFO), owner-only as Redshift's;
    ROW LEVEL SECURITY refused as for tables.  None: another action (PostgreSQL's: RENAME, OWNER TO)."""
    k = name_end(sig, v + 1)
    actions = sig[k:]
    lows = [w.low for w in actions]
    if lows[:2] == ["auto", "refresh"] and len(actions) == 3:
        attrs = {"auto_refresh": auto_refresh_value(actions[2])}
    elif lows[:1] == ["alter"] and len(lows) > 1 and lows[1] in ("diststyle", "distkey", "sortkey", "compound"):
        attrs = _alter_distribution_or_sort(actions)
    elif lows[:3] == ["row", "level", "security"]:
        raise not_supported("ALTER MATERIALIZED VIEW ... ROW LEVEL SECURITY (RLS policies)")
    else:
        return None
    schema, name, name_text = qualified_name(rw.rewrite(sig[v + 1:k]))
    head = render(nodes[:nodes.index(sig[v]) + 1])
    return f"{head} {name_text} {_METADATA_ONLY}{attribute_marker(schema, name, attrs)}"


def alter_table(rw: "Rewriter", nodes: list[Node], sig: list[Node], t: int) -> str | None:
    """``sig[t]`` is TABLE.  None: nothing Redshift-specific (generic rewrite)."""
    k = t + 1
    if_exists = k + 1 < len(sig) and sig[k].low == "if" and sig[k + 1].low == "exists"
    if if_exists:
        k += 2
    name_start = k
    k += 1
    while k + 1 < len(sig) and sig[k].text == ".":
        k += 2
    schema, name, name_text = qualified_name(rw.rewrite(sig[name_start:k]))
    actions = sig[k:]
    lows = [w.low for w in actions]
    head = render(nodes[:nodes.index(sig[t]) + 1]) + " " + name_text
    if lows[:1] in (["attach"], ["detach"], ["inherit"], ["no"]):
        # PostgreSQL's partitioning and inheritance, which Redshift's parser has not (the
        # engine refuses them too: catalog/45_postgresql_only_commands.sql).
        raise syntax_error(actions[0].text)
    if lows[:3] == ["row", "level", "security"]:
        raise not_supported("ALTER TABLE ... ROW LEVEL SECURITY (RLS policies)")
    _refuse_column_default_and_nullability(actions)
    if lows[:2] == ["append", "from"]:
        return _append(rw, name_text, actions)
    if lows[:1] == ["alter"] and len(lows) > 1 and lows[1] in ("diststyle", "distkey", "sortkey",
                                                                "compound", "interleaved", "encode"):
        attrs = _alter_distribution_or_sort(actions)
        return f"{head} {_METADATA_ONLY}{attribute_marker(schema, name, attrs)}"
    if lows[:2] == ["alter", "column"] and "encode" in lows:
        attrs = {"encode": _column_encodings(actions)}
        return f"{head} {_METADATA_ONLY}{attribute_marker(schema, name, attrs)}"
    if lows[:2] == ["alter", "column"] and lows[3:4] == ["type"] and len(actions) > 4:
        type_text, end = read_type(actions, 4)
        if actions[end:end + 1] and actions[end].low == "using":
            raise TranslationError("ALTER TABLE ALTER COLUMN does not support USING expression", "0A000")
        if end != len(actions):
            raise syntax_error(actions[end].text)
        return f"{head} ALTER COLUMN {rw.text([actions[2]])} TYPE {type_text}"
    if lows[:1] == ["add"] and not if_exists and (key := _add_key(rw, name_text, schema, name, actions)):
        return key
    if lows[:1] == ["add"] and len(lows) > 1 and lows[1] in ("constraint", "foreign"):
        attributes = TableAttributes()
        constraint = table_constraint(rw, nodes[nodes.index(actions[1]):], attributes)
        return f"{head} ADD {constraint}{lending_marker('references', attributes.references)}"
    if lows[:1] == ["add"] and len(lows) > 1 and lows[1] not in ("primary", "unique", "check"):
        element = nodes[nodes.index(actions[2 if lows[1] == "column" else 1]):]
        attributes = TableAttributes()
        column = column_definition(rw, element, attributes)
        attrs = attributes.finish()
        if attrs.keys() - {"encode"}:
            raise TranslationError("ALTER TABLE ADD COLUMN cannot set DISTKEY, SORTKEY or IDENTITY",
                                   "0A000")
        marker = attribute_marker(schema, name, attrs) if attrs else ""
        return f"{head} ADD COLUMN {column}{marker}{lending_marker('references', attributes.references)}"
    if lows[:1] == ["rename"] and (renamed := _renamed_column(rw, actions)):
        # The record names key and identity columns: it follows the column to its new name.
        marker = attribute_marker(schema, name, {"rename_column": renamed})
        return f"{head} {rw.text(nodes[nodes.index(actions[0]):])}{marker}"
    return None


def _refuse_column_default_and_nullability(actions: list[Node]) -> None:
    """ALTER [COLUMN] c SET|DROP DEFAULT and SET|DROP NOT NULL, which Redshift refuses in these words
    (0A000; a column's default and nullability are set when it is added)."""
    for part in split_commas(actions):
        lows = [w.low for w in words(part)]
        k = 2 if lows[1:2] == ["column"] else 1
        if lows[:1] != ["alter"] or lows[k + 1:k + 2] not in (["set"], ["drop"]):
            continue
        if lows[k + 2:k + 3] == ["default"]:
            raise TranslationError("ALTER COLUMN SET/DROP DEFAULT is not supported", "0A000")
        if lows[k + 2:k + 4] == ["not", "null"]:
            raise TranslationError(f"ALTER COLUMN {lows[k + 1].upper()} NOT NULL is not supported", "0A000")


def _renamed_column(rw: "Rewriter", actions: list[Node]) -> list[str] | None:
    """[old, new] of RENAME [COLUMN] old TO new; None for other renames (the table's, a constraint's)."""
    lows = [w.low for w in actions]
    names = actions[2:] if lows[1:2] == ["column"] else actions[1:]
    if len(names) != 3 or names[1].low != "to" or lows[1:2] in (["to"], ["constraint"]):
        return None
    return [name_of(rw, names[0]), name_of(rw, names[2])]


def _add_key(rw: "Rewriter", table_text: str, schema: str | None, table: str, actions: list[Node]) -> str | None:
    """ADD [CONSTRAINT name] PRIMARY KEY (columns) | UNIQUE (columns): PostgreSQL would build a
    unique index, failing over duplicate keys.  A plain index is built instead and made the
    constraint's with USING INDEX: the event trigger of catalog/41_constraints.sql lends it as
    unique to that statement (the key_index marker), and the constraint's index is informational
    after it.  None: another ADD (or options Redshift does not have: PostgreSQL's)."""
    lows = [w.low for w in actions]
    k, name = 1, None
    if lows[1:2] == ["constraint"] and len(actions) > 2:
        k, name = 3, identifier_value(actions[2])
    if lows[k:k + 2] == ["primary", "key"]:
        kind, label, k = "PRIMARY KEY", "pkey", k + 2
    elif lows[k:k + 1] == ["unique"]:
        kind, label, k = "UNIQUE", "key", k + 1
    else:
        return None
    if k + 1 != len(actions) or not isinstance(columns := actions[k], Group):
        return None
    column_names = [identifier_value(words(c)[0]) for c in split_commas(columns.nodes) if words(c)]
    name = name or _default_name(table, None if kind == "PRIMARY KEY" else "_".join(column_names), label)
    # The index takes the constraint's name once the table has no other primary key (PostgreSQL's
    # order of errors); renaming a key's index renames the key.  It is in the table's schema.
    marker = lending_marker("key_index", [table_text, _NEW_KEY_INDEX])
    new_index = f"{quote_ident(schema)}.{_NEW_KEY_INDEX}" if schema else _NEW_KEY_INDEX
    return do_block(f"CREATE INDEX {_NEW_KEY_INDEX} ON {table_text} {rw.text([columns])}; "
                    f"ALTER TABLE {table_text} ADD {kind} USING INDEX {_NEW_KEY_INDEX}{marker}; "
                    f"ALTER INDEX {new_index} RENAME TO {quote_ident(name)};")


# A name no table's index has but for the moment ADD PRIMARY KEY / UNIQUE builds it.
_NEW_KEY_INDEX = "localshift_new_key_index"


def _default_name(table: str, columns: str | None, label: str) -> str:
    """PostgreSQL's name for a constraint of ``table`` (makeObjectName: ``table[_columns]_label``,
    the longer part shortened to fit 63 bytes)."""
    parts = [table.encode(), (columns or "").encode()]
    available = 63 - len(label) - 1 - (1 if columns else 0)
    while len(parts[0]) + len(parts[1]) > available:
        longer = 0 if len(parts[0]) > len(parts[1]) else 1
        parts[longer] = parts[longer][:-1]
    names = [part.decode(errors="ignore") for part in parts if part]
    return "_".join(names + [label])


def _alter_distribution_or_sort(actions: list[Node]) -> dict:
    lows = [w.low for w in actions]
    if lows[1] == "diststyle":
        style = lows[2] if len(lows) > 2 else ""
        if style not in DISTSTYLES:
            raise syntax_error(actions[2].text if len(actions) > 2 else "diststyle")
        attrs = {"diststyle": style.upper(), "distkey": None}
        if style == "key":
            if lows[3:4] != ["distkey"] or len(actions) != 5:
                raise TranslationError("ALTER DISTSTYLE KEY requires DISTKEY column", "42601")
            attrs["distkey"] = identifier_value(actions[4])
        elif len(actions) != 3:
            raise syntax_error(actions[3].text)
        return attrs
    if lows[1] == "distkey":
        if len(actions) != 3:
            raise syntax_error(actions[-1].text)
        return {"diststyle": "KEY", "distkey": identifier_value(actions[2])}
    if lows[1] == "encode":
        if lows[2:] != ["auto"]:
            raise syntax_error(actions[-1].text)
        return {}
    # ALTER [COMPOUND] SORTKEY (cols) | ALTER SORTKEY AUTO | ALTER SORTKEY NONE
    attributes = TableAttributes()
    end = attributes.read(actions, 1)
    if end != len(actions) or "sortkey" not in attributes.attrs:
        raise syntax_error(actions[1].text)
    if attributes.attrs.get("sortkey_type") == "interleaved":
        raise TranslationError("ALTER SORTKEY cannot change a table to an interleaved sort key",
                               "0A000")
    return {"sortkey": attributes.attrs["sortkey"], "sortkey_type": attributes.attrs["sortkey_type"]}


def _column_encodings(actions: list[Node]) -> dict[str, str]:
    """ALTER COLUMN c ENCODE e [, ALTER COLUMN c2 ENCODE e2 ...]"""
    encodings = {}
    for part in split_commas(actions):
        pw = words(part)
        if [w.low for w in pw[:2]] != ["alter", "column"] or len(pw) != 5 or pw[3].low != "encode":
            raise syntax_error(pw[0].text if pw else ",")
        if pw[4].low not in ENCODINGS:
            raise TranslationError(f'invalid encoding type "{pw[4].text}"', "42704")
        encodings[identifier_value(pw[2])] = pw[4].low
    return encodings


def _append(rw: "Rewriter", target: str, actions: list[Node]) -> str:
    """ALTER TABLE target APPEND FROM source [IGNOREEXTRA | FILLTARGET]."""
    k = 3
    while k + 1 < len(actions) and actions[k].text == ".":
        k += 2
    if len(actions) < 3:
        raise syntax_error("from")
    source = render(rw.rewrite(actions[2:k]))
    mode = ""
    if k < len(actions) and actions[k].low in ("ignoreextra", "filltarget"):
        mode, k = actions[k].low, k + 1
    if k != len(actions):
        raise syntax_error(actions[k].text)
    return (f"SELECT localshift.append_table({quote_literal(target)}, {quote_literal(source)}, "
            f"{quote_literal(mode)})")
