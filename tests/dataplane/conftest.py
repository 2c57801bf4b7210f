"""Fixtures for the data-plane tests: real PostgreSQL engines on free ports, in data planes that
start from the session's seed (engine_seed.py)."""

from __future__ import annotations

import shutil

import pytest

from engine_seed import seeded_plane
from localshift.dataplane import PostgresDataPlane

from .helpers import DB, PASSWORD, USER, connect, free_port


def cleanup(plane: PostgresDataPlane) -> None:
    """Stop every engine and the watchdog, and remove engine directories kept outside the root."""
    plane.close()
    if not plane.engine_root.resolve().is_relative_to(plane.root):
        shutil.rmtree(plane.engine_root, ignore_errors=True)


def listened_plane(root, **options):  # type: ignore[no-untyped-def]
    """A seeded data plane over ``root`` (``options``: PostgresDataPlane's) and what its engine listener
    heard, (key, ENGINE_REVIVED | ENGINE_FAILED); for a fixture to yield from."""
    plane = seeded_plane(root, **options)
    heard: list[tuple[str, str]] = []
    plane.on_engine_event(lambda key, what: heard.append((key, what)))
    try:
        yield plane, heard
    finally:
        cleanup(plane)


@pytest.fixture
def dp(tmp_path):
    plane = seeded_plane(tmp_path / "dp")
    try:
        yield plane
    finally:
        cleanup(plane)


@pytest.fixture
def cluster(dp):
    """A running cluster created with USER/PASSWORD/DB: returns (key, port)."""
    return "c1", dp.create_engine("c1", free_port(), USER, PASSWORD, DB)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One cluster per test module, for tests that do not change who may do what: (data plane, port)."""
    plane = seeded_plane(tmp_path_factory.mktemp("roles") / "dp")
    try:
        port = plane.create_engine("shared", free_port(), USER, PASSWORD, DB)
        with connect(port, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (line text)")
        yield plane, port
    finally:
        cleanup(plane)
