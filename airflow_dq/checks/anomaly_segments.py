"""Segment anomalies: every segment's volume or share against its own history.

segment_anomaly("country", measure="share", direction="drop")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from airflow_dq.checks.anomaly import AnomalyCheck
from airflow_dq.checks.base import CheckContext
from airflow_dq.metrics import Metric, RowCount
from airflow_dq.metrics.grouped import BySegments, Grouped
from airflow_dq.stats.anomaly import Point


def _segment_name(columns: tuple[str, ...], key: tuple[Any, ...]) -> str:
    return ", ".join(f"{c}={'NULL' if v is None else v}" for c, v in zip(columns, key, strict=True))


class SegmentAnomaly(AnomalyCheck):
    """Every segment's row count (``measure="volume"``) or share of rows (``"share"``)
    against its history. A segment seen in past runs but absent today counts as zero, so a
    vanished segment is a drop to 0, not missing data. All segments come from one GROUP BY.

    ``segment_anomaly("country", measure="share", direction="drop")``

    :param max_segments: judge at most this many segments (today's largest, plus those seen
        before); protects the store from a high-cardinality column. Default 100.
    """

    check_type = "segment_anomaly"
    multi = True

    def __init__(
        self, columns: str | Sequence[str], *, measure: str = "volume", max_segments: int = 100, **kwargs: Any
    ) -> None:
        cols = (columns,) if isinstance(columns, str) else tuple(columns)
        self._columns_for_errors = ", ".join(map(str, cols))
        if not cols:
            raise self._argument_error("columns", "is empty: give at least one segment column")
        self.segment_columns = tuple(self._column_arg("columns", c) for c in cols)
        if measure not in ("volume", "share"):
            raise self._argument_error("measure", f"must be 'volume' or 'share', got {measure!r}")
        if isinstance(max_segments, bool) or not isinstance(max_segments, int) or max_segments < 1:
            raise self._argument_error("max_segments", f"must be a whole number >= 1, got {max_segments!r}")
        self.measure, self.max_segments = measure, max_segments
        super().__init__(**kwargs)
        # A segment's rows are a count (Poisson noise), its share of n rows a binomial one:
        # the band is never narrower than that, however close a few past values were.
        self.noise = "count" if measure == "volume" else "share"

    def trials(self, values: Mapping[Metric, Any]) -> float | None:
        return float(values.get(RowCount()) or 0) or None if self.measure == "share" else None

    @property
    def name(self) -> str:
        return self._name or f"segment_{self.measure}_anomaly({', '.join(self.segment_columns)})"

    @property
    def what(self) -> str:  # type: ignore[override]
        return f"{self.measure} of each segment of ({', '.join(self.segment_columns)})"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.segment_columns

    def _grouped(self) -> Grouped:
        return Grouped(RowCount(), BySegments(self.segment_columns))

    def metrics(self) -> tuple[Metric, ...]:
        return (self._grouped(), RowCount())

    def _label(self, key: tuple[Any, ...]) -> str:
        return f"{self.measure}[{_segment_name(self.segment_columns, key)}]"

    def series(self, values: Mapping[Metric, Any], ctx: CheckContext) -> dict[str, float | None]:
        counts: dict[tuple[Any, ...], Any] = values[self._grouped()]
        total = int(values[RowCount()] or 0)
        largest = sorted(counts.items(), key=lambda kv: -int(kv[1] or 0))[: self.max_segments]
        out = {}
        for key, count in largest:
            count = int(count or 0)
            out[self._label(key)] = float(count) if self.measure == "volume" else (count / total if total else None)
        return out

    def complete(self, today: dict[str, float | None], history: Mapping[str, Sequence[Point]]) -> None:
        # A segment of past runs with no rows today has vanished: its value is zero. With no
        # rows at all (every row is in some segment, NULL included) a share does not exist.
        vanished = 0.0 if today or self.measure == "volume" else None
        for label in history:
            if label.startswith(f"{self.measure}[") and label not in today:
                today[label] = vanished

    def fill(self, label: str, history: Mapping[str, Sequence[Point]], dates: list[dt.datetime]) -> list[Point]:
        # Runs since the segment first appeared that have no value for it (it was beyond
        # max_segments then) count as zero; runs before it existed are not its history.
        have = {p.at: p.value for p in history.get(label, [])}
        if not have:
            return []
        first = min(have)
        return [Point(at, have.get(at, 0.0)) for at in dates if at >= first]
