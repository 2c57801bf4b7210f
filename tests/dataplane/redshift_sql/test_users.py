"""CREATE USER and ALTER USER (users.py)."""

from __future__ import annotations

import pytest

from .helpers import pg, refused


def executed(text: str) -> list[str]:
    """The statements a DO block of ``run_all`` executes, unquoted."""
    assert text.startswith("DO $localshift$"), text
    return [part.split("';", 1)[0].replace("''", "'") for part in text.split("EXECUTE E'")[1:]]


def test_create_user_options():
    """A user who is no superuser is granted to localshift_superuser (Redshift's superusers reach
    every user's objects)."""
    for statement, create in (
            ("create user dbuser with password 'abcD1234' createdb connection limit 30",
             "CREATE ROLE dbuser LOGIN PASSWORD E'abcD1234' CREATEDB CONNECTION LIMIT 30"),
            ("create user u1 password 'md5153c434b4b77c89e6b94f12c5393af5b' valid until '2030-01-01'",
             "CREATE ROLE u1 LOGIN PASSWORD E'md5153c434b4b77c89e6b94f12c5393af5b' VALID UNTIL '2030-01-01'"),
            ("create user u2 password disable in group g1, g2 connection limit unlimited",
             "CREATE ROLE u2 LOGIN PASSWORD NULL IN ROLE g1, g2 CONNECTION LIMIT -1"),
            ("create user u3 password 'sha256|Mypassword1'", "CREATE ROLE u3 LOGIN PASSWORD E'Mypassword1'"),
            ('create user "MixedCase" password disable', 'CREATE ROLE "MixedCase" LOGIN PASSWORD NULL')):
        name = create.split()[2]
        assert executed(pg(statement)) == [create, f"GRANT {name} TO localshift_superuser"]


def test_createuser_is_never_a_postgresql_superuser():
    text = pg("create user admin2 password 'Abcd1234' createuser syslog access unrestricted session timeout 120")
    assert text.startswith("DO $localshift$")
    assert "SUPERUSER" not in text.upper().replace("LOCALSHIFT_SUPERUSER", "")
    for part in ("CREATE ROLE admin2 LOGIN PASSWORD E''Abcd1234'' CREATEROLE",
                 "GRANT localshift_superuser TO admin2 WITH ADMIN OPTION",
                 "GRANT localshift_syslog_unrestricted TO admin2",
                 "ALTER ROLE admin2 SET idle_session_timeout = ''120s''"):
        assert part in text, part


def test_alter_user():
    assert executed(pg("alter user u1 createdb nocreateuser")) == [
        "ALTER ROLE u1 CREATEDB NOCREATEROLE", "REVOKE localshift_superuser FROM u1", "GRANT u1 TO localshift_superuser"]
    becomes_superuser = executed(pg("alter user u1 createuser"))
    assert becomes_superuser[0] == "ALTER ROLE u1 CREATEROLE"
    # The user's grant to localshift_superuser goes first (the engine refuses circular memberships).
    assert "THEN REVOKE u1 FROM localshift_superuser;" in becomes_superuser[1]
    assert becomes_superuser[2:] == ["GRANT localshift_superuser TO u1 WITH ADMIN OPTION",
                                     "GRANT localshift_syslog_unrestricted TO u1 WITH ADMIN OPTION"]
    assert pg("alter user u1 password 'Newpass123' valid until 'infinity'") == \
        "ALTER ROLE u1 PASSWORD E'Newpass123' VALID UNTIL 'infinity'"
    assert pg("alter user u1 rename to u2") == "ALTER ROLE u1 RENAME TO u2"
    assert pg("alter user u1 set query_group to 'etl'") == "ALTER ROLE u1 SET redshift.query_group TO 'etl'"
    assert pg("alter user u1 reset session timeout") == "ALTER ROLE u1 RESET idle_session_timeout"


@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "NoDigitsHere", "Has@Sign1", "x" * 65])
def test_clear_text_passwords_follow_redshifts_rules(password):
    assert refused(f"create user u password '{password}'")[0] == "28P01"
