"""Fixtures of the Redshift Serverless tests: clients of the shared server, and helpers that wait for work."""

from __future__ import annotations

import pytest

from serverless_support import Serverless
from support import GRANTEE, OWNER, STRANGER, Server


@pytest.fixture
def owner(ls: Server) -> Serverless:
    return Serverless(ls, OWNER)


@pytest.fixture
def grantee(ls: Server) -> Serverless:
    return Serverless(ls, GRANTEE)


@pytest.fixture
def stranger(ls: Server) -> Serverless:
    return Serverless(ls, STRANGER)


@pytest.fixture
def slow_owner(slow: Server) -> Serverless:
    return Serverless(slow, OWNER)
