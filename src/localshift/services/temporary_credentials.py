"""Temporary database credentials: issued by GetClusterCredentials, GetClusterCredentialsWithIAM,
Redshift Serverless GetCredentials, and by the Data API for itself.

A credential is handed to the data plane (common/jobs.py ``let_in``), whose SQL endpoint then
lets it log in until it expires (the expiry is checked against the service clock, so time
travel applies).  Those handed to callers are also kept in the store, so a restarted service
honours them; the Data API's own last only as long as the connections made with them.

IAM identities: Redshift names the database user of an IAM user ``IAM:<user>`` and that of a
role (an assumed role's session) ``IAMR:<role>``.  localshift serves no IAM or STS: a strict-mode
key may be configured as a user's or a role's (``AKID:SECRET:ACCOUNT:role/NAME``, server/auth.py),
and otherwise the caller is known by the access key that signed its request, so its database user
is ``IAM:<access key>`` (in open mode the key is often the account id itself).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from localshift.dataplane.api import TemporaryLogin, password_md5
from localshift.errors import ApiError
from localshift.services.context import RequestContext

MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 900, 3600, 900
IAM_PREFIX, AUTO_CREATE_PREFIX, ROLE_PREFIX = "IAM:", "IAMA:", "IAMR:"
# Redshift's rules for DbUser, DbName and DbGroups: 1 to 64 characters, a letter first, then
# letters, digits, underscore, plus, dot, at or hyphen (so no colon or slash).
_DB_NAME_RULE = re.compile(r"[A-Za-z][A-Za-z0-9_+.@-]{0,63}")


def iam_user(ctx: RequestContext) -> str:
    """The database user of the caller's IAM identity."""
    kind, _, name = ctx.principal.partition("/")
    if kind == "role":
        return ROLE_PREFIX + name
    return IAM_PREFIX + (name or ctx.identity or ctx.account)


def duration(value: int | None, parameter: str = "DurationSeconds", code: str = "InvalidParameterValue") -> int:
    seconds = DEFAULT_SECONDS if value is None else value
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise ApiError(code, f"{parameter} must be between {MIN_SECONDS} and {MAX_SECONDS} seconds, not {seconds}.")
    return seconds


def database_name(value: str, parameter: str) -> str:
    """A DbUser, DbName or DbGroups entry as Redshift allows it (reserved names checked by the caller)."""
    if not _DB_NAME_RULE.fullmatch(value) or value.lower() == "public":
        raise ApiError("InvalidParameterValue",
                       f"{parameter} {value!r} must be 1 to 64 letters, digits or any of _+.@-, start with a letter, "
                       "and not be PUBLIC.")
    return value


def new_login(login_user: str, db_user: str, expires_at: datetime, **extra: Any) -> tuple[TemporaryLogin, str]:
    """A credential with a new random password, and that password."""
    password = secrets.token_urlsafe(30)
    return TemporaryLogin(login_user, db_user, password_md5(login_user, password), expires_at, **extra), password


def expiry(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds)
