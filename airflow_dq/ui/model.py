"""What the pages show: plain records read from the history store (see ``queries``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Failing first: the order of the overview and of a task run's checks.
STATUS_ORDER = {"fail": 0, "error": 1, "warn": 2, "learning": 3, "pass": 4}


def status_rank(status: str) -> int:
    return STATUS_ORDER.get(status, -1)  # an unknown status sorts before everything


@dataclass(frozen=True)
class CheckKey:
    """A check as the store keys its history: one named check of one task (map index).

    The dataset is not part of it: its description changes with the run's filter
    (``table orders where day = '2026-10-01'``) while the check stays the same.
    """

    dag_id: str
    task_id: str
    map_index: int
    check: str


@dataclass
class RunResult:
    """One check's result in one task run (one try)."""

    dag_id: str
    task_id: str
    run_id: str
    map_index: int
    try_number: int
    logical_date: dt.datetime | None
    recorded_at: dt.datetime | None
    dataset: str
    check: str
    check_type: str
    severity: str
    status: str
    expected: str
    observed: Any
    message: str
    metrics: dict[str, Any] = field(default_factory=dict)
    lower: float | None = None  # the expected band, when the check states one
    upper: float | None = None
    anomaly: bool = False

    @property
    def key(self) -> CheckKey:
        return CheckKey(self.dag_id, self.task_id, self.map_index, self.check)

    @property
    def at(self) -> dt.datetime | None:
        """When the data was about: the logical date, else when the result was recorded."""
        return self.logical_date or self.recorded_at


@dataclass
class CheckSummary:
    """A check's latest result and the statuses of its recent runs (oldest first)."""

    latest: RunResult
    recent: list[RunResult]
