"""Groups, roles, grants, schemas and databases with Redshift's syntax (users: users.py).
A statement that becomes several runs as one DO block (one round trip, one transaction, one error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import do_block, not_supported, syntax_error
from .tokens import Node, Token, identifier_value, quote_ident, quote_literal

if TYPE_CHECKING:
    from .expressions import Rewriter

def run_all(statements: list[str], block: bool = False) -> str:
    """One statement, or several run by one DO block (always a DO block when ``block``: one whose
    command tag the session gives as the statement's, command_tags.py)."""
    if len(statements) == 1 and not block:
        return statements[0]
    return do_block(" ".join(f"EXECUTE {quote_literal(s)};" for s in statements))


def user_name(node: Node) -> str:
    """Quoted user names keep their case (whatever enable_case_sensitive_identifier says)."""
    if node.kind == "qident":
        return node.text[1:-1].replace('""', '"')
    if node.kind == "ident":
        return node.low
    raise syntax_error(node.text)


def create_group(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str:
    """CREATE GROUP g [[WITH] USER u, ...]: a role, marked as a group for PG_GROUP
    and the SVV views (localshift.is_group)."""
    if len(sig) < 3:
        raise syntax_error(sig[-1].text)
    return run_all([rw.text(nodes), f"COMMENT ON ROLE {rw.text([sig[2]])} IS 'redshift group'"])


def create_role(rw: "Rewriter", sig: list[Node]) -> str:
    """CREATE ROLE name [EXTERNALID id]: a role users and other roles are granted."""
    if len(sig) != 3:
        if len(sig) > 3 and sig[3].low == "externalid":
            raise not_supported("EXTERNALID (identity provider federation)")
        raise syntax_error(sig[3].text)
    return f"CREATE ROLE {quote_ident(user_name(sig[2]))}"


def drop_role(rw: "Rewriter", sig: list[Node]) -> str:
    """DROP ROLE name [FORCE | RESTRICT]: memberships go with the role."""
    lows = [w.low for w in sig]
    if lows[-1] in ("force", "restrict"):
        sig = sig[:-1]
    return render_words(sig)


def grant_or_revoke(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str | None:
    """GRANT ROLE r TO {user | ROLE r2}, REVOKE ROLE r FROM ..., and ``ROLE r`` grantees."""
    lows = [w.low for w in sig]
    if lows[1:2] == ["role"]:
        # GRANT ROLE a, b TO u [WITH ADMIN OPTION] | TO ROLE r
        out = [sig[0].text.upper()]
        k = 2
        while k < len(sig) and lows[k] not in ("to", "from"):
            if sig[k].text == ":" and k > 2:
                # Redshift's system-defined roles (sys:dba, sys:operator, sys:secadmin, sys:monitor,
                # sys:superuser...) stand for privileges localshift does not model one by one.
                role = f"{sig[k - 1].text}:{sig[k + 1].text if k + 1 < len(sig) else ''}"
                raise not_supported(f"{sig[0].text.upper()} ROLE {role} (Redshift's system-defined roles)")
            out.append(sig[k].text if sig[k].text == "," else quote_ident(user_name(sig[k])))
            k += 1
        rest = [w for w in sig[k:] if w.low != "role"]
        return " ".join(out + [w.text for w in rest]).replace(" ,", ",")
    for k, word in enumerate(lows):
        if word in ("datashare", "assumerole", "model") or word == "on" and lows[k + 1:k + 2] == ["datashare"]:
            raise not_supported(f"{sig[0].text.upper()} on {word.upper()}")
        if word == "on" and lows[k + 1:k + 2] == ["language"]:
            # Redshift's way to choose who may create UDFs (REVOKE USAGE ON LANGUAGE sql FROM PUBLIC):
            # the engine's languages belong to its superuser, so PostgreSQL would only warn and change
            # nothing, and every user would still create SQL and PL/pgSQL routines.
            raise not_supported(f"{sig[0].text.upper()} ... ON LANGUAGE")
    _refuse_object_privileges(sig, lows, 0)
    return _without_role_keywords(rw, nodes, sig, lows)


def alter_default_privileges(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str | None:
    """ALTER DEFAULT PRIVILEGES [FOR USER u] [IN SCHEMA s] GRANT|REVOKE ...: PostgreSQL's, with
    ``ROLE r`` grantees.  Redshift keeps procedures' default privileges apart from functions';
    PostgreSQL's ON FUNCTIONS covers both, so ON PROCEDURES cannot be kept apart and is refused."""
    lows = [w.low for w in sig]
    verb = next((k for k, word in enumerate(lows) if word in ("grant", "revoke")), None)
    if verb is None:
        return None
    if "procedures" in lows[verb:]:
        raise not_supported("ALTER DEFAULT PRIVILEGES ... ON PROCEDURES")
    _refuse_object_privileges(sig, lows, verb)
    return _without_role_keywords(rw, nodes, sig, lows)


# Privileges Redshift grants on tables that PostgreSQL has not (ALTER and DROP: the right to alter
# or drop another's table, which in PostgreSQL only its owner has).
_REDSHIFT_ONLY_PRIVILEGES = ("alter", "drop")


def _refuse_object_privileges(sig: list[Node], lows: list[str], verb: int) -> None:
    """GRANT/REVOKE of ALTER or DROP on a table (the privileges listed before ON)."""
    end = lows.index("on", verb) if "on" in lows[verb:] else len(lows)
    for word in lows[verb + 1:end]:
        if word in _REDSHIFT_ONLY_PRIVILEGES:
            privilege = word.upper()
            raise not_supported(f"{sig[verb].text.upper()} {privilege} (Redshift's {privilege} privilege on tables)")


def _without_role_keywords(rw: "Rewriter", nodes: list[Node], sig: list[Node], lows: list[str]) -> str | None:
    """The statement without the ROLE keyword of each ``ROLE r`` grantee (``TO u, ROLE r, GROUP g``):
    a PostgreSQL role is named alone.  None when there is none."""
    grantees = next((k for k in range(len(lows) - 1, -1, -1) if lows[k] in ("to", "from")), None)
    if grantees is None:
        return None
    drop = [k for k in range(grantees + 1, len(sig) - 1)
            if lows[k] == "role" and (k == grantees + 1 or sig[k - 1].text == ",")]
    if not drop:
        return None
    skip: set[int] = set()
    for k in drop:
        at = nodes.index(sig[k])
        skip.add(at)
        while at + 1 < len(nodes) and nodes[at + 1].blank:
            at += 1
            skip.add(at)
    return rw.text([node for i, node in enumerate(nodes) if i not in skip])


def create_schema(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str:
    """CREATE SCHEMA ... [QUOTA {n [MB|GB|TB] | UNLIMITED}]: the quota is accepted, not enforced."""
    lows = [w.low for w in sig]
    if "quota" not in lows:
        if "external" in lows[:2]:
            raise not_supported("CREATE EXTERNAL SCHEMA (Redshift Spectrum)")
        return rw.text(nodes)
    q = lows.index("quota")
    _check_quota(sig[q + 1:])
    return rw.text(nodes[:nodes.index(sig[q])])


def alter_schema(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str | None:
    """ALTER SCHEMA s QUOTA ...: checks that the schema exists, changes nothing."""
    lows = [w.low for w in sig]
    if lows[3:4] != ["quota"]:
        return None
    _check_quota(sig[4:])
    schema = quote_literal(rw.text([sig[2]]))
    return do_block(f"PERFORM {schema}::regnamespace;")


def _check_quota(value: list[Node]) -> None:
    lows = [w.low for w in value]
    if lows == ["unlimited"]:
        return
    if not value or value[0].kind != "number" or lows[1:] not in ([], ["mb"], ["gb"], ["tb"]):
        raise syntax_error(value[0].text if value else "quota")


# PostgreSQL's switches of a database, no Redshift syntax: ALLOW_CONNECTIONS false kept the query
# history's writer out (a session already in the database ran on, its statements never in STL_QUERY).
_DATABASE_SWITCHES = ("allow_connections", "is_template")


def refuse_postgresql_database_options(sig: list[Node], options: tuple[str, ...] = _DATABASE_SWITCHES) -> None:
    """CREATE / ALTER DATABASE name ...: ``options`` after the name are PostgreSQL's alone (a syntax
    error, as Redshift's parser gives), their names quoted too, as PostgreSQL takes them."""
    names = [identifier_value(w) if w.kind == "qident" else w.low for w in sig]
    for k in range(3, len(names)):
        if names[k] in options:
            raise syntax_error(sig[k].text)


def create_database(rw: "Rewriter", nodes: list[Node], sig: list[Node]) -> str:
    """CREATE DATABASE name [[WITH] OWNER ... | CONNECTION LIMIT ... | COLLATE ... |
    ISOLATION LEVEL ...]: the isolation level is accepted (PostgreSQL's READ
    COMMITTED runs), CASE_INSENSITIVE collation is not supported.  PostgreSQL's TEMPLATE
    is no Redshift syntax: every database is a copy of template1, which holds the catalog
    (a copy of template0 would not, and its owner could create the schema localshift that
    the internal role's installer and history writer trust)."""
    lows = [w.low for w in sig]
    if "datashare" in lows:
        raise not_supported("CREATE DATABASE ... FROM DATASHARE")
    _check_database_options(sig)
    keep: list[Node] = []
    k = 0
    while k < len(sig):
        if lows[k] == "collate":
            if k + 1 >= len(sig) or lows[k + 1] not in ("case_sensitive", "case_insensitive"):
                raise syntax_error(sig[k + 1].text if k + 1 < len(sig) else "collate")
            if lows[k + 1] == "case_insensitive":
                raise not_supported("COLLATE CASE_INSENSITIVE")
            k += 2
        elif lows[k] == "isolation" and lows[k + 1:k + 2] == ["level"]:
            if lows[k + 2:k + 3] not in (["serializable"], ["snapshot"]):
                raise syntax_error(sig[k + 2].text if k + 2 < len(sig) else "level")
            k += 3
        elif lows[k] == "connection" and lows[k + 1:k + 3] == ["limit", "unlimited"]:
            keep += [sig[k], sig[k + 1], Token("number", "-1")]
            k += 3
        else:
            keep.append(sig[k])
            k += 1
    return render_words(keep)


_DATABASE_OPTIONS = {"owner": ["owner"], "collate": ["collate"], "connection": ["connection", "limit"],
                     "isolation": ["isolation", "level"]}


def _check_database_options(sig: list[Node]) -> None:
    """Only Redshift's options follow ``CREATE DATABASE name [WITH]``: OWNER, CONNECTION LIMIT,
    COLLATE and ISOLATION LEVEL, each taking one value (``=`` optional, as both parsers allow).
    PostgreSQL's others (TEMPLATE, STRATEGY, OID, ENCODING, LOCALE..., TABLESPACE,
    ALLOW_CONNECTIONS, IS_TEMPLATE) are a syntax error at their name, as Redshift's parser gives,
    quoted or not: PostgreSQL reads ``"template"`` as the option too."""
    names = [identifier_value(w) if w.kind == "qident" else w.low for w in sig]
    k = 4 if names[3:4] == ["with"] else 3
    while k < len(names):
        if names[k] == "from":  # FROM INTEGRATION / FROM ARN (zero-ETL, Glue): not emulated
            raise not_supported(f"CREATE DATABASE ... FROM {sig[k + 1].text.upper() if k + 1 < len(sig) else ''}")
        option = _DATABASE_OPTIONS.get(names[k])
        if option is None or names[k + 1:k + len(option)] != option[1:]:
            raise syntax_error(sig[k].text)
        k += len(option)
        if names[k:k + 1] == ["="]:
            k += 1
        if names[k:k + 1] == ["-"]:  # CONNECTION LIMIT -1
            k += 1
        k += 1  # the value


def render_words(sig: list[Node]) -> str:
    """Significant nodes joined by single spaces (their original spacing is lost)."""
    out = ""
    for node in sig:
        if out and node.text not in (",", ".", ")") and not out.endswith((".", "(")):
            out += " "
        out += node.text
    return out
