"""SET [SESSION | LOCAL] SESSION AUTHORIZATION and RESET SESSION AUTHORIZATION, as Redshift's
superusers have them, with no PostgreSQL superuser.

PostgreSQL lets only its own superusers change the session user, and no cluster user is one.
A Redshift superuser (the master user, a CREATEUSER user) gets ``SET ROLE`` instead: the user
runs on with the named user's privileges (``CURRENT_USER``), which is what AWS documents the
command for (testing access as an unprivileged user); ``SESSION_USER`` stays the login user.
Redshift superusers may take the role of every other user because every user who is no
superuser is granted to ``localshift_superuser`` (users.py): a superuser's membership, which
the engine checks, never reaches another superuser, the master user or the internal role
(``permission denied to set role``).  Anyone else gets Redshift's (PostgreSQL's)
``42501 permission denied to set session authorization``; naming oneself is allowed, as
PostgreSQL allows it.  DEFAULT and RESET go back to the login user.
"""

from __future__ import annotations

from .admin import user_name
from .errors import do_block, syntax_error
from .tokens import Node, quote_literal, string_value


def set_session_authorization(sig: list[Node]) -> str | None:
    """``SET [SESSION | LOCAL] SESSION AUTHORIZATION {user | 'user' | DEFAULT}``; None: another SET."""
    lows = [w.low for w in sig]
    local = lows[1:2] == ["local"]
    k = 2 if lows[1:2] in (["local"], ["session"]) and lows[2:3] == ["session"] else 1
    if lows[k:k + 2] != ["session", "authorization"]:
        return None
    if len(sig) != k + 3:
        raise syntax_error(sig[min(k + 3, len(sig) - 1)].text)
    target = sig[k + 2]
    if target.kind == "ident" and target.low == "default":
        return f"SET {'LOCAL ' * local}ROLE NONE"
    name = string_value(target) if target.kind == "string" else user_name(target)
    return do_block(
        f"IF {quote_literal(name)} <> session_user AND NOT localshift.is_superuser("
        f"(SELECT oid FROM pg_catalog.pg_roles WHERE rolname = session_user)) THEN "
        "PERFORM localshift.raise_error('42501', 'permission denied to set session authorization', NULL); "
        f"END IF; PERFORM pg_catalog.set_config('role', {quote_literal(name)}, {'true' if local else 'false'});")


def reset_session_authorization(sig: list[Node]) -> str | None:
    """``RESET SESSION AUTHORIZATION``; None: another RESET."""
    if [w.low for w in sig] != ["reset", "session", "authorization"]:
        return None
    return "RESET ROLE"
