"""Typed records of Redshift's smaller resources kept in store/resources.py: parameter groups, reserved nodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ParameterGroupRecord:
    account: str
    region: str
    name: str
    family: str
    description: str
    # Values set by ModifyClusterParameterGroup (Source "user"); the others are the family's defaults.
    values: dict[str, str] = field(default_factory=dict)
    row_id: int = 0


@dataclass
class ReservedNodeRecord:
    account: str
    region: str
    name: str  # the ReservedNodeId
    offering_id: str
    node_type: str
    node_count: int
    start_time: datetime
    duration: int
    fixed_price: float
    usage_price: float
    offering_type: str
    row_id: int = 0
