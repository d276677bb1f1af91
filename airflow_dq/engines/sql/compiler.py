"""Turn metrics and predicates into SQLAlchemy Core expressions.

Each scalar metric compiles to one or more aggregate expressions plus a function that
reads its value back from the row (Deequ's ``aggregationFunctions``/``fromAggregationResult``),
so the engine can put every metric of a suite into one SELECT.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airflow_dq.metrics import (
    CompleteCount,
    DuplicateCount,
    IsNull,
    LengthOutOfRange,
    Maximum,
    Mean,
    Metric,
    Minimum,
    MissingInParent,
    NotIn,
    NullCount,
    OutOfRange,
    Predicate,
    RegexMismatch,
    RowCount,
    SqlConditionFalse,
    StdDev,
    ViolationCount,
)


def raw_sql(fragment: str) -> sa.TextClause:
    """User SQL, inserted as written: colons are escaped so ``::date`` or ``'10:00'`` are not
    mistaken for bind parameters, except the ``:name`` placeholders given by
    ``parameters.bound_parameters`` (sent as bound values)."""
    from airflow_dq.engines.sql.parameters import user_sql

    return user_sql(fragment)


def col(name: str) -> sa.ColumnClause[Any]:
    # Unbound column: rendered as a dialect-quoted identifier, valid inside any FROM.
    return sa.column(name)


def _all_present(columns: Sequence[str]) -> sa.ColumnElement[bool]:
    return sa.and_(*(col(c).is_not(None) for c in columns))


def violation(pred: Predicate, dialect: str = "") -> sa.ColumnElement[bool]:
    """A boolean that is TRUE exactly for the rows that break ``pred``'s rule.

    For a NULL value a column rule is NULL, not TRUE, so COUNT/FILTER/WHERE skip the row
    without an extra ``IS NOT NULL`` test per row (a few % of a wide scan).
    """
    if isinstance(pred, IsNull):
        return col(pred.column).is_(None)
    if isinstance(pred, SqlConditionFalse):
        condition = raw_sql(f"({pred.condition})")
        if dialect == "postgresql":  # FALSE and NULL both break the rule
            return sa.type_coerce(condition, sa.Boolean).is_not(sa.true())
        # Portable spelling of IS NOT TRUE (SQLite's "IS NOT 1" would pass a truthy 2).
        return sa.case((condition, 0), else_=1) == 1
    column = col(pred.column)
    if isinstance(pred, NotIn):
        rule = column.not_in(list(pred.values))
    elif isinstance(pred, OutOfRange):
        outside = []
        if pred.min is not None:
            outside.append(column <= pred.min if pred.strict_min else column < pred.min)
        if pred.max is not None:
            outside.append(column >= pred.max if pred.strict_max else column > pred.max)
        rule = sa.or_(*outside)
    elif isinstance(pred, RegexMismatch):
        rule = sa.not_(sa.cast(column, sa.String).regexp_match(pred.pattern))
    elif isinstance(pred, LengthOutOfRange):
        length = sa.func.length(sa.cast(column, sa.String))
        outside = []
        if pred.min is not None:
            outside.append(length < pred.min)
        if pred.max is not None:
            outside.append(length > pred.max)
        # An exact length needs one length() per row, not two (counting characters is the
        # costly part of this rule).
        rule = length != pred.min if pred.min is not None and pred.min == pred.max else sa.or_(*outside)
    elif isinstance(pred, MissingInParent):
        parent = sa.table(pred.parent_table, sa.column(pred.parent_column), schema=pred.parent_schema)
        key = parent.c[pred.parent_column]
        # NOT IN over a NULL-free subquery: PostgreSQL runs it as one hashed sub-plan.
        rule = column.not_in(sa.select(key).where(key.is_not(None)).scalar_subquery())
    else:
        raise TypeError(f"the SQL engine cannot evaluate predicate {pred!r}")
    return rule


def count_where(condition: sa.ColumnElement[bool], dialect: str) -> sa.ColumnElement[int]:
    """COUNT of the rows where ``condition`` is TRUE."""
    if dialect == "postgresql":
        # FILTER skips building a CASE value per row: cheaper in a wide scan (benchmarks/).
        return sa.func.count().filter(condition)
    return sa.func.count(sa.case((condition, 1)))


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, decimal.Decimal) else value


def _int(value: Any) -> int:
    return int(value or 0)


@dataclass
class Aggregation:
    """The SQL aggregates of one metric and how to read its value back."""

    expressions: list[sa.ColumnElement[Any]]
    read: Callable[[list[Any]], Any]


def _sample_stddev(values: list[Any]) -> float | None:
    n, total, squares = (_number(v) for v in values)
    if not n or n < 2:
        return None
    variance = (float(squares) - float(total) ** 2 / n) / (n - 1)
    return math.sqrt(max(variance, 0.0))


def aggregation(
    metric: Metric,
    dialect: str,
    window_label: Callable[[tuple[str, ...]], str],
    shift: Callable[[str], sa.ColumnElement[Any]] | None = None,
) -> Aggregation:
    """Compile one scalar metric. ``window_label(columns)`` names the row_number() column
    the engine adds for multi-column duplicate counts; ``shift(column)``, when given, is a
    value of the column that SQLite's standard deviation subtracts first (see below)."""
    first = lambda values: values[0]  # noqa: E731
    if isinstance(metric, RowCount):
        return Aggregation([sa.func.count()], lambda v: _int(v[0]))
    if isinstance(metric, NullCount):
        return Aggregation([sa.func.count() - sa.func.count(col(metric.column))], lambda v: _int(v[0]))
    if isinstance(metric, CompleteCount):
        if len(metric.columns) == 1:
            return Aggregation([sa.func.count(col(metric.columns[0]))], lambda v: _int(v[0]))
        return Aggregation([count_where(_all_present(metric.columns), dialect)], lambda v: _int(v[0]))
    if isinstance(metric, DuplicateCount):
        if len(metric.columns) == 1:
            c = col(metric.columns[0])
            return Aggregation([sa.func.count(c) - sa.func.count(sa.distinct(c))], lambda v: _int(v[0]))
        repeated = sa.and_(col(window_label(metric.columns)) > 1, _all_present(metric.columns))
        return Aggregation([count_where(repeated, dialect)], lambda v: _int(v[0]))
    if isinstance(metric, Minimum):
        return Aggregation([sa.func.min(col(metric.column))], lambda v: _number(first(v)))
    if isinstance(metric, Maximum):
        return Aggregation([sa.func.max(col(metric.column))], lambda v: _number(first(v)))
    if isinstance(metric, Mean):
        return Aggregation([sa.func.avg(col(metric.column))], lambda v: _number(first(v)))
    if isinstance(metric, StdDev):
        c = col(metric.column)
        if dialect == "sqlite":  # no STDDEV in SQLite: count, sum and sum of squares
            real = sa.cast(c, sa.Float)
            if shift is not None:
                # Sums of squares of large values cancel catastrophically (values near 1e8
                # gave a stddev of 0); shifting by one of the values keeps the variance and
                # the precision ("shifted data" algorithm).
                real = real - shift(metric.column)
            return Aggregation([sa.func.count(c), sa.func.sum(real), sa.func.sum(real * real)], _sample_stddev)
        return Aggregation([sa.func.stddev_samp(c)], lambda v: _number(first(v)))
    if isinstance(metric, ViolationCount):
        return Aggregation([count_where(violation(metric.predicate, dialect), dialect)], lambda v: _int(v[0]))
    raise TypeError(f"the SQL engine cannot compute metric {metric!r} in a scan")


def window_columns(metrics: Sequence[Metric]) -> list[tuple[str, ...]]:
    """Keys of multi-column duplicate counts: each needs a row_number() window in the scan."""
    keys: dict[tuple[str, ...], None] = {}
    for metric in metrics:
        if isinstance(metric, DuplicateCount) and len(metric.columns) > 1:
            keys[metric.columns] = None
    return list(keys)
