"""Known groups counted inside the shared scan, as conditional aggregates.

When a check names the only groups it reads — an expected segment list, or the buckets of
a time window — each group's row count is one ``COUNT(*) FILTER (WHERE <group>)`` (or
``COUNT(CASE WHEN ...)``) in the suite's one aggregate SELECT, so a suite of scalar,
segment-list and bucket checks on a table reads it once. The GROUP BY stays for groups
that must be discovered (a reference table's segments, anomaly checks watching for new
segments), for inner metrics other than a row count, for listed values whose type is not
the column's, for more than ``MAX_KNOWN_GROUPS`` groups (each known group costs one
condition per row, a GROUP BY one hash lookup), and for time buckets the database cannot
compare cheaply (a text column on PostgreSQL).
The engine chooses by itself; the values are the same either way (tests/engines/).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from airflow_dq.engines.sql.compiler import Aggregation, col, count_where
from airflow_dq.engines.sql.dialects import Dialect
from airflow_dq.engines.sql.grouped import keys_and_filter
from airflow_dq.metrics import RowCount
from airflow_dq.metrics.grouped import STEP, BySegments, ByTimeBucket, Grouped, GroupKey

if TYPE_CHECKING:
    from airflow_dq.engines.sql.engine import SqlEngine

# Above this many groups in one grouped metric, a GROUP BY is cheaper than one condition
# per group and row (24 hourly buckets and a few dozen segments stay in the scan).
MAX_KNOWN_GROUPS = 64


# Python values a column of each type family compares with as the GROUP BY's keys would.
_COMPARABLE: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "float": (int, float),
    "decimal": (int, float, decimal.Decimal),
    "boolean": (bool,),
    "date": (dt.date,),
    "timestamp": (dt.datetime,),
}


def _comparable(engine: SqlEngine, columns: Sequence[str], keys: Sequence[tuple[Any, ...]]) -> bool:
    """Whether every listed value has the column's type. A mistyped value ('US' for an
    integer column) would make the database reject the whole scan, or match where the GROUP BY
    would not (SQLite compares 1 = '1'), so such a list keeps the GROUP BY."""
    families = engine.column_types()
    for i, column in enumerate(columns):
        allowed = _COMPARABLE.get(families.get(column, "other"))
        for key in keys:
            value = key[i]
            if value is None:
                continue
            if allowed is None or not isinstance(value, allowed):
                return False
            if isinstance(value, bool) and bool not in allowed:
                return False
            if isinstance(value, dt.datetime) and dt.datetime not in allowed:
                return False
    return True


def _segment_condition(columns: Sequence[str], key: tuple[Any, ...]) -> sa.ColumnElement[bool]:
    return sa.and_(*(col(c).is_(None) if v is None else col(c) == v for c, v in zip(columns, key, strict=True)))


def _aware(wall: dt.datetime, zone: str) -> dt.datetime:
    return wall.replace(tzinfo=ZoneInfo(zone))


def _bucket_conditions(engine: SqlEngine, grouping: ByTimeBucket) -> list[tuple[Any, Any]] | None:
    """(group key, condition) per bucket of the window, or None when only a GROUP BY can cut them."""
    buckets = grouping.buckets()
    dialect = engine.dialect
    if not dialect.time_buckets:
        return None  # the check is an error before the scan (Dialect.missing)
    if not dialect.zoned_ranges:
        # The GROUP BY's own bucket expression and window filter: the same rows, exactly.
        (bucket,), window = keys_and_filter(grouping, dialect)
        return [(b, sa.and_(bucket == dialect.bucket_value(b), *window)) for b in buckets]
    sql_type = engine.reflected_type(grouping.column)
    if not isinstance(sql_type, sa.DateTime | sa.Date):
        return None  # text or unknown (a query): the GROUP BY casts it in the grouping's zone
    aware = isinstance(sql_type, sa.DateTime) and bool(sql_type.timezone)
    zone = grouping.timezone
    # A bucket ends where the next one starts (a wall-clock hour skipped by a DST jump is no
    # bucket); the window clips the first and the last. Plain range comparisons on the
    # column: no per-row cast or date_trunc.
    ends = [*buckets[1:], buckets[-1] + STEP[grouping.unit]] if buckets else []
    conditions = []
    for start, end in zip(buckets, ends, strict=True):
        if aware:
            low = max(_aware(start, zone), grouping.start)
            high = min(_aware(end, zone), grouping.end)
        else:  # naive values are wall-clock time of the zone
            low = max(start, grouping.start.astimezone(ZoneInfo(zone)).replace(tzinfo=None))
            high = min(end, grouping.end.astimezone(ZoneInfo(zone)).replace(tzinfo=None))
        column = col(grouping.column)
        conditions.append((start, sa.and_(column >= low, column < high)))
    return conditions


def conditions(engine: SqlEngine, metric: Grouped) -> list[tuple[Any, Any]] | None:
    if metric.source is not None or not isinstance(metric.metric, RowCount):
        return None
    grouping = metric.grouping
    if isinstance(grouping, BySegments) and metric.segments is not None:
        if len(metric.segments) > MAX_KNOWN_GROUPS or not _comparable(engine, grouping.columns, metric.segments):
            return None
        return [(key, _segment_condition(grouping.columns, key)) for key in metric.segments]
    if isinstance(grouping, ByTimeBucket):
        if len(grouping.buckets()) > MAX_KNOWN_GROUPS:
            return None
        return _bucket_conditions(engine, grouping)
    return None


def plan(engine: SqlEngine, metrics: Sequence[Grouped]) -> tuple[dict[Grouped, Aggregation], list[Grouped]]:
    """Split grouped metrics into those counted in the scan (with their aggregation) and
    those left to a GROUP BY. A grouping that needs a GROUP BY anyway serves its known
    groups too: they are then free."""
    in_scan: dict[Grouped, Aggregation] = {}
    for metric in dict.fromkeys(metrics):
        found = conditions(engine, metric)
        if found is not None:
            in_scan[metric] = _count_each(found, engine.dialect)
    needs_group_by = {(m.source, m.grouping) for m in metrics if m not in in_scan}
    in_scan = {m: agg for m, agg in in_scan.items() if (m.source, m.grouping) not in needs_group_by}
    return in_scan, [m for m in dict.fromkeys(metrics) if m not in in_scan]


def _count_each(conditions: list[tuple[Any, Any]], dialect: Dialect) -> Aggregation:
    keys = [GroupKey(k) if isinstance(k, tuple) else GroupKey((k,)) for k, _ in conditions]

    def read(values: list[Any]) -> dict[GroupKey, int]:
        # As from a GROUP BY: a group with no rows is absent.
        return {key: int(n) for key, n in zip(keys, values, strict=True) if n}

    return Aggregation([count_where(condition, dialect) for _, condition in conditions], read)
