"""Grouped metrics: a scalar metric measured per group (segment or time bucket).

Plain data, like every metric: an engine compiles them. All grouped metrics that share a
grouping (and a source) are computed by ONE ``GROUP BY`` statement, so several checks on
the same segments cost one query. The value of a grouped metric is a dict from group key
(always a tuple, one item per grouping column) to the inner metric's value for that group;
groups with no rows are absent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from airflow_dq.metrics.core import Metric

TIME_UNITS = ("minute", "hour", "day")


class GroupKey(tuple):
    """A group's key: a tuple (equal to the plain tuple) that reads well in results.

    ``str(GroupKey(("FR", "ios")))`` is ``FR, ios``; a bucket shows as its ISO start.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return ", ".join(v.isoformat() if isinstance(v, dt.date | dt.datetime) else str(v) for v in self)


@dataclass(frozen=True)
class Grouping:
    """Base class: how rows are put into groups."""


@dataclass(frozen=True)
class BySegments(Grouping):
    """One group per distinct combination of ``columns`` (NULL is a group of its own)."""

    columns: tuple[str, ...]

    def __str__(self) -> str:
        return f"segments({', '.join(self.columns)})"


@dataclass(frozen=True)
class ByTimeBucket(Grouping):
    """Rows with ``start <= column < end``, grouped by the ``unit`` their timestamp falls in.

    Buckets are cut on the wall clock of ``timezone``, which is also the zone of timestamps
    stored without one (a time-zone aware column is converted to it). The group key is the
    bucket's start as a naive wall-clock datetime in ``timezone``.
    """

    column: str
    unit: str
    timezone: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware

    def __str__(self) -> str:
        return f"{self.unit}s({self.column}, {self.timezone}, [{self.start.isoformat()}, {self.end.isoformat()}))"


@dataclass(frozen=True)
class Reference:
    """Another dataset to group instead of the suite's own, e.g. last week's rows.

    Give a ``table`` (optionally with ``schema`` and a raw SQL ``where``) or a raw SQL ``query``.
    """

    table: str | None = None
    schema: str | None = None
    query: str | None = None
    where: str | None = None

    def __str__(self) -> str:
        what = f"table {self.schema + '.' if self.schema else ''}{self.table}" if self.table else "query"
        return f"{what} where {self.where}" if self.where else what


@dataclass(frozen=True)
class Grouped(Metric):
    """``metric`` (a scalar metric such as ``RowCount()``) per group of ``grouping``.

    ``source`` names another dataset to measure (a ``Reference``); None means the suite's.
    """

    metric: Metric
    grouping: Grouping
    source: Reference | None = None

    @property
    def label(self) -> str:
        where = f" in {self.source}" if self.source else ""
        return f"{self.metric.label} by {self.grouping}{where}"
