"""Master passwords: only what the engine needs is kept, never a password itself.

A password the caller gives becomes its md5 verifier (records.password_verifier),
which the engine stores as it is.  A managed one (ManageMasterPassword) is made
up here and kept as the value of its Secrets Manager secret in the secret store,
from which the service can read it back later.
"""

from __future__ import annotations

import secrets
import uuid

from localshift.records import password_verifier
from localshift.services.context import RequestContext
from localshift.store.secrets import SecretStore


def managed_password_secret(ctx: RequestContext, cluster_identifier: str) -> str:
    """The Secrets Manager ARN Redshift names for a managed master password."""
    suffix = uuid.uuid4().hex[:6]
    return f"arn:aws:secretsmanager:{ctx.region}:{ctx.account}:secret:redshift!{cluster_identifier}-admin-{suffix}"


def generated_password() -> str:
    """A password that meets Redshift's rules, for managed passwords and engines whose password nobody gave."""
    return "Ls1" + secrets.token_urlsafe(18)


def managed_password(secrets: SecretStore, secret_key: str, username: str) -> str:
    """Make up a master password, keep it as the value of the secret ``secret_key``
    (the service reads it back later), and return its verifier for the engine."""
    password = generated_password()
    secrets.put(secret_key, {"username": username, "password": password})
    return password_verifier(username, password)


