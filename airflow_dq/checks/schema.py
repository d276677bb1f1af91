"""Schema check: expected columns with their type families; missing, extra and retyped columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_dq.checks.base import Check, CheckContext, CountBetween, Verdict
from airflow_dq.metrics import Metric

# Engines map their native types onto these families, so one schema reads the same on
# SQLite, PostgreSQL and pandas. "number" accepts any of integer, float and decimal.
TYPE_FAMILIES = (
    "integer",
    "float",
    "decimal",
    "number",
    "string",
    "boolean",
    "date",
    "timestamp",
    "time",
    "binary",
    "json",
    "other",
)
_NUMBER_FAMILIES = {"integer", "float", "decimal"}


def family_matches(expected: str, actual: str) -> bool:
    return expected == actual or (expected == "number" and actual in _NUMBER_FAMILIES)


class Schema(Check):
    """The dataset has the expected columns, each of the expected type family.

    Types are families (``integer``, ``float``, ``decimal``, ``number``, ``string``,
    ``boolean``, ``date``, ``timestamp``, ``time``, ``binary``, ``json``), or ``None`` for
    "any type". Extra columns fail the check unless ``allow_extra=True``. Read from the
    database's catalog, not from the data.

    ``schema({"event_id": "integer", "country": "string", "loaded_at": "timestamp"})``
    """

    check_type = "schema"

    def __init__(
        self,
        columns: Mapping[str, str | None],
        *,
        allow_extra: bool = False,
        ordered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(columns, Mapping) or not columns:
            raise self._argument_error("columns", f"must be a non-empty mapping of column -> type, got {columns!r}")
        for col, family in columns.items():
            self._column_arg("columns", col)
            if family is not None and family not in TYPE_FAMILIES:
                raise self._argument_error(
                    "columns",
                    f"gives {col!r} the unknown type {family!r}; use one of {', '.join(TYPE_FAMILIES)} or None",
                )
        if not isinstance(ordered, bool):
            raise self._argument_error("ordered", f"must be True or False, got {ordered!r}")
        self.expected_columns = dict(columns)
        self.allow_extra = allow_extra
        self.ordered = ordered

    def metrics(self) -> tuple[Metric, ...]:
        return ()  # read from the catalog (CheckContext.column_types), not from the data

    def expectation(self) -> str:
        extra = ", extra columns allowed" if self.allow_extra else ", no extra columns"
        order = ", in this order" if getattr(self, "ordered", False) else ""
        return f"{len(self.expected_columns)} columns with matching types{extra}{order}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        actual = dict(ctx.column_types)
        missing = [c for c in self.expected_columns if c not in actual]
        retyped = {
            c: {"expected": want, "actual": actual[c]}
            for c, want in self.expected_columns.items()
            if c in actual and want is not None and not family_matches(want, actual[c])
        }
        extra = [c for c in actual if c not in self.expected_columns]
        problems = []
        if missing:
            problems.append(f"missing columns {missing}")
        if retyped:
            problems.append(
                "retyped columns "
                + ", ".join(f"'{c}' is {d['actual']} (expected {d['expected']})" for c, d in retyped.items())
            )
        if extra and not self.allow_extra:
            problems.append(f"unexpected extra columns {extra}")
        observed: dict[str, Any] = {"missing": missing, "retyped": retyped, "extra": extra}
        if getattr(self, "ordered", False):
            # The expected columns that exist must come in the order given (extra columns
            # may sit between them when allowed).
            found = [c for c in actual if c in self.expected_columns]
            wanted = [c for c in self.expected_columns if c in actual]
            observed["order"] = found
            if found != wanted:
                problems.append(f"columns out of order: {found}, expected {wanted}")
        if problems:
            return Verdict(False, observed, "schema differs: " + "; ".join(problems))
        note = f" (extra columns allowed: {extra})" if extra else ""
        return Verdict(
            True, observed, f"all {len(self.expected_columns)} expected columns present with matching types{note}"
        )


class ColumnCount(CountBetween):
    """The dataset has between ``min`` and ``max`` columns (read from the catalog).

    ``column_count(min=5, max=40)``, ``column_count(min=12, max=12)``
    """

    check_type = "column_count"

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        return self._resolve_bounds()

    def expectation(self) -> str:
        return f"column count {self._bounds_text()}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        count = len(ctx.column_types)
        passed = self._in_bounds(count)
        verb = "is" if passed else "is not"
        return Verdict(passed, count, f"{count} columns, which {verb} {self._bounds_text()}")
