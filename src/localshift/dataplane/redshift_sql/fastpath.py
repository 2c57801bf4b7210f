"""The fast path: does a statement text need the translator at all?

One regular expression looks for anything the translator rewrites (a Redshift
keyword, function, type name or catalog column, a statement kind it handles, a
quoted identifier with capitals, a number glued to a word, ``WHERE 1``); an
alias defined with AS and named again later sends the text to the translator
too (lateral alias references).  A false alarm costs one translation, cached by
text; a miss would send Redshift SQL to PostgreSQL unchanged, so the patterns
err on the side of alarms.
"""

from __future__ import annotations

import re

from .expressions import REDSHIFT_CATALOG_COLUMNS
from .functions import CALLS
from .install import ENGINE_FUNCTIONS

# Statement kinds with Redshift-specific forms (anywhere a statement starts).
_STATEMENT_WORDS = ("create", "alter", "drop", "grant", "revoke", "set", "reset", "show", "vacuum",
                    "analyze", "analyse", "copy", "unload", "cancel", "lock")
# Words that need rewriting wherever they appear.
_WORDS = ("top", "qualify", "minus", "approximate", "sysdate", "current_user_id", "super",
          "nvarchar", "nchar", "varbyte", "varbinary", "bpchar", "binary", "geometry",
          "geography", "hllsketch", *CALLS, *REDSHIFT_CATALOG_COLUMNS)


def _pattern(functions: frozenset[str]) -> re.Pattern:
    words = "|".join(sorted(set(_WORDS) | set(functions), key=len, reverse=True))
    statements = "|".join(_STATEMENT_WORDS)
    return re.compile(
        rf"(?:^|;)\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*(?:{statements})\b"
        rf"|\b(?:{words})\b"
        r"|\(\s*max\s*\)"                              # VARCHAR(MAX)
        r'|(?-i:"[^"]*[A-Z][^"]*")'                    # delimited identifiers fold to lower case
        r"|(?<![\w$.])\d+(?:\.\d*)?[A-Za-z_]"          # THEN 4WHEN
        r"|\b(?:where|and|or|not|having)\s+\d"         # WHERE 1 AND ...
        r"|\b(?:from|join|into|table|update|exists)\s+#",  # #temp tables
        re.IGNORECASE | re.DOTALL)


_ALIAS = re.compile(r"\bas\s+\"?([a-z_][a-z0-9_$]*)", re.IGNORECASE)
_TRIGGERS = _pattern(ENGINE_FUNCTIONS)


def needs_translation(sql: str) -> bool:
    if _TRIGGERS.search(sql):
        return True
    if "as" in sql or "AS" in sql or "As" in sql:
        lower = sql.lower()
        for alias in _ALIAS.findall(lower):
            if lower.count(alias) > 1:  # named again: maybe a lateral alias reference
                return True
    return False
