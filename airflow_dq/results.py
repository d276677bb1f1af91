"""Check and suite results: plain, JSON-serialisable data for XCom, logs and the store."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"  # a failed check of severity "warn": recorded, does not halt
    FAIL = "fail"  # a failed check of severity "error": halts the pipeline
    ERROR = "error"  # the check could not be evaluated (e.g. its column does not exist)
    # Cannot judge yet (an anomaly check with too little history, or a date the user
    # excluded): never blocks, and never shown or counted as a pass.
    LEARNING = "learning"


class Severity(StrEnum):
    ERROR = "error"
    WARN = "warn"


def to_jsonable(value: Any) -> Any:
    """Turn database values (Decimal, datetime, bytes, NaN) into JSON-safe ones."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return to_jsonable(value.item())
    if hasattr(value, "to_json"):  # measured profiles: a compact summary, not their samples
        return to_jsonable(value.to_json())
    return str(value)


@dataclass
class CheckResult:
    """The verdict of one check: what was expected, what was observed, and why it failed."""

    name: str
    check_type: str
    severity: Severity
    status: Status
    expected: str
    observed: Any
    message: str
    columns: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    failing_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """True when this result must halt the pipeline."""
        return self.severity is Severity.ERROR and self.status in (Status.FAIL, Status.ERROR)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "check_type": self.check_type,
            "severity": str(self.severity),
            "status": str(self.status),
            "expected": self.expected,
            "observed": to_jsonable(self.observed),
            "message": self.message,
            "columns": list(self.columns),
            "metrics": to_jsonable(self.metrics),
            "failing_rows": to_jsonable(self.failing_rows),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            name=data["name"],
            check_type=data["check_type"],
            severity=Severity(data["severity"]),
            status=Status(data["status"]),
            expected=data["expected"],
            observed=data["observed"],
            message=data["message"],
            columns=list(data.get("columns", [])),
            metrics=dict(data.get("metrics", {})),
            failing_rows=list(data.get("failing_rows", [])),
        )


@dataclass
class SuiteResult:
    """All check results of one dataset, plus how many statements it took to get them."""

    dataset: str
    results: list[CheckResult]
    statements: dict[str, int] = field(default_factory=dict)
    started_at: dt.datetime | None = None
    duration_seconds: float = 0.0

    @property
    def blocking(self) -> list[CheckResult]:
        return [r for r in self.results if r.blocking]

    @property
    def passed(self) -> bool:
        return not self.blocking

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in Status if self.count(s)]
        return f"{len(self.results)} checks on {self.dataset}: " + ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "passed": self.passed,
            "summary": self.summary(),
            "statements": dict(self.statements),
            "started_at": to_jsonable(self.started_at),
            "duration_seconds": round(self.duration_seconds, 4),
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuiteResult:
        started = data.get("started_at")
        return cls(
            dataset=data["dataset"],
            results=[CheckResult.from_dict(r) for r in data["results"]],
            statements=dict(data.get("statements", {})),
            started_at=dt.datetime.fromisoformat(started) if started else None,
            duration_seconds=float(data.get("duration_seconds", 0.0)),
        )
