"""CREATE TABLE (columns, LIKE, AS query), CREATE VIEW and CREATE MATERIALIZED
VIEW with Redshift's clauses.

Distribution, sort keys, encodings, BACKUP and IDENTITY seeds are removed from
the statement and written into a marker comment (``attribute_marker``); the
engine's event trigger records them in ``localshift.table_attributes`` and
``localshift.column_attributes`` in the same transaction as the DDL.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .errors import TranslationError, not_supported, syntax_error
from .tokens import Group, Node, Token, identifier_value, raw, render, split_commas, string_value, strip, words
from .types import read_type

if TYPE_CHECKING:
    from .expressions import Rewriter

DISTSTYLES = ("auto", "even", "key", "all")
ENCODINGS = frozenset({"raw", "az64", "bytedict", "delta", "delta32k", "lzo", "mostly8", "mostly16",
                       "mostly32", "runlength", "text255", "text32k", "zstd", "auto"})


# A marker's JSON spells "*" as \u002a: its text can neither end its comment nor open a nested one
# (a materialized view's definition, which the marker carries, may hold comments of its own).
def comment_marker(kind: str, value: object) -> str:
    """``/*localshift:<kind><value as JSON>*/``, a comment the engine's event triggers read."""
    return f"/*localshift:{kind}" + json.dumps(value, separators=(",", ":")).replace("*", "\\u002a") + "*/"


def attribute_marker(schema: str | None, name: str, attrs: dict) -> str:
    return " " + comment_marker("", {"schema": schema, "name": name, **attrs})


def lending_marker(kind: str, names: list[str]) -> str:
    """For the engine's event trigger that lends a statement unique key indexes
    (catalog/41_constraints.sql): ``references``, the tables the statement's REFERENCES clauses
    name (as written, rewritten), whose informational keys its foreign keys need; ``key_index``,
    a table and the plain index it makes a key's with USING INDEX.  "" for none."""
    return " " + comment_marker(kind, names) if names else ""


def referenced_table(rw: "Rewriter", sig: list[Node], k: int) -> str:
    """The table named after REFERENCES (``sig[k]``): ``[db.][schema.]name``."""
    end = k + 2
    while end + 1 < len(sig) and sig[end].text == ".":
        end += 2
    if end > len(sig):
        raise syntax_error("references")
    return qualified_name(rw.rewrite(sig[k + 1:end]))[2]


def qualified_name(parts: list[Node]) -> tuple[str | None, str, str]:
    """(schema, name, text) of ``[db.][schema.]name`` nodes (rewritten text)."""
    names = [p for p in parts if p.text != "."]
    if not names or len(names) > 3:
        raise syntax_error(render(parts))
    schema = identifier_value(names[-2]) if len(names) >= 2 else None
    return schema, identifier_value(names[-1]), render(parts)


def name_end(sig: list[Node], start: int) -> int:
    """Where the ``[db.][schema.]name`` starting at ``sig[start]`` ends: a word, then ``.word`` per
    qualifier.  Read as a name whatever its words: DISTKEY, SORTKEY and AUTO are not reserved in
    Redshift, so a schema ``auto`` or a table ``s.sortkey`` is a name, not the start of a clause."""
    if start >= len(sig) or isinstance(sig[start], Group):
        return start
    k = start + 1
    while k + 1 < len(sig) and sig[k].text == "." and not isinstance(sig[k + 1], Group):
        k += 2
    return k


class TableAttributes:
    """Redshift table attributes read from a CREATE TABLE / CTAS / MV."""

    def __init__(self) -> None:
        self.attrs: dict = {}
        self.encode: dict[str, str] = {}
        self.identity: dict[str, dict] = {}
        self.column_sortkey: list[str] = []
        self.references: list[str] = []  # tables named by REFERENCES clauses
        # CREATE TABLE AS: DISTKEY and SORTKEY may name a column by its position in the query's
        # select list (``DISTKEY (1) SORTKEY (1, 3)``), which the catalog resolves once the table exists.
        self.positions = False

    def read(self, sig: list[Node], k: int) -> int:
        """Read table attributes from ``sig[k]``; returns the index of the first
        word that is not one (AS, PostgreSQL's clauses) or the end."""
        while k < len(sig):
            word = sig[k].low
            if word == "diststyle":
                style = sig[k + 1].low if k + 1 < len(sig) else ""
                if style not in DISTSTYLES:
                    raise syntax_error(sig[k + 1].text if k + 1 < len(sig) else "diststyle")
                self.attrs["diststyle"] = style.upper()
                k += 2
            elif word == "distkey":
                self.attrs["distkey"] = self._key_column(_single_column(sig, k + 1))
                k += 2
            elif word in ("compound", "interleaved") and k + 1 < len(sig) and sig[k + 1].low == "sortkey":
                self._sortkey(sig, k + 1, word)
                k += 3
            elif word == "sortkey":
                if k + 1 < len(sig) and sig[k + 1].low in ("auto", "none"):
                    self.attrs["sortkey"] = []
                    self.attrs["sortkey_type"] = "auto" if sig[k + 1].low == "auto" else None
                    k += 2
                else:
                    self._sortkey(sig, k, "compound")
                    k += 2
            elif word == "backup":
                value = sig[k + 1].low if k + 1 < len(sig) else ""
                if value not in ("yes", "no"):
                    raise syntax_error(sig[k + 1].text if k + 1 < len(sig) else "backup")
                self.attrs["backup"] = value == "yes"
                k += 2
            elif word == "encode" and k + 1 < len(sig) and sig[k + 1].low == "auto":
                k += 2  # ENCODE AUTO: Redshift's default for new tables
            else:
                break  # not a Redshift attribute: PostgreSQL's clauses follow
        return k

    def _sortkey(self, sig: list[Node], k: int, kind: str) -> None:
        if k + 1 >= len(sig) or not isinstance(group := sig[k + 1], Group):
            raise syntax_error("sortkey")
        columns = [self._key_column(words(c)[0]) for c in split_commas(group.nodes)]
        if not columns or kind == "interleaved" and len(columns) > 8 or len(columns) > 400:
            raise TranslationError("too many or no sort key columns", "42601")
        self.attrs["sortkey"] = columns
        self.attrs["sortkey_type"] = kind

    def _key_column(self, node: Node) -> str | int:
        if self.positions and node.kind == "number" and node.text.isdigit() and int(node.text) > 0:
            return int(node.text)
        return identifier_value(node)

    def finish(self) -> dict:
        attrs = dict(self.attrs)
        if self.column_sortkey:
            if "sortkey" in attrs:
                raise TranslationError("multiple SORTKEY definitions", "42601")
            attrs["sortkey"], attrs["sortkey_type"] = self.column_sortkey, "compound"
        if attrs.get("distkey") and attrs.setdefault("diststyle", "KEY") != "KEY":
            raise TranslationError(f"DISTSTYLE {attrs['diststyle']} cannot have a DISTKEY", "42601")
        if attrs.get("diststyle") == "KEY" and not attrs.get("distkey"):
            raise TranslationError("DISTSTYLE KEY requires a DISTKEY", "42601")
        if self.encode:
            attrs["encode"] = self.encode
        if self.identity:
            attrs["identity"] = self.identity
        return attrs


def _single_column(sig: list[Node], k: int) -> Node:
    if k >= len(sig) or not isinstance(group := sig[k], Group):
        raise syntax_error("distkey")
    columns = split_commas(group.nodes)
    if len(columns) != 1:
        raise TranslationError("DISTKEY takes exactly one column", "42601")
    return words(columns[0])[0]


def create_table(rw: "Rewriter", nodes: list[Node], sig: list[Node], t: int) -> str:
    """``sig[t]`` is the word TABLE."""
    head = render(nodes[:nodes.index(sig[t]) + 1])
    k = t + 1
    if_not_exists = ""
    if k + 2 < len(sig) and [w.low for w in sig[k:k + 3]] == ["if", "not", "exists"]:
        if_not_exists, k = " IF NOT EXISTS", k + 3
    name_start, k = k, name_end(sig, k)
    if k < len(sig) and sig[k].low == "partition":  # PostgreSQL's PARTITION OF, not Redshift's
        raise syntax_error(sig[k].text)
    schema, name, name_text = qualified_name(rw.rewrite(sig[name_start:k]))
    if schema is None and name.startswith("#") and not any(w.low in ("temp", "temporary") for w in sig[:t]):
        # Redshift: a table whose name starts with # is a temporary table.
        head = render(nodes[:nodes.index(sig[t])]) + "TEMP " + sig[t].text
    attributes = TableAttributes()
    attributes.positions = "as" in [w.low for w in sig[k:]]
    columns_text = ""
    like = None
    if k < len(sig) and isinstance(group := sig[k], Group):
        if attributes.positions:  # CTAS with column names
            columns_text = " " + rw.text([group])
        else:
            columns_text, like = _column_definitions(rw, group, attributes)
        k += 1
    k = attributes.read(sig, k)
    if k < len(sig) and sig[k].low == "partition":  # PostgreSQL's PARTITION BY, not Redshift's
        raise syntax_error(sig[k].text)
    attrs = attributes.finish()
    if like:
        attrs["like"] = like
    query = ""
    if k < len(sig) and sig[k].low == "as":  # AS query
        query = " AS " + rw.text(nodes[nodes.index(sig[k]) + 1:])
    elif k < len(sig):
        query = " " + rw.text(nodes[nodes.index(sig[k]):])
    marker = attribute_marker(schema, name, attrs) if attrs else ""
    marker += lending_marker("references", attributes.references)
    return f"{head}{if_not_exists} {name_text}{columns_text}{query}{marker}"


def _column_definitions(rw: "Rewriter", group: Group, attributes: TableAttributes) -> tuple[str, str | None]:
    parts, like = [], None
    for element in split_commas(group.nodes):
        esig = words(element)
        if not esig:
            raise syntax_error(")")
        first = esig[0].low
        if first == "like":
            text, like = _like(rw, esig)
            parts.append(text)
        elif first in ("constraint", "primary", "unique", "check", "foreign"):
            parts.append(table_constraint(rw, element, attributes))
        elif first in ("distkey", "sortkey") or first == "exclude" and len(esig) > 1 and (
                isinstance(esig[1], Group) or esig[1].low == "using"):
            raise syntax_error(esig[0].text)  # EXCLUDE: PostgreSQL's exclusion constraint
        else:
            parts.append(column_definition(rw, element, attributes))
    return " (" + ", ".join(parts) + ")", like


def table_constraint(rw: "Rewriter", element: list[Node], attributes: TableAttributes) -> str:
    """``[CONSTRAINT name] PRIMARY KEY (...) | UNIQUE (...) | CHECK (...) | FOREIGN KEY (...) REFERENCES t``"""
    esig = words(element)
    text = rw.text(element)
    lows = [w.low for w in esig]
    if "foreign" in lows[:3] and "references" in lows:
        attributes.references.append(referenced_table(rw, esig, lows.index("references")))
        text += " NOT ENFORCED"  # Redshift's foreign keys are informational
    return text


def _like(rw: "Rewriter", esig: list[Node]) -> tuple[str, str]:
    k = 1
    while k < len(esig) and esig[k].low not in ("including", "excluding"):
        k += 1
    parent = rw.text(esig[1:k])
    options = [w.low for w in esig[k:]]
    if options not in ([], ["including", "defaults"], ["excluding", "defaults"]):
        # Redshift's LIKE takes INCLUDING or EXCLUDING DEFAULTS only: the parser stops at the
        # first word past that.
        wrong = k + 1 if options[1:2] != ["defaults"] else k + 2
        raise syntax_error(esig[wrong].text if wrong < len(esig) else ")")
    # Redshift's LIKE copies names, types and NOT NULL; INCLUDING DEFAULTS adds
    # the defaults and identity columns.
    including = " INCLUDING DEFAULTS INCLUDING IDENTITY" if options[:1] == ["including"] else ""
    return f"LIKE {parent}{including}", parent


def column_definition(rw: "Rewriter", element: list[Node], attributes: TableAttributes) -> str:
    """``name type [ENCODE e] [DISTKEY] [SORTKEY] [IDENTITY(s, t)] [DEFAULT ...] ...``"""
    esig = words(element)
    name = identifier_value(esig[0])
    if len(esig) < 2:
        raise syntax_error(esig[0].text)
    type_text, end = read_type(element, element.index(esig[1]), column=True)
    rest = element[end:]
    at = [i for i, n in enumerate(rest) if not n.blank]
    kept: list[Node] = []  # what PostgreSQL gets, in order

    def word(p: int) -> str:
        return rest[at[p]].low if p < len(at) else ""

    p = 0
    while p < len(at):
        if word(p) == "encode" and p + 1 < len(at):
            encoding = word(p + 1)
            if encoding not in ENCODINGS:
                raise TranslationError(f'invalid encoding type "{rest[at[p + 1]].text}"', "42704")
            attributes.encode[name] = encoding
            p += 2
        elif word(p) == "distkey":
            if attributes.attrs.get("distkey"):
                raise TranslationError("multiple DISTKEY definitions", "42601")
            attributes.attrs["distkey"] = name
            p += 1
        elif word(p) == "sortkey":
            attributes.column_sortkey.append(name)
            p += 1
        elif word(p) == "identity" and p + 1 < len(at) and isinstance(arguments := rest[at[p + 1]], Group):
            kept += [_SPACE, raw(_identity(arguments, name, attributes, "always")), _SPACE]
            p += 2
        elif word(p) == "default" and p + 2 < len(at) and rest[at[p + 1]].kind in ("ident", "qident") \
                and (function := identifier_value(rest[at[p + 1]])) in _CATALOG_IDENTITY \
                and isinstance(arguments := rest[at[p + 2]], Group):
            generated = _CATALOG_IDENTITY[function]
            kept += [_SPACE, raw(_identity(_catalog_identity(arguments), name, attributes, generated)), _SPACE]
            p += 3
        elif word(p) == "generated" and [word(q) for q in range(p + 1, p + 5)] == [
                "by", "default", "as", "identity"]:
            seed = group if p + 5 < len(at) and isinstance(group := rest[at[p + 5]], Group) else None
            kept += [_SPACE, raw(_identity(seed, name, attributes, "by default")), _SPACE]
            p += 6 if seed is not None else 5
        elif word(p) == "collate" and p + 1 < len(at):
            if word(p + 1) == "case_insensitive":
                raise not_supported("COLLATE CASE_INSENSITIVE")
            if word(p + 1) != "case_sensitive":
                raise syntax_error(rest[at[p + 1]].text)
            p += 2  # CASE_SENSITIVE is the default
        elif word(p) == "references":
            attributes.references.append(referenced_table(rw, [rest[i] for i in at], p))
            q = p + 1
            while q < len(at) and word(q) not in _AFTER_REFERENCES:
                q += 1
            kept.extend(rest[at[p]:at[q - 1] + 1])
            kept.append(raw(" NOT ENFORCED"))  # Redshift's foreign keys are informational
            p = q
        else:
            kept.extend(rest[at[p]:at[p + 1] if p + 1 < len(at) else len(rest)])
            p += 1
    tail = rw.text(kept)
    return " ".join(part for part in (rw.text([esig[0]]), type_text, tail) if part)


_SPACE = Token("ws", " ")
_AFTER_REFERENCES = frozenset({"not", "null", "primary", "unique", "check", "constraint", "default",
                               "collate", "generated", "encode", "distkey", "sortkey", "identity"})


# An identity column as Redshift's catalog writes its default (pg_attrdef.adsrc), which DDL
# generators such as AWS's v_generate_tbl_ddl copy into the CREATE TABLE they write:
# "identity"(...) for IDENTITY, default_identity(...) for GENERATED BY DEFAULT AS IDENTITY.
_CATALOG_IDENTITY = {"identity": "always", "default_identity": "by default"}


def _catalog_identity(group: Group) -> list[str]:
    """The seed and step of ``DEFAULT "identity"(table_oid, column_index, 'seed,step'::text)``."""
    arguments = [strip(a) for a in split_commas(group.nodes)]
    if len(arguments) != 3 or not arguments[2] or arguments[2][0].kind != "string":
        raise TranslationError('"identity" takes (table, column, \'seed,step\')', "42601")
    return string_value(arguments[2][0]).split(",")


def _identity(seed_step: Group | list[str] | None, name: str, attributes: TableAttributes, generated: str) -> str:
    seed, step = 1, 1
    if seed_step is not None:
        values = seed_step if isinstance(seed_step, list) else \
            [render(strip(a)) for a in split_commas(seed_step.nodes)]
        try:
            seed, step = (int(v) for v in values)
        except ValueError:
            raise TranslationError("IDENTITY takes (seed, step) integer values", "42601") from None
        if step == 0:
            raise TranslationError("IDENTITY step cannot be 0", "22023")
    attributes.identity[name] = {"seed": seed, "step": step, "generated": generated}
    # PostgreSQL's sequences stop at 1 going up (-1 going down) unless told otherwise: a seed beyond,
    # IDENTITY(0, 1) say, needs its bound moved to the seed.
    if step > 0 and seed < 1:
        bound = f" MINVALUE {seed}"
    elif step < 0 and seed > -1:
        bound = f" MAXVALUE {seed}"
    else:
        bound = ""
    return (f"GENERATED {'ALWAYS' if generated == 'always' else 'BY DEFAULT'} AS IDENTITY "
            f"(START WITH {seed} INCREMENT BY {step}{bound})")
