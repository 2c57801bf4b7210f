"""Fixtures of the Redshift service tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from in_process import World, make_world


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    """Both backends in process over a fresh store (tests/in_process.py)."""
    instance = make_world(tmp_path)
    yield instance
    instance.close()
