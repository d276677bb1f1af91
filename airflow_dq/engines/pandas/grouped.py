"""Grouped metrics on a DataFrame: per-segment and per-time-bucket counts, in the same pass.

Same meaning as ``airflow_dq.engines.sql.grouped``: NULL is a segment of its own (as in a
SQL GROUP BY); a time bucket is cut on the wall clock of the grouping's zone, naive
timestamps being wall-clock time of that zone; only rows with ``start <= column < end``
count; a group with no rows is absent. Counts merge across chunks by adding up, so a
chunked file needs memory for one count per group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from airflow_dq.engines.pandas.masks import ChunkView, violation_mask
from airflow_dq.metrics import CompleteCount, Metric, NullCount, RowCount, ViolationCount
from airflow_dq.metrics.grouped import BySegments, ByTimeBucket, Grouped, Grouping, GroupKey

_FLOOR = {"minute": "min", "hour": "h", "day": "D"}


def _wall_clock(moment: dt.datetime, zone: str) -> pd.Timestamp:
    return pd.Timestamp(moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None))


def _buckets(view: ChunkView, grouping: ByTimeBucket) -> tuple[np.ndarray, pd.Series]:
    """(rows inside the window, their bucket starts as naive wall-clock timestamps)."""
    series = view.column(grouping.column)
    if not ptypes.is_datetime64_any_dtype(series.dtype):
        # Text timestamps (a CSV): naive ones are wall-clock time; ones with an explicit
        # offset are instants (mixed offsets are read as UTC instants).
        try:
            series = pd.to_datetime(series, format="ISO8601", errors="coerce")
        except ValueError:
            series = pd.to_datetime(series, format="ISO8601", errors="coerce", utc=True)
    tz = getattr(series.dtype, "tz", None)
    wall = series.dt.tz_convert(grouping.timezone).dt.tz_localize(None) if tz is not None else series
    inside = (wall >= _wall_clock(grouping.start, grouping.timezone)) & (
        wall < _wall_clock(grouping.end, grouping.timezone)
    )
    inside = inside.to_numpy(dtype=bool, na_value=False)
    return inside, wall[inside].dt.floor(_FLOOR[grouping.unit])


def _key_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


# Per-group counts by registry: inner metric type -> a per-row 0/1 whose sum per group is
# the metric (count-like metrics only). The engine's ``missing`` asks ``counts_per_group``.
INDICATORS: dict[type[Metric], Callable[[ChunkView, Any], np.ndarray]] = {
    RowCount: lambda view, metric: np.ones(len(view), dtype=np.int64),
    NullCount: lambda view, metric: (~view.present(metric.column)).astype(np.int64),
    CompleteCount: lambda view, metric: view.complete(metric.columns).astype(np.int64),
    ViolationCount: lambda view, metric: violation_mask(view, metric.predicate).astype(np.int64),
}


def counts_per_group(metric: Metric) -> bool:
    """Whether the pandas engine can compute ``metric`` per group."""
    return type(metric) in INDICATORS


def _indicator(view: ChunkView, metric: Metric) -> np.ndarray:
    build = INDICATORS.get(type(metric))
    if build is None:
        raise TypeError(f"the pandas engine cannot compute {metric.label} per group (only counts)")
    return build(view, metric)


def group_counts(view: ChunkView, grouping: Grouping, metrics: list[Metric]) -> dict[GroupKey, list[int]]:
    """Per group key, the sum of each metric's indicator in this chunk."""
    values = np.column_stack([_indicator(view, m) for m in metrics]) if len(view) else np.empty((0, len(metrics)))
    if isinstance(grouping, BySegments):
        keys = [view.column(c) for c in grouping.columns]
        frame = pd.DataFrame(values, columns=range(len(metrics)), index=view.frame.index)
    elif isinstance(grouping, ByTimeBucket):
        inside, buckets = _buckets(view, grouping)
        keys = [buckets]
        frame = pd.DataFrame(values[inside], columns=range(len(metrics)), index=buckets.index)
    else:
        raise TypeError(f"the pandas engine cannot group by {grouping!r}")
    sums = frame.groupby(keys, dropna=False, sort=False).sum()
    out: dict[GroupKey, list[int]] = {}
    for key, row in zip(sums.index, sums.to_numpy(dtype=np.int64), strict=True):
        parts = key if isinstance(key, tuple) else (key,)
        out[GroupKey(_key_value(v) for v in parts)] = [int(v) for v in row]
    return out


class GroupedCounts:
    """Folds chunk after chunk into {group key: count} for every grouped metric of one grouping."""

    def __init__(self, grouping: Grouping, metrics: list[Grouped]) -> None:
        self.grouping, self.metrics = grouping, metrics
        self.totals: dict[GroupKey, list[int]] = {}

    def add(self, view: ChunkView) -> None:
        for key, counts in group_counts(view, self.grouping, [m.metric for m in self.metrics]).items():
            seen = self.totals.get(key)
            self.totals[key] = counts if seen is None else [a + b for a, b in zip(seen, counts, strict=True)]

    def values(self) -> dict[Grouped, dict[GroupKey, int]]:
        return {m: {k: v[i] for k, v in self.totals.items()} for i, m in enumerate(self.metrics)}


def grouped_states(metrics: list[Grouped]) -> list[GroupedCounts]:
    """One state per grouping, shared by every metric on it (as one GROUP BY in SQL)."""
    batches: dict[Grouping, list[Grouped]] = {}
    for metric in dict.fromkeys(metrics):
        if metric.source is not None:
            raise TypeError(
                f"the pandas engine cannot read {metric.source}: a reference table or query needs a SQL "
                "database (give the expected segments as a list or a dict of shares instead)"
            )
        _indicator_check(metric.metric)
        batches.setdefault(metric.grouping, []).append(metric)
    return [GroupedCounts(g, batch) for g, batch in batches.items()]


def _indicator_check(metric: Metric) -> None:
    if not counts_per_group(metric):
        raise TypeError(f"the pandas engine cannot compute {metric.label} per group (only counts)")


def grouping_columns(grouping: Grouping) -> tuple[str, ...]:
    if isinstance(grouping, BySegments):
        return grouping.columns
    if isinstance(grouping, ByTimeBucket):
        return (grouping.column,)
    return ()
