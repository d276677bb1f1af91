"""Bad bounds: refused when the DAG is parsed, or, when a template renders into something
that does not fit the column, an ``error`` for that check alone naming the check and the
argument (the rest of the suite runs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import CheckArgumentError
from airflow_dq.engines.pandas import check_dataframe
from tests.checks.data import NOW, assert_words, by_name, create_table, run

# (check type, argument, how to build the bad check)
BAD: list[tuple[str, str, Callable[[], Any]]] = [
    ("value_range", "strict_min", lambda: dq.value_range("a", min=0, strict_min="yes")),
    ("value_range", "strict_max", lambda: dq.value_range("a", max=1, strict_max=1)),
    ("value_range", "min", lambda: dq.value_range("a", min=True)),
    ("value_range", "min", lambda: dq.value_range("a")),
    ("value_range", "max", lambda: dq.value_range("a", max=float("nan"))),
    ("row_count", "min", lambda: dq.row_count(min=-5)),
    ("row_count", "max", lambda: dq.row_count(max=2.5)),
    ("row_count", "min", lambda: dq.row_count(min="ten")),
    ("row_count", "strict_min", lambda: dq.row_count(min=1, strict_min="no")),
    ("mean_between", "min", lambda: dq.mean_between("a", min=float("nan"))),
    ("mean_between", "strict_max", lambda: dq.mean_between("a", max=1, strict_max=None)),
    ("mean_between", "min", lambda: dq.mean_between("a", min=dt.date(2026, 1, 1))),
    ("stddev_between", "max", lambda: dq.stddev_between("a", max="wide")),
    ("length_between", "min", lambda: dq.length_between("a", min=-1, strict_min=True)),
    ("length_between", "strict_max", lambda: dq.length_between("a", max=3, strict_max="true")),
    ("custom_sql", "strict_min", lambda: dq.custom_sql("SELECT 1", min=0, strict_min=0)),
    ("sum_between", "min", lambda: dq.sum_between("a", min=5, max=1)),
    ("sum_between", "min", lambda: dq.sum_between("a")),
    ("quantile_between", "q", lambda: dq.quantile_between("a", 1.5, max=1)),
    ("quantile_between", "q", lambda: dq.quantile_between("a", "0.5", max=1)),
    ("median_between", "max", lambda: dq.median_between("a", max=[1])),
    ("distinct_count_between", "min", lambda: dq.distinct_count_between("a", min=-1)),
    ("distinct_count_between", "max", lambda: dq.distinct_count_between("a", max=1.5)),
    ("distinct_ratio_between", "max", lambda: dq.distinct_ratio_between("a", max=2)),
    ("column_count", "min", lambda: dq.column_count(min=-5)),
    ("column_count", "min", lambda: dq.column_count()),
    ("column_count", "strict_max", lambda: dq.column_count(max=5, strict_max="yes")),
]


@pytest.mark.parametrize(("check_type", "argument", "build"), BAD, ids=[f"{c}-{a}" for c, a, _ in BAD])
def test_bad_bounds_fail_at_parse_time(check_type: str, argument: str, build: Callable[[], Any]) -> None:
    with pytest.raises(CheckArgumentError) as err:
        build()
    assert_words(str(err.value), f"check '{check_type}'", f"argument '{argument}'")


def test_templates_are_accepted_at_parse_time() -> None:
    """A template is only judged once rendered: min > max cannot be told from the text."""
    dq.row_count(min="{{ params.min_rows }}")
    dq.value_range("ts", min="{{ data_interval_start }}", max="{{ data_interval_end }}")
    dq.mean_between("x", min="{{ params.low }}", max=10)
    dq.column_count(max="{{ params.width }}")


def _rendered(check: Any, **values: Any) -> Any:
    """What the operator's rendering does: template fields replaced by their rendered text."""
    for field, value in values.items():
        assert field in check.template_fields
        setattr(check, field, value)
    return check


def test_a_rendered_bound_that_does_not_fit_the_column_errors_that_check(db: sa.Engine) -> None:
    create_table(
        db,
        "t",
        {"x": sa.Integer(), "ts": sa.DateTime(), "day": sa.Date(), "s": sa.String(5)},
        [(1, dt.datetime(2026, 11, 27, 3), dt.date(2026, 11, 27), "a"), (5, None, None, "b")],
    )
    checks = [
        dq.value_range("x", min="ten"),  # not a template at all: fits a text column, not this one
        _rendered(dq.value_range("x", min="{{ params.low }}", name="rendered_low"), min="2"),
        _rendered(dq.value_range("ts", min="{{ x }}", name="ts_garbage"), min="yesterday"),
        _rendered(dq.value_range("day", max="{{ x }}", name="day_with_time"), max="2026-11-27T10:30:00"),
        _rendered(dq.row_count(min="{{ params.min_rows }}"), min="-3"),
        _rendered(dq.mean_between("x", max="{{ params.high }}"), max="high"),
        _rendered(dq.value_range("x", min="{{ a }}", max="{{ b }}", name="inverted"), min="9", max="3"),
        dq.value_range("s", min="a", max="z", name="text_bounds"),
        dq.not_null("x"),
    ]
    results = by_name(run(db, checks))
    for name, check_type, argument, words in [
        ("value_range(x)", "value_range", "min", "'ten'"),
        ("ts_garbage", "value_range", "min", "'yesterday'"),
        ("day_with_time", "value_range", "max", "time of day"),
        ("row_count", "row_count", "min", "'-3'"),
        ("mean_between(x)", "mean_between", "max", "'high'"),
        ("inverted", "value_range", "min", "greater than max"),
    ]:
        result = results[name]
        assert result.status == "error", (name, result.status, result.message)
        assert_words(result.message, f"check '{check_type}'", f"argument '{argument}'", words)
    # a rendered "2" reads as the number 2 on an integer column: 1 is below it
    assert (results["rendered_low"].status, results["rendered_low"].observed) == ("fail", 1)
    assert results["text_bounds"].status == "pass"
    assert results["not_null(x)"].status == "pass"


def test_an_unrendered_template_is_an_error_not_a_pass(db: sa.Engine) -> None:
    create_table(db, "t", {"x": sa.Integer()}, [(1,)])
    (result,) = run(db, [dq.row_count(min="{{ params.min_rows }}")]).results
    assert result.status == "error"
    assert_words(result.message, "argument 'min'", "not rendered")


def test_the_same_errors_on_a_dataframe() -> None:
    df = pd.DataFrame({"x": [1, 5], "ts": pd.to_datetime(["2026-11-27 03:00", None])})
    checks = [
        dq.value_range("x", min="ten"),
        _rendered(dq.value_range("ts", min="{{ x }}", name="ts_garbage"), min="yesterday"),
        dq.not_null("x"),
    ]
    results = by_name(check_dataframe(df, checks, now=NOW))
    assert results["value_range(x)"].status == "error"
    assert_words(results["value_range(x)"].message, "check 'value_range'", "argument 'min'", "'ten'")
    assert results["ts_garbage"].status == "error"
    assert results["not_null(x)"].status == "pass"
