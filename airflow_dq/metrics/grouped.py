"""Grouped metrics: a scalar metric measured per group (segment or time bucket).

Plain data, like every metric: an engine compiles them. All grouped metrics that share a
grouping (and a source) are computed by ONE ``GROUP BY`` statement, so several checks on
the same segments cost one query. The value of a grouped metric is a dict from group key
(always a tuple, one item per grouping column) to the inner metric's value for that group;
groups with no rows are absent.

A grouped metric may name the only groups its check reads (``Grouped.segments``: an
expected segment list; a time bucketing's groups are always known from its window). The SQL
engine then counts those groups as conditional aggregates inside the shared scan instead
of running a GROUP BY (see ``airflow_dq.engines.sql.known_groups``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from airflow_dq.metrics.core import Metric

TIME_UNITS = ("minute", "hour", "day")
STEP = {"minute": dt.timedelta(minutes=1), "hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1)}


def floor_to(moment: dt.datetime, unit: str) -> dt.datetime:
    moment = moment.replace(second=0, microsecond=0)
    if unit in ("hour", "day"):
        moment = moment.replace(minute=0)
    if unit == "day":
        moment = moment.replace(hour=0)
    return moment


def _exists(wall: dt.datetime, zone: ZoneInfo) -> bool:
    # A wall-clock time skipped by a daylight-saving jump does not survive a round trip.
    back = wall.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    return back == wall


def expected_buckets(start: dt.datetime, end: dt.datetime, unit: str, zone: str) -> list[dt.datetime]:
    """Wall-clock starts (naive, in ``zone``) of every bucket the window [start, end) touches."""
    tz = ZoneInfo(zone)
    first = floor_to(start.astimezone(tz).replace(tzinfo=None), unit)
    stop = end.astimezone(tz).replace(tzinfo=None)
    buckets, bucket = [], first
    while bucket < stop:
        if _exists(bucket, tz):
            buckets.append(bucket)
        bucket += STEP[unit]
    return buckets


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

    def buckets(self) -> list[dt.datetime]:
        """Every bucket of the window (naive wall-clock starts): the only possible groups."""
        return expected_buckets(self.start, self.end, self.unit, self.timezone)

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
    ``segments``, for a ``BySegments`` grouping, lists the only segments the check reads
    (keys as tuples): the value then needs to hold only those of them that have rows.
    """

    metric: Metric
    grouping: Grouping
    source: Reference | None = None
    segments: tuple[tuple[Any, ...], ...] | None = None

    @property
    def label(self) -> str:
        where = f" in {self.source}" if self.source else ""
        return f"{self.metric.label} by {self.grouping}{where}"
