"""The layers' import rules (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "localshift"


def imports_of(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(PACKAGE))] = names
    return found


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path} imports {name}"
        for path, names in imports_of(folder).items()
        for name in names
        if name.startswith(forbidden)
    ]


def test_protocol_imports_no_business_storage_or_engine_code():
    assert offenders("protocol", ("localshift.services", "localshift.store", "localshift.dataplane", "localshift.server")) == []


def test_services_know_nothing_of_http_or_wire_formats():
    assert offenders("services", ("localshift.protocol", "localshift.server", "uvicorn")) == []


def test_store_and_dataplane_stay_below_services():
    assert offenders("store", ("localshift.services", "localshift.protocol", "localshift.server")) == []
    assert offenders("dataplane", ("localshift.services", "localshift.protocol", "localshift.server", "localshift.store")) == []


def test_the_testing_helpers_are_clients_of_the_server():
    """localshift.testing talks HTTP to a server; it imports none of the server's layers."""
    layers = ("localshift.server", "localshift.services", "localshift.store", "localshift.dataplane",
              "localshift.protocol")
    assert offenders("testing", layers) == []
