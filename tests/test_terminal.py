"""What people at a terminal see: the migration bar (status and --follow: tests/test_cli.py)."""

from __future__ import annotations

import io

from rich.console import Console

from localshift.terminal import MigrationProgress, size


def test_a_migration_shows_a_bar_that_ends_full():
    out = io.StringIO()
    bar = MigrationProgress(Console(file=out, force_terminal=True, width=100))
    for done in range(4):
        bar(done, 3)
    text = out.getvalue()
    assert "migrating the store" in text and "100%" in text


def test_sizes_read_as_people_write_them():
    assert [size(None), size(512), size(1536), size(5 * 1024**3)] == ["-", "512 B", "1.5 KB", "5.0 GB"]
