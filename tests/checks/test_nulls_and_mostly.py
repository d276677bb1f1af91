"""NULL semantics shared by every engine, and the ``mostly`` threshold."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import assert_words, by_name, create_table, only, run


@pytest.fixture
def with_nulls(db: sa.Engine) -> sa.Engine:
    # 6 rows, 3 of them NULL in every column; among the 3 values exactly one breaks each rule.
    create_table(db, "parent", {"id": sa.Integer()}, [(1,), (2,)])
    create_table(
        db,
        "t",
        {"n": sa.Integer(), "s": sa.String(20)},
        [(1, "ab"), (2, "cd"), (99, "toolong!"), (None, None), (None, None), (None, None)],
    )
    return db


def test_column_rules_ignore_nulls_only_not_null_counts_them(with_nulls: sa.Engine) -> None:
    checks = [
        dq.not_null("n"),
        dq.value_range("n", min=0, max=10),
        dq.accepted_values("n", [1, 2]),
        dq.references("n", "parent", "id"),
        dq.matches_regex("s", "^[a-z]{2}$"),
        dq.length_between("s", max=2),
    ]
    results = by_name(run(with_nulls, checks))

    assert results["not_null(n)"].observed == 3
    assert_words(results["not_null(n)"].message, "3 of 6 rows")
    for name in ["value_range(n)", "accepted_values(n)", "references(n)", "matches_regex(s)", "length_between(s)"]:
        assert results[name].observed == 1, name
        assert_words(results[name].message, "1 of 3 non-NULL values")
        # the failure sample shows the one offending value, never a NULL row
        assert len(results[name].failing_rows) == 1, name
        assert None not in results[name].failing_rows[0].values(), name


def test_unique_ignores_rows_with_a_null_key(db: sa.Engine) -> None:
    create_table(
        db,
        "t",
        {"a": sa.Integer(), "b": sa.String(5)},
        [(1, "x"), (None, "x"), (None, "x"), (1, None), (1, None), (2, "y"), (2, "y")],
    )
    results = by_name(run(db, [dq.unique("a"), dq.unique("b"), dq.unique(["a", "b"])]))

    # a: 1,1,1,2,2 non-NULL -> 3 surplus rows
    assert (results["unique(a)"].observed, results["unique(a)"].status) == (3, "fail")
    # (a, b): only (1,x) and (2,y),(2,y) are complete keys -> 1 surplus; (1,NULL) twice is ignored
    assert results["unique(a, b)"].observed == 1
    assert_words(results["unique(a, b)"].message, "1 of 3 keys")
    assert results["unique(a, b)"].failing_rows == [{"a": 2, "b": "y", "dq_count": 2}]


def test_unique_passes_when_only_nulls_repeat(db: sa.Engine) -> None:
    create_table(db, "t", {"a": sa.Integer(), "b": sa.Integer()}, [(1, None), (1, None), (None, 1), (None, 1), (2, 2)])
    results = by_name(run(db, [dq.unique(["a", "b"]), dq.unique("b", name="b_unique")]))
    assert results["unique(a, b)"].status == "pass", results["unique(a, b)"].message
    assert results["b_unique"].status == "fail"  # b = 1, 1 repeats; b's NULLs do not


def test_row_condition_counts_null_as_failure(db: sa.Engine) -> None:
    create_table(db, "t", {"a": sa.Integer()}, [(1,), (None,), (-1,)])
    result = only(run(db, dq.row_condition("a > 0")))
    assert (result.status, result.observed) == ("fail", 2)
    assert_words(result.message, "2 of 3 rows")


@pytest.fixture
def hundred_rows(db: sa.Engine) -> sa.Engine:
    # 100 rows: 7 NULLs; among the 93 values, 7 are out of [0, 100].
    values = [None] * 7 + [1000] * 7 + list(range(86))
    create_table(db, "t", {"v": sa.Integer()}, [(v,) for v in values])
    return db


@pytest.mark.parametrize(
    ("mostly", "status"),
    [(0.92, "pass"), (0.93, "pass"), (0.9301, "fail"), (0.94, "fail")],
)
def test_not_null_mostly_threshold(hundred_rows: sa.Engine, mostly: float, status: str) -> None:
    # 93 of 100 rows have a value: exactly 93% passes mostly=0.93 ("at least").
    result = only(run(hundred_rows, dq.not_null("v", mostly=mostly)))
    assert result.status == status, result.message
    assert result.observed == 7
    if status == "pass":
        assert_words(result.message, "7 of 100 rows", f"within mostly={mostly}", "93.00% pass")
    else:
        assert_words(result.message, "only 93.00% pass", "expected >=")


@pytest.mark.parametrize(
    ("mostly", "status"),
    [(86 / 93 - 1e-9, "pass"), (86 / 93, "pass"), (86 / 93 + 1e-9, "fail")],
)
def test_value_range_mostly_counts_non_null_values(hundred_rows: sa.Engine, mostly: float, status: str) -> None:
    # The denominator is the 93 non-NULL values, not the 100 rows.
    result = only(run(hundred_rows, dq.value_range("v", min=0, max=100, mostly=mostly)))
    assert result.status == status, result.message
    assert_words(result.message, "7 of 93 non-NULL values")


def test_mostly_of_one_means_every_row(hundred_rows: sa.Engine) -> None:
    assert only(run(hundred_rows, dq.not_null("v", mostly=1))).status == "fail"
