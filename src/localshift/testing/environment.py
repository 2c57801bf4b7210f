"""The environment variables that point AWS SDKs at a localshift server, set for a while.

Code under test that builds its own clients (``boto3.client("redshift")``) then reaches
localshift unchanged: botocore reads ``AWS_ENDPOINT_URL`` and the per-service
``AWS_ENDPOINT_URL_<SERVICE ID>`` variables, the AWS CLI too.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

# The services localshift serves, by botocore name, and their per-service endpoint variables.
SERVICES = ("redshift", "redshift-serverless", "redshift-data")
SECRET_KEY = "localshift"


def endpoint_variables(url: str, account: str, region: str) -> dict[str, str | None]:
    """What the environment holds while a server is in use (None: unset)."""
    values: dict[str, str | None] = {
        "AWS_ENDPOINT_URL": url,
        # In open mode a 12-digit access key id is the account id.
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        # A session token or profile of the developer's own would be sent along or read instead.
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        # Set to true, it makes SDKs ignore every AWS_ENDPOINT_URL* variable.
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": None,
    }
    for service in SERVICES:
        values["AWS_ENDPOINT_URL_" + service.upper().replace("-", "_")] = url
    return values


@contextmanager
def endpoint_environment(url: str, account: str, region: str) -> Iterator[None]:
    """Point AWS SDKs at ``url`` as ``account`` in ``region``; the variables are as they were after."""
    wanted = endpoint_variables(url, account, region)
    saved = {name: os.environ.get(name) for name in wanted}
    _apply(wanted)
    try:
        yield
    finally:
        _apply(saved)


def _apply(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
