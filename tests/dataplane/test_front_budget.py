"""The connection budget's split between engines (front_budget.py): each is sure of its share, whatever the
others hold; past it, an engine takes what the others leave."""

from __future__ import annotations

from localshift.dataplane.front_budget import GUARANTEED, ConnectionBudget

ENGINES = ["busy", "quiet", "idle"]


def taken(budget: ConnectionBudget, engine: str, tries: int) -> int:
    return sum(budget.take(engine, ENGINES) for _ in range(tries))


def test_a_busy_engine_takes_all_but_the_others_guaranteed_shares():
    budget = ConnectionBudget(1000)
    assert taken(budget, "busy", 2000) == 1000 - 2 * GUARANTEED
    assert taken(budget, "quiet", 2000) == GUARANTEED
    assert taken(budget, "idle", 2000) == GUARANTEED
    assert budget.open == 1000
    budget.give_back("busy")
    assert budget.take("busy", ENGINES)  # every share is held: what is left goes to whoever asks


def test_with_few_descriptors_the_budget_is_split_equally():
    budget = ConnectionBudget(30)
    assert [taken(budget, engine, 100) for engine in ENGINES] == [10, 10, 10]


def test_what_an_engine_holds_beyond_its_share_is_not_taken_back():
    budget = ConnectionBudget(200)
    assert sum(budget.take("busy", ["busy"]) for _ in range(300)) == 200  # alone: the whole budget
    assert not budget.take("quiet", ["busy", "quiet"])
    for _ in range(GUARANTEED):
        budget.give_back("busy")
    assert taken(budget, "busy", 1) == 0  # another engine is served now: what it gave back is the quiet one's
    assert sum(budget.take("quiet", ["busy", "quiet"]) for _ in range(100)) == GUARANTEED
