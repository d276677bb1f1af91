"""Row rules users reach for next: forbidden values, columns that must be empty, a
comparison of two columns, and values that must keep an order.

Each counts its offending rows in the shared scan, like the checks of ``checks.rows``, and
takes ``mostly``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airflow_dq.checks.rows import ColumnRowCheck, RowLevelCheck
from airflow_dq.metrics import (
    COMPARISONS,
    CompleteCount,
    HasValue,
    IsIn,
    Metric,
    OrderViolations,
    PairFails,
    Predicate,
    RowCount,
)
from airflow_dq.metrics.samples import FailureSample

DIRECTIONS = ("increasing", "decreasing")
# Type families that compare with each other ("other" and unknown families: measured).
_COMPARABLE = {
    "integer": "number",
    "float": "number",
    "decimal": "number",
    "boolean": "boolean",
    "string": "text",
    "date": "time",
    "timestamp": "time",
}


class ForbiddenValues(ColumnRowCheck):
    """No non-NULL value of ``column`` is one of ``values`` (the opposite of accepted_values).

    ``forbidden_values("status", ["test", "deleted"])``
    """

    check_type = "forbidden_values"
    violation = "are forbidden values"

    def __init__(self, column: str, values: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(column, **kwargs)
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise self._argument_error("values", f"must be a list of values, got {values!r}")
        forbidden = tuple(dict.fromkeys(values))
        if not forbidden:
            raise self._argument_error("values", "is empty: list at least one forbidden value")
        if any(v is None for v in forbidden):
            raise self._argument_error("values", "contains None: to forbid values, use not_null")
        self.values = forbidden

    def predicate(self) -> Predicate:
        return IsIn(self.column, self.values)

    def rule(self) -> str:
        shown = ", ".join(repr(v) for v in self.values[:10])
        more = f", ... ({len(self.values)} values)" if len(self.values) > 10 else ""
        return f"of '{self.column}' not in {{{shown}{more}}}"


class IsNullCheck(ColumnRowCheck):
    """``column`` is NULL in every row (or in at least ``mostly`` of them), e.g. a
    deprecated column that must stay empty.

    ``is_null("legacy_score")``, ``is_null("cancelled_at", mostly=0.95)``
    """

    check_type = "is_null"
    checked = "rows"
    violation = "have a value"

    def predicate(self) -> Predicate:
        return HasValue(self.column)

    def violations_metric(self) -> Metric:
        return CompleteCount((self.column,))

    def applicable_metric(self) -> Metric:
        return RowCount()

    def rule(self) -> str:
        return f"have '{self.column}' NULL"


class ColumnPair(RowLevelCheck):
    """``left op right`` holds for every row, e.g. ``column_pair("shipped_at", ">=", "ordered_at")``.

    ``op`` is one of ``<``, ``<=``, ``=``, ``!=``, ``>=``, ``>``. NULLs as in ``row_condition``:
    a row where either column is NULL does not satisfy the rule (use ``mostly``, or
    ``row_condition`` with your own NULL handling). Built with SQLAlchemy Core, so the
    columns are quoted identifiers, and it runs on DataFrames too.
    """

    check_type = "column_pair"
    checked = "rows"
    violation = "fail the comparison"

    def __init__(self, left: str, op: str, right: str, **kwargs: Any) -> None:
        self._columns_for_errors = [left, right]
        super().__init__(**kwargs)
        self.left = self._column_arg("left", left)
        self.right = self._column_arg("right", right)
        if op not in COMPARISONS:
            raise self._argument_error("op", f"must be one of {', '.join(COMPARISONS)}, got {op!r}")
        if left == right:
            raise self._argument_error("right", f"is the same column as left ({left!r})")
        self.op = op

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.left, self.right)

    @property
    def name(self) -> str:
        return self._name or f"column_pair({self.left} {self.op} {self.right})"

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        # PostgreSQL would reject the whole scan for `integer >= text`; pandas would raise.
        kinds = [_COMPARABLE.get(column_types.get(c, "other")) for c in (self.left, self.right)]
        if None in kinds or kinds[0] == kinds[1]:
            return None
        families = ", ".join(f"'{c}' is {column_types[c]}" for c in (self.left, self.right))
        return f"{families}: values of these types cannot be compared"

    def predicate(self) -> Predicate:
        return PairFails(self.left, self.op, self.right)

    def applicable_metric(self) -> Metric:
        return RowCount()

    def rule(self) -> str:
        return f"satisfy {self.left} {self.op} {self.right}"


class Monotonic(RowLevelCheck):
    """The values of ``column``, in the order of ``order_by``, never go down (or up).

    ``direction="increasing"`` (default) or ``"decreasing"``; ``strictly=True`` also refuses
    a repeated value. Rows where either column is NULL are left out; each other row is
    compared with the previous one. Give a unique ``order_by`` (ties have no order in SQL).
    In the shared scan: a ``lag()`` window in a sub-select of the same statement.

    ``monotonic("event_id", order_by="loaded_at", strictly=True)``
    """

    check_type = "monotonic"
    checked = "ordered rows"
    violation = "break the order"

    def __init__(
        self, column: str, *, order_by: str, strictly: bool = False, direction: str = "increasing", **kwargs: Any
    ) -> None:
        self._columns_for_errors = column
        super().__init__(**kwargs)
        self.column = self._column_arg("column", column)
        self.order_by = self._column_arg("order_by", order_by)
        if not isinstance(strictly, bool):
            raise self._argument_error("strictly", f"must be True or False, got {strictly!r}")
        if direction not in DIRECTIONS:
            raise self._argument_error("direction", f"must be one of {DIRECTIONS}, got {direction!r}")
        self.strictly, self.direction = strictly, direction

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) if self.column == self.order_by else (self.column, self.order_by)

    def violations_metric(self) -> Metric:
        return OrderViolations(self.column, self.order_by, self.strictly, self.direction)

    def applicable_metric(self) -> Metric:
        return CompleteCount(self.columns)

    def rule(self) -> str:
        how = f"{'strictly ' if self.strictly else ''}{self.direction}"
        return f"of '{self.column}' {how} by '{self.order_by}'"

    def failure_sample(self) -> FailureSample | None:
        return None  # a break is a pair of rows; the count says how many
