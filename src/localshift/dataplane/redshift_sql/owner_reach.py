"""ALTER, DROP, COMMENT, GRANT and REVOKE by a Redshift superuser on what another superuser owns.

Redshift's superusers bypass every permission check, an owner's included.  Here they are members
of ``localshift_superuser``, which every user who is no superuser is granted to (users.py), so
they already have an ordinary user's owner rights; but no superuser can be granted to another (the
engine refuses circular memberships), so what the master user or another CREATEUSER user owns
would stay its own to alter, drop, comment on and grant on, and to set default privileges for
(ALTER DEFAULT PRIVILEGES FOR USER, which Redshift lets a superuser run for any user).  Such statements run through
``localshift.run_as_owner`` (catalog/40_superuser_statements.sql): as the caller first, and, when a
superuser's session is refused (``42501``), or always for a superuser's GRANT and REVOKE (which
the engine only warns about), again by ``localshift.as_owner``, a SECURITY DEFINER function of
``localshift_owners``, a role granted every cluster user and granted to nobody.  A routine's
body statements too (routines.py): those running with a superuser's rights (a superuser's SECURITY
DEFINER routine, whoever calls it) are served.  ALTER DATABASE's RENAME TO, OWNER TO and CONNECTION
LIMIT too: Redshift's superusers alter any database.
"""

from __future__ import annotations

from .errors import do_block, syntax_error
from .tokens import Node

# What ALTER and DROP name that a superuser reaches the owner's rights on.
_OBJECTS = frozenset({"table", "view", "materialized", "schema", "function", "procedure"})
_BLOCK_TAG = "$localshift_owner$"
_TEXT_TAG = "$localshift_statement$"


def as_owner(sig: list[Node], text: str) -> str:
    """``text`` (the statement ``sig`` translated) run through ``localshift.run_as_owner`` when it is
    an ALTER or DROP of a table, view, schema or routine, an ALTER DATABASE's RENAME TO, OWNER TO or
    CONNECTION LIMIT, a COMMENT ON, an ALTER DEFAULT PRIVILEGES
    FOR USER, or a GRANT or REVOKE of privileges on an object; ``text`` itself otherwise.  The text goes dollar-quoted, as it is: the event triggers find
    the translator's markers in it (current_query() is the DO block)."""
    lows = [w.low for w in sig[:2]]
    if lows[:1] in (["alter"], ["drop"]) and lows[1:] and lows[1] in _OBJECTS or lows == ["comment", "on"]:
        grants = "false"
    elif lows == ["alter", "default"] and [w.low for w in sig[3:5]] in (["for", "user"], ["for", "role"]):
        grants = "false"  # another user's default privileges: the engine's 42501 unless a member of it
    elif lows == ["alter", "database"] and [w.low for w in sig[3:4]] in (["rename"], ["owner"], ["connection"]):
        grants = "false"  # Redshift's superusers rename any database, give it away, limit its connections
    elif lows[:1] in (["grant"], ["revoke"]) and any(w.low == "on" for w in sig):
        grants = "true"
    else:
        return text
    if not text or _TEXT_TAG in text:
        raise syntax_error(_TEXT_TAG if text else "")
    return do_block(f"PERFORM localshift.run_as_owner({_TEXT_TAG}{text}{_TEXT_TAG}, {grants});", _BLOCK_TAG)
