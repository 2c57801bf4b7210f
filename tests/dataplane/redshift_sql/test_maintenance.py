"""VACUUM, ANALYZE, ANALYZE COMPRESSION, CANCEL, LOCK."""

from __future__ import annotations

import pytest

from .helpers import pg, refused


@pytest.mark.parametrize("redshift, postgres", [
    ("vacuum", "VACUUM"),
    ("vacuum full s.t to 99 percent boost", "VACUUM s.t"),
    ("vacuum sort only t", "VACUUM t"),
    ("vacuum delete only to 75 percent", "VACUUM"),
    ("vacuum reindex t", "VACUUM t"),
    ("vacuum recluster t", "VACUUM t"),
    ("vacuum analyze t", "vacuum analyze t"),  # PostgreSQL's own form
    ("analyze t predicate columns", "analyze t"),
    ("analyze verbose t (a, b) all columns", "analyze verbose t (a, b)"),
    ("analyze compression t (a) comprows 1000",
     "SELECT * FROM localshift.analyze_compression(E't'::regclass, ARRAY[E'a']::text[])"),
    ("analyze compression", "SELECT * FROM localshift.analyze_compression(NULL, NULL)"),
    ("cancel 1234 'too long'", "SELECT pg_cancel_backend(1234)"),
])
def test_rewrites(redshift, postgres):
    assert pg(redshift) == postgres


def test_lock_runs_in_a_block():
    assert pg("lock t, u").startswith("DO $localshift$DECLARE ls_detail text; BEGIN lock t, u;")


@pytest.mark.parametrize("sql", ["vacuum sort t", "vacuum t to 101 percent", "vacuum t to 5", "cancel x"])
def test_malformed(sql):
    assert refused(sql)[0] in ("42601", "22023")
