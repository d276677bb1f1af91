"""The Check contract: declare the metrics you need, then judge their values.

A check never queries anything itself. Its constructor validates arguments (so a bad
DAG fails when it is parsed, with a message naming the check and the argument), its
``metrics()`` say what an engine must measure, and ``judge()`` turns measured values into
a verdict.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_dq.metrics import Metric
from airflow_dq.metrics.samples import DuplicateKeys, FailureSample  # noqa: F401  (re-exported: the old home)
from airflow_dq.results import Severity

if TYPE_CHECKING:  # the detector module is only needed when an anomaly check is judged
    from airflow_dq.stats.anomaly import Point


class CheckArgumentError(ValueError):
    """A check was declared with an argument it cannot work with."""


class CannotJudge(ValueError):
    """Raised by ``judge``: the measured value cannot be judged (a query of the wrong shape,
    a text where a timestamp belongs). The check gets status ``error``, never a pass or fail."""


# The row specifications engines fetch live with the metrics (engines never import checks).


# History of one check: (check name, how many past runs) -> {metric label: points before
# this run, oldest first}. Given by the operator from the history store (issue 4).
HistoryReader = Callable[[str, int], Mapping[str, Sequence["Point"]]]


@dataclass
class CheckContext:
    """What a check may know besides its metrics."""

    now: dt.datetime  # the run's reference time, time-zone aware
    column_types: Mapping[str, str] = field(default_factory=dict)  # column -> type family
    default_timezone: str = "UTC"
    history: HistoryReader | None = None  # past metric values (anomaly checks); None = no store
    logical_date: dt.datetime | None = None  # this run's place on the history's time axis (default: now)


@dataclass
class Verdict:
    passed: bool
    observed: Any
    message: str
    # Optional, for checks whose expectation depends on the data (an anomaly band): shown
    # instead of ``Check.expectation()``.
    expected: str | None = None
    # Values the check derived (a null rate, a segment's share), recorded with its metrics
    # and read back as its history.
    metrics: Mapping[str, Any] | None = None
    # Rows the check itself found suspicious (row-level checks on fetched data); the suite
    # shows them as the result's failing rows instead of asking the engine for a sample.
    rows: list[dict[str, Any]] = field(default_factory=list)
    # A passed verdict that is not a judgement: the check cannot judge yet (an anomaly check
    # still learning its history). Reported with status ``learning``, never as ``pass``.
    learning: bool = False
    # Report a failed verdict as ``warn`` whatever the check's severity: an anomaly check
    # with ``while_learning="warn"``, or a finding that asks a person to look rather than
    # halting (a new entity whose labels fit its text).
    warn_only: bool = False


class _Given(tuple):
    """A check's constructor arguments. Shared, never copied: the operator deep-copies its
    checks on every run, and an argument may be a large reference DataFrame."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> _Given:
        return self


class Check:
    """Base class of all checks.

    :param severity: ``"error"`` (default) halts the pipeline when the check fails;
        ``"warn"`` records and logs the failure but lets the run go on.
    :param name: a name for the check, unique within its suite; defaults to the check type
        and its columns, such as ``not_null(user_id)``.
    """

    check_type: ClassVar[str] = "check"
    # Attributes holding SQL that Airflow renders with Jinja (see the operator).
    template_fields: Sequence[str] = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> Check:
        # The arguments as the user gave them, kept so that a check can be written back to
        # a suite file (``airflow_dq.suite_files.dump``) and rebuilt by the same constructor.
        # Copies and rebuilt checks (deepcopy, the triggerer) come through here with none.
        check = super().__new__(cls)
        check._given = _Given((args, kwargs))
        return check

    def __init__(self, *, severity: str = "error", name: str | None = None) -> None:
        if severity not in (Severity.ERROR, Severity.WARN):
            raise self._argument_error("severity", f"must be 'error' or 'warn', got {severity!r}")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise self._argument_error("name", f"must be a non-empty string, got {name!r}")
        self.severity = Severity(severity)
        self._name = name

    # -- what subclasses define ------------------------------------------------------
    @property
    def columns(self) -> tuple[str, ...]:
        """Columns of the dataset this check reads (checked to exist before the scan)."""
        return ()

    def metrics(self) -> tuple[Metric, ...]:
        return ()

    def expectation(self) -> str:
        """The expected outcome in a few words, e.g. ``'>= 1000 rows'``."""
        raise NotImplementedError

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        raise NotImplementedError

    def failure_sample(self) -> FailureSample | None:
        """Which rows to show when the check fails; None for aggregate checks."""
        return None

    def rendered_problem(self) -> str | None:
        """Why this check's templated arguments, as rendered for this run, cannot be used
        (empty or stacked SQL; subclasses add their own), or None. Asked before the scan."""
        from airflow_dq.sql_fragments import check_sql_problem

        found = check_sql_problem(self, rendered=True)
        return str(self._argument_error(*found)) if found else None

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        """Why this check cannot measure columns of these type families, or None.

        Asked before the scan, so a mean of a text column errors that check alone
        (PostgreSQL would reject the whole scan; SQLite would average text to 0).
        """
        return None

    # -- shared ----------------------------------------------------------------------
    @property
    def name(self) -> str:
        if self._name:
            return self._name
        return f"{self.check_type}({', '.join(self.columns)})" if self.columns else self.check_type

    def __repr__(self) -> str:
        return f"<{self.name} [{self.severity}]: expect {self.expectation()}>"

    def _subject(self) -> str:
        cols = getattr(self, "_columns_for_errors", None)
        return f" on column {cols!r}" if cols else ""

    def _argument_error(self, argument: str, problem: str) -> CheckArgumentError:
        return CheckArgumentError(f"check '{self.check_type}'{self._subject()}: argument '{argument}' {problem}")

    # -- validation helpers used by subclasses ----------------------------------------
    def _column_arg(self, argument: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self._argument_error(argument, f"must be a non-empty column name, got {value!r}")
        return value

    def _number_arg(self, argument: str, value: Any, *, allow_none: bool = True) -> Any:
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self._argument_error(argument, f"must be a number, got {value!r}")
        return value

    def _bounds_args(
        self,
        low: Any,
        high: Any,
        *,
        numeric: bool = True,
        kinds: str | None = None,
        strict_min: bool = False,
        strict_max: bool = False,
    ) -> None:
        """Validate and keep ``min``/``max``/``strict_min``/``strict_max`` (see ``checks.bounds``).

        ``kinds``: ``"number"`` (default when ``numeric``), ``"count"`` or ``"any"``. A bound
        may be a Jinja template (``template_fields`` hold ``min`` and ``max``): it is read
        in the column's type once rendered, by ``_resolve_bounds``.
        """
        from airflow_dq.checks.bounds import check_bound_pair, check_strict, is_template

        kinds = kinds or ("number" if numeric else "any")
        check_bound_pair(self, low, high, kinds=kinds)
        self.min, self.max = low, high
        self.strict_min = check_strict(self, "strict_min", strict_min)
        self.strict_max = check_strict(self, "strict_max", strict_max)
        self._bound_kinds = kinds
        # Until the run reads them in the column's type, bounds are used as given.
        templated = is_template(low) or is_template(high)
        self._low, self._high = (None, None) if templated else (low, high)

    def _resolve_bounds(self, family: str = "number") -> str | None:
        """Read the (rendered) bounds in the type ``family``; a problem message, or None."""
        from airflow_dq.checks.bounds import resolve_pair

        try:
            self._low, self._high = resolve_pair(self, self.min, self.max, family, kinds=self._bound_kinds)
        except CheckArgumentError as err:
            return str(err)
        return None

    def _bounds_text(self) -> str:
        low, high = getattr(self, "_low", None), getattr(self, "_high", None)
        if low is None and high is None:  # not read yet (templates), or still being built
            low, high = getattr(self, "min", None), getattr(self, "max", None)
        return describe_bounds(
            low, high, strict_low=getattr(self, "strict_min", False), strict_high=getattr(self, "strict_max", False)
        )

    def _in_bounds(self, value: Any) -> bool:
        from airflow_dq.checks.bounds import within as within_bounds

        return within_bounds(value, self._low, self._high, strict_low=self.strict_min, strict_high=self.strict_max)


def needs_number(column: str, column_types: Mapping[str, str], *, booleans: bool = False) -> str | None:
    """A problem when ``column`` is known not to be numeric ("other" means unknown: measure).

    ``booleans=True`` accepts boolean columns, measured as 0/1 (a label's positive rate).
    """
    family = column_types.get(column, "other")
    if family in ("integer", "float", "decimal", "other") or (booleans and family == "boolean"):
        return None
    return f"'{column}' is {family}, and this check needs a numeric column"


def describe_bounds(low: Any, high: Any, *, strict_low: bool = False, strict_high: bool = False) -> str:
    if low is not None and high is not None:
        left = "(" if strict_low else "["
        right = ")" if strict_high else "]"
        return f"in {left}{low}, {high}{right}"
    if low is not None:
        return f"{'>' if strict_low else '>='} {low}"
    return f"{'<' if strict_high else '<='} {high}"


def within(value: Any, low: Any, high: Any) -> bool:
    """Inclusive bounds, with the float tolerance of ``checks.bounds`` (the same on every engine)."""
    from airflow_dq.checks.bounds import within as within_bounds

    return within_bounds(value, low, high)


def fmt_number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


class CountBetween(Check):
    """Base class: a count (rows, columns) within ``min``/``max``, whole numbers >= 0 or
    templates rendered per run."""

    template_fields: tuple[str, ...] = ("min", "max")

    def __init__(
        self,
        min: int | str | None = None,  # noqa: A002
        max: int | str | None = None,  # noqa: A002
        *,
        strict_min: bool = False,
        strict_max: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._bounds_args(min, max, kinds="count", strict_min=strict_min, strict_max=strict_max)
