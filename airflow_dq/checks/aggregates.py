"""Checks on one aggregate value: row count, mean, standard deviation, freshness, custom SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from airflow_dq.checks.base import (
    CannotJudge,
    Check,
    CheckContext,
    CountBetween,
    Verdict,
    fmt_number,
    needs_number,
)
from airflow_dq.metrics import CustomScalar, Maximum, Mean, Metric, RowCount, StdDev, WrongShape
from airflow_dq.sql_fragments import stacked_problem


class RowCountCheck(CountBetween):
    """The number of rows (after the ``where`` filter) lies within bounds.

    Bounds are whole numbers >= 0, or templates rendered per run
    (``min="{{ params.min_rows }}"``); ``strict_min``/``strict_max`` exclude the bound.

    ``row_count(min=1000)``, ``row_count(min=1, max=5_000_000)``
    """

    check_type = "row_count"

    def metrics(self) -> tuple[Metric, ...]:
        return (RowCount(),)

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return self._resolve_bounds()  # templated bounds, rendered: read as numbers

    def expectation(self) -> str:
        return f"row count {self._bounds_text()}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        rows = int(values[RowCount()])
        passed = self._in_bounds(rows)
        verb = "is" if passed else "is not"
        return Verdict(passed, rows, f"{fmt_number(rows)} rows, which {verb} {self._bounds_text()}")


class StatisticBetween(Check):
    """Base class: one statistic of a numeric (or boolean, as 0/1) column within bounds."""

    metric_type: type[Metric]
    statistic = ""
    needs = 1  # values needed for the statistic to exist
    template_fields = ("min", "max")
    booleans = True  # booleans are measured as 0/1
    integral = False  # a count (observed as an integer) rather than a measurement

    def __init__(
        self,
        column: str,
        min: float | str | None = None,  # noqa: A002
        max: float | str | None = None,  # noqa: A002
        *,
        strict_min: bool = False,
        strict_max: bool = False,
        **kwargs: Any,
    ) -> None:
        self._columns_for_errors = column
        super().__init__(**kwargs)
        self.column = self._column_arg("column", column)
        self._bounds_args(min, max, strict_min=strict_min, strict_max=strict_max)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def metric(self) -> Metric:
        return self.metric_type(self.column)

    def metrics(self) -> tuple[Metric, ...]:
        return (self.metric(),)

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return needs_number(self.column, column_types, booleans=self.booleans) or self._resolve_bounds()

    def expectation(self) -> str:
        return f"{self.statistic} of '{self.column}' {self._bounds_text()}"

    def statistic_value(self, values: Mapping[Metric, Any]) -> Any:
        return values[self.metric()]

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        value = self.statistic_value(values)
        if value is None:
            return Verdict(
                False,
                None,
                f"the {self.statistic} of '{self.column}' cannot be computed: it needs at least "
                f"{self.needs} non-NULL value{'s' if self.needs > 1 else ''}",
            )
        value = int(value) if self.integral else float(value)
        passed = self._in_bounds(value)
        verb = "is" if passed else "is not"
        return Verdict(
            passed,
            value,
            f"{self.statistic} of '{self.column}' is {fmt_number(value)}, which {verb} {self._bounds_text()}",
        )


class MeanBetween(StatisticBetween):
    """The mean of the non-NULL values of ``column`` lies within bounds (booleans as 0/1).

    ``mean_between("amount", min=20, max=80)``, ``mean_between("is_fraud", max=0.02)``
    """

    check_type = "mean_between"
    metric_type = Mean
    statistic = "mean"


class StdDevBetween(StatisticBetween):
    """The sample standard deviation of ``column`` lies within bounds (needs 2+ values).

    ``stddev_between("amount", max=50)``
    """

    check_type = "stddev_between"
    metric_type = StdDev
    statistic = "standard deviation"
    needs = 2


def parse_timestamp(value: Any, tz: dt.tzinfo) -> dt.datetime:
    """A database timestamp (datetime, date, ISO string, or epoch seconds) as an aware datetime."""
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, dt.date):
        stamp = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    elif isinstance(value, str):
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    else:
        raise TypeError(f"cannot read {value!r} ({type(value).__name__}) as a timestamp")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=tz)


class Freshness(Check):
    """The newest timestamp of ``column`` is at most ``max_age`` older than the run's time.

    The run's time is the end of its data interval (falling back to its logical date, then
    to the clock), so a backfill judges each day by its own date. Timestamps stored without
    a time zone are read in ``timezone`` (default: the provider's ``default_timezone``,
    UTC unless configured).

    ``freshness("loaded_at", max_age=timedelta(hours=2))``
    """

    check_type = "freshness"

    def __init__(self, column: str, max_age: dt.timedelta, *, timezone: str | None = None, **kwargs: Any) -> None:
        self._columns_for_errors = column
        super().__init__(**kwargs)
        self.column = self._column_arg("column", column)
        if not isinstance(max_age, dt.timedelta) or max_age <= dt.timedelta(0):
            raise self._argument_error("max_age", f"must be a positive timedelta, got {max_age!r}")
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError, TypeError) as err:
                raise self._argument_error("timezone", f"is not a known time zone: {timezone!r}") from err
        self.max_age = max_age
        self.timezone = timezone

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def metrics(self) -> tuple[Metric, ...]:
        return (Maximum(self.column),)

    def expectation(self) -> str:
        return f"newest '{self.column}' at most {self.max_age} old"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        raw = values[Maximum(self.column)]
        if raw is None:
            return Verdict(
                False, None, f"'{self.column}' has no timestamps (no non-NULL rows), so the data is not fresh"
            )
        try:
            newest = parse_timestamp(raw, ZoneInfo(self.timezone or ctx.default_timezone))
        except (TypeError, ValueError) as err:
            family = ctx.column_types.get(self.column, "other")
            raise CannotJudge(
                f"check '{self.name}': column '{self.column}' ({family}) holds {raw!r}, which is not a "
                "timestamp; freshness needs a timestamp or date column (or ISO timestamps as text)"
            ) from err
        age = ctx.now - newest
        observed = newest.astimezone(dt.UTC)
        fresh = age <= self.max_age
        shown_age = f"{age} old" if age >= dt.timedelta(0) else f"{-age} ahead of the run's time"
        verb = "within" if fresh else "older than"
        return Verdict(
            fresh,
            observed,
            f"newest '{self.column}' is {observed:%Y-%m-%d %H:%M:%S} UTC, {shown_age} at "
            f"{ctx.now.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC, {verb} the allowed {self.max_age}",
        )


class CustomSql(Check):
    """A SQL query returning one value, which must lie within bounds (or equal ``equals``).

    The query is raw SQL, rendered with Jinja by the operator and run as its own statement
    (so it is not part of the single scan).

    ``custom_sql("SELECT COUNT(*) FROM orders o LEFT JOIN users u ON ... WHERE u.id IS NULL",
    equals=0, name="orphan_orders")``
    """

    check_type = "custom_sql"
    template_fields = ("sql", "min", "max")

    def __init__(
        self,
        sql: str,
        *,
        min: float | str | None = None,  # noqa: A002
        max: float | str | None = None,  # noqa: A002
        equals: Any = None,
        strict_min: bool = False,
        strict_max: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(sql, str) or not sql.strip():
            raise self._argument_error("sql", f"must be a non-empty SQL query, got {sql!r}")
        stacked = stacked_problem(sql, standalone=True)
        if stacked:
            raise self._argument_error("sql", stacked)
        if equals is not None and (min is not None or max is not None):
            raise self._argument_error("equals", "cannot be combined with min/max")
        if equals is None:
            self._bounds_args(min, max, strict_min=strict_min, strict_max=strict_max)
        else:
            self.min = self.max = self._low = self._high = None
            self.strict_min = self.strict_max = False
            self._bound_kinds = "number"
        self.sql = sql
        self.equals = equals

    def metrics(self) -> tuple[Metric, ...]:
        return (CustomScalar(self.sql),)

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return None if self.equals is not None else self._resolve_bounds()

    def expectation(self) -> str:
        return f"query result = {self.equals!r}" if self.equals is not None else f"query result {self._bounds_text()}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        value = values[CustomScalar(self.sql)]
        if isinstance(value, WrongShape):
            # Using the first cell of a wider result would judge a value nobody chose.
            raise CannotJudge(
                f"check '{self.name}': argument 'sql' must return exactly one row with one column, "
                f"and it returned {value}"
            )
        if self.equals is not None:
            passed = value == self.equals
        elif value is None:
            return Verdict(False, None, "the query returned NULL (or no row), which has no place in the bounds")
        else:
            passed = self._in_bounds(value)
        verb = "meets" if passed else "does not meet"
        return Verdict(passed, value, f"the query returned {fmt_number(value)}, which {verb} {self.expectation()}")
