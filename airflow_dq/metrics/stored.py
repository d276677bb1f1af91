"""Column profiles kept in the history store, and the pin that names one as a reference.

A drift check records, for each of its columns, the profile it measured on the batch
(``ColumnProfile``): the batch's own bin edges (quantiles of its sample) and counts per bin
for a numeric column, or its most common categories and their counts for a categorical one,
plus a bounded sample (at most ``PROFILE_SAMPLE`` values) for KS and Wasserstein. A later
run names that earlier run with a ``StoredProfile`` pin and is binned on the stored edges.

The profiles a run needs are loaded before the engine measures anything (see
``airflow_dq.checks.stored_profile``) and handed to the engine through ``loaded_profiles``,
a context variable, so engines need no access to the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

PROFILE_SAMPLE = 1_000  # values kept per numeric column: enough for KS, small in the store


@dataclass(frozen=True)
class StoredProfile:
    """A pinned earlier run whose recorded profile is the reference.

    ``dag_id``/``task_id`` default to the running task; ``check_name`` to the check that
    uses the pin. Exactly one of ``run_id`` and ``logical_date`` (ISO text) names the run.
    """

    dag_id: str | None = None
    task_id: str | None = None
    run_id: str | None = None
    logical_date: str | None = None
    check_name: str | None = None
    map_index: int = -1

    def describe_pin(self) -> str:
        parts = [
            f"{key}={value!r}"
            for key, value in (
                ("dag_id", self.dag_id),
                ("task_id", self.task_id),
                ("run_id", self.run_id),
                ("logical_date", self.logical_date),
                ("check", self.check_name),
            )
            if value is not None
        ]
        if self.map_index != -1:
            parts.append(f"map_index={self.map_index}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"stored profile ({self.describe_pin()})"

    def logical_datetime(self) -> dt.datetime | None:
        """The pinned logical date as an aware datetime (naive text is read as UTC)."""
        if self.logical_date is None:
            return None
        moment = dt.datetime.fromisoformat(str(self.logical_date).strip().replace("Z", "+00:00"))
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


@dataclass
class ColumnProfile:
    """One column's distribution in one batch, as stored (JSON-able through ``to_dict``)."""

    column: str
    kind: str  # "numeric" or "categorical"
    counts: list[int]  # per bin (len(edges) + 1) or per category plus '(other)'
    edges: list[float] = field(default_factory=list)  # numeric only
    categories: list[Any] = field(default_factory=list)  # categorical only
    sample: list[float] = field(default_factory=list)  # numeric only, <= PROFILE_SAMPLE values
    rows: int = 0  # non-NULL values counted (the sum of the counts)

    @property
    def labels(self) -> list[str]:
        from airflow_dq.metrics.profiles import OTHER
        from airflow_dq.stats.drift import bin_labels

        if self.kind == "numeric":
            return bin_labels(self.edges)
        return [*(str(v) for v in self.categories), OTHER]

    def to_dict(self) -> dict[str, Any]:
        from airflow_dq.results import to_jsonable

        return {
            "kind": self.kind,
            "counts": [int(c) for c in self.counts],
            "edges": [float(e) for e in self.edges],
            "categories": to_jsonable(list(self.categories)),
            "sample": [float(v) for v in self.sample],
            "rows": int(self.rows),
        }

    @classmethod
    def from_dict(cls, column: str, data: Mapping[str, Any]) -> ColumnProfile:
        return cls(
            column=column,
            kind=str(data["kind"]),
            counts=[int(c) for c in data["counts"]],
            edges=[float(e) for e in data.get("edges", [])],
            categories=list(data.get("categories", [])),
            sample=[float(v) for v in data.get("sample", [])],
            rows=int(data.get("rows", 0)),
        )


_LOADED: ContextVar[Mapping[StoredProfile, Mapping[str, ColumnProfile]]] = ContextVar("dq_loaded_profiles")


@contextlib.contextmanager
def use_profiles(loaded: Mapping[StoredProfile, Mapping[str, ColumnProfile]]) -> Iterator[None]:
    """Make the loaded profiles visible to the engines while the metrics are computed."""
    token = _LOADED.set(loaded)
    try:
        yield
    finally:
        _LOADED.reset(token)


def loaded_profile(pin: StoredProfile) -> Mapping[str, ColumnProfile]:
    """The columns of a pinned profile loaded for this run (``run_checks`` loads them)."""
    found = _LOADED.get({}).get(pin)
    if found is None:
        raise LookupError(f"the {pin} was not loaded; run the check through run_checks(..., profiles=...)")
    return found
