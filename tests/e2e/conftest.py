"""Fixtures of the end-to-end tests: a server with the data plane, one per test module."""

from __future__ import annotations

from typing import Iterator

import pytest

from support import Server, make_server


@pytest.fixture(scope="module")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = make_server(tmp_path_factory.mktemp("real"), data_plane=True).start()
    yield server
    server.close()


@pytest.fixture
def real(data_server: Server) -> Server:
    data_server.reset()
    return data_server
