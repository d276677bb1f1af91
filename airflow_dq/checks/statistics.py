"""More one-number checks on a column: sum, quantiles and the median, distinct values.

All of them are measured in the shared scan (see ``checks.aggregates.StatisticBetween``);
bounds take ``strict_min``/``strict_max`` and templates, like every check with bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_dq.checks.aggregates import StatisticBetween
from airflow_dq.metrics import CompleteCount, DistinctCount, Metric, Quantile, Sum


class SumBetween(StatisticBetween):
    """The sum of the non-NULL values of ``column`` lies within bounds (booleans as 0/1).

    ``sum_between("amount", min=0, max=1e6)``, ``sum_between("is_refund", max=100)``
    """

    check_type = "sum_between"
    metric_type = Sum
    statistic = "sum"


class QuantileBetween(StatisticBetween):
    """The ``q`` quantile of the non-NULL values of ``column`` lies within bounds.

    Linear interpolation between the two nearest ranks, as SQL's ``percentile_cont`` and
    pandas' ``quantile``: exact on every engine. PostgreSQL computes it with
    ``percentile_cont`` in the scan; SQLite (no ``percentile_cont``) reads the two values
    around the rank from ordered sub-selects inside the same statement, which sorts the
    column; a DataFrame keeps the column's non-NULL values (8 bytes each) for the sort.

    ``quantile_between("latency_ms", 0.95, max=800)``
    """

    check_type = "quantile_between"
    statistic = "quantile"

    def __init__(self, column: str, q: float, min: Any = None, max: Any = None, **kwargs: Any) -> None:  # noqa: A002
        super().__init__(column, min, max, **kwargs)
        self._number_arg("q", q, allow_none=False)
        if not 0 <= q <= 1:
            raise self._argument_error("q", f"must be a fraction in [0, 1], got {q!r}")
        self.q = float(q)
        self.statistic = f"{self.q:g} quantile"

    def metric(self) -> Metric:
        return Quantile(self.column, self.q)


class MedianBetween(StatisticBetween):
    """The median (0.5 quantile) of the non-NULL values of ``column`` lies within bounds,
    computed as ``quantile_between(column, 0.5, ...)`` is.

    ``median_between("basket_size", min=2, max=5)``
    """

    # Not a QuantileBetween subclass: suite files read a check's arguments from its
    # constructors' signatures, and a fixed q must not show up as an argument there.
    check_type = "median_between"
    statistic = "median"
    q = 0.5

    def metric(self) -> Metric:
        return Quantile(self.column, self.q)


class DistinctCountBetween(StatisticBetween):
    """The number of distinct non-NULL values of ``column`` lies within bounds (any type).

    ``distinct_count_between("country", min=20, max=250)``
    """

    check_type = "distinct_count_between"
    metric_type = DistinctCount
    statistic = "distinct count"
    integral = True

    def __init__(self, column: str, min: Any = None, max: Any = None, **kwargs: Any) -> None:  # noqa: A002
        super().__init__(column, min, max, **kwargs)
        self._bounds_args(min, max, kinds="count", strict_min=self.strict_min, strict_max=self.strict_max)

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return self._resolve_bounds()  # distinct values of any type


class DistinctRatioBetween(StatisticBetween):
    """Distinct non-NULL values / non-NULL values of ``column`` lies within bounds (in [0, 1]).

    1.0 means every value is unique; a low ratio means few values repeat a lot.
    ``distinct_ratio_between("user_id", min=0.9)``
    """

    check_type = "distinct_ratio_between"
    statistic = "distinct ratio"

    def __init__(self, column: str, min: Any = None, max: Any = None, **kwargs: Any) -> None:  # noqa: A002
        super().__init__(column, min, max, **kwargs)
        for argument, value in (("min", min), ("max", max)):
            if isinstance(value, int | float) and not 0 <= value <= 1:
                raise self._argument_error(argument, f"must be a fraction in [0, 1], got {value!r}")

    def metrics(self) -> tuple[Metric, ...]:
        return (DistinctCount(self.column), CompleteCount((self.column,)))

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return self._resolve_bounds()

    def statistic_value(self, values: Mapping[Metric, Any]) -> Any:
        values_seen = int(values[CompleteCount((self.column,))] or 0)
        return None if values_seen == 0 else int(values[DistinctCount(self.column)]) / values_seen
