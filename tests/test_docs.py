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
