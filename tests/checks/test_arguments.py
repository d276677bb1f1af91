"""Bad arguments fail when the DAG is parsed, naming the check type and the argument."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from airflow_dq import checks as dq
from airflow_dq.checks import CheckArgumentError
from airflow_dq.suite import validate_checks

HOUR = dt.timedelta(hours=1)

# (check type, argument, how to build the bad check)
BAD: list[tuple[str, str, Callable[[], Any]]] = [
    ("row_count", "min", lambda: dq.row_count()),
    ("row_count", "min", lambda: dq.row_count(min=5, max=1)),
    ("row_count", "min", lambda: dq.row_count(min="10")),
    ("row_count", "max", lambda: dq.row_count(max=True)),
    ("row_count", "severity", lambda: dq.row_count(min=1, severity="fatal")),
    ("row_count", "name", lambda: dq.row_count(min=1, name="  ")),
    ("not_null", "column", lambda: dq.not_null("")),
    ("not_null", "column", lambda: dq.not_null(None)),
    ("not_null", "mostly", lambda: dq.not_null("a", mostly=0)),
    ("not_null", "mostly", lambda: dq.not_null("a", mostly=1.5)),
    ("not_null", "mostly", lambda: dq.not_null("a", mostly="0.9")),
    ("not_null", "severity", lambda: dq.not_null("a", severity="WARN")),
    ("unique", "columns", lambda: dq.unique([])),
    ("unique", "columns", lambda: dq.unique(["a", "a"])),
    ("unique", "columns", lambda: dq.unique(["a", ""])),
    ("unique", "columns", lambda: dq.unique(5)),
    ("unique", "mostly", lambda: dq.unique("a", mostly=-0.1)),
    ("accepted_values", "values", lambda: dq.accepted_values("a", [])),
    ("accepted_values", "values", lambda: dq.accepted_values("a", "US")),
    ("accepted_values", "values", lambda: dq.accepted_values("a", ["US", None])),
    ("accepted_values", "values", lambda: dq.accepted_values("a", 5)),
    ("accepted_values", "column", lambda: dq.accepted_values(" ", ["US"])),
    ("value_range", "min", lambda: dq.value_range("a")),
    ("value_range", "min", lambda: dq.value_range("a", min=5, max=1)),
    ("value_range", "min", lambda: dq.value_range("d", min=dt.date(2026, 2, 1), max=dt.date(2026, 1, 1))),
    ("value_range", "max", lambda: dq.value_range("a", min=dt.date(2026, 1, 1), max=3)),
    ("matches_regex", "pattern", lambda: dq.matches_regex("a", "")),
    ("matches_regex", "pattern", lambda: dq.matches_regex("a", "([a-z")),
    ("matches_regex", "pattern", lambda: dq.matches_regex("a", None)),
    ("length_between", "min", lambda: dq.length_between("a")),
    ("length_between", "min", lambda: dq.length_between("a", min=-1)),
    ("length_between", "max", lambda: dq.length_between("a", max=2.5)),
    ("length_between", "min", lambda: dq.length_between("a", min=3, max=2)),
    ("mean_between", "min", lambda: dq.mean_between("a")),
    ("mean_between", "column", lambda: dq.mean_between("", min=1)),
    ("mean_between", "max", lambda: dq.mean_between("a", max="high")),
    ("stddev_between", "min", lambda: dq.stddev_between("a", min="x")),
    ("stddev_between", "min", lambda: dq.stddev_between("a", min=2, max=1)),
    ("schema", "columns", lambda: dq.schema({})),
    ("schema", "columns", lambda: dq.schema(["a", "b"])),
    ("schema", "columns", lambda: dq.schema({"a": "text"})),
    ("schema", "columns", lambda: dq.schema({"": "string"})),
    ("references", "parent_table", lambda: dq.references("a", "")),
    ("references", "parent_column", lambda: dq.references("a", "p", " ")),
    ("references", "parent_schema", lambda: dq.references("a", "p", "id", parent_schema="")),
    ("references", "column", lambda: dq.references(None, "p")),
    ("freshness", "max_age", lambda: dq.freshness("ts", max_age=3600)),
    ("freshness", "max_age", lambda: dq.freshness("ts", max_age=dt.timedelta(0))),
    ("freshness", "max_age", lambda: dq.freshness("ts", max_age=-HOUR)),
    ("freshness", "timezone", lambda: dq.freshness("ts", max_age=HOUR, timezone="Mars/Olympus_Mons")),
    ("freshness", "timezone", lambda: dq.freshness("ts", max_age=HOUR, timezone=5)),
    ("freshness", "column", lambda: dq.freshness("", max_age=HOUR)),
    ("custom_sql", "sql", lambda: dq.custom_sql("", equals=0)),
    ("custom_sql", "sql", lambda: dq.custom_sql(None, equals=0)),
    ("custom_sql", "equals", lambda: dq.custom_sql("SELECT 1", equals=1, min=0)),
    ("custom_sql", "min", lambda: dq.custom_sql("SELECT 1")),
    ("custom_sql", "min", lambda: dq.custom_sql("SELECT 1", min=3, max=1)),
    ("row_condition", "condition", lambda: dq.row_condition("   ")),
    ("row_condition", "condition", lambda: dq.row_condition(None)),
    ("row_condition", "mostly", lambda: dq.row_condition("a > 0", mostly=2)),
]


@pytest.mark.parametrize(
    ("check_type", "argument", "build"), BAD, ids=[f"{t}-{a}-{i}" for i, (t, a, _) in enumerate(BAD)]
)
def test_bad_argument_names_check_and_argument(check_type: str, argument: str, build: Callable[[], Any]) -> None:
    with pytest.raises(CheckArgumentError) as caught:
        build()
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith(f"check '{check_type}'"), message
    assert f"argument '{argument}'" in message, message


def test_column_checks_name_their_column_in_errors() -> None:
    with pytest.raises(CheckArgumentError, match=r"check 'value_range' on column 'amount': argument 'min' \(5\)"):
        dq.value_range("amount", min=5, max=1)
    with pytest.raises(CheckArgumentError, match=r"on column \['a', 'a'\]: argument 'columns' names a column twice"):
        dq.unique(["a", "a"])


def test_valid_arguments_are_kept() -> None:
    check = dq.value_range("d", min=dt.date(2026, 1, 1), max=dt.date(2026, 1, 1), strict_max=True, mostly=0.5)
    assert (check.min, check.max, check.strict_max, check.mostly) == (dt.date(2026, 1, 1),) * 2 + (True, 0.5)
    assert dq.accepted_values("a", ["x", "y", "x"]).values == ("x", "y")  # duplicates dropped, order kept
    assert dq.references("user_id", "users").parent_column == "user_id"
    assert dq.unique(("a", "b")).name == "unique(a, b)"
    assert dq.custom_sql("SELECT 1", equals=0, name="n").expectation() == "query result = 0"


def test_suite_rejects_duplicate_names_and_non_checks() -> None:
    with pytest.raises(ValueError, match="two checks are named 'not_null\\(a\\)'"):
        validate_checks([dq.not_null("a"), dq.not_null("a", mostly=0.5)])
    with pytest.raises(ValueError, match="'checks' holds 'not_null', which is not a check"):
        validate_checks(["not_null"])
    with pytest.raises(ValueError, match="'checks' is empty"):
        validate_checks([])
    both = validate_checks([dq.not_null("a"), dq.not_null("a", mostly=0.5, name="a_mostly")])
    assert [c.name for c in both] == ["not_null(a)", "a_mostly"]
