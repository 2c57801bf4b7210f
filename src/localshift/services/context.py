"""Who is asking, where, and when: passed to every operation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RequestContext:
    account: str
    region: str
    request_id: str
    now: datetime
    # Who signed: the access key id (in open mode, often the account itself).  The Data API
    # lists the statements of one identity and names IAM database users after it.
    identity: str = ""
    # The IAM identity the key stands for, when configured ("user/<name>", "role/<name>"): IAM database
    # users are named after it.
    principal: str = ""
