"""The state document: what a running server holds, as the console and `localshift status` read it.

One section per resource kind (state_sections.py): a title, its columns (a key, a heading,
how to show the value) and its rows, each a dict with at least ``account`` and ``region``.
The console draws any section from this alone, so showing a new resource kind is one
function and one entry in ``state_sections.SECTIONS``, and nothing in the console's files.

Beside the sections: the accounts and regions that hold anything, and a summary (engines,
disk used by engines and by snapshots) for `localshift status`.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, TypeVar

from localshift import __version__
from localshift.server.runtime import Runtime
from localshift.services.common.inventory import SERVING, EngineState, engine_state, snapshots_stored_bytes

# How the console shows a column's values.
TEXT, STATUS, BYTES, MEGABYTES, LIST, PROGRESS, TIME, MILLISECONDS, SECONDS = (
    "text", "status", "bytes", "megabytes", "list", "progress", "time", "milliseconds", "seconds")
# An engine's health, as the clusters and namespaces sections show it, on a server without engines.
NO_DATA_PLANE = "no data plane"

Owned = TypeVar("Owned")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = TEXT


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    page: str  # the console's tab that shows it
    columns: tuple[Column, ...]
    rows: Callable[["StateView"], list[dict[str, Any]]]


class StateView:
    """What the sections read: the runtime, seen by one account or by all (``account`` None)."""

    def __init__(self, runtime: Runtime, account: str | None) -> None:
        self.runtime = runtime
        self.account = account
        self.engines: dict[str, EngineState] = {}
        # The data-plane keys of the snapshots shown, for the disk they take together.
        self.snapshot_keys: set[str] = set()

    def visible(self, records: Iterable[Owned]) -> list[Owned]:
        return [r for r in records if self.account is None or r.account == self.account]  # type: ignore[attr-defined]

    def engine(self, key: str) -> EngineState:
        """The health and size on disk of the engine ``key`` (remembered for the summary)."""
        if not self.runtime.settings.data_plane:
            return EngineState(NO_DATA_PLANE, None)
        self.engines[key] = engine_state(self.runtime.redshift, key)
        return self.engines[key]


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def document(runtime: Runtime, account: str | None, sections: Iterable[Section]) -> dict[str, Any]:
    """The state as JSON values: every section's rows visible to ``account`` (all accounts when None)."""
    view = StateView(runtime, account)
    drawn: list[dict[str, Any]] = [
        {"name": s.name, "title": s.title, "page": s.page, "columns": [asdict(c) for c in s.columns],
         "rows": s.rows(view)}
        for s in sections
    ]
    places = sorted({(row["account"], row["region"]) for section in drawn for row in section["rows"]
                     if row.get("region")})
    accounts: dict[str, list[str]] = {}
    for owner, region in places:
        accounts.setdefault(owner, []).append(region)
    return {
        "server": {
            "version": __version__,
            "url": runtime.api_url,
            "mode": "strict" if runtime.authenticator.strict else "open",
            "data_plane": runtime.settings.data_plane,
            "uptime_seconds": round(time.monotonic() - runtime.started, 1),
            "now": runtime.clock.now().isoformat(),
            "account": account,
        },
        "accounts": [{"account": owner, "regions": regions} for owner, regions in accounts.items()],
        "summary": _summary(view, drawn),
        "sections": drawn,
    }


def _summary(view: StateView, drawn: list[dict[str, Any]]) -> dict[str, Any]:
    engines = view.engines.values()
    counts = {section["name"]: len(section["rows"]) for section in drawn}
    summary: dict[str, Any] = {
        "resources": counts,
        "engines": sum(engine.size_bytes is not None for engine in engines),
        "engines_serving": sum(engine.health == SERVING for engine in engines),
        "engine_bytes": sum(engine.size_bytes or 0 for engine in engines),
    }
    # Bytes on disk of the snapshots shown, pages they share counted once.
    summary["snapshot_bytes"] = snapshots_stored_bytes(view.runtime.redshift, view.snapshot_keys)
    return summary
