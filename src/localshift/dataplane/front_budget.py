"""The wire fronts' connection budget, shared fairly between engines.

All ports together never hold more than the budget's connections (host.sql_connection_budget: the
file descriptors the HTTP API needs stay free).  Clusters and workgroups of every account share the
front, so each engine served is sure of a share of the budget, which the other engines' connections
never take: ``GUARANTEED`` connections, or an equal share of the budget when that is less (many
engines, few descriptors).  The clients of one account cannot keep another account's cluster from
being reached by holding connections to their own.  Past its own share an engine takes only what the
budget holds beyond the shares the others do not use yet (a lone cluster may hold the whole budget);
what it holds then is not taken back from it, so an engine served later is sure of its share once
that many of those connections have closed (one that sends no startup packet goes within the front's
startup timeout).  Used on the front's event loop thread only.
"""

from __future__ import annotations

from collections.abc import Iterable

# Connections each engine is sure of, unless the budget split equally gives it fewer: room for any
# cluster's clients to reach it, leaving the rest of the budget to whichever engines are busy.
GUARANTEED = 64


class ConnectionBudget:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.open = 0
        self._held: dict[str, int] = {}  # open connections by engine (socket path)

    def take(self, engine: str, served: Iterable[str]) -> bool:
        """Count a connection that arrived for ``engine``, or False when the budget has no room for it:
        none at all, or none beyond the shares the other engines ``served`` are sure of."""
        if self.open >= self.budget:
            return False
        engines = set(served) | {engine}
        share = min(GUARANTEED, self.budget // len(engines))
        held = self._held.get(engine, 0)
        if held >= share:
            unused = sum(max(0, share - self._held.get(other, 0)) for other in engines if other != engine)
            if self.open + unused >= self.budget:
                return False
        self._held[engine] = held + 1
        self.open += 1
        return True

    def give_back(self, engine: str) -> None:
        """A connection ``take`` counted for ``engine`` closed."""
        self.open -= 1
        held = self._held.pop(engine) - 1
        if held:
            self._held[engine] = held
