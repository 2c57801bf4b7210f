"""Documentation stays true: every setting is documented with its variable."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from localshift.config import ENV_PREFIX, Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text()
    for setting in fields(Settings):
        assert f"`{setting.name}`" in text, setting.name
        assert f"`{ENV_PREFIX}{setting.name.upper()}`" in text, setting.name


def test_readme_starts_with_the_two_setup_commands():
    readme = (DOCS.parent / "README.md").read_text().splitlines()[:20]
    blocks = [line for line in readme if line.startswith("pip install") or line.startswith("python3 -m pytest")]
    assert blocks == ["pip install -e '.[test]' && localshift serve", "python3 -m pytest -q -n 2"]


def test_docs_point_nowhere_outside_the_repository():
    """Users have the repository only: no engineers' notes, every relative link a file that exists."""
    pages = [DOCS.parent / "README.md", *sorted(DOCS.glob("*.md"))]
    for page in pages:
        text = page.read_text()
        assert "shared/" not in text, page.name
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if not re.match(r"[a-z]+://", target):
                assert (page.parent / target).exists(), f"{page.name} links to {target}"


def _anchors(page: Path) -> set[str]:
    """The fragments GitHub gives a page's headings: lower case, punctuation dropped, spaces as
    hyphens, a repeated heading numbered (-1, -2, ...)."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.*?)\s*#*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        numbered, count = slug, 0
        while numbered in anchors:
            count += 1
            numbered = f"{slug}-{count}"
        anchors.add(numbered)
    return anchors


def test_every_link_to_a_section_finds_its_heading():
    pages = [DOCS.parent / "README.md", *sorted(DOCS.glob("*.md"))]
    for page in pages:
        for target, fragment in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+://", target):
                continue
            linked = page.parent / target if target else page
            assert fragment in _anchors(linked), f"{page.name} links to {target}#{fragment}"


def test_tests_the_docs_name_exist():
    """`[test_file::test_name]` and `tests/...py::test_name`: the test that pins a behaviour is still there."""
    tests = DOCS.parent / "tests"
    for page in [DOCS.parent / "README.md", *sorted(DOCS.glob("*.md"))]:
        for module, name in re.findall(r"(?<![\w/])((?:tests/[\w/]+/)?test_\w+)(?:\.py)?::(test_\w+)", page.read_text()):
            files = [tests.parent / f"{module}.py"] if module.startswith("tests/") else list(tests.rglob(f"{module}.py"))
            defined = any(re.search(rf"def {name}\b", file.read_text()) for file in files if file.exists())
            assert defined, f"{page.name} names {module}::{name}"
