"""Grouped metrics on SQL: one GROUP BY statement per (source, grouping).

Time buckets are computed in the database, dialect by dialect:

- PostgreSQL: the column is cast to ``timestamptz`` inside a transaction whose ``TimeZone``
  is the grouping's zone, so a naive ``timestamp`` (or text) column is read as wall-clock
  time of that zone and an aware ``timestamptz`` column keeps its instant; ``AT TIME ZONE``
  then gives the wall clock and ``date_trunc`` the bucket.
- SQLite has no time zones: timestamps are text, read as wall-clock time of the zone
  (text with an explicit UTC offset is normalised to UTC by SQLite itself); ``strftime``
  cuts the bucket and ``datetime()`` normalises values for the window comparison.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from airflow_dq.engines.sql.compiler import aggregation, col, raw_sql
from airflow_dq.metrics import DuplicateCount
from airflow_dq.metrics.grouped import BySegments, ByTimeBucket, Grouped, Grouping, GroupKey, Reference

if TYPE_CHECKING:
    from airflow_dq.engines.sql.engine import SqlEngine

_SQLITE_FORMATS = {"minute": "%Y-%m-%d %H:%M:00", "hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00"}


def _wall_clock(moment: dt.datetime, zone: str) -> dt.datetime:
    """An aware datetime as naive wall-clock time in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _bucket_key(value: Any) -> Any:
    # SQLite returns the bucket as text; PostgreSQL as a naive datetime.
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def keys_and_filter(grouping: Grouping, dialect: str) -> tuple[list[sa.ColumnElement[Any]], list[Any]]:
    """The GROUP BY expressions and the extra WHERE conditions of a grouping."""
    if isinstance(grouping, BySegments):
        return [col(c) for c in grouping.columns], []
    if isinstance(grouping, ByTimeBucket):
        column = col(grouping.column)
        if dialect == "postgresql":
            instant = sa.cast(column, sa.DateTime(timezone=True))
            bucket = sa.func.date_trunc(grouping.unit, sa.func.timezone(grouping.timezone, instant))
            window = [instant >= grouping.start, instant < grouping.end]
        elif dialect == "sqlite":
            bucket = sa.func.strftime(_SQLITE_FORMATS[grouping.unit], column)
            normalised = sa.func.datetime(column)
            shown = "%Y-%m-%d %H:%M:%S"
            window = [
                normalised >= _wall_clock(grouping.start, grouping.timezone).strftime(shown),
                normalised < _wall_clock(grouping.end, grouping.timezone).strftime(shown),
            ]
        else:
            raise TypeError(f"the SQL engine has no time bucketing for the {dialect!r} dialect")
        return [bucket], window
    raise TypeError(f"the SQL engine cannot group by {grouping!r}")


def _source(engine: SqlEngine, reference: Reference | None) -> tuple[Any, str | None]:
    if reference is None:
        return engine._source(), engine.where
    if reference.table is not None:
        return sa.table(reference.table, schema=reference.schema), reference.where
    return raw_sql(f"({reference.query}) AS dq_reference"), reference.where


def _group_by(engine: SqlEngine, source: Reference | None, grouping: Grouping, metrics: list[Grouped]) -> dict:
    dialect = engine.dialect
    keys, window = keys_and_filter(grouping, dialect)
    aggregations = []
    for metric in metrics:
        if isinstance(metric.metric, DuplicateCount) and len(metric.metric.columns) > 1:
            raise TypeError(f"the SQL engine cannot compute {metric.label}: multi-column duplicates need a window")
        aggregations.append(aggregation(metric.metric, dialect, lambda _: ""))
    labelled_keys = [k.label(f"k{i}") for i, k in enumerate(keys)]
    expressions = [e.label(f"m{i}_{j}") for i, agg in enumerate(aggregations) for j, e in enumerate(agg.expressions)]
    from_, where = _source(engine, source)
    stmt = sa.select(*labelled_keys, *expressions).select_from(from_)
    if where:
        stmt = stmt.where(raw_sql(where))
    if window:
        stmt = stmt.where(*window)
    stmt = stmt.group_by(*keys)

    engine.statements["grouped"] += 1
    with engine.bind.connect() as conn, conn.begin():
        if isinstance(grouping, ByTimeBucket) and dialect == "postgresql":
            # Transaction-local: naive timestamps are read in the grouping's zone.
            conn.execute(sa.select(sa.func.set_config("TimeZone", grouping.timezone, True)))
        rows = list(conn.execute(stmt))

    values: dict[Grouped, dict[tuple[Any, ...], Any]] = {m: {} for m in metrics}
    for row in rows:
        mapping = row._mapping
        key = GroupKey(mapping[f"k{i}"] for i in range(len(keys)))
        if isinstance(grouping, ByTimeBucket):
            key = GroupKey(_bucket_key(k) for k in key)
        for i, (metric, agg) in enumerate(zip(metrics, aggregations, strict=True)):
            values[metric][key] = agg.read([mapping[f"m{i}_{j}"] for j in range(len(agg.expressions))])
    return values


def compute_grouped(engine: SqlEngine, metrics: Sequence[Grouped]) -> dict[Grouped, dict[tuple[Any, ...], Any]]:
    """Every grouped metric's value, with one GROUP BY per (source, grouping)."""
    batches: dict[tuple[Reference | None, Grouping], list[Grouped]] = defaultdict(list)
    for metric in dict.fromkeys(metrics):
        batches[(metric.source, metric.grouping)].append(metric)
    values: dict[Grouped, dict[tuple[Any, ...], Any]] = {}
    for (source, grouping), batch in batches.items():
        values.update(_group_by(engine, source, grouping, batch))
    return values
