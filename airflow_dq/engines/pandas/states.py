"""Mergeable metric states: each metric folds chunk after chunk into a small state.

This is what lets a CSV far larger than memory be checked in one bounded pass (Deequ's
mergeable states): counts and sums add up; min/max keep the extreme; the standard deviation
keeps (n, mean, M2) and merges them with Chan's parallel formula (stable, unlike a raw sum
of squares); distinct keys are the one state that grows with the data (see ``KeyHashes``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from airflow_dq.engines.pandas.grouped import grouping_columns
from airflow_dq.engines.pandas.masks import ChunkView, violation_mask
from airflow_dq.metrics import (
    CompleteCount,
    DistinctCount,
    DuplicateCount,
    Maximum,
    Mean,
    Metric,
    Minimum,
    NullCount,
    OrderViolations,
    Quantile,
    RowCount,
    StdDev,
    Sum,
    ViolationCount,
)
from airflow_dq.metrics.grouped import Grouped


class Count:
    """A count that adds up across chunks."""

    def __init__(self, count: Callable[[ChunkView], int]) -> None:
        self._count = count
        self.total = 0

    def add(self, view: ChunkView) -> None:
        self.total += int(self._count(view))

    def value(self) -> int:
        return self.total


def python_value(value: Any) -> Any:
    """A plain Python value; NaN/NaT/NA (what pandas returns for "no values") become None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return python_value(value.item())
    return value


class Extreme:
    """MIN or MAX of the non-NULL values; None when there are none (as SQL)."""

    def __init__(self, column: str, pick: Callable[[Any, Any], Any], reduce: str) -> None:
        self.column, self._pick, self._reduce = column, pick, reduce
        self.best: Any = None

    def add(self, view: ChunkView) -> None:
        series = view.column(self.column)
        found = python_value(getattr(series, self._reduce)(skipna=True)) if len(series) else None
        if found is not None:
            self.best = found if self.best is None else self._pick(self.best, found)

    def value(self) -> Any:
        return self.best


def _numbers(series: pd.Series) -> pd.Series:
    # Booleans average as 0/1, like SQLite; decimals (object) as floats.
    if ptypes.is_bool_dtype(series.dtype) or ptypes.is_object_dtype(series.dtype):
        return series.astype("float64")
    return series


class Moments:
    """Count, mean and M2 (sum of squared deviations) of the non-NULL values.

    Gives the mean and the sample standard deviation (n - 1, as STDDEV_SAMP); chunks merge
    with Chan et al.'s formula.
    """

    def __init__(self, column: str, *, need_m2: bool) -> None:
        self.column, self.need_m2 = column, need_m2
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, view: ChunkView) -> None:
        series = _numbers(view.column(self.column))
        n = int(series.count())
        if n == 0:
            return
        mean = float(series.mean())
        m2 = float(series.var(ddof=0)) * n if self.need_m2 else 0.0
        if self.n == 0:
            self.n, self.mean, self.m2 = n, mean, m2
            return
        total = self.n + n
        delta = mean - self.mean
        self.m2 += m2 + delta * delta * self.n * n / total
        self.mean += delta * n / total
        self.n = total

    def value(self) -> float | None:
        if not self.need_m2:
            return self.mean if self.n else None
        if self.n < 2:
            return None
        return math.sqrt(max(self.m2 / (self.n - 1), 0.0))


class Total:
    """SUM of the non-NULL values (booleans as 0/1); None when there are none, as SQL."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.n, self.total = 0, 0

    def add(self, view: ChunkView) -> None:
        series = view.column(self.column)
        series = series.astype("float64") if ptypes.is_object_dtype(series.dtype) else series
        if ptypes.is_bool_dtype(series.dtype):
            series = series.astype("Int64")
        n = int(series.count())
        if n:
            self.n += n
            self.total += python_value(series.sum(skipna=True))

    def value(self) -> Any:
        return self.total if self.n else None


class Values:
    """The non-NULL values of one column (or two, for an order), kept for a statistic that
    needs them all: 8 bytes per value and column. Read once at the end."""

    def __init__(self, columns: tuple[str, ...], finish: Callable[[pd.DataFrame], Any]) -> None:
        self.columns, self._finish = columns, finish
        self._parts: list[pd.DataFrame] = []

    def add(self, view: ChunkView) -> None:
        mask = view.complete(self.columns)
        self._parts.append(view.frame.loc[mask, list(self.columns)])

    def value(self) -> Any:
        if not self._parts:
            return self._finish(pd.DataFrame({c: [] for c in self.columns}))
        frame = pd.concat(self._parts, ignore_index=True) if len(self._parts) > 1 else self._parts[0]
        return self._finish(frame)


def _quantile(column: str, q: float) -> Callable[[pd.DataFrame], Any]:
    def finish(frame: pd.DataFrame) -> float | None:
        values = _numbers(frame[column])
        return None if values.empty else float(values.astype("float64").quantile(q, interpolation="linear"))

    return finish


def _order_breaks(metric: OrderViolations) -> Callable[[pd.DataFrame], int]:
    def finish(frame: pd.DataFrame) -> int:
        # Stable sort: rows with equal order_by keep their order (SQL's order of ties is undefined).
        ordered = frame.sort_values(metric.order_by, kind="stable")[metric.column]
        current, previous = ordered.iloc[1:].to_numpy(), ordered.iloc[:-1].to_numpy()
        increasing = metric.direction == "increasing"
        if metric.strictly:
            broken = current <= previous if increasing else current >= previous
        else:
            broken = current < previous if increasing else current > previous
        return int(np.asarray(broken, dtype=bool).sum())

    return finish


class DistinctValues:
    """COUNT(DISTINCT column) of a dataset held in memory."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.count = 0

    def add(self, view: ChunkView) -> None:
        self.count = int(view.column(self.column).nunique(dropna=True))

    def value(self) -> int:
        return self.count


class ExactDuplicates:
    """Rows of repeated keys (see ``DuplicateCount``) for a dataset held in memory (one chunk)."""

    def __init__(self, columns: tuple[str, ...], *, ignore_nulls: bool = True, count_all: bool = False) -> None:
        self.columns, self.ignore_nulls, self.count_all = columns, ignore_nulls, count_all
        self.count: int | None = None

    def add(self, view: ChunkView) -> None:
        if self.count is not None:
            raise RuntimeError("ExactDuplicates takes a single chunk; use KeyHashes for chunked input")
        complete = view.complete(self.columns)
        if len(self.columns) == 1 and self.ignore_nulls and not self.count_all:
            values = view.column(self.columns[0])
            self.count = int(complete.sum()) - int(values.nunique(dropna=True))
            return
        keys = view.frame.loc[complete, list(self.columns)] if self.ignore_nulls else view.frame[list(self.columns)]
        # duplicated() compares NaN/None/NaT as equal, as SQL's PARTITION BY groups NULLs.
        self.count = int(keys.duplicated(keep=False if self.count_all else "first").sum())

    def value(self) -> int:
        return self.count or 0


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant to combine per-column hashes


def key_hashes(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """A 64-bit hash per row of ``frame[columns]`` (rows must have no NULL key).

    Numbers are hashed by value, not dtype: a whole float hashes as the integer it equals,
    because one CSV column can be read as int64 in one chunk and float64 (a NaN) in the next.
    """
    combined = np.zeros(len(frame), dtype=np.uint64)
    for name in columns:
        series = frame[name]
        if ptypes.is_float_dtype(series.dtype):
            numbers = series.to_numpy(dtype="float64")
            whole = (np.floor(numbers) == numbers) & (np.abs(numbers) < 2.0**63)
            hashed = pd.util.hash_array(numbers)
            hashed[whole] = pd.util.hash_array(numbers[whole].astype("int64"))
        elif ptypes.is_integer_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype):
            hashed = pd.util.hash_array(series.to_numpy(dtype="int64"))
        else:
            hashed = pd.util.hash_pandas_object(series, index=False).to_numpy(dtype=np.uint64)
        with np.errstate(over="ignore"):
            combined = combined * _MIX + hashed
    return combined


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values. Sort-based on purpose: numpy's hash-based ``np.unique`` is
    about 10x slower on random 64-bit hashes, and timsort merges already-sorted runs (the
    set plus sorted batches) in close to linear time."""
    if len(values) == 0:
        return values
    ordered = np.sort(values, kind="stable")
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def count_hashes(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct hashes, summed weights of each), sort-based like ``sorted_unique``."""
    if len(values) == 0:
        return values, weights
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return ordered[starts], np.add.reduceat(weights[order], starts)


class KeyHashes:
    """Distinct complete keys across chunks, kept as a sorted array of 64-bit hashes.

    Memory: 8 bytes per distinct key, up to about 3x that while merging (the sorted set,
    the batch of new chunk hashes, and the merged copy). Exact keys would cost a Python
    object per key (~100 bytes and more). Two different keys share a hash with probability
    about n^2 / 2^65 for n distinct keys (3e-6 for ten million keys): a collision could only
    add a phantom duplicate, never hide one.
    """

    _MIN_BATCH = 1 << 20

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.complete = 0
        self._seen = np.empty(0, dtype=np.uint64)
        self._batch: list[np.ndarray] = []
        self._batch_size = 0

    def add(self, view: ChunkView) -> None:
        mask = view.complete(self.columns)
        self.complete += int(mask.sum())
        fresh = sorted_unique(key_hashes(view.frame.loc[mask, list(self.columns)], self.columns))
        self._batch.append(fresh)
        self._batch_size += len(fresh)
        # Merge when the batch outgrows the set: each hash is re-sorted O(log) times overall.
        if self._batch_size > max(len(self._seen), self._MIN_BATCH):
            self._merge()

    def _merge(self) -> None:
        if self._batch:
            self._seen = sorted_unique(np.concatenate([self._seen, *self._batch]))
            self._batch, self._batch_size = [], 0

    def distinct(self) -> int:
        self._merge()
        return len(self._seen)

    def value(self) -> int:
        return self.complete - self.distinct()


class DistinctHashes(KeyHashes):
    """COUNT(DISTINCT column) across chunks (the hashed set of ``KeyHashes``)."""

    def value(self) -> int:
        return self.distinct()


class KeyCounts:
    """Rows per key across chunks (``value_counts``), for the duplicate counts KeyHashes
    does not cover: NULL as a key value, or every row of a repeated key."""

    def __init__(self, columns: tuple[str, ...], *, ignore_nulls: bool, count_all: bool) -> None:
        self.columns, self.ignore_nulls, self.count_all = columns, ignore_nulls, count_all
        self._counts: pd.Series | None = None

    def add(self, view: ChunkView) -> None:
        keys = view.frame[list(self.columns)]
        if self.ignore_nulls:
            keys = keys.loc[view.complete(self.columns)]
        counts = keys.groupby(list(self.columns), dropna=False, sort=False).size()
        if self._counts is not None:
            # Merge by key without sorting: keys of mixed types (text and NULL) do not sort.
            merged = pd.concat([self._counts, counts])
            levels = 0 if len(self.columns) == 1 else list(range(len(self.columns)))
            counts = merged.groupby(level=levels, dropna=False, sort=False).sum()
        self._counts = counts

    def value(self) -> int:
        if self._counts is None:
            return 0
        counts = self._counts.to_numpy(dtype="int64")
        repeated = counts[counts > 1]
        return int(repeated.sum() if self.count_all else (repeated - 1).sum())


# The pandas engine's metric registry: metric type -> a fresh state that folds chunks into
# the metric's value (``build(metric, chunked)``). The suite asks ``folds(metric)`` through
# the engine's ``missing`` before it measures anything.
STATES: dict[type[Metric], Callable[[Any, bool], Any]] = {}


def _folds(kind: type[Metric]) -> Callable[[Callable[[Any, bool], Any]], Callable[[Any, bool], Any]]:
    def register(build: Callable[[Any, bool], Any]) -> Callable[[Any, bool], Any]:
        STATES[kind] = build
        return build

    return register


def folds(metric: Metric) -> bool:
    """Whether the pandas engine can compute ``metric``."""
    return type(metric) in STATES


def state_for(metric: Metric, *, chunked: bool) -> Any:
    """A fresh state that folds chunks into ``metric``'s value."""
    build = STATES.get(type(metric))
    if build is None:
        raise TypeError(f"the pandas engine cannot compute metric {metric!r}")
    return build(metric, chunked)


@_folds(RowCount)
def _row_count(metric: RowCount, chunked: bool) -> Any:
    return Count(len)


@_folds(NullCount)
def _null_count(metric: NullCount, chunked: bool) -> Any:
    column = metric.column
    return Count(lambda v: len(v) - int(v.present(column).sum()))


@_folds(CompleteCount)
def _complete_count(metric: CompleteCount, chunked: bool) -> Any:
    columns = metric.columns
    return Count(lambda v: int(v.complete(columns).sum()))


@_folds(ViolationCount)
def _violation_count(metric: ViolationCount, chunked: bool) -> Any:
    predicate = metric.predicate
    return Count(lambda v: int(violation_mask(v, predicate).sum()))


@_folds(Minimum)
def _minimum(metric: Minimum, chunked: bool) -> Any:
    return Extreme(metric.column, min, "min")


@_folds(Maximum)
def _maximum(metric: Maximum, chunked: bool) -> Any:
    return Extreme(metric.column, max, "max")


@_folds(Mean)
def _mean(metric: Mean, chunked: bool) -> Any:
    return Moments(metric.column, need_m2=False)


@_folds(StdDev)
def _stddev(metric: StdDev, chunked: bool) -> Any:
    return Moments(metric.column, need_m2=True)


@_folds(DuplicateCount)
def _duplicate_count(metric: DuplicateCount, chunked: bool) -> Any:
    if not chunked:
        return ExactDuplicates(metric.columns, ignore_nulls=metric.ignore_nulls, count_all=metric.count_all)
    if metric.ignore_nulls and not metric.count_all:
        return KeyHashes(metric.columns)
    # NULL as a key value or every row of a repeated key: count rows per key (exact keys; a
    # chunked file pays one key per distinct key here).
    return KeyCounts(metric.columns, ignore_nulls=metric.ignore_nulls, count_all=metric.count_all)


@_folds(Sum)
def _sum(metric: Sum, chunked: bool) -> Any:
    return Total(metric.column)


@_folds(DistinctCount)
def _distinct_count(metric: DistinctCount, chunked: bool) -> Any:
    return DistinctHashes((metric.column,)) if chunked else DistinctValues(metric.column)


@_folds(Quantile)
def _quantile_state(metric: Quantile, chunked: bool) -> Any:
    return Values((metric.column,), _quantile(metric.column, metric.q))


@_folds(OrderViolations)
def _order_state(metric: OrderViolations, chunked: bool) -> Any:
    return Values((metric.column, metric.order_by), _order_breaks(metric))


def metric_columns(metric: Metric) -> tuple[str, ...]:
    """Columns a metric reads (so a file reader can skip the others)."""
    if isinstance(metric, Grouped):
        return grouping_columns(metric.grouping) + metric_columns(metric.metric)
    if isinstance(metric, OrderViolations):
        return (metric.column, metric.order_by)
    for attr in ("column", "columns"):
        value = getattr(metric, attr, None)
        if value is not None:
            return (value,) if isinstance(value, str) else tuple(value)
    predicate = getattr(metric, "predicate", None)
    if hasattr(predicate, "left"):
        return (predicate.left, predicate.right)
    column = getattr(predicate, "column", None)
    return (column,) if column else ()
