"""Metrics and predicates as Spark column expressions, with SQL's NULL semantics.

A ``Columns`` knows the dataset's schema, so each expression is built for the column's
type: NaN in a float column counts as NULL (as in pandas), timestamps are read as
wall-clock ``TIMESTAMP_NTZ`` values (what the other engines return for naive timestamps),
and a column's text form matches the database's (a whole float prints without ``.0``).
An expression the engine cannot build raises ``Unsupported``; the engine turns that into
a ``MetricError`` for that metric alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F

from airflow_dq.engines.spark.types import is_float, is_timestamp
from airflow_dq.metrics import (
    CompleteCount,
    DistinctCount,
    DuplicateCount,
    HasValue,
    IsIn,
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
    PairFails,
    Predicate,
    Quantile,
    RegexMismatch,
    RowCount,
    SqlConditionFalse,
    StdDev,
    Sum,
    ViolationCount,
)
from airflow_dq.metrics.predicates import COMPARE

# PostgreSQL prints a float8 below 1e15 in plain digits: a whole float prints as an integer.
_PLAIN_FLOAT_LIMIT = 1e15


class Unsupported(Exception):
    """What the Spark engine cannot compute yet (the message names it)."""


class Columns:
    """Builds expressions over one DataFrame's columns."""

    def __init__(self, schema: Any) -> None:
        self.types = {field.name: field.dataType for field in schema.fields}

    def raw(self, name: str) -> Column:
        if name not in self.types:
            raise Unsupported(f"the dataset has no column '{name}'; it has {sorted(self.types)}")
        return F.col(f"`{name}`")

    def missing(self, name: str) -> Column:
        value = self.raw(name)
        return value.isNull() | F.isnan(value) if is_float(self.types[name]) else value.isNull()

    def present(self, name: str) -> Column:
        return ~self.missing(name)

    def value(self, name: str) -> Column:
        """The column with NaN as NULL and instants as wall-clock timestamps."""
        raw = self.raw(name)  # first: names a missing column
        data_type = self.types[name]
        if is_float(data_type):
            return F.when(~F.isnan(raw), raw)
        if is_timestamp(data_type) == "ltz":
            return raw.cast("timestamp_ntz")  # the session time zone's wall clock
        return raw

    def number(self, name: str) -> Column:
        """As a double: booleans as 0/1, decimals as floats (as the pandas engine)."""
        data_type = type(self.types[name]).__name__
        value = self.value(name)
        if data_type == "BooleanType":
            return value.cast("int").cast("double")
        return value.cast("double")

    def text(self, name: str) -> Column:
        """CAST(col AS VARCHAR) as the database prints it."""
        value = self.value(name)
        if is_float(self.types[name]):
            whole = (F.floor(value) == value) & (F.abs(value) < _PLAIN_FLOAT_LIMIT)
            return F.when(whole, value.cast("bigint").cast("string")).otherwise(value.cast("string"))
        return value.cast("string")

    def bound(self, name: str, bound: Any) -> Column:
        """A range bound comparable with the column (ISO text and dates on timestamps)."""
        if is_timestamp(self.types[name]) and isinstance(bound, str | dt.date):
            if isinstance(bound, dt.datetime) and bound.tzinfo is not None:
                bound = bound.astimezone(dt.UTC).replace(tzinfo=None)
            text = bound.isoformat(sep=" ") if isinstance(bound, dt.datetime) else str(bound)
            return F.lit(text).cast("timestamp_ntz")
        if isinstance(bound, dt.datetime) and bound.tzinfo is not None:
            bound = bound.astimezone(dt.UTC).replace(tzinfo=None)
        return F.lit(bound)

    def violates(self, pred: Predicate) -> Column:
        """TRUE exactly for the rows that break ``pred``'s rule (never NULL), from ``VIOLATIONS``."""
        build = VIOLATIONS.get(type(pred))
        if build is None:
            raise Unsupported(lacks_predicate(pred))
        return build(self, pred)

    def aggregate(self, metric: Metric) -> Column:
        """One aggregate expression for a scalar metric (all go into one job), from ``AGGREGATES``."""
        build = AGGREGATES.get(type(metric))
        if build is None:
            raise Unsupported(f"the Spark engine cannot compute {metric.label} yet")
        return build(self, metric)

    def complete(self, columns: tuple[str, ...]) -> Column:
        mask = self.present(columns[0])
        for name in columns[1:]:
            mask = mask & self.present(name)
        return mask

    def columns_of(self, metric: Metric) -> list[str]:
        """The columns a metric reads (to name a missing one before building expressions)."""
        names = [getattr(metric, a) for a in ("column",) if hasattr(metric, a)]
        names += list(getattr(metric, "columns", ()))
        return names


# The Spark engine's registries, as the SQL compiler's PREDICATES/SCALAR and the pandas
# engine's MASKS/STATES: a type -> how it becomes a Spark column expression. The engine's
# ``missing`` asks them before the suite measures anything.
Builder = Callable[[Columns, Any], Column]
VIOLATIONS: dict[type[Predicate], Builder] = {}
AGGREGATES: dict[type[Metric], Builder] = {}

# Rules the Spark engine has no expression for yet, and why (``missing`` says so).
NOT_YET: dict[type[Predicate], Callable[[Any], str]] = {
    MissingInParent: lambda pred: (
        f"the Spark engine cannot check references to a parent table yet (it needs a join with {pred.parent_table})"
    ),
}


def lacks_predicate(pred: Predicate) -> str:
    """Why the Spark engine has no expression for ``pred``."""
    reason = NOT_YET.get(type(pred))
    return reason(pred) if reason else f"the Spark engine cannot evaluate {type(pred).__name__} yet"


def _rule(kind: type[Predicate]) -> Callable[[Builder], Builder]:
    def register(build: Builder) -> Builder:
        VIOLATIONS[kind] = build
        return build

    return register


def _aggregates(kind: type[Metric]) -> Callable[[Builder], Builder]:
    def register(build: Builder) -> Builder:
        AGGREGATES[kind] = build
        return build

    return register


@_rule(IsNull)
def _is_null(c: Columns, pred: IsNull) -> Column:
    return c.missing(pred.column)


@_rule(HasValue)
def _has_value(c: Columns, pred: HasValue) -> Column:
    return c.present(pred.column)


@_rule(PairFails)
def _pair_fails(c: Columns, pred: PairFails) -> Column:
    holds = COMPARE[pred.op](c.value(pred.left), c.value(pred.right))
    return ~F.coalesce(holds, F.lit(False))


@_rule(SqlConditionFalse)
def _sql_condition_false(c: Columns, pred: SqlConditionFalse) -> Column:
    # Spark SQL is SQL: a row_condition runs as written (in Spark's dialect).
    return ~F.coalesce(F.expr(pred.condition).cast("boolean"), F.lit(False))


@_rule(RegexMismatch)
def _regex_mismatch(c: Columns, pred: RegexMismatch) -> Column:
    # rlike is Java's Matcher.find(): search semantics, as SQLite's REGEXP and PostgreSQL's ~.
    present = c.present(pred.column)
    return present & ~F.coalesce(c.text(pred.column).rlike(pred.pattern), F.lit(False))


@_rule(LengthOutOfRange)
def _length_out_of_range(c: Columns, pred: LengthOutOfRange) -> Column:
    present = c.present(pred.column)
    length = F.length(c.text(pred.column))
    bad = F.lit(False)
    if pred.min is not None:
        bad = bad | (length < pred.min)
    if pred.max is not None:
        bad = bad | (length > pred.max)
    return present & bad


def _inside(c: Columns, pred: NotIn | IsIn) -> Column:
    return F.coalesce(c.value(pred.column).isin([F.lit(v) for v in pred.values]), F.lit(False))


@_rule(NotIn)
def _not_in(c: Columns, pred: NotIn) -> Column:
    present = c.present(pred.column)
    return present & ~_inside(c, pred)


@_rule(IsIn)
def _is_in(c: Columns, pred: IsIn) -> Column:
    present = c.present(pred.column)
    return present & _inside(c, pred)


@_rule(OutOfRange)
def _out_of_range(c: Columns, pred: OutOfRange) -> Column:
    present = c.present(pred.column)
    value = c.value(pred.column)
    bad = F.lit(False)
    if pred.min is not None:
        low = c.bound(pred.column, pred.min)
        bad = bad | (value <= low if pred.strict_min else value < low)
    if pred.max is not None:
        high = c.bound(pred.column, pred.max)
        bad = bad | (value >= high if pred.strict_max else value > high)
    return present & F.coalesce(bad, F.lit(False))


@_aggregates(RowCount)
def _row_count(c: Columns, metric: RowCount) -> Column:
    return F.count(F.lit(1))


@_aggregates(NullCount)
def _null_count(c: Columns, metric: NullCount) -> Column:
    return F.count(F.when(c.missing(metric.column), 1))


@_aggregates(CompleteCount)
def _complete_count(c: Columns, metric: CompleteCount) -> Column:
    return F.count(F.when(c.complete(metric.columns), 1))


@_aggregates(ViolationCount)
def _violation_count(c: Columns, metric: ViolationCount) -> Column:
    return F.count(F.when(c.violates(metric.predicate), 1))


@_aggregates(DuplicateCount)
def _duplicate_count(c: Columns, metric: DuplicateCount) -> Column:
    # Only the default count fits an aggregate (the engine gives the others a GROUP BY job):
    # surplus rows = complete rows minus distinct complete keys (COUNT DISTINCT skips NULL keys).
    if not metric.ignore_nulls or metric.count_all:
        raise Unsupported(f"the Spark engine computes {metric.label} in a job of its own, not in an aggregate")
    complete = F.count(F.when(c.complete(metric.columns), 1))
    return complete - F.count_distinct(*(c.value(col) for col in metric.columns))


@_aggregates(Minimum)
def _minimum(c: Columns, metric: Minimum) -> Column:
    return F.min(c.value(metric.column))


@_aggregates(Maximum)
def _maximum(c: Columns, metric: Maximum) -> Column:
    return F.max(c.value(metric.column))


@_aggregates(Mean)
def _mean(c: Columns, metric: Mean) -> Column:
    return F.avg(c.number(metric.column))


@_aggregates(StdDev)
def _stddev(c: Columns, metric: StdDev) -> Column:
    return F.stddev_samp(c.number(metric.column))


@_aggregates(Sum)
def _sum(c: Columns, metric: Sum) -> Column:
    data_type = type(c.types[metric.column]).__name__
    value = c.value(metric.column)
    if data_type == "BooleanType":
        value = value.cast("int")
    elif data_type == "DecimalType":
        value = value.cast("double")  # as the pandas engine: decimals add up as floats
    return F.sum(value)


@_aggregates(DistinctCount)
def _distinct_count(c: Columns, metric: DistinctCount) -> Column:
    return F.count_distinct(c.value(metric.column))


@_aggregates(Quantile)
def _quantile(c: Columns, metric: Quantile) -> Column:
    # Exact, linearly interpolated between the two nearest ranks (percentile_cont).
    return F.percentile(c.number(metric.column), F.lit(metric.q))
