"""A check on a column of the wrong type errors alone, with a message, on every database.

Without this, PostgreSQL failed the whole scan (``avg(character varying)`` does not exist)
and SQLite silently passed a mean of text (0.0).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import assert_words, by_name, create_table, run


def test_numeric_checks_on_non_numeric_columns_error(db: sa.Engine) -> None:
    create_table(
        db,
        "t",
        {"s": sa.String(5), "day": sa.Date(), "flag": sa.Boolean(), "x": sa.Integer()},
        [("a", dt.date(2026, 1, 1), True, 1), ("b", dt.date(2026, 1, 2), False, 2)],
    )
    checks = [
        dq.mean_between("s", min=0),
        dq.stddev_between("day", max=1),
        dq.mean_between("flag", max=1),
        dq.value_range("s", min=0, max=10),
        dq.value_range("day", min=0),
        dq.value_range("day", min=dt.date(2026, 1, 1), name="day_range"),  # a date bound fits a date
        dq.value_range("s", min="a", max="z", name="text_range"),  # text bounds fit text
        dq.mean_between("x", min=1, max=2),
    ]
    results = by_name(run(db, checks))

    for name, column, family in [
        ("mean_between(s)", "s", "string"),
        ("stddev_between(day)", "day", "date"),
        ("value_range(s)", "s", "string"),
        ("value_range(day)", "day", "date"),
    ]:
        assert results[name].status == "error", name
        assert_words(results[name].message, f"'{column}' is {family}", "numeric column")
    # booleans average as 0/1 (issue 13): a label's positive rate
    assert (results["mean_between(flag)"].status, results["mean_between(flag)"].observed) == ("pass", 0.5)
    assert results["day_range"].status == "pass"
    assert results["text_range"].status == "pass"
    assert (results["mean_between(x)"].status, results["mean_between(x)"].observed) == ("pass", 1.5)


def test_query_columns_of_unknown_type_are_measured(db: sa.Engine) -> None:
    create_table(db, "t", {"x": sa.Integer()}, [(1,), (3,)])
    results = by_name(run(db, [dq.mean_between("x", min=2, max=2)], query="SELECT x FROM t"))
    assert results["mean_between(x)"].status == "pass"
