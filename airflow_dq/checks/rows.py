"""Row-level checks: every row (or every non-NULL value) must satisfy a rule.

Each one counts the rows that break its rule in the shared scan; ``mostly`` turns the
rule into a threshold (``mostly=0.99``: at least 99% of the rows checked must pass).
On failure the engine fetches a few of the offending rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from airflow_dq.checks.base import (
    Check,
    CheckContext,
    DuplicateKeys,
    FailureSample,
    Verdict,
    fmt_number,
    needs_number,
)
from airflow_dq.checks.bounds import is_number
from airflow_dq.metrics import (
    CompleteCount,
    DuplicateCount,
    IsNull,
    LengthOutOfRange,
    Metric,
    MissingInParent,
    NotIn,
    NullCount,
    OutOfRange,
    Predicate,
    RegexMismatch,
    RowCount,
    SqlConditionFalse,
    ViolationCount,
)
from airflow_dq.sql_fragments import stacked_problem


class RowLevelCheck(Check):
    """A check that counts offending rows against the rows it applies to."""

    # Words for the messages: "12 of 1,000 <checked> <violation>".
    checked = "non-NULL values"
    violation = "break the rule"

    def __init__(self, *, mostly: float | None = None, severity: str = "error", name: str | None = None) -> None:
        super().__init__(severity=severity, name=name)
        if mostly is not None:
            self._number_arg("mostly", mostly)
            if not 0 < mostly <= 1:
                raise self._argument_error("mostly", f"must be a fraction in (0, 1], got {mostly!r}")
        self.mostly = mostly

    def violations_metric(self) -> Metric:
        return ViolationCount(self.predicate())

    def predicate(self) -> Predicate:
        raise NotImplementedError

    def applicable_metric(self) -> Metric:
        """The metric counting the rows the rule applies to (the denominator)."""
        return CompleteCount(self.columns)

    def rule(self) -> str:
        raise NotImplementedError

    def metrics(self) -> tuple[Metric, ...]:
        return (self.violations_metric(), self.applicable_metric())

    def expectation(self) -> str:
        if self.mostly is None:
            return f"all {self.checked} {self.rule()}"
        return f">= {self.mostly:.4%} of {self.checked} {self.rule()}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        bad = int(values[self.violations_metric()] or 0)
        total = int(values[self.applicable_metric()] or 0)
        if total == 0:
            return Verdict(True, 0, f"no {self.checked} to check (0 rows); nothing breaks the rule")
        ok_fraction = 1 - bad / total
        # Exact arithmetic: in floats 1 - 7/100 < 0.93, so "at least 93%" would fail at exactly 93%.
        passed = bad == 0 if self.mostly is None else Fraction(total - bad, total) >= Fraction(str(self.mostly))
        share = f"{fmt_number(bad)} of {fmt_number(total)} {self.checked} ({bad / total:.2%})"
        if passed and bad == 0:
            return Verdict(True, bad, f"all {fmt_number(total)} {self.checked} {self.rule()}")
        if passed:
            return Verdict(True, bad, f"{share} {self.violation}, within mostly={self.mostly} ({ok_fraction:.2%} pass)")
        if self.mostly is None:
            return Verdict(False, bad, f"{share} {self.violation}; expected none")
        return Verdict(
            False,
            bad,
            f"{share} {self.violation}; only {ok_fraction:.2%} pass, expected >= {self.mostly:.2%}",
        )

    def failure_sample(self) -> FailureSample | None:
        return self.predicate()


class ColumnRowCheck(RowLevelCheck):
    def __init__(self, column: str, **kwargs: Any) -> None:
        self._columns_for_errors = column
        super().__init__(**kwargs)
        self.column = self._column_arg("column", column)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)


class NotNull(ColumnRowCheck):
    """No NULLs in ``column`` (or at most ``1 - mostly`` of the rows).

    ``not_null("user_id")``
    """

    check_type = "not_null"
    checked = "rows"
    violation = "are NULL"

    def predicate(self) -> Predicate:
        return IsNull(self.column)

    def violations_metric(self) -> Metric:
        return NullCount(self.column)

    def applicable_metric(self) -> Metric:
        return RowCount()

    def rule(self) -> str:
        return f"have a value in '{self.column}'"


class Unique(RowLevelCheck):
    """Values (or combinations of values) occur at most once.

    ``ignore_nulls=True`` (default) leaves out rows with a NULL in the key;
    ``ignore_nulls=False`` makes NULL a value like any other (two rows ``(7, NULL)`` are
    duplicates). ``count="surplus"`` (default) counts the rows beyond the first of each key
    (3 rows of one key: 2 duplicates); ``count="all"`` counts every row of a repeated key
    (3), the way GX counts. ``mostly`` compares the counted rows with the rows checked.

    ``unique("event_id")``, ``unique(["user_id", "day"], ignore_nulls=False, count="all")``
    """

    check_type = "unique"
    violation = "are duplicates"
    COUNTS = ("surplus", "all")

    def __init__(
        self, columns: str | Iterable[str], *, ignore_nulls: bool = True, count: str = "surplus", **kwargs: Any
    ) -> None:
        self._columns_for_errors = columns
        super().__init__(**kwargs)
        if not isinstance(columns, str | Iterable):
            raise self._argument_error("columns", f"must be a column name or a list of them, got {columns!r}")
        cols = (columns,) if isinstance(columns, str) else tuple(columns)
        if not cols:
            raise self._argument_error("columns", "must name at least one column")
        for col in cols:
            self._column_arg("columns", col)
        if len(set(cols)) != len(cols):
            raise self._argument_error("columns", f"names a column twice: {list(cols)}")
        if not isinstance(ignore_nulls, bool):
            raise self._argument_error("ignore_nulls", f"must be True or False, got {ignore_nulls!r}")
        if count not in self.COUNTS:
            raise self._argument_error("count", f"must be one of {self.COUNTS}, got {count!r}")
        self._key = cols
        self.ignore_nulls, self.count = ignore_nulls, count

    @property
    def columns(self) -> tuple[str, ...]:
        return self._key

    @property
    def checked(self) -> str:  # type: ignore[override]
        if not getattr(self, "ignore_nulls", True):
            return "rows"
        return "keys" if len(self._key) > 1 else "non-NULL values"

    def violations_metric(self) -> Metric:
        return DuplicateCount(
            self._key, ignore_nulls=getattr(self, "ignore_nulls", True), count_all=getattr(self, "count", "") == "all"
        )

    def applicable_metric(self) -> Metric:
        return CompleteCount(self._key) if getattr(self, "ignore_nulls", True) else RowCount()

    def rule(self) -> str:
        return f"are unique in ({', '.join(self._key)})" if len(self._key) > 1 else f"of '{self._key[0]}' are unique"

    def failure_sample(self) -> FailureSample | None:
        return DuplicateKeys(self._key)


class AcceptedValues(ColumnRowCheck):
    """Every non-NULL value of ``column`` is one of ``values``.

    ``accepted_values("country", ["US", "DE", "FR"])``
    """

    check_type = "accepted_values"
    violation = "are not accepted values"

    def __init__(self, column: str, values: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(column, **kwargs)
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise self._argument_error("values", f"must be a list of values, got {values!r}")
        accepted = tuple(dict.fromkeys(values))
        if not accepted:
            raise self._argument_error("values", "is empty: list at least one accepted value")
        if any(v is None for v in accepted):
            raise self._argument_error("values", "contains None: NULLs are checked by not_null")
        self.values = accepted

    def predicate(self) -> Predicate:
        return NotIn(self.column, self.values)

    def rule(self) -> str:
        shown = ", ".join(repr(v) for v in self.values[:10])
        more = f", ... ({len(self.values)} values)" if len(self.values) > 10 else ""
        return f"of '{self.column}' in {{{shown}{more}}}"


class ValueRange(ColumnRowCheck):
    """Every non-NULL value of ``column`` lies between ``min`` and ``max`` (inclusive by default).

    Bounds are numbers, dates, timestamps or text, or templates rendered per run and read in
    the column's type (``min="{{ data_interval_start }}"`` on a timestamp column). A bound
    that does not fit the column (``min="ten"`` on a number) gives this check ``error``.

    ``value_range("amount", min=0, max=10_000, mostly=0.999)``
    """

    check_type = "value_range"
    violation = "are out of range"
    template_fields = ("min", "max")

    def __init__(
        self,
        column: str,
        min: Any = None,  # noqa: A002 - the natural names for the user
        max: Any = None,  # noqa: A002
        *,
        strict_min: bool = False,
        strict_max: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(column, **kwargs)
        # Dates and strings are valid bounds too: they are read in the column's type at run time.
        self._bounds_args(min, max, kinds="any", strict_min=strict_min, strict_max=strict_max)

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        family = column_types.get(self.column, "other")
        numeric_bounds = all(b is None or is_number(b) for b in (self.min, self.max))
        if numeric_bounds:
            problem = needs_number(self.column, column_types)
            if problem:
                return problem
        if family in ("string", "other") and not numeric_bounds:
            family = "text"  # compared as given (dates kept as text compare as ISO text)
        return self._resolve_bounds(family)

    def predicate(self) -> Predicate:
        return OutOfRange(self.column, self._low, self._high, self.strict_min, self.strict_max)

    def rule(self) -> str:
        return f"of '{self.column}' {self._bounds_text()}"


class MatchesRegex(ColumnRowCheck):
    """Every non-NULL value of ``column`` (as text) matches a regular expression (searched, not anchored).

    Use the syntax common to Python's ``re`` and POSIX (PostgreSQL ``~``): anchors, classes,
    ``+ * ? {m,n}``, alternation.

    ``matches_regex("email", r"^[^@ ]+@[^@ ]+\\.[a-z]+$")``
    """

    check_type = "matches_regex"
    violation = "do not match"

    def __init__(self, column: str, pattern: str, **kwargs: Any) -> None:
        super().__init__(column, **kwargs)
        if not isinstance(pattern, str) or not pattern:
            raise self._argument_error("pattern", f"must be a non-empty regular expression, got {pattern!r}")
        try:
            re.compile(pattern)
        except re.error as err:
            raise self._argument_error("pattern", f"is not a valid regular expression: {err}") from err
        self.pattern = pattern

    def predicate(self) -> Predicate:
        return RegexMismatch(self.column, self.pattern)

    def rule(self) -> str:
        return f"of '{self.column}' match /{self.pattern}/"


class LengthBetween(ColumnRowCheck):
    """The text length of every non-NULL value of ``column`` lies in [min, max].

    ``length_between("country", min=2, max=2)``
    """

    check_type = "length_between"
    violation = "have a length out of range"

    template_fields = ("min", "max")

    def __init__(
        self,
        column: str,
        min: int | str | None = None,  # noqa: A002
        max: int | str | None = None,  # noqa: A002
        *,
        strict_min: bool = False,
        strict_max: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(column, **kwargs)
        self._bounds_args(min, max, kinds="count", strict_min=strict_min, strict_max=strict_max)

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return self._resolve_bounds()

    def predicate(self) -> Predicate:
        low, high = self._low, self._high
        # Lengths are whole numbers: a strict bound is the next whole number, inclusive.
        if low is not None and self.strict_min:
            low = int(low) + 1
        if high is not None and self.strict_max:
            high = int(high) - 1
        return LengthOutOfRange(self.column, None if low is None else int(low), None if high is None else int(high))

    def rule(self) -> str:
        return f"of '{self.column}' have a length {self._bounds_text()}"


class References(ColumnRowCheck):
    """Referential integrity: every non-NULL value of ``column`` exists in ``parent_table``.

    ``references("user_id", "users", "id")``
    """

    check_type = "references"
    violation = "have no parent row"

    def __init__(
        self,
        column: str,
        parent_table: str,
        parent_column: str | None = None,
        *,
        parent_schema: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(column, **kwargs)
        self.parent_table = self._column_arg("parent_table", parent_table)
        self.parent_column = self._column_arg("parent_column", parent_column or column)
        if parent_schema is not None:
            self._column_arg("parent_schema", parent_schema)
        self.parent_schema = parent_schema

    def predicate(self) -> Predicate:
        return MissingInParent(self.column, self.parent_table, self.parent_column, self.parent_schema)

    def rule(self) -> str:
        parent = f"{self.parent_schema}.{self.parent_table}" if self.parent_schema else self.parent_table
        return f"of '{self.column}' exist in {parent}.{self.parent_column}"


class RowCondition(RowLevelCheck):
    """A SQL boolean expression must be TRUE for every row (FALSE and NULL both fail).

    The condition is raw SQL of your database's dialect, inserted as written (and rendered
    with Jinja by the operator); it is the one place where you write SQL yourself.

    ``row_condition("refund_amount <= amount", name="refund_not_above_amount")``
    """

    check_type = "row_condition"
    template_fields = ("condition",)
    checked = "rows"
    violation = "fail the condition"

    def __init__(self, condition: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(condition, str) or not condition.strip():
            raise self._argument_error("condition", f"must be a non-empty SQL expression, got {condition!r}")
        stacked = stacked_problem(condition)
        if stacked:
            raise self._argument_error("condition", stacked)
        self.condition = condition

    def predicate(self) -> Predicate:
        return SqlConditionFalse(self.condition)

    def applicable_metric(self) -> Metric:
        return RowCount()

    def rule(self) -> str:
        return f"satisfy ({self.condition})"
