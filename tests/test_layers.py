"""The layers' rules (docs/architecture.md, "Rules, checked")."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "localshift"


def modules(folder: str) -> dict[str, ast.Module]:
    return {str(path.relative_to(PACKAGE)): ast.parse(path.read_text()) for path in (PACKAGE / folder).rglob("*.py")}


def imports_of(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path, tree in modules(folder).items():
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[path] = names
    return found


def offenders(folder: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{path} imports {name}"
        for path, names in imports_of(folder).items()
        for name in names
        if name.startswith(forbidden) and not name.startswith(allowed)
    ]


def test_protocol_imports_no_business_storage_or_engine_code():
    assert offenders("protocol", ("localshift.services", "localshift.store", "localshift.dataplane", "localshift.server")) == []


def test_services_know_nothing_of_http_or_wire_formats():
    assert offenders("services", ("localshift.protocol", "localshift.server", "httptools", "uvloop")) == []


def test_store_and_dataplane_stay_below_services():
    assert offenders("store", ("localshift.services", "localshift.protocol", "localshift.server")) == []
    assert offenders("dataplane", ("localshift.services", "localshift.protocol", "localshift.server", "localshift.store")) == []


def test_services_depend_one_way():
    # Redshift Serverless may use Redshift; Redshift reaches serverless snapshots only through
    # the interface it defines (redshift/serverless_snapshots.py), wired in by the runtime.
    assert offenders("services/redshift", ("localshift.services.serverless",)) == []
    assert offenders("services/common", ("localshift.services.redshift", "localshift.services.serverless")) == []


def test_services_see_the_data_plane_only_through_its_interface():
    # dataplane/api.py imports no PostgreSQL code: services run with --no-data-plane too.
    assert offenders("services", ("localshift.dataplane",), allowed=("localshift.dataplane.api",)) == []


def dataplane_calls(folder: str) -> dict[str, set[str]]:
    """Per module, the data-plane methods it reaches as ``<something>.dataplane.<method>``."""
    found: dict[str, set[str]] = {}
    for path, tree in modules(folder).items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "dataplane":
                found.setdefault(path, set()).add(node.attr)
    return found


def test_only_lifecycle_and_job_modules_call_the_data_plane():
    calls = dataplane_calls("services")
    outside = {path for path in calls if not (Path(path).name == "jobs.py" or "lifecycle" in Path(path).name)}
    # And one reader, for the state document: it asks engines' health and sizes, changes nothing.
    assert outside == {"services/common/inventory.py"}
    assert calls["services/common/inventory.py"] == {"engine_size_bytes", "is_running", "snapshots_stored_bytes"}
    # The search finds the calls where they are.
    assert "create_engine" in calls["services/redshift/lifecycle.py"]
    assert "restore_snapshot" in calls["services/redshift/restore_lifecycle.py"]
    assert "copy_snapshot" in calls["services/common/jobs.py"]  # restore leases


def test_the_server_only_starts_and_stops_the_data_plane():
    assert dataplane_calls("server") == {"server/runtime.py": {"stop_all"}}


def test_the_testing_helpers_are_clients_of_the_server():
    """localshift.testing talks HTTP to a server; it imports none of the server's layers."""
    layers = ("localshift.server", "localshift.services", "localshift.store", "localshift.dataplane",
              "localshift.protocol")
    assert offenders("testing", layers) == []
