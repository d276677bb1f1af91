"""Reconciliation with the source: every row that left the source landed here.

The classic check for partially missing data: the checked dataset's row count (or a
column's sum) equals the source's, within ``tolerance``. The source is a table
(``other_table``, optionally ``other_schema``) or a query (``other_sql``), narrowed by a raw
SQL ``other_where``, in the same database or behind the Airflow connection
``other_conn_id`` (e.g. the OLTP database a pipeline copied from). A source that cannot be
reached is an infrastructure error (the task retries), never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_dq.checks.base import Check, CheckContext, Verdict, fmt_number, needs_number
from airflow_dq.checks.bounds import REL_TOL
from airflow_dq.metrics import Metric, RowCount, Sum
from airflow_dq.metrics.elsewhere import Elsewhere
from airflow_dq.metrics.grouped import Reference


class Reconciliation(Check):
    """Base class: a number of this dataset equals the same number measured on a source."""

    template_fields = ("other_table", "other_schema", "other_sql", "other_where", "other_conn_id")
    what = ""

    def __init__(
        self,
        other_table: str | None = None,
        *,
        other_sql: str | None = None,
        other_schema: str | None = None,
        other_where: str | None = None,
        other_conn_id: str | None = None,
        tolerance: float = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (other_table is None) == (other_sql is None):
            raise self._argument_error("other_table", "or 'other_sql': give exactly one (the source to compare with)")
        for argument, value in (
            ("other_table", other_table),
            ("other_sql", other_sql),
            ("other_schema", other_schema),
            ("other_where", other_where),
            ("other_conn_id", other_conn_id),
        ):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise self._argument_error(argument, f"must be a non-empty string, got {value!r}")
        self._number_arg("tolerance", tolerance, allow_none=False)
        if not 0 <= tolerance < 1:
            raise self._argument_error(
                "tolerance", f"must be a fraction of the source's value in [0, 1), got {tolerance!r}"
            )
        self.other_table, self.other_sql, self.other_schema = other_table, other_sql, other_schema
        self.other_where, self.other_conn_id = other_where, other_conn_id
        self.tolerance = tolerance

    # -- what subclasses define ------------------------------------------------------
    def own_metric(self) -> Metric:
        raise NotImplementedError

    def source_metric(self) -> Metric:
        return self.own_metric()

    # -- shared ----------------------------------------------------------------------
    def source(self) -> Reference:
        return Reference(table=self.other_table, schema=self.other_schema, query=self.other_sql, where=self.other_where)

    def elsewhere(self) -> Elsewhere:
        return Elsewhere(self.source_metric(), self.source(), self.other_conn_id)

    def metrics(self) -> tuple[Metric, ...]:
        return (self.own_metric(), self.elsewhere())

    def describe_source(self) -> str:
        via = f" (connection {self.other_conn_id})" if self.other_conn_id else ""
        return f"{self.source()}{via}"

    def expectation(self) -> str:
        within = f" within {self.tolerance:.4%}" if self.tolerance else ""
        return f"{self.what} equals the source's{within}: {self.describe_source()}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        own, other = values[self.own_metric()], values[self.elsewhere()]
        if own is None or other is None:
            side = "this dataset" if own is None else "the source"
            return Verdict(False, own, f"the {self.what} of {side} is NULL (no values), so they cannot match")
        difference = float(own) - float(other)
        allowed = self.tolerance * abs(float(other))
        exact = isinstance(own, int) and isinstance(other, int) and not self.tolerance
        # Sums of floats differ in the last digits between databases: the float tolerance applies.
        passed = own == other if exact else abs(difference) <= allowed + REL_TOL * max(abs(own), abs(other))
        shown = f"{fmt_number(own)} here vs {fmt_number(other)} in the source"
        if passed:
            return Verdict(True, own, f"{self.what} matches: {shown}", metrics={"difference": difference})
        missing = " (rows missing here?)" if difference < 0 else " (more here than in the source)"
        return Verdict(
            False,
            own,
            f"{self.what} differs by {fmt_number(difference)}: {shown}{missing}; allowed difference "
            f"{fmt_number(allowed)}",
            metrics={"difference": difference},
        )


class RowCountMatches(Reconciliation):
    """This dataset has as many rows as the source (within ``tolerance``, a fraction).

    .. code-block:: python

        DataQualityOperator(
            task_id="reconcile_orders",
            conn_id="warehouse",
            table="orders",
            where="order_date = '{{ ds }}'",
            checks=[
                row_count_matches(
                    "orders",
                    other_conn_id="orders_oltp",
                    other_where="order_date = '{{ ds }}'",
                )
            ],
        )
    """

    check_type = "row_count_matches"
    what = "row count"

    def own_metric(self) -> Metric:
        return RowCount()


class SumMatches(Reconciliation):
    """The sum of ``column`` equals the source's sum of ``other_column`` (default: the same
    name), within ``tolerance``: "every amount that left the source landed here".

    ``sum_matches("amount", other_table="payments", other_conn_id="payments_db")``
    """

    check_type = "sum_matches"

    def __init__(
        self, column: str, other_table: str | None = None, *, other_column: str | None = None, **kwargs: Any
    ) -> None:
        self._columns_for_errors = column
        super().__init__(other_table, **kwargs)
        self.column = self._column_arg("column", column)
        self.other_column = self._column_arg("other_column", other_column or column)

    @property
    def what(self) -> str:  # type: ignore[override]
        return f"sum of '{self.column}'"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return needs_number(self.column, column_types, booleans=True)

    def own_metric(self) -> Metric:
        return Sum(self.column)

    def source_metric(self) -> Metric:
        return Sum(self.other_column)
