"""CREATE USER, ALTER USER and DROP USER with Redshift's options.

Redshift's "superuser" (CREATEUSER) is never a PostgreSQL superuser: it is
CREATEROLE and CREATEDB plus membership (the internal role's grant, without ADMIN OPTION) in ``localshift_superuser``,
which reads and writes every table and cancels others' queries, and which the
catalog views report as ``usesuper``; every other user is granted to it (``_reached``), and what a
superuser owns is granted to it (catalog/40_superuser_reach.sql).
SYSLOG ACCESS UNRESTRICTED is membership in ``localshift_syslog_unrestricted`` (``localshift.set_syslog_access``).
DROP USER and ALTER USER run through ``localshift.change_user`` (catalog/40_superuser_users.sql), which
any superuser's session may run on another superuser.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .admin import render_words, run_all, user_name
from .errors import TranslationError, do_block, not_supported, syntax_error
from .install import SUPERUSER_ROLE
from .settings import PREFIX, REDSHIFT_SETTINGS
from .tokens import Node, quote_ident, quote_literal, string_value

if TYPE_CHECKING:
    from .expressions import Rewriter

_MD5 = re.compile(r"md5[0-9a-f]{32}")


def _password(node: Node, name: str) -> str:
    """PASSWORD 'clear' | 'md5...' | 'sha256|...' | DISABLE -> PostgreSQL's clause."""
    if node.kind == "ident" and node.low == "disable":
        return "PASSWORD NULL"
    value = string_value(node)
    if _MD5.fullmatch(value):
        return f"PASSWORD {quote_literal(value)}"  # md5(password || user name): PostgreSQL's too
    if value.startswith("sha256|"):
        parts = value.split("|")
        if len(parts) == 2:
            return f"PASSWORD {quote_literal(parts[1])}"
        # A digest and salt: no PostgreSQL method can check it; the user cannot log in.
        return "PASSWORD NULL"
    _check_clear_password(value)
    return f"PASSWORD {quote_literal(value)}"


def _check_clear_password(value: str) -> None:
    """Redshift's rules for clear-text passwords."""
    if not 8 <= len(value) <= 64:
        raise TranslationError("The password must be 8 to 64 characters long.", "28P01")
    if not (re.search("[A-Z]", value) and re.search("[a-z]", value) and re.search("[0-9]", value)):
        raise TranslationError("The password must contain at least one uppercase letter, one "
                               "lowercase letter and one number.", "28P01")
    if any(c in value for c in "'\"\\/@") or any(not 33 <= ord(c) <= 126 for c in value):
        raise TranslationError("The password can contain ASCII characters 33-126 except "
                               "' \" \\ / @.", "28P01")


class _UserOptions:
    """The options of CREATE USER / ALTER USER."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.role_options: list[str] = []
        self.after: list[str] = []  # calls of localshift's functions (SYSLOG ACCESS, SESSION TIMEOUT)
        self.superuser: bool | None = None  # CREATEUSER / NOCREATEUSER

    def read(self, sig: list[Node], k: int) -> None:
        while k < len(sig):
            word = sig[k].low
            nxt = sig[k + 1] if k + 1 < len(sig) else None
            if word == "with":
                k += 1
            elif word == "password" and nxt is not None:
                self.role_options.append(_password(nxt, self.name))
                k += 2
            elif word in ("createdb", "nocreatedb"):
                self.role_options.append(word.upper())
                k += 1
            elif word == "createuser":
                self.superuser = True
                k += 1
            elif word == "nocreateuser":
                self.superuser = False
                k += 1
            elif word == "syslog" and nxt is not None and nxt.low == "access" and k + 2 < len(sig):
                level = sig[k + 2].low
                if level not in ("restricted", "unrestricted"):
                    raise syntax_error(sig[k + 2].text)
                # Granted by the internal role: no user holds ADMIN OPTION on localshift's roles (install.py).
                self.after.append(f"localshift.set_syslog_access({quote_literal(self.name)}, "
                                  f"{'true' if level == 'unrestricted' else 'false'})")
                k += 3
            elif word == "in" and nxt is not None and nxt.low == "group":
                k += 2
                groups = []
                while k < len(sig):
                    groups.append(quote_ident(user_name(sig[k])))
                    k += 1
                    if k < len(sig) and sig[k].text == ",":
                        k += 1
                    else:
                        break
                self.role_options.append("IN ROLE " + ", ".join(groups))
            elif word == "valid" and nxt is not None and nxt.low == "until" and k + 2 < len(sig):
                self.role_options.append(f"VALID UNTIL {quote_literal(string_value(sig[k + 2]))}")
                k += 3
            elif word == "connection" and nxt is not None and nxt.low == "limit" and k + 2 < len(sig):
                limit = sig[k + 2]
                if limit.low != "unlimited" and not limit.text.isdigit():
                    raise syntax_error(limit.text)
                self.role_options.append("CONNECTION LIMIT " + ("-1" if limit.low == "unlimited" else limit.text))
                k += 3
            elif word == "session" and nxt is not None and nxt.low == "timeout" and k + 2 < len(sig):
                seconds = int(sig[k + 2].text)
                if not 60 <= seconds <= 1728000:
                    raise TranslationError("SESSION TIMEOUT must be between 60 and 1728000 seconds",
                                           "22023")
                self.after.append(_change_user(self.name, _set_clause("idle_session_timeout", [f"{seconds}s"])))
                k += 3
            elif word == "externalid":
                raise not_supported("EXTERNALID (identity provider federation)")
            else:
                raise syntax_error(sig[k].text)


def create_user(rw: "Rewriter", sig: list[Node]) -> str:
    """CREATE USER name [WITH] PASSWORD ... [options]."""
    name = _new_name(sig[2])
    options = _UserOptions(name)
    options.read(sig, 3)
    if not any(o.startswith("PASSWORD") for o in options.role_options):
        raise syntax_error(sig[-1].text)  # Redshift requires PASSWORD
    create = " ".join([f"CREATE ROLE {quote_ident(name)} LOGIN"] + options.role_options)
    return run_all([create] + ([f"SELECT {_set_superuser(name, True)}"] if options.superuser else [_reached(name)])
                   + [f"SELECT {call}" for call in options.after])


def _new_name(node: Node) -> str:
    """The name of a user CREATE USER or ALTER USER ... RENAME TO makes: not ``public``, nor one of
    localshift's roles' (``localshift_``, as PostgreSQL reserves ``pg_``: the functions that act on users
    for superusers leave such names alone, taking them for localshift's roles)."""
    name = user_name(node)
    if name == "public" or name.startswith("localshift_"):
        raise TranslationError(f'user name "{name}" is reserved', "42939")
    return name


def _reached(name: str) -> str:
    """Redshift's superusers reach every user's objects: a user who is no superuser is granted to
    ``localshift_superuser`` (by its creator, who holds ADMIN OPTION on it), whose members so have
    the user's privileges, those of an owner included (create in its schemas, alter and drop its
    tables), and may alter the user (ADMIN OPTION).  A superuser is not (the engine refuses circular
    memberships): what a superuser owns is granted to ``localshift_superuser`` instead
    (catalog/40_superuser_reach.sql), all but an owner's rights."""
    return f"GRANT {quote_ident(name)} TO {SUPERUSER_ROLE} WITH ADMIN OPTION"


def _set_superuser(name: str, superuser: bool) -> str:
    """CREATEUSER / NOCREATEUSER: ``localshift.set_superuser`` (the internal role's,
    catalog/40_superuser_reach.sql) changes the user's attributes (CREATEROLE, CREATEDB) and the grants
    between it and ``localshift_superuser``, whoever made them: the user's creator is not always the
    caller (a user a temporary login made is the internal role's)."""
    return f"localshift.set_superuser({quote_literal(name)}, {'true' if superuser else 'false'})"


def alter_user(rw: "Rewriter", sig: list[Node]) -> str:
    """ALTER USER name [WITH] option..., RENAME TO, SET/RESET parameter, RESET SESSION TIMEOUT: one DO
    block (tagged ALTER USER, command_tags.py) of calls of ``localshift.change_user``, which a
    superuser's session may run on any user, another superuser included (catalog/40_superuser_users.sql),
    and of ``localshift.set_superuser`` and ``localshift.set_syslog_access``."""
    name = user_name(sig[2])
    lows = [w.low for w in sig[3:]]
    if lows[:2] == ["rename", "to"] and len(lows) == 3:
        # PostgreSQL clears an md5 password on rename, as Redshift requires a new one.
        return _run([_change_user(name, f"RENAME TO {_quoted(_new_name(sig[5]))}")])
    if lows[:1] == ["set"] and len(lows) >= 4:
        parameter = PREFIX + lows[1] if lows[1] in REDSHIFT_SETTINGS else lows[1]
        if lows[2] not in ("to", "="):
            raise syntax_error(sig[5].text)
        if lows[3:] == ["default"]:
            return _run([_change_user(name, f"RESET {_quoted(parameter)}")])
        return _run([_change_user(name, _set_clause(parameter, _setting_values(sig[6:])))])
    if lows[:1] == ["reset"] and len(lows) == 2:
        parameter = lows[1] if lows[1] not in REDSHIFT_SETTINGS else PREFIX + lows[1]
        return _run([_change_user(name, f"RESET {_quoted(parameter)}")])
    if lows == ["reset", "session", "timeout"]:
        return _run([_change_user(name, f"RESET {_quoted('idle_session_timeout')}")])
    options = _UserOptions(name)
    options.read(sig, 3)
    calls = [_change_user(name, " ".join(options.role_options))] if options.role_options else []
    if options.superuser is not None:
        # Demoted first, so that CREATEDB in the same statement stays; promoted last, so that the other
        # options are set while the caller still holds ADMIN OPTION on the user (through the grant taken
        # back), and a superuser creates databases whatever NOCREATEDB says ("bypasses all permission checks").
        change = _set_superuser(name, options.superuser)
        calls = calls + [change] if options.superuser else [change] + calls
    return _run(calls + options.after)


def _quoted(name: str) -> str:
    """A name as a quoted identifier (what localshift.user_statement takes)."""
    return '"' + name.replace('"', '""') + '"'


def _setting_values(nodes: list[Node]) -> list[str]:
    """The values of ALTER USER ... SET parameter TO v [, ...], as text: strings, numbers (signed) and
    words (lowercased, quoted names as they are)."""
    values: list[str] = []
    groups: list[list[Node]] = [[]]
    for node in nodes:
        if node.text == ",":
            groups.append([])
        else:
            groups[-1].append(node)
    for group in groups:
        kinds = [node.kind for node in group]
        if len(group) == 2 and group[0].text == "-" and kinds[1] == "number":
            values.append("-" + group[1].text)
        elif len(group) == 1 and kinds[0] in ("string", "dollar"):
            values.append(string_value(group[0]))
        elif len(group) == 1 and kinds[0] in ("ident", "qident", "number"):
            values.append(user_name(group[0]) if kinds[0] != "number" else group[0].text)
        else:
            raise syntax_error(group[-1].text if group else (nodes[-1].text if nodes else "to"))
    return values


def _set_clause(parameter: str, values: list[str]) -> str:
    return f"SET {_quoted(parameter)} TO " + ", ".join(quote_literal(value) for value in values)


def drop_user(sig: list[Node]) -> str:
    """DROP USER [IF EXISTS] name [, ...]."""
    lows = [w.low for w in sig]
    k = 4 if lows[2:4] == ["if", "exists"] else 2
    names = [user_name(node) for node in sig[k::2]]
    if not names or any(node.text != "," for node in sig[k + 1::2]):
        raise syntax_error(sig[-1].text)
    return _run([_change_user(name, "DROP IF EXISTS" if k == 4 else "DROP") for name in names])


def _change_user(name: str, clause: str) -> str:
    """The call of ``localshift.change_user`` that runs ``clause`` (DROP [IF EXISTS], ALTER ROLE's options,
    RENAME TO, SET, RESET) for user ``name``: as the caller, and for a Redshift superuser's session
    refused on another superuser (whom Redshift lets any superuser drop or alter; PostgreSQL only the
    user's creator), again by the internal role (catalog/40_superuser_users.sql)."""
    return f"localshift.change_user({quote_literal(name)}, {quote_literal(clause)})"


# Before a call of set_superuser or set_syslog_access, which only superusers may run: an ordinary user
# gets the engine's refusal of the other options (not "permission denied for function set_superuser").
_SUPERUSERS_ONLY = ("IF NOT has_function_privilege('localshift.set_syslog_access(text, boolean)', 'EXECUTE') THEN "
                    "RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied to alter role'; END IF; ")


def _run(calls: list[str]) -> str:
    """A DO block performing ``calls`` (not EXECUTE'd: a password in a clause goes quoted once, where
    the history's mask still finds it, masking.py)."""
    guard = _SUPERUSERS_ONLY if any(not call.startswith("localshift.change_user(") for call in calls) else ""
    return do_block(guard + " ".join(f"PERFORM {call};" for call in calls))
