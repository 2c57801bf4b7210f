"""Redshift's command tags for statements the translator runs as something else.

Clients read a statement's CommandComplete tag (psycopg's ``statusmessage`` and
``rowcount``, redshift_connector's ``rowcount``).  Where the engine runs a
translation, the tag is the translation's; the session gives the client the
statement's own:

* ``MERGE ... REMOVE DUPLICATES`` runs as an INSERT (dml.py): ``INSERT 0 n``
  becomes ``MERGE n``, as another MERGE reports, n the source rows merged.
* Users and groups: the engine's roles tag ALTER USER, ALTER GROUP and DROP GROUP as
  ``ALTER ROLE`` and ``DROP ROLE``; Redshift (whose tags are PostgreSQL 8.0's, from before roles)
  tags them ``ALTER USER``, ``ALTER GROUP``, ``DROP GROUP``, and CREATE GROUP (a DO block,
  users.py) ``CREATE GROUP``.
* Statements run by a DO block (ALTER and DROP of tables, views, schemas and routines, COMMENT ON,
  ALTER DEFAULT PRIVILEGES FOR USER, GRANT and REVOKE on objects, which a superuser may run as their owner, owner_reach.py; DROP PROCEDURE and
  ALTER PROCEDURE with argument types,
  ALTER SCHEMA ... QUOTA, ALTER DATABASE ... ISOLATION LEVEL, LOCK, ALTER TABLE ... ADD
  PRIMARY KEY / UNIQUE, CREATE USER, ALTER USER ... [NO]CREATEUSER / PASSWORD, DROP USER, SET SESSION AUTHORIZATION, REFRESH
  MATERIALIZED VIEW): ``DO`` becomes the statement's command (``COMMENT``, ``ALTER DEFAULT PRIVILEGES``), ``DROP PROCEDURE``, ``ALTER PROCEDURE``,
  ``ALTER SCHEMA``, ``ALTER DATABASE``, ``LOCK TABLE``, ``ALTER TABLE``, ``CREATE USER``, ``ALTER USER``, ``DROP USER``,
  ``SET``, ``REFRESH MATERIALIZED VIEW``, the tags PostgreSQL (and Redshift) give them.
"""

from __future__ import annotations

import re

# Leading blanks and comments, then the statement's first two words (possessive: see session.py).
_COMMAND = re.compile(rb"\A(?:\s++|--[^\n\r]*+[\n\r]?|/\*.*?\*/)*+([a-z]++)(?:\s++([a-z]++))?",
                      re.IGNORECASE | re.DOTALL)
_INSERT = b"INSERT 0 "
# The first letters of the tags replaced (DO, DROP ROLE, INSERT, ALTER ROLE): the session looks no
# further at the others.
RETAGGED = frozenset({b"D", b"I", b"A"})
_DO_COMMANDS = {(b"drop", b"procedure"): b"DROP PROCEDURE", (b"alter", b"procedure"): b"ALTER PROCEDURE",
                (b"alter", b"schema"): b"ALTER SCHEMA",
                (b"alter", b"table"): b"ALTER TABLE",
                # ALTER and DROP of tables, views, schemas and routines, by a superuser maybe (owner_reach.py)
                (b"alter", b"view"): b"ALTER VIEW", (b"alter", b"function"): b"ALTER FUNCTION",
                (b"alter", b"materialized"): b"ALTER MATERIALIZED VIEW",
                (b"drop", b"table"): b"DROP TABLE", (b"drop", b"view"): b"DROP VIEW",
                (b"drop", b"materialized"): b"DROP MATERIALIZED VIEW", (b"drop", b"schema"): b"DROP SCHEMA",
                (b"drop", b"function"): b"DROP FUNCTION", (b"comment", b"on"): b"COMMENT",
                (b"alter", b"default"): b"ALTER DEFAULT PRIVILEGES",
                (b"alter", b"database"): b"ALTER DATABASE",
                (b"create", b"user"): b"CREATE USER", (b"alter", b"user"): b"ALTER USER",
                (b"drop", b"user"): b"DROP USER",  # users.py
                (b"create", b"group"): b"CREATE GROUP",
                (b"refresh", b"materialized"): b"REFRESH MATERIALIZED VIEW",  # view_ddl.py
                # SET [SESSION | LOCAL] SESSION AUTHORIZATION (authorization.py)
                (b"set", b"session"): b"SET", (b"set", b"local"): b"SET"}

_DO_VERBS = {b"grant": b"GRANT", b"revoke": b"REVOKE"}
# Roles' tags for Redshift's users and groups, by the statement's first two words.
_ROLE_COMMANDS = {b"ALTER ROLE": {(b"alter", b"user"): b"ALTER USER", (b"alter", b"group"): b"ALTER GROUP"},
                  b"DROP ROLE": {(b"drop", b"group"): b"DROP GROUP"}}


def first_words(text: bytes) -> tuple[bytes, bytes]:
    """A statement's first two words, lower-cased (b"" for none)."""
    command = _COMMAND.match(text)
    return (command.group(1).lower(), (command.group(2) or b"").lower()) if command else (b"", b"")


def redshift_tag(text: bytes, tag: bytes) -> bytes | None:
    """The tag the client gets for statement ``text`` instead of the engine's ``tag``; None: the same."""
    if tag == b"DO":
        first, second = first_words(text)
        if first in _DO_VERBS:  # GRANT and REVOKE on objects (owner_reach.py)
            return _DO_VERBS[first]
        return b"LOCK TABLE" if first == b"lock" else _DO_COMMANDS.get((first, second))
    if tag in _ROLE_COMMANDS:
        return _ROLE_COMMANDS[tag].get(first_words(text))
    if tag.startswith(_INSERT) and first_words(text)[0] == b"merge":
        return b"MERGE " + tag[len(_INSERT):]
    return None
