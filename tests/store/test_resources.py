"""Named resources of many kinds in one table (store/resources.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from localshift.store.database import Database, DuplicateError
from localshift.store.resources import ResourceRepository


@dataclass
class Group:
    account: str
    region: str
    name: str
    description: str
    created: datetime
    parameters: dict[str, str] = field(default_factory=dict)
    row_id: int | None = None


@pytest.fixture
def db(tmp_path):
    database = Database(tmp_path / "localshift.sqlite3")
    yield database
    database.close()


def group(name: str, account: str = "111111111111", region: str = "us-east-1") -> Group:
    return Group(account, region, name, f"about {name}", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))


def test_records_round_trip_with_their_types(db):
    groups = ResourceRepository(db, "group", Group)
    stored = groups.insert(group("a"))
    assert stored.row_id is not None
    found = groups.get("111111111111", "us-east-1", "a")
    assert found == stored
    assert isinstance(found.created, datetime)
    assert groups.get_by_id(stored.row_id) == stored


def test_names_are_unique_per_kind_account_and_region(db):
    groups = ResourceRepository(db, "group", Group)
    others = ResourceRepository(db, "other", Group)
    groups.insert(group("a"))
    with pytest.raises(DuplicateError):
        groups.insert(group("a"))
    groups.insert(group("a", account="222222222222"))
    groups.insert(group("a", region="eu-west-1"))
    others.insert(group("a"))  # another kind may use the name
    assert [g.account for g in groups.everything()] == ["111111111111", "222222222222", "111111111111"]
    assert groups.count("111111111111", "us-east-1") == 1
    assert others.get_by_id(groups.get("111111111111", "us-east-1", "a").row_id) is None


def test_paging_in_creation_order_and_by_names(db):
    groups = ResourceRepository(db, "group", Group)
    for name in ("c", "a", "b"):
        groups.insert(group(name))
    first = groups.page("111111111111", "us-east-1", 0, 2)
    assert [g.name for g in first] == ["c", "a"]
    rest = groups.page("111111111111", "us-east-1", first[-1].row_id, 2)
    assert [g.name for g in rest] == ["b"]
    assert [g.name for g in groups.page("111111111111", "us-east-1", 0, 10, names=["b", "c"])] == ["c", "b"]


def test_mutate_reads_changes_and_writes_in_one_step(db):
    groups = ResourceRepository(db, "group", Group)
    stored = groups.insert(group("a"))
    changed = groups.mutate(stored.row_id, lambda g: g.parameters.update(search_path="public"))
    assert changed.parameters == {"search_path": "public"}
    assert groups.get("111111111111", "us-east-1", "a").parameters == {"search_path": "public"}
    groups.delete(changed)
    assert groups.mutate(stored.row_id, lambda g: None) is None
    assert groups.all_of("111111111111", "us-east-1") == []


def test_reset_wipes_every_kind(db):
    ResourceRepository(db, "group", Group).insert(group("a"))
    db.wipe()
    assert ResourceRepository(db, "group", Group).everything() == []
