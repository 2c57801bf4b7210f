"""Passwords masked in statements' text (masking.py)."""

from __future__ import annotations

import pytest

from localshift.dataplane.masking import mask_passwords


@pytest.mark.parametrize("text, masked", [
    ("create user bob password 'Secret1x'", "create user bob password '***'"),
    ("CREATE USER bob WITH PASSWORD 'a''b''c1X' CREATEDB", "CREATE USER bob WITH PASSWORD '***' CREATEDB"),
    ("alter user bob password E'x\\'y1Z'", "alter user bob password '***'"),
    ("alter user bob password U&'Secret1x' valid until 'infinity'", "alter user bob password '***' valid until 'infinity'"),
    ("ALTER USER bob PASSWORD md5153c434b4b77c89e6b94f12c5393af5b", "ALTER USER bob PASSWORD '***'"),
    ("alter user bob password sha256|Zs2kU|0a1b", "alter user bob password '***'"),
    ("DO $$ BEGIN EXECUTE E'CREATE ROLE c LOGIN PASSWORD E''S3cret''''x'''; END $$",
     "DO $$ BEGIN EXECUTE E'CREATE ROLE c LOGIN PASSWORD '***''; END $$"),
    ("alter user bob password disable", "alter user bob password disable"),
    ("select 'password' as word", "select 'password' as word"),
])
def test_passwords_are_masked_and_nothing_else(text, masked):
    assert mask_passwords(text) == masked
