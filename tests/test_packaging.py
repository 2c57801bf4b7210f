"""pyproject.toml declares what the code imports, each with a lower bound, and no service dependency
it does not import; CI installs them."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def declared(requirements: list[str]) -> dict[str, str]:
    """Distribution name (normalised) -> its requirement."""
    return {re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0].lower().replace("_", "-"): line for line in requirements}


def imported_distributions(folder: Path) -> set[str]:
    """The distributions whose modules the .py files under folder import (not stdlib, not local)."""
    local = {path.stem for path in folder.rglob("*.py")} | {path.name for path in folder.rglob("*") if path.is_dir()}
    tops: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                tops.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                tops.update(alias.name.split(".")[0] for alias in node.names)
    tops -= set(sys.stdlib_module_names) | local | {"__future__", "localshift"}
    owners = packages_distributions()
    # A module of an extra that is not installed here (the benchmarks' uvicorn on a machine set up
    # with the test extra only) is named as its distribution is.
    return {owners.get(top, [top])[0].lower().replace("_", "-") for top in tops}


def test_every_import_is_declared_with_a_lower_bound():
    dependencies = declared(PROJECT["dependencies"])
    extras = {name: line for group in PROJECT["optional-dependencies"].values() for name, line in declared(group).items()}
    # The service's imports are its dependencies (a plugin loaded by pytest may import an extra).
    assert imported_distributions(ROOT / "src") <= set(dependencies) | set(extras)
    assert imported_distributions(ROOT / "tests") <= set(dependencies) | set(declared(PROJECT["optional-dependencies"]["test"]))
    assert imported_distributions(ROOT / "benchmarks") <= set(dependencies) | set(extras)
    assert all(">=" in line for line in [*dependencies.values(), *extras.values()])


def test_every_dependency_of_the_service_is_imported():
    assert set(declared(PROJECT["dependencies"])) <= imported_distributions(ROOT / "src")


def test_ci_installs_the_test_dependencies_and_runs_the_readme_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert "pip install" in script and "-e '.[test]'" in script
    assert script.rstrip().splitlines()[-1] == "python3 -m pytest -q -n 2"
