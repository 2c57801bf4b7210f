"""The fast path: does a statement text need the translator at all?

It looks for anything the translator rewrites: a Redshift keyword, function,
type name or catalog column (the statement's words against one set); a
statement kind it handles or TRUNCATE (at the start of any statement); an INSERT or an UPDATE
holding a string literal (string_literals.py); a quoted identifier
with capitals, ``(MAX)``, a number glued to a word, ``WHERE 1`` or ``#table``
(one small regular expression); Oracle's outer join mark ``(+)`` (refused by name);
``GROUP BY ALL``; an alias defined with AS and named again later (lateral alias references);
brackets, a dotted name whose first part no FROM item names (a FROM item is named after FROM,
JOIN, USING ... and after a comma of their lists, never after a select list's comma; the name after a
JOIN's ON is a column), or one of three parts or more whose parts but the last
are no part of a FROM item's path (PartiQL navigation: ``t.data.x``,
``s.t.data.x``, where ``s.t.c`` is a column, after ``FROM db.s.t`` too); PIVOT /
UNPIVOT, or a dotted name rooted at a FROM item's alias and followed by an alias
after a comma or JOIN (PartiQL unnesting, ``FROM t c, c.items i``); an aggregate window
function's name with OVER and ORDER BY or a frame (window_frames' rules).  A false
alarm costs one translation, cached by text; a miss would send Redshift SQL to
PostgreSQL unchanged, so the checks err on the side of alarms.
"""

from __future__ import annotations

import re

from . import null_treatment
from .expressions import CALLS, REDSHIFT_CATALOG_WORDS
from .install import ENGINE_FUNCTIONS
from .window_frames import FRAMED, PARTITION_ONLY

# Statement kinds with Redshift-specific forms (anywhere a statement starts).  TRUNCATE's is its
# commit (truncate_commits.py): the translator tells the session of it, so that the session looks
# for no TRUNCATE in what the fast path lets through.
_STATEMENT_WORDS = ("create", "alter", "drop", "grant", "revoke", "set", "reset", "show", "vacuum",
                    "analyze", "analyse", "copy", "unload", "cancel", "lock", "merge", "truncate", "explain",
                    "refresh", "comment", "desc")  # COMMENT ON: by a superuser maybe, as the owner (owner_reach.py)
# Words that need rewriting wherever they appear.
TRIGGER_WORDS = frozenset({
    "top", "qualify", "minus", "approximate", "sysdate", "current_user_id", "current_aws_account",
    "current_namespace", "super", "nvarchar",
    "nchar", "varbyte", "varbinary", "bpchar", "binary", "geometry", "geography", "hllsketch", "pivot",
    "unpivot", "datetime", "exclude",  # SELECT * EXCLUDE (refused)
    "numeric", "decimal",  # DECIMAL(18, 0) when no precision is given (types.py)
    "generate_series",  # inside a CASE (series_case.py)
    # LAG, LEAD, FIRST_VALUE, LAST_VALUE need the translator only with IGNORE/RESPECT NULLS.
    *(CALLS.keys() - null_treatment.CALLS.keys()), *null_treatment.TRIGGER_WORDS,
    *REDSHIFT_CATALOG_WORDS, *ENGINE_FUNCTIONS})

_WORD = re.compile(r"[a-z_][a-z0-9_$]*")
# Comments and whitespace as the engine's lexer reads them (tokens.py): a line comment ends at a
# carriage return too; a block comment holding another (they nest) is an alarm of its own.
_STATEMENT = re.compile(
    rf"[ \t\n\r\f\v]*(?:(?:--[^\n\r]*(?:[\n\r]|$)|/\*.*?\*/)[ \t\n\r\f\v]*)*"
    rf"(?i:{'|'.join(_STATEMENT_WORDS)})\b", re.DOTALL)
# INSERT and UPDATE statements holding a string literal (string_literals.py types those they assign).
_ASSIGNING = re.compile(
    rf"[ \t\n\r\f\v]*(?:(?:--[^\n\r]*(?:[\n\r]|$)|/\*.*?\*/)[ \t\n\r\f\v]*)*(?i:insert|update)\b", re.DOTALL)
_NESTED_COMMENT = re.compile(r"/\*(?:(?!\*/).)*?/\*", re.DOTALL)
_QUOTED_CAPITALS = re.compile(r'"[^"]*[A-Z][^"]*"')      # delimited identifiers fold to lower case
_MAX = re.compile(r"\(\s*max\s*\)")                      # VARCHAR(MAX), on the lower-cased text
_GLUED_NUMBER = re.compile(r"(?<![\w$.])\d+(?:\.\d*)?[A-Za-z_]")  # THEN 4WHEN
_NUMBER_CONDITION = re.compile(r"\b(?:where|and|or|not|having)\s+\d")  # WHERE 1 AND ..., lower-cased
_GROUP_BY_ALL = re.compile(r"\bgroup\s+by\s+all\b")  # Redshift's GROUP BY ALL, lower-cased
_DELETE_WITHOUT_FROM = re.compile(r"\bdelete\s+(?!from\b)[a-z_\"#]")  # DELETE t WHERE ..., lower-cased
_HASH_NAME = re.compile(r"#[A-Za-z_]")  # #temp tables (tokens.py says where #name is one)
_ALIAS = re.compile(r"\bas\s+\"?([a-z_][a-z0-9_$]*)")
# PartiQL navigation: a dotted name whose first part no FROM item names, or brackets.
_DOTTED_ROOT = re.compile(r"(?<![\w$.\"])([a-z_][a-z0-9_$]*)\.[a-z_\"]")
_NAME_AND_ALIAS = r"([a-z_][a-z0-9_$.]*)(?:(?=\s+([a-z_][a-z0-9_$]*)))?"  # the alias looked at, not taken
# Navigation rooted at a FROM item (``t.data.x``): a name of three parts or more whose parts but
# the last (taken here, each with its dot: ``t.data.``) are no part of a FROM item's path
# (``schema.table.column`` is a column).
_QUALIFIERS_OF_THREE_PARTS = re.compile(
    r"(?<![\w$.\"])([a-z_][a-z0-9_$]*+\.[a-z_][a-z0-9_$]*+\.(?:[a-z_][a-z0-9_$]*+\.)*)(?=[a-z_\"])")
# PartiQL unnesting: after a FROM, ``, c.items i`` or ``JOIN c.items i`` with ``c`` an alias.
_NOT_ALIASES = ("on|where|group|order|having|limit|offset|union|intersect|except|minus|join|inner|left|right|full|"
                "cross|natural|asc|desc|nulls|and|or|then|else|end|when|from|is|in|not|like|ilike|between|window|"
                "qualify|returning|using|as|at")
_NOT_ALIAS = frozenset(_NOT_ALIASES.split("|")) - {"as"}  # ``path AS alias``: the alias follows
_PATH_WITH_ALIAS = (r"\s*([a-z_][a-z0-9_$]*)(?:\.[a-z_\"][\w$\"]*)+\s+(?:as\s+)?(?!(?:"
                    + _NOT_ALIASES + r")\b)[a-z_\"]")
_COMMA_PATH = re.compile("," + _PATH_WITH_ALIAS)
_JOIN_PATH = re.compile("join" + _PATH_WITH_ALIAS)
# The rest of a FROM list of names after its first (``FROM t a, u AS b, c.items i``): the items
# after its commas name FROM items too.  A comma elsewhere (``SELECT x, d, d.a``, ``f(x, d.a)``)
# names none; the list ends at anything else (a subquery, a call, ON): what follows is no FROM
# item's for the fast path.
_LISTS = frozenset({"from", "join", "using"})
_LIST_ALIAS = r"(?:\s+(?:as\s+)?(?!(?:" + _NOT_ALIASES + r")\b)[a-z_][a-z0-9_$]*)?"
_LISTED = re.compile(r",\s*" + _NAME_AND_ALIAS)
# A name after a word that names a relation, the alias after it, and (looked at, not taken) the
# rest of a list after it (its use is FROM's, JOIN's and USING's only).
_QUALIFIERS = re.compile(
    r"\b(from|join|update|into|using|only|table|view|as|on|like|references)\s+" + _NAME_AND_ALIAS
    + r"(?:(?=(" + _LIST_ALIAS + r"(?:\s*,\s*[a-z_][a-z0-9_$.]*" + _LIST_ALIAS + ")+)))?")
_ALIAS_DEFINED = re.compile(r"\b(?:from|join)\s+[a-z_][a-z0-9_$.]*\s+(?:as\s+)?([a-z_][a-z0-9_$]*)")
_BRACKET = re.compile(r"[\w\]\)\"]\s*\[\s*[\d'$]")
_OUTER_JOIN_MARK = re.compile(r"\(\s*\+\s*\)")  # Redshift's Oracle-style outer join (refused by name)
_IMPLICIT = frozenset({"excluded", "new", "old"})
_GLUED_DIGIT = re.compile(r"\d[A-Za-z_]")
_CONDITION_WORDS = frozenset({"where", "and", "or", "not", "having"})
_WINDOW_CLAUSE_WORDS = frozenset({"order", "rows", "range", "groups"})
_WINDOWED = FRAMED | PARTITION_ONLY


def needs_translation(sql: str) -> bool:
    return redshift_constructs(sql) or assigns_literals(sql)


def assigns_literals(sql: str) -> bool:
    """Whether a statement of ``sql`` is an INSERT or an UPDATE holding a string literal."""
    return "'" in sql and (_ASSIGNING.match(sql) is not None
                           or ";" in sql and any(_ASSIGNING.match(part) for part in sql.split(";")[1:]))


def redshift_constructs(sql: str) -> bool:
    """Whether ``sql`` may hold anything else the translator rewrites."""
    # Cheap tests first; each regular expression runs only when its text can be there.
    if _STATEMENT.match(sql) or ";" in sql and any(_STATEMENT.match(part) for part in sql.split(";")[1:]):
        return True
    if "/*" in sql and _NESTED_COMMENT.search(sql):
        return True
    if '"' in sql and _QUOTED_CAPITALS.search(sql):
        return True
    lower = sql.lower()
    words = _WORD.findall(lower)
    if not TRIGGER_WORDS.isdisjoint(words):
        return True
    if "max" in words and _MAX.search(lower):
        return True
    if "#" in sql and _HASH_NAME.search(sql):
        return True
    if "delete" in words and _DELETE_WITHOUT_FROM.search(lower):
        return True
    if "all" in words and _GROUP_BY_ALL.search(lower):
        return True
    if _GLUED_DIGIT.search(sql) and _GLUED_NUMBER.search(sql):
        return True
    if not _CONDITION_WORDS.isdisjoint(words) and _NUMBER_CONDITION.search(lower):
        return True
    if "as" in words:
        for alias in _ALIAS.findall(lower):
            if words.count(alias) > 1:  # named again: maybe a lateral alias reference
                return True
    if "[" in sql and _BRACKET.search(sql):
        return True
    if "+" in sql and _OUTER_JOIN_MARK.search(sql):
        return True
    if "over" in words and not _WINDOW_CLAUSE_WORDS.isdisjoint(words) and not _WINDOWED.isdisjoint(words):
        return True  # frame rules (window_frames)
    if "." in sql:
        roots = set(_DOTTED_ROOT.findall(lower))
        if roots:
            # After a JOIN, ON starts a condition: a column or navigation follows it, not a relation.
            joins = "join" in words
            pairs = []
            for keyword, path, alias, rest in _QUALIFIERS.findall(lower):
                if keyword != "on" or not joins:
                    pairs.append((path, alias))
                    if rest and keyword in _LISTS:
                        pairs += _LISTED.findall(rest)
            known = {name for path, alias in pairs for name in (*path.split("."), alias)}
            if roots - known - _IMPLICIT:
                return True
            # (the FROM item's own name, ``db.s.t``, is one of these names)
            if any(not any("." + qualifier in f".{path}." for path, _ in pairs)
                   for qualifier in _QUALIFIERS_OF_THREE_PARTS.findall(lower)):
                return True
            # ``path alias`` with the path rooted at a name: maybe an unnesting (then confirmed)
            if any(alias and "." in path and alias not in _NOT_ALIAS and path[:path.index(".")] in known
                   for path, alias in pairs) and _unnests(lower, words):
                return True
    return False


def _unnests(lower: str, words: list[str]) -> bool:
    start = lower.find("from")
    paths = {m.group(1) for m in _COMMA_PATH.finditer(lower, start)}
    if "join" in words:
        paths.update(m.group(1) for m in _JOIN_PATH.finditer(lower, start))
    return bool(paths) and not paths.isdisjoint(_ALIAS_DEFINED.findall(lower))
