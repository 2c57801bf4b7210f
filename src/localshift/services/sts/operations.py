"""STS's GetCallerIdentity: the account and IAM identity an access key stands for.

Tools ask it before they touch Redshift: Terraform's AWS provider reads the account from it to
build the ARNs it tags resources by (without it, and ``skip_requesting_account_id``, those ARNs
have no account and tagging fails), and scripts check which account their credentials reach.
The answer follows AWS's table of ``aws:userid`` values: a key configured for an IAM user is that
user (``arn:aws:iam::<account>:user/<name>``, UserId ``AIDA...``); one configured for a role is a
session of it (``arn:aws:sts::<account>:assumed-role/<name>/<session>``, UserId
``AROA...:<session>``), the session named after the access key; any other key is the account's
root (``arn:aws:iam::<account>:root``, UserId the account).  The unique ids are made from the
account and the identity's name, so they stay the same across calls and restarts.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from localshift.services.context import RequestContext


def unique_id(prefix: str, account: str, principal: str) -> str:
    """An IAM unique id: its kind's four-letter prefix and 17 characters of A-Z and 2-7."""
    digest = hashlib.sha256(f"{account}/{principal}".encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:17]


def get_caller_identity(backend: Any, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
    kind, _, name = ctx.principal.partition("/")
    if kind == "user":
        return {"UserId": unique_id("AIDA", ctx.account, ctx.principal), "Account": ctx.account,
                "Arn": f"arn:aws:iam::{ctx.account}:user/{name}"}
    if kind == "role":
        session = ctx.identity
        return {"UserId": f"{unique_id('AROA', ctx.account, ctx.principal)}:{session}", "Account": ctx.account,
                "Arn": f"arn:aws:sts::{ctx.account}:assumed-role/{name}/{session}"}
    return {"UserId": ctx.account, "Account": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root"}


OPERATIONS = {"GetCallerIdentity": get_caller_identity}
