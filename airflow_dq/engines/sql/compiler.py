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

from airflow_dq.engines.sql.dialects import Dialect
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
    OrderViolations,
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
from airflow_dq.metrics.sketches import ApproxDistinctCount


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


# Row predicates -> the SQL boolean TRUE for the rows that break them, by registry.
PREDICATES: dict[type[Predicate], Callable[[Any, Dialect], sa.ColumnElement[bool]]] = {}


def _rule(kind: type[Predicate]) -> Callable[[Callable[[Any, Dialect], Any]], Callable[[Any, Dialect], Any]]:
    def register(build: Callable[[Any, Dialect], Any]) -> Callable[[Any, Dialect], Any]:
        PREDICATES[kind] = build
        return build

    return register


def violation(pred: Predicate, dialect: Dialect) -> sa.ColumnElement[bool]:
    """A boolean that is TRUE exactly for the rows that break ``pred``'s rule.

    For a NULL value a column rule is NULL, not TRUE, so COUNT/FILTER/WHERE skip the row
    without an extra ``IS NOT NULL`` test per row (a few % of a wide scan).
    """
    build = PREDICATES.get(type(pred))
    if build is None:
        raise TypeError(f"the SQL engine cannot evaluate predicate {pred!r}")
    return build(pred, dialect)


@_rule(IsNull)
def _is_null(pred: IsNull, dialect: Dialect) -> Any:
    return col(pred.column).is_(None)


@_rule(HasValue)
def _has_value(pred: HasValue, dialect: Dialect) -> Any:
    return col(pred.column).is_not(None)


@_rule(SqlConditionFalse)
def _condition_false(pred: SqlConditionFalse, dialect: Dialect) -> Any:
    return dialect.not_true(raw_sql(f"({pred.condition})"))


@_rule(PairFails)
def _pair_fails(pred: PairFails, dialect: Dialect) -> Any:
    # Built with Core, not text: the columns are quoted identifiers.
    return dialect.not_true(COMPARE[pred.op](col(pred.left), col(pred.right)))


@_rule(NotIn)
def _not_in(pred: NotIn, dialect: Dialect) -> Any:
    return col(pred.column).not_in(list(pred.values))


@_rule(IsIn)
def _is_in(pred: IsIn, dialect: Dialect) -> Any:
    return col(pred.column).in_(list(pred.values))


@_rule(OutOfRange)
def _out_of_range(pred: OutOfRange, dialect: Dialect) -> Any:
    column, outside = col(pred.column), []
    low, high = dialect.bound_value(pred.min), dialect.bound_value(pred.max)
    if low is not None:
        outside.append(column <= low if pred.strict_min else column < low)
    if high is not None:
        outside.append(column >= high if pred.strict_max else column > high)
    return sa.or_(*outside)


@_rule(RegexMismatch)
def _regex_mismatch(pred: RegexMismatch, dialect: Dialect) -> Any:
    return sa.not_(dialect.regex_match(col(pred.column), pred.pattern))


@_rule(LengthOutOfRange)
def _length_out_of_range(pred: LengthOutOfRange, dialect: Dialect) -> Any:
    length = dialect.text_length(col(pred.column))
    # An exact length needs one length() per row, not two (counting characters is the
    # costly part of this rule).
    if pred.min is not None and pred.min == pred.max:
        return length != pred.min
    outside = []
    if pred.min is not None:
        outside.append(length < pred.min)
    if pred.max is not None:
        outside.append(length > pred.max)
    return sa.or_(*outside)


@_rule(MissingInParent)
def _missing_in_parent(pred: MissingInParent, dialect: Dialect) -> Any:
    parent = sa.table(pred.parent_table, sa.column(pred.parent_column), schema=pred.parent_schema)
    key = parent.c[pred.parent_column]
    # NOT IN over a NULL-free subquery: PostgreSQL runs it as one hashed sub-plan.
    return col(pred.column).not_in(sa.select(key).where(key.is_not(None)).scalar_subquery())


def count_where(condition: sa.ColumnElement[bool], dialect: Dialect) -> sa.ColumnElement[int]:
    """COUNT of the rows where ``condition`` is TRUE."""
    if dialect.filter_clause:
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


Number = Callable[[str], sa.ColumnElement[Any]]
Dataset = Callable[..., sa.Select[Any]]


@dataclass(frozen=True)
class Scope:
    """What compiling a metric may need besides the metric: the dialect, the name of the
    row_number() column of a duplicate key, a shift value for SQLite's standard deviation,
    the column as a number, and a SELECT of the filtered dataset for sub-selects."""

    dialect: Dialect
    window_label: Callable[[tuple[str, ...]], str]
    shift: Callable[[str], sa.ColumnElement[Any]] | None
    as_number: Number
    dataset: Dataset | None


# The SQL engine's metric registry: metric type -> how it compiles to aggregates. The
# suite asks ``compiles(metric)`` (through the engine's ``missing``) before the scan.
SCALAR: dict[type[Metric], Callable[[Any, Scope], Aggregation]] = {}


def _compiles(
    *kinds: type[Metric],
) -> Callable[[Callable[[Any, Scope], Aggregation]], Callable[[Any, Scope], Aggregation]]:
    def register(build: Callable[[Any, Scope], Aggregation]) -> Callable[[Any, Scope], Aggregation]:
        for kind in kinds:
            SCALAR[kind] = build
        return build

    return register


def compiles(metric: Metric) -> bool:
    """Whether the scan can compute ``metric``."""
    if isinstance(metric, ViolationCount):
        return type(metric.predicate) in PREDICATES
    return type(metric) in SCALAR


def aggregation(
    metric: Metric,
    dialect: Dialect,
    window_label: Callable[[tuple[str, ...]], str],
    shift: Callable[[str], sa.ColumnElement[Any]] | None = None,
    *,
    number: Number | None = None,
    dataset: Dataset | None = None,
) -> Aggregation:
    """Compile one scalar metric. ``window_label(columns)`` names the row_number() column
    the engine adds for duplicate counts; ``shift(column)``, when given, is a value of the
    column that SQLite's standard deviation subtracts first (see below); ``number(column)``
    is the column as a number (a boolean cast to 0/1); ``dataset(*columns)`` is a SELECT of
    the filtered dataset, for metrics that need a sub-select inside the scan (quantiles
    without ``percentile_cont``, order checks)."""
    build = SCALAR.get(type(metric))
    if build is None:
        raise TypeError(f"the SQL engine cannot compute metric {metric!r} in a scan")
    return build(metric, Scope(dialect, window_label, shift, number or col, dataset))


def _first_number(values: list[Any]) -> Any:
    return _number(values[0])


def _first_int(values: list[Any]) -> int:
    return _int(values[0])


@_compiles(RowCount)
def _row_count(metric: RowCount, scope: Scope) -> Aggregation:
    return Aggregation([sa.func.count()], _first_int)


@_compiles(NullCount)
def _null_count(metric: NullCount, scope: Scope) -> Aggregation:
    return Aggregation([sa.func.count() - sa.func.count(col(metric.column))], _first_int)


@_compiles(CompleteCount)
def _complete_count(metric: CompleteCount, scope: Scope) -> Aggregation:
    if len(metric.columns) == 1:
        return Aggregation([sa.func.count(col(metric.columns[0]))], _first_int)
    return Aggregation([count_where(_all_present(metric.columns), scope.dialect)], _first_int)


@_compiles(DuplicateCount)
def _duplicate_count(metric: DuplicateCount, scope: Scope) -> Aggregation:
    return _duplicates(metric, scope.dialect, scope.window_label)


@_compiles(DistinctCount, ApproxDistinctCount)  # approximate: exact on a plain scan, sketched when incremental
def _distinct_count(metric: DistinctCount | ApproxDistinctCount, scope: Scope) -> Aggregation:
    return Aggregation([sa.func.count(sa.distinct(col(metric.column)))], _first_int)


@_compiles(Minimum)
def _minimum(metric: Minimum, scope: Scope) -> Aggregation:
    return Aggregation([sa.func.min(col(metric.column))], _first_number)


@_compiles(Maximum)
def _maximum(metric: Maximum, scope: Scope) -> Aggregation:
    return Aggregation([sa.func.max(col(metric.column))], _first_number)


@_compiles(Mean)
def _mean(metric: Mean, scope: Scope) -> Aggregation:
    return Aggregation([sa.func.avg(scope.dialect.averaged(scope.as_number(metric.column)))], _first_number)


@_compiles(Sum)
def _sum(metric: Sum, scope: Scope) -> Aggregation:
    return Aggregation([sa.func.sum(scope.as_number(metric.column))], _first_number)


@_compiles(StdDev)
def _stddev(metric: StdDev, scope: Scope) -> Aggregation:
    c = scope.dialect.averaged(scope.as_number(metric.column))
    stddev = scope.dialect.sample_stddev(c)
    if stddev is not None:
        return Aggregation([stddev], _first_number)
    # No STDDEV (SQLite): count, sum and sum of squares.
    real = sa.cast(c, sa.Float)
    if scope.shift is not None:
        # Sums of squares of large values cancel catastrophically (values near 1e8 gave a
        # stddev of 0); shifting by one of the values keeps the variance and the precision
        # ("shifted data" algorithm).
        real = real - scope.shift(metric.column)
    return Aggregation([sa.func.count(c), sa.func.sum(real), sa.func.sum(real * real)], _sample_stddev)


@_compiles(Quantile)
def _quantile_metric(metric: Quantile, scope: Scope) -> Aggregation:
    return _quantile(metric, scope.dialect, scope.as_number, scope.dataset)


@_compiles(OrderViolations)
def _order_metric(metric: OrderViolations, scope: Scope) -> Aggregation:
    return _order_violations(metric, scope.dataset)


@_compiles(ViolationCount)
def _violation_count(metric: ViolationCount, scope: Scope) -> Aggregation:
    return Aggregation([count_where(violation(metric.predicate, scope.dialect), scope.dialect)], _first_int)


def _duplicates(
    metric: DuplicateCount, dialect: Dialect, window_label: Callable[[tuple[str, ...]], str]
) -> Aggregation:
    columns = metric.columns
    if len(columns) == 1 and metric.ignore_nulls and not metric.count_all:
        c = col(columns[0])
        return Aggregation([sa.func.count(c) - sa.func.count(sa.distinct(c))], lambda v: _int(v[0]))
    rank = col(window_label(columns))  # row_number() within the rows of one key
    keyed = [_all_present(columns)] if metric.ignore_nulls else []
    surplus = count_where(sa.and_(rank > 1, *keyed), dialect)
    if not metric.count_all:
        return Aggregation([surplus], lambda v: _int(v[0]))
    # Every row of a repeated key = the surplus rows + one first row per repeated key (the
    # keys that have a second row).
    repeated_keys = count_where(sa.and_(rank == 2, *keyed), dialect)
    return Aggregation([surplus, repeated_keys], lambda v: _int(v[0]) + _int(v[1]))


def _quantile(metric: Quantile, dialect: Dialect, as_number: Number, dataset: Dataset | None) -> Aggregation:
    value = dialect.averaged(as_number(metric.column))
    if dialect.percentile_cont:  # exact, in the scan: an ordered-set aggregate
        return Aggregation([sa.func.percentile_cont(metric.q).within_group(value)], lambda v: _number(v[0]))
    if dataset is None:
        raise TypeError(f"the SQL engine cannot compute {metric!r} without a dataset sub-select")
    if not dialect.offset_expressions:
        return _ranked_quantile(metric, value, dataset)
    # No percentile_cont aggregate (SQLite): one ordered sub-select inside the scan reads the two values
    # at ranks floor(q * (n - 1)) and the next (LIMIT 2 OFFSET), and interpolates between
    # them as percentile_cont does. Exact, at the cost of one sort of the column.
    count = dataset(sa.func.count(col(metric.column))).correlate(None).scalar_subquery()
    position = (count - 1) * metric.q
    rank = sa.cast(position, sa.Integer)
    pair = (
        dataset(value.label("dq_value"))
        .where(col(metric.column).is_not(None))
        .order_by(value)
        .limit(2)
        .offset(rank)
        .subquery("dq_ranks")
    )
    low, high = sa.func.min(pair.c.dq_value), sa.func.max(pair.c.dq_value)
    interpolated = sa.select(low + (position - rank) * (high - low)).select_from(pair).correlate(None)
    return Aggregation(
        [sa.func.count(col(metric.column)), interpolated.scalar_subquery()],
        lambda v: None if not _int(v[0]) or v[1] is None else float(_number(v[1])),
    )


def _ranked_quantile(metric: Quantile, value: Any, dataset: Dataset) -> Aggregation:
    """percentile_cont where LIMIT/OFFSET take constants only (MySQL, MariaDB, SQL Server):
    row_number() and count() windows rank the values in one sub-select, and the two rows
    around floor(q * (n - 1)) are interpolated as percentile_cont does."""
    column = col(metric.column)
    ranked = (
        dataset(
            value.label("dq_value"),
            sa.func.row_number().over(order_by=value).label("dq_rank"),
            sa.func.count().over().label("dq_n"),
        )
        .where(column.is_not(None))
        .subquery("dq_ranked")
    )
    position = (ranked.c.dq_n - 1) * metric.q
    below = sa.func.floor(position)
    pair = (
        sa.select(ranked.c.dq_value.label("dq_value"), (position - below).label("dq_fraction"))
        .where(ranked.c.dq_rank >= below + 1, ranked.c.dq_rank <= below + 2)
        .subquery("dq_pair")
    )
    low, high = sa.func.min(pair.c.dq_value), sa.func.max(pair.c.dq_value)
    interpolated = sa.select(low + sa.func.max(pair.c.dq_fraction) * (high - low)).select_from(pair).correlate(None)
    return Aggregation(
        [sa.func.count(column), interpolated.scalar_subquery()],
        lambda v: None if not _int(v[0]) or v[1] is None else float(_number(v[1])),
    )


def _order_violations(metric: OrderViolations, dataset: Dataset | None) -> Aggregation:
    if dataset is None:
        raise TypeError(f"the SQL engine cannot compute {metric!r} without a dataset sub-select")
    value, key = col(metric.column), col(metric.order_by)
    ordered = (
        dataset(value.label("dq_value"), sa.func.lag(value).over(order_by=key).label("dq_previous"))
        .where(value.is_not(None), key.is_not(None))
        .subquery("dq_ordered")
    )
    current, previous = ordered.c.dq_value, ordered.c.dq_previous
    increasing = metric.direction == "increasing"
    if metric.strictly:
        broken = current <= previous if increasing else current >= previous
    else:
        broken = current < previous if increasing else current > previous
    count = sa.select(sa.func.count()).select_from(ordered).where(broken).correlate(None).scalar_subquery()
    return Aggregation([count], lambda v: _int(v[0]))


def window_columns(metrics: Sequence[Metric]) -> list[tuple[str, ...]]:
    """Keys of duplicate counts that need a row_number() window in the scan (several
    columns, NULL as a value, or every row of a repeated key)."""
    keys: dict[tuple[str, ...], None] = {}
    for metric in metrics:
        if isinstance(metric, DuplicateCount) and (
            len(metric.columns) > 1 or not metric.ignore_nulls or metric.count_all
        ):
            keys[metric.columns] = None
    return list(keys)
