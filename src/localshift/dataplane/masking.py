"""Passwords masked in the text of statements that Redshift shows back.

Redshift never shows a password given in SQL (CREATE USER ... PASSWORD '...', ALTER USER ...
PASSWORD '...', a digest given as md5... or sha256...): its user activity log, its query
history (STL_QUERYTEXT, STL_UTILITYTEXT, SVL_STATEMENTTEXT, SYS_QUERY_HISTORY) and the Data API
show ``PASSWORD '***'`` in its place.  Light to import (no PostgreSQL): the services mask the
statements the Data API describes with it (api.py).
"""

from __future__ import annotations

import re

# A password as a string (plain, or an escape string E'...' as the SQL front writes them), or a
# digest; or as a string inside another (the translator runs CREATE USER and its grants in one DO
# block, each an EXECUTE of a quoted statement, where the password's quotes are doubled:
# PASSWORD E''...'').  A Unicode escape string (U&'...') is a string too.
_PASSWORD = re.compile(r"(?i)(\bpassword\s+)(E?''(?:[^']|'''')*''|E'(?:[^'\\]|''|\\.)*'|(?:U&)?'(?:[^']|'')*'"
                       r"|md5\S*|sha256\S*)")
MASK = "'***'"


def mask_passwords(text: str) -> str:
    """``text`` with every password it gives as ``'***'``."""
    if "password" not in text.lower():
        return text
    return _PASSWORD.sub(lambda m: m.group(1) + MASK, text)
