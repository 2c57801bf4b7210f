"""What people at a terminal see (rich): `localshift status`, progress of work under way on a
server, and of a store's migration when `localshift serve` upgrades an older data dir.

The status report draws the server's state document (server/state.py) section by section
from its columns, as the web console does, so a resource kind the server adds shows here too.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import Any, Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

# Sections that list work or history rather than what the server holds.
NOT_HELD = ("progress", "calls")
FOLLOW_POLL_SECONDS = 0.5


def size(value: float | None) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def _time(value: str | None) -> str:
    return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _progress(value: dict[str, float] | None) -> str:
    if not value or not value["total_mb"]:
        return "under way"
    return f"{100 * value['done_mb'] / value['total_mb']:.0f}% of {value['total_mb']} MB"


CELLS: dict[str, Callable[[Any], str]] = {
    "bytes": size,
    "megabytes": lambda v: size(v * 1024 * 1024 if v is not None else None),
    "list": lambda v: ", ".join(v) if v else "-",
    "time": _time,
    "progress": _progress,
    "seconds": lambda v: "-" if v is None else f"{v} s",
    "milliseconds": lambda v: "-" if v is None else f"{v} ms",
}


def _cell(kind: str, value: Any) -> str:
    if kind in CELLS:
        return CELLS[kind](value)
    return "-" if value is None or value == "" else str(value)


def make_console() -> Console:
    """The terminal's width at a terminal; wide enough for every column when piped."""
    return Console(width=None if sys.stdout.isatty() else 200)


def print_status(console: Console, state: dict[str, Any]) -> None:
    server, summary = state["server"], state["summary"]
    console.print(f"[bold]localshift {server['version']}[/] at {server['url']}: {server['mode']} mode, "
                  f"data plane {'on' if server['data_plane'] else 'off'}, up {server['uptime_seconds']:.0f} s")
    held = [s for s in state["sections"] if s["name"] not in NOT_HELD]
    accounts = Table("Account", "Regions", "Holds", title="Accounts", title_justify="left")
    for entry in state["accounts"]:
        counts = [(sum(row["account"] == entry["account"] for row in s["rows"]), s["title"]) for s in held]
        holds = ", ".join(f"{title}: {count}" for count, title in counts if count)
        accounts.add_row(entry["account"], ", ".join(entry["regions"]), holds)
    console.print(accounts if state["accounts"] else "No resources.")
    for section in state["sections"]:
        if section["rows"] and section["name"] != "calls":
            console.print(_table(section))
    refused = _refused_calls(state)
    if refused["rows"]:
        console.print(_table(refused))
    console.print(f"Engines: {summary['engines_serving']} serving of {summary['engines']}; disk used by engines "
                  f"{size(summary['engine_bytes'])}, by snapshots {size(summary['snapshot_bytes'])}")


def _table(section: dict[str, Any]) -> Table:
    columns = section["columns"]
    table = Table(*(c["title"] for c in columns), title=section["title"], title_justify="left")
    for row in section["rows"]:
        table.add_row(*(_cell(c["kind"], row.get(c["key"])) for c in columns))
    return table


def _refused_calls(state: dict[str, Any]) -> dict[str, Any]:
    """The recent calls that were refused, with their error and request id: what a script that
    failed ran into, in a CI job's log. Answered calls are left out (the console lists them all)."""
    calls = next(s for s in state["sections"] if s["name"] == "calls")
    keys = ("time", "account", "operation", "status", "error", "request_id")
    return {
        "title": "Refused API calls (newest first)",
        "columns": [c for key in keys for c in calls["columns"] if c["key"] == key],
        "rows": [row for row in calls["rows"] if row.get("error")],
    }


def _work(state: dict[str, Any]) -> list[dict[str, Any]]:
    return next(s["rows"] for s in state["sections"] if s["name"] == "progress")


def follow(console: Console, read_state: Callable[[], dict[str, Any]]) -> None:
    """Progress bars of the work under way (snapshots, copies, restores) until none is left."""
    bars: dict[tuple[str, str, str, str], TaskID] = {}
    shown = 0
    with _bars(console) as progress:
        while True:
            work = _work(read_state())
            under_way = set()
            for row in work:
                key = (row["account"], row["region"], row["work"], row["name"])
                under_way.add(key)
                if key not in bars:
                    bars[key] = progress.add_task(f"{row['work']} {row['name']} ({row['account']})", total=None)
                done = row.get("progress") or {}
                progress.update(bars[key], completed=done.get("done_mb", 0), total=done.get("total_mb") or None)
                shown += 1
            for key in set(bars) - under_way:
                progress.update(bars.pop(key), total=1, completed=1)
            if not work:
                break
            time.sleep(FOLLOW_POLL_SECONDS)
    console.print("Done." if shown else "No work under way.")


def _bars(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console)


class MigrationProgress:
    """A bar for a store's schema migration, shown once `localshift serve` starts one."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            self._progress = _bars(self.console)
            self._progress.start()
            self._task = self._progress.add_task("migrating the store", total=total)
        self._progress.update(self._task, completed=done)  # type: ignore[arg-type]
        if done == total:
            self._progress.stop()
