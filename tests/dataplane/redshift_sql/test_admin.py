"""Groups, roles, grants, schemas, databases (users: test_users.py)."""

from __future__ import annotations

import pytest

from .helpers import pg, refused


def test_groups_roles_and_grants():
    group = pg("create group g with user u1, u2")
    assert "EXECUTE E'create group g with user u1, u2';" in group
    assert "EXECUTE E'COMMENT ON ROLE g IS ''redshift group''';" in group
    assert pg("grant select on all tables in schema s to group g") == \
        "grant select on all tables in schema s to group g"
    assert pg("grant role r1 to u1") == "GRANT r1 to u1"
    assert pg("grant role r1, r2 to role r3 with admin option") == "GRANT r1, r2 to r3 with admin option"
    assert pg("revoke role r1 from u1") == "REVOKE r1 from u1"
    assert pg("grant select on t to role r1") == "grant select on t to r1"
    # a grantee list mixes users, groups and roles (GRANT's `{ user | ROLE r | GROUP g | PUBLIC } [, ...]`)
    assert pg("grant select on t to u1, group g1, role r1, public") == "grant select on t to u1, group g1, r1, public"
    assert pg("revoke insert on t from role r1, role r2") == "revoke insert on t from r1, r2"
    assert pg("grant select on role_log to u1") == "grant select on role_log to u1"  # no grantee ROLE
    assert pg("alter default privileges in schema s grant select on tables to role r1") == \
        "alter default privileges in schema s grant select on tables to r1"
    assert pg("alter default privileges for user u1 grant execute on functions to u2") == \
        "alter default privileges for user u1 grant execute on functions to u2"


@pytest.mark.parametrize("sql, message", [
    ("grant drop on table t to u1", "GRANT DROP (Redshift's DROP privilege on tables) is not supported by localshift"),
    ("revoke select, alter on t from u1",
     "REVOKE ALTER (Redshift's ALTER privilege on tables) is not supported by localshift"),
    ("alter default privileges grant drop on tables to u1",
     "GRANT DROP (Redshift's DROP privilege on tables) is not supported by localshift"),
    ("alter default privileges in schema s revoke execute on procedures from public",
     "ALTER DEFAULT PRIVILEGES ... ON PROCEDURES is not supported by localshift"),
    ("revoke usage on language sql from public", "REVOKE ... ON LANGUAGE is not supported by localshift"),
    ("grant usage on language plpgsql to u1", "GRANT ... ON LANGUAGE is not supported by localshift"),
])
def test_grants_postgresql_cannot_keep_are_refused(sql, message):
    assert refused(sql) == ("0A000", message)
    assert pg("drop role r1 force") == "drop role r1"
    assert refused("grant usage on datashare d to namespace 'x'")[0] == "0A000"
    # Redshift's DESC statements name what is not supported, not a syntax error at "desc".
    assert refused("desc datashare salesshare") == ("0A000", "DESC DATASHARE is not supported by localshift")
    assert refused("DESC IDENTITY PROVIDER oauth_standard")[0] == "0A000"


def test_schemas_and_databases():
    assert pg("create schema s1 authorization u1 quota 50 gb") == "create schema s1 authorization u1"
    assert pg("alter schema s1 quota unlimited").startswith("DO $localshift$")
    assert pg("alter schema s1 rename to s2") == "alter schema s1 rename to s2"
    assert pg("create database d2 with owner u1 connection limit unlimited isolation level snapshot") == \
        "create database d2 with owner u1 connection limit -1"
    assert refused("create database d3 collate case_insensitive")[0] == "0A000"
    # No Redshift syntax: a copy of template0 would lack the catalog (its schema localshift a user's to create).
    assert refused("create database d3 template template0") == ("42601", 'syntax error at or near "template"')
    assert refused("create database d3 with owner u1 template = template0")[0] == "42601"
    # PostgreSQL reads an option's name quoted too (found by secprobe3: the copy had no event triggers either).
    assert refused('create database d3 "template" template0') == ("42601", 'syntax error at or near ""template""')
    assert refused('create database d3 with "Template" = template0')[0] == "42601"
    assert pg("create database template") == "create database template"
    assert refused("create external schema spectrum from data catalog database 'x'")[0] == "0A000"


@pytest.mark.parametrize("sql", ["create database d --\rtemplate template0",
                                 "-- c\rcreate database d template template0",  # the fast path's start too
                                 "/* /* */ */ create database d template template0",
                                 "create database d connection limit =--'\n 5 template template0 --'",
                                 "create database d /* /* */ ' */ template template0 --'",
                                 "create database \u3000$$ template template0 owner \u3000$$"])
def test_no_comment_or_quote_trick_passes_a_refusal(sql):
    """Each ran (a copy of template0) before the lexer ended tokens where the engine's does."""
    assert refused(sql) == ("42601", 'syntax error at or near "template"')


@pytest.mark.parametrize("sql, option", [
    ("create database d strategy file_copy", "strategy"),  # FILE_COPY checkpoints the whole engine
    ("create database d with oid = 99999", "oid"),
    ("create database d encoding 'SQL_ASCII'", "encoding"),
    ("create database d owner u1 locale = 'C'", "locale"),
    ("create database d lc_collate 'C'", "lc_collate"),
    ("create database d icu_locale 'und'", "icu_locale"),
    ("create database d tablespace pg_default", "tablespace"),
    ('create database d with "connection_limit" = 5', '"connection_limit"'),
    ("create database d connection level 5", "connection"),
])
def test_only_redshifts_database_options_are_taken(sql, option):
    """Redshift's CREATE DATABASE takes OWNER, CONNECTION LIMIT, COLLATE and ISOLATION LEVEL; the
    engine's other options were passed along (a FILE_COPY strategy forces a checkpoint of every
    database of the cluster)."""
    assert refused(sql) == ("42601", f'syntax error at or near "{option}"')


def test_database_options_take_an_equals_sign_and_a_negative_limit():
    assert pg("create database d2 owner = u1 connection limit = -1 collate case_sensitive") == \
        "create database d2 owner = u1 connection limit = - 1"
    assert refused("create database d from integration 'arn'") == (
        "0A000", "CREATE DATABASE ... FROM INTEGRATION is not supported by localshift")


@pytest.mark.parametrize("sql", ["alter database d allow_connections false",
                                 'alter database d with "allow_connections" = 0', "alter database d is_template true", "create database d allow_connections false",
                                 "create database d with is_template = true"])
def test_postgresqls_database_switches_are_no_redshift_syntax(sql):
    """ALTER DATABASE d ALLOW_CONNECTIONS false, from another database, kept the query history's writer
    out of d while a session there ran on unrecorded (found by secprobe3)."""
    assert refused(sql)[0] == "42601"
    assert pg("alter database d connection limit 3") == "alter database d connection limit 3"
