"""Mergeable states: the per-partition partial results that whole-table metrics merge from.

Deequ's idea: store sums and counts, not final averages, so a partitioned table is judged by
merging the states of its partitions instead of rescanning them. Each state is a small JSON
value; ``merge`` combines two, ``finish`` turns the merged state into the metric's value.

==================================  ===========================  ==========================
metric                              state                        merge
==================================  ===========================  ==========================
row, null, complete, violation      ``n`` (a count)              sum (exact)
counts
minimum / maximum                   the partition's min / max    min / max (exact)
mean / standard deviation           ``[n, mean, m2]`` (count,    Chan et al.'s parallel
                                    mean, sum of squared         update (exact up to float
                                    deviations)                  rounding)
approximate distinct count          HyperLogLog registers        register-wise max (about
                                    (``metrics.sketches``)       1.6 % error)
row counts of listed segments       a count per listed segment   sum per segment (exact)
==================================  ===========================  ==========================

Not mergeable, so measured by a full scan even on an incremental dataset: duplicate
counts (``unique``: a key may repeat across partitions, and only the whole key set can say
so exactly, while a sketch's ~1.6 % error would fail a uniqueness check at random), exact
distinct counts, referential checks (the parent table changes under old partitions),
groups that must be discovered (reference segments, segment anomalies), profile metrics
and ``custom_sql``.
"""

from __future__ import annotations

import math
from typing import Any

from airflow_dq.metrics.core import (
    CompleteCount,
    Maximum,
    Mean,
    Metric,
    Minimum,
    NullCount,
    RowCount,
    StdDev,
    ViolationCount,
)
from airflow_dq.metrics.grouped import BySegments, Grouped, GroupKey
from airflow_dq.metrics.predicates import MissingInParent
from airflow_dq.metrics.sketches import ApproxDistinctCount, estimate, merge_registers

COUNT, MIN, MAX, MOMENTS, SKETCH, GROUPS = "count", "min", "max", "moments", "sketch", "groups"
STATE_VERSION = 1  # part of every stored state's key: a changed state shape starts afresh


def known_keys(metric: Grouped) -> list[tuple[Any, ...]] | None:
    """The listed segments of a grouped row count, in a fixed order; None otherwise.

    Time buckets are left out on purpose: their window moves with every run, so a state
    kept for one window would never be read again (the bucket check reads its window with
    the usual scan).
    """
    if metric.source is not None or not isinstance(metric.metric, RowCount):
        return None
    if isinstance(metric.grouping, BySegments) and metric.segments is not None:
        return list(metric.segments)
    return None


def state_kind(metric: Metric) -> str | None:
    """How ``metric`` is kept per partition, or None when it cannot be merged exactly."""
    if isinstance(metric, Grouped):
        return GROUPS if known_keys(metric) is not None else None
    if isinstance(metric, RowCount | NullCount | CompleteCount):
        return COUNT
    if isinstance(metric, ViolationCount):
        return None if isinstance(metric.predicate, MissingInParent) else COUNT
    if isinstance(metric, Minimum):
        return MIN
    if isinstance(metric, Maximum):
        return MAX
    if isinstance(metric, Mean | StdDev):
        return MOMENTS
    if isinstance(metric, ApproxDistinctCount):
        return SKETCH
    return None


def state_key(metric: Metric) -> str:
    """The metric's stable key in the store: versioned state kind + the metric's label
    (+ the listed segments, which the label of a grouped metric does not show)."""
    listed = f" {list(metric.segments)!r}" if isinstance(metric, Grouped) and metric.segments is not None else ""
    return f"v{STATE_VERSION}:{state_kind(metric)}:{metric.label}{listed}"


def moments(n: Any, total: Any, squares: Any) -> list[float]:
    """``[n, mean, m2]`` from a count, a sum and a sum of squares (SQLite has no variance)."""
    n = int(n or 0)
    if n == 0:
        return [0, 0.0, 0.0]
    mean = float(total) / n
    return [n, mean, max(float(squares) - float(total) * mean, 0.0)]


def merge(kind: str, left: Any, right: Any) -> Any:
    if kind == COUNT:
        return int(left) + int(right)
    if kind in (MIN, MAX):
        present = [v for v in (left, right) if v is not None]
        if not present:
            return None
        return min(present) if kind == MIN else max(present)
    if kind == MOMENTS:
        (na, ma, m2a), (nb, mb, m2b) = left, right
        n = na + nb
        if n == 0:
            return [0, 0.0, 0.0]
        delta = mb - ma
        return [n, ma + delta * nb / n, m2a + m2b + delta * delta * na * nb / n]
    if kind == SKETCH:
        return merge_registers(left, right)
    if kind == GROUPS:  # counts per known group, in known_keys order
        return [int(a) + int(b) for a, b in zip(left, right, strict=True)] if left else list(right)
    raise ValueError(f"unknown state kind {kind!r}")


def empty(kind: str) -> Any:
    return {COUNT: 0, MIN: None, MAX: None, MOMENTS: [0, 0.0, 0.0], SKETCH: {}, GROUPS: []}[kind]


def finish(metric: Metric, state: Any) -> Any:
    """The metric's value from its merged state (as the full scan would report it)."""
    if isinstance(metric, Mean):
        n, mean, _ = state
        return mean if n else None
    if isinstance(metric, StdDev):
        n, _, m2 = state
        return math.sqrt(m2 / (n - 1)) if n >= 2 else None
    if isinstance(metric, ApproxDistinctCount):
        return estimate(state)
    if isinstance(metric, Grouped):  # as from a GROUP BY: groups without rows are absent
        keys = known_keys(metric) or []
        return {GroupKey(k): int(n) for k, n in zip(keys, state, strict=False) if n}
    return state
