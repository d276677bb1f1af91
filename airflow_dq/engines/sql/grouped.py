"""Grouped metrics on SQL: one GROUP BY statement per (source, grouping).

Time buckets are computed in the database by the dialect (``Dialect.time_bucket``, see
dialects.py): PostgreSQL casts to ``timestamptz`` in a transaction whose ``TimeZone`` is
the grouping's zone; the families without time zones (SQLite, MySQL/MariaDB, DuckDB) read
naive timestamps as wall-clock time of the zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from airflow_dq.engines.sql import isolation
from airflow_dq.engines.sql.compiler import aggregation, col
from airflow_dq.engines.sql.dataset import SqlDataset
from airflow_dq.engines.sql.dialects import Dialect
from airflow_dq.metrics import DuplicateCount
from airflow_dq.metrics.grouped import BySegments, ByTimeBucket, Grouped, Grouping, GroupKey, Reference

if TYPE_CHECKING:
    from airflow_dq.engines.sql.engine import SqlEngine


def _bucket_key(value: Any) -> Any:
    # SQLite and MySQL return the bucket as text; PostgreSQL and DuckDB as a naive datetime.
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def keys_and_filter(grouping: Grouping, dialect: Dialect) -> tuple[list[sa.ColumnElement[Any]], list[Any]]:
    """The GROUP BY expressions and the extra WHERE conditions of a grouping."""
    if isinstance(grouping, BySegments):
        return [col(c) for c in grouping.columns], []
    if isinstance(grouping, ByTimeBucket):
        bucket, window = dialect.time_bucket(grouping)
        return [bucket], window
    raise TypeError(f"the SQL engine cannot group by {grouping!r}")


def _dataset(engine: SqlEngine, reference: Reference | None) -> SqlDataset:
    if reference is None:
        return engine.dataset
    return SqlDataset.of_reference(engine.bind, reference, engine.statements)


def _group_by(engine: SqlEngine, source: Reference | None, grouping: Grouping, metrics: list[Grouped]) -> dict:
    dialect = engine.dialect
    stmt, keys, aggregations = _statement(engine, source, grouping, metrics)
    engine.statements["grouped"] += 1
    with engine.bind.connect() as conn, conn.begin():
        dialect.bucket_session(conn, grouping)  # e.g. PostgreSQL's TimeZone, transaction-local
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


def _statement(
    engine: SqlEngine, source: Reference | None, grouping: Grouping, metrics: list[Grouped]
) -> tuple[sa.Select[Any], list[Any], list[Any]]:
    dialect = engine.dialect
    keys, window = keys_and_filter(grouping, dialect)
    aggregations = []
    for metric in metrics:
        if isinstance(metric.metric, DuplicateCount) and len(metric.metric.columns) > 1:
            raise TypeError(f"the SQL engine cannot compute {metric.label}: multi-column duplicates need a window")
        aggregations.append(aggregation(metric.metric, dialect, lambda _: ""))
    labelled_keys = [k.label(f"k{i}") for i, k in enumerate(keys)]
    expressions = [e.label(f"m{i}_{j}") for i, agg in enumerate(aggregations) for j, e in enumerate(agg.expressions)]
    stmt = _dataset(engine, source).select(*labelled_keys, *expressions)
    if window:
        stmt = stmt.where(*window)
    stmt = stmt.group_by(*keys)
    return stmt, keys, aggregations


def _batches(metrics: Sequence[Grouped]) -> dict[tuple[Reference | None, Grouping], list[Grouped]]:
    batches: dict[tuple[Reference | None, Grouping], list[Grouped]] = defaultdict(list)
    for metric in dict.fromkeys(metrics):
        batches[(metric.source, metric.grouping)].append(metric)
    return batches


def grouped_statements(engine: SqlEngine, metrics: Sequence[Grouped]) -> list[sa.Select[Any]]:
    """The GROUP BY statements for ``metrics``, unexecuted (to compile them for a dialect)."""
    return [_statement(engine, source, grouping, batch)[0] for (source, grouping), batch in _batches(metrics).items()]


def compute_grouped(engine: SqlEngine, metrics: Sequence[Grouped]) -> dict[Grouped, Any]:
    """Every grouped metric's value, with one GROUP BY per (source, grouping).

    A GROUP BY the database refuses because of user SQL fails only the checks that brought
    it in (isolation.py): over a reference table or query every metric is a suspect (the
    reference is the user's), over the dataset those with a ``row_condition``."""
    values: dict[Grouped, Any] = {}
    for (source, grouping), batch in _batches(metrics).items():
        measure = partial(_group_by, engine, source, grouping)
        suspect = isolation.always if source is not None else isolation.carries_user_sql
        values.update(
            isolation.scan_isolating(measure, measure, batch, engine.still_answers, engine.statements, suspect=suspect)
        )
    return values
