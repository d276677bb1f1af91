"""Every check passes on good data and fails on bad data, on SQLite and PostgreSQL.

Each case builds a "good" and a "bad" table with the same columns and runs the same check
on both: the good table passes, the bad one fails with the observed value and a message
that says what broke.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check
from tests.checks.data import assert_words, create_table, only, run

D = dt.date
T = dt.datetime


@dataclass
class Case:
    id: str
    check: Check
    columns: dict[str, sa.types.TypeEngine[Any]]
    good: list[tuple[Any, ...]]
    bad: list[tuple[Any, ...]]
    observed: Any  # the observed value on the bad table
    words: tuple[str, ...]  # words the failure message must contain
    good_words: tuple[str, ...] = field(default=())


CASES = [
    Case(
        "row_count",
        dq.row_count(min=3, max=5),
        {"a": sa.Integer()},
        [(1,), (2,), (3,)],
        [(1,), (2,)],
        2,
        ("2 rows", "is not in [3, 5]"),
        ("3 rows", "is in [3, 5]"),
    ),
    Case(
        "not_null",
        dq.not_null("a"),
        {"a": sa.Integer()},
        [(1,), (2,), (3,)],
        [(1,), (None,), (None,)],
        2,
        ("2 of 3 rows", "are NULL", "expected none"),
        ("all 3 rows have a value in 'a'",),
    ),
    Case(
        "unique",
        dq.unique("a"),
        {"a": sa.Integer()},
        [(1,), (2,), (3,)],
        [(1,), (1,), (2,), (2,), (2,), (3,)],
        3,  # surplus rows: two extra 2s, one extra 1
        ("3 of 6 non-NULL values", "are duplicates"),
        ("all 3 non-NULL values of 'a' are unique",),
    ),
    Case(
        "unique_multi",
        dq.unique(["a", "b"]),
        {"a": sa.Integer(), "b": sa.String(10)},
        [(1, "x"), (1, "y"), (2, "x")],
        [(1, "x"), (1, "y"), (2, "x"), (1, "x")],
        1,
        ("1 of 4 keys", "are duplicates"),
        ("all 3 keys are unique in (a, b)",),
    ),
    Case(
        "accepted_values",
        dq.accepted_values("country", ["US", "DE"]),
        {"country": sa.String(5)},
        [("US",), ("DE",), ("US",)],
        [("US",), ("FR",), ("us",)],
        2,
        ("2 of 3 non-NULL values", "are not accepted values", "expected none"),
    ),
    Case(
        "value_range",
        dq.value_range("amount", min=0, max=10),
        {"amount": sa.Float()},
        [(0.0,), (5.5,), (10.0,)],  # bounds are inclusive by default
        [(-0.5,), (5.0,), (10.5,)],
        2,
        ("2 of 3 non-NULL values", "are out of range"),
    ),
    Case(
        "value_range_strict",
        dq.value_range("amount", min=0, max=10, strict_min=True, strict_max=True),
        {"amount": sa.Integer()},
        [(1,), (9,)],
        [(0,), (5,), (10,)],
        2,
        ("2 of 3", "are out of range"),
    ),
    Case(
        "value_range_min_only",
        dq.value_range("amount", min=0),
        {"amount": sa.Numeric(10, 2)},
        [(0,), (1000000,)],
        [(-1,), (1,)],
        1,
        ("1 of 2", "are out of range"),
    ),
    Case(
        "value_range_dates",
        dq.value_range("day", min=D(2026, 1, 1), max=D(2026, 1, 31)),
        {"day": sa.Date()},
        [(D(2026, 1, 1),), (D(2026, 1, 31),)],
        [(D(2025, 12, 31),), (D(2026, 1, 15),), (D(2026, 2, 1),)],
        2,
        ("2 of 3", "are out of range"),
    ),
    Case(
        "value_range_timestamps",
        dq.value_range("ts", max=T(2026, 1, 1, 12), strict_max=True),
        {"ts": sa.DateTime()},
        [(T(2026, 1, 1, 11, 59, 59),), (T(2025, 6, 1),)],
        [(T(2026, 1, 1, 12),), (T(2026, 1, 2),), (T(2025, 6, 1),)],
        2,
        ("2 of 3", "are out of range"),
    ),
    Case(
        "matches_regex",
        dq.matches_regex("email", r"^[^@ ]+@[^@ ]+\.[a-z]+$"),
        {"email": sa.String(50)},
        [("ann@example.com",), ("bo@x.io",)],
        [("ann@example.com",), ("no-at-sign",), ("a@b",), ("sp ace@x.io",)],
        3,
        ("3 of 4 non-NULL values", "do not match"),
    ),
    Case(
        "length_between",
        dq.length_between("code", min=2, max=3),
        {"code": sa.String(10)},
        [("US",), ("DEU",)],
        [("U",), ("US",), ("USAA",)],
        2,
        ("2 of 3", "have a length out of range"),
    ),
    Case(
        "length_between_numbers_as_text",
        dq.length_between("zip", max=5),
        {"zip": sa.Integer()},
        [(12345,), (1,)],
        [(123456,), (1,)],
        1,
        ("1 of 2",),
    ),
    Case(
        "mean_between",
        dq.mean_between("x", min=1, max=3),
        {"x": sa.Integer()},
        [(1,), (2,), (3,)],
        [(10,), (20,)],
        15.0,
        ("mean of 'x' is 15", "is not in [1, 3]"),
        ("mean of 'x' is 2",),
    ),
    Case(
        "stddev_between",
        dq.stddev_between("x", max=1.5),
        {"x": sa.Float()},
        [(1.0,), (2.0,), (3.0,)],
        [(0.0,), (10.0,)],
        pytest.approx(50**0.5),
        ("standard deviation of 'x' is 7.07107", "is not <= 1.5"),
        ("standard deviation of 'x' is 1,",),
    ),
    Case(
        "row_condition",
        dq.row_condition("refund <= amount", name="refund_le_amount"),
        {"amount": sa.Integer(), "refund": sa.Integer()},
        [(10, 0), (10, 10)],
        [(10, 0), (10, 11), (10, None)],  # NULL is not TRUE: it fails the condition
        2,
        ("2 of 3 rows", "fail the condition"),
    ),
]


# What each check says it expects (the EXPECTED column of the results table).
EXPECTATIONS = {
    "row_count": "row count in [3, 5]",
    "not_null": "all rows have a value in 'a'",
    "unique": "all non-NULL values of 'a' are unique",
    "unique_multi": "all keys are unique in (a, b)",
    "accepted_values": "all non-NULL values of 'country' in {'US', 'DE'}",
    "value_range": "all non-NULL values of 'amount' in [0, 10]",
    "value_range_strict": "all non-NULL values of 'amount' in (0, 10)",
    "value_range_min_only": "all non-NULL values of 'amount' >= 0",
    "value_range_dates": "all non-NULL values of 'day' in [2026-01-01, 2026-01-31]",
    "value_range_timestamps": "all non-NULL values of 'ts' < 2026-01-01 12:00:00",
    "matches_regex": r"all non-NULL values of 'email' match /^[^@ ]+@[^@ ]+\.[a-z]+$/",
    "length_between": "all non-NULL values of 'code' have a length in [2, 3]",
    "length_between_numbers_as_text": "all non-NULL values of 'zip' have a length <= 5",
    "mean_between": "mean of 'x' in [1, 3]",
    "stddev_between": "standard deviation of 'x' <= 1.5",
    "row_condition": "all rows satisfy (refund <= amount)",
}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_passes_on_good_data_and_fails_on_bad(db: sa.Engine, case: Case) -> None:
    create_table(db, "good", case.columns, case.good)
    create_table(db, "bad", case.columns, case.bad)

    good = only(run(db, case.check, table="good"))
    bad = only(run(db, case.check, table="bad"))

    assert good.status == "pass", good.message
    assert_words(good.message, *case.good_words)
    assert bad.status == "fail", bad.message
    assert bad.observed == case.observed
    assert_words(bad.message, *case.words)
    assert bad.expected == good.expected == EXPECTATIONS[case.id]


def test_warn_severity_records_failure_as_warn(db: sa.Engine) -> None:
    create_table(db, "t", {"a": sa.Integer()}, [(None,), (1,)])
    suite = run(db, [dq.not_null("a", severity="warn")])
    assert only(suite).status == "warn"
    assert only(suite).observed == 1
    assert suite.passed  # a warning never halts the pipeline


def test_references_parent_table(db: sa.Engine) -> None:
    create_table(db, "users", {"id": sa.Integer(), "user_id": sa.Integer()}, [(1, 10), (2, 20), (None, 30)])
    create_table(db, "good", {"user_id": sa.Integer()}, [(1,), (2,), (2,), (None,)])
    create_table(db, "bad", {"user_id": sa.Integer()}, [(1,), (3,), (4,), (None,)])
    check = dq.references("user_id", "users", "id")

    good = only(run(db, check, table="good"))
    bad = only(run(db, check, table="bad"))

    assert good.status == "pass", good.message
    assert_words(good.message, "all 3 non-NULL values of 'user_id' exist in users.id")
    assert bad.status == "fail"
    assert bad.observed == 2
    assert_words(bad.message, "2 of 3 non-NULL values", "have no parent row")
    assert sorted(r["user_id"] for r in bad.failing_rows) == [3, 4]


def test_references_defaults_parent_column_and_allows_self_reference(db: sa.Engine) -> None:
    # employees.manager_id -> employees.id: the parent is the checked table itself.
    create_table(db, "employees", {"id": sa.Integer(), "manager_id": sa.Integer()}, [(1, None), (2, 1), (3, 2), (4, 9)])
    result = only(run(db, dq.references("manager_id", "employees", "id"), table="employees"))
    assert (result.status, result.observed) == ("fail", 1)
    assert [r["id"] for r in result.failing_rows] == [4]

    # parent_column defaults to the checked column's name
    create_table(db, "parent", {"k": sa.Integer()}, [(1,), (2,)])
    create_table(db, "t", {"k": sa.Integer()}, [(1,), (2,), (2,)])
    assert only(run(db, dq.references("k", "parent"))).status == "pass"


def test_custom_sql_equals(db: sa.Engine) -> None:
    create_table(db, "t", {"amount": sa.Integer()}, [(5,), (-1,), (-2,)])
    passing = dq.custom_sql("SELECT COUNT(*) FROM t WHERE amount > 100", equals=0, name="no_big")
    failing = dq.custom_sql("SELECT COUNT(*) FROM t WHERE amount < 0", equals=0, name="no_negative")

    results = {r.name: r for r in run(db, [passing, failing]).results}

    assert (results["no_big"].status, results["no_big"].observed) == ("pass", 0)
    assert (results["no_negative"].status, results["no_negative"].observed) == ("fail", 2)
    assert_words(results["no_negative"].message, "the query returned 2", "does not meet query result = 0")


def test_custom_sql_bounds_and_text_result(db: sa.Engine) -> None:
    create_table(db, "t", {"amount": sa.Numeric(10, 2), "status": sa.String(10)}, [(5, "ok"), (7.5, "ok")])
    checks = [
        dq.custom_sql("SELECT MAX(amount) FROM t", max=10, name="max_ok"),
        dq.custom_sql("SELECT MAX(amount) FROM t", min=8, name="max_low"),
        dq.custom_sql("SELECT MAX(amount) FROM t WHERE amount > 100", min=0, name="max_null"),
        dq.custom_sql("SELECT MIN(status) FROM t", equals="ok", name="status_ok"),
    ]

    results = {r.name: r for r in run(db, checks).results}

    assert results["max_ok"].status == "pass"
    assert float(results["max_ok"].observed) == 7.5
    assert results["max_low"].status == "fail"
    assert_words(results["max_low"].message, "returned 7.5", "does not meet query result >= 8")
    assert (results["max_null"].status, results["max_null"].observed) == ("fail", None)
    assert_words(results["max_null"].message, "returned NULL")
    assert (results["status_ok"].status, results["status_ok"].observed) == ("pass", "ok")
