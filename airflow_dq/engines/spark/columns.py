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
        """TRUE exactly for the rows that break ``pred``'s rule (never NULL)."""
        if isinstance(pred, IsNull):
            return self.missing(pred.column)
        if isinstance(pred, HasValue):
            return self.present(pred.column)
        if isinstance(pred, PairFails):
            holds = COMPARE[pred.op](self.value(pred.left), self.value(pred.right))
            return ~F.coalesce(holds, F.lit(False))
        if isinstance(pred, SqlConditionFalse):
            # Spark SQL is SQL: a row_condition runs as written (in Spark's dialect).
            return ~F.coalesce(F.expr(pred.condition).cast("boolean"), F.lit(False))
        if isinstance(pred, MissingInParent):
            raise Unsupported(
                "the Spark engine cannot check references to a parent table yet (it needs a join with "
                f"{pred.parent_table})"
            )
        present = self.present(pred.column)
        if isinstance(pred, RegexMismatch):
            # rlike is Java's Matcher.find(): search semantics, as SQLite's REGEXP and PostgreSQL's ~.
            return present & ~F.coalesce(self.text(pred.column).rlike(pred.pattern), F.lit(False))
        if isinstance(pred, LengthOutOfRange):
            length = F.length(self.text(pred.column))
            bad = F.lit(False)
            if pred.min is not None:
                bad = bad | (length < pred.min)
            if pred.max is not None:
                bad = bad | (length > pred.max)
            return present & bad
        value = self.value(pred.column)
        if isinstance(pred, NotIn | IsIn):
            inside = F.coalesce(value.isin([F.lit(v) for v in pred.values]), F.lit(False))
            return present & (~inside if isinstance(pred, NotIn) else inside)
        if isinstance(pred, OutOfRange):
            bad = F.lit(False)
            if pred.min is not None:
                low = self.bound(pred.column, pred.min)
                bad = bad | (value <= low if pred.strict_min else value < low)
            if pred.max is not None:
                high = self.bound(pred.column, pred.max)
                bad = bad | (value >= high if pred.strict_max else value > high)
            return present & F.coalesce(bad, F.lit(False))
        raise Unsupported(f"the Spark engine cannot evaluate {type(pred).__name__} yet")

    def aggregate(self, metric: Metric) -> Column:
        """One aggregate expression for a scalar metric (all go into one job)."""
        if isinstance(metric, RowCount):
            return F.count(F.lit(1))
        if isinstance(metric, NullCount):
            return F.count(F.when(self.missing(metric.column), 1))
        if isinstance(metric, CompleteCount):
            return F.count(F.when(self.complete(metric.columns), 1))
        if isinstance(metric, ViolationCount):
            return F.count(F.when(self.violates(metric.predicate), 1))
        if isinstance(metric, DuplicateCount) and metric.ignore_nulls and not metric.count_all:
            # Surplus rows: complete rows minus distinct complete keys (COUNT DISTINCT skips NULL keys).
            complete = F.count(F.when(self.complete(metric.columns), 1))
            return complete - F.count_distinct(*(self.value(c) for c in metric.columns))
        if isinstance(metric, Minimum):
            return F.min(self.value(metric.column))
        if isinstance(metric, Maximum):
            return F.max(self.value(metric.column))
        if isinstance(metric, Mean):
            return F.avg(self.number(metric.column))
        if isinstance(metric, StdDev):
            return F.stddev_samp(self.number(metric.column))
        if isinstance(metric, Sum):
            data_type = type(self.types[metric.column]).__name__
            value = self.value(metric.column)
            if data_type == "BooleanType":
                value = value.cast("int")
            elif data_type == "DecimalType":
                value = value.cast("double")  # as the pandas engine: decimals add up as floats
            return F.sum(value)
        if isinstance(metric, DistinctCount):
            return F.count_distinct(self.value(metric.column))
        if isinstance(metric, Quantile):
            # Exact, linearly interpolated between the two nearest ranks (percentile_cont).
            return F.percentile(self.number(metric.column), F.lit(metric.q))
        raise Unsupported(f"the Spark engine cannot compute {metric.label} yet")

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
