"""Failure samples: fetched only on failure, at most ``sample_size`` rows, the right rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import by_name, create_table, only, run, statement_log


@pytest.fixture
def orders(db: sa.Engine) -> sa.Engine:
    rows = [
        (1, "a", 10),
        (2, None, 20),
        (3, "b", None),
        (4, None, 40),
        (5, "c", 50),
        (6, None, 60),
        (7, "c", 70),
        (7, "c", 70),
        (8, None, 80),
        (8, "d", 80),
        (8, "d", 80),
    ]
    create_table(db, "t", {"id": sa.Integer(), "tag": sa.String(5), "amount": sa.Integer()}, rows)
    return db


def test_sample_holds_the_offending_rows(orders: sa.Engine) -> None:
    result = only(run(orders, dq.not_null("tag"), sample_size=10))
    assert result.observed == 4
    assert sorted(r["id"] for r in result.failing_rows) == [2, 4, 6, 8]
    assert all(r["tag"] is None for r in result.failing_rows)
    assert set(result.failing_rows[0]) == {"id", "tag", "amount"}  # whole rows, to see the context


def test_sample_is_capped_at_sample_size(orders: sa.Engine) -> None:
    result = only(run(orders, dq.not_null("tag"), sample_size=2))
    assert result.observed == 4  # the count is exact, only the sample is capped
    assert len(result.failing_rows) == 2
    assert all(r["tag"] is None for r in result.failing_rows)


def test_duplicate_keys_are_shown_with_their_counts(orders: sa.Engine) -> None:
    result = only(run(orders, dq.unique("id"), sample_size=5))
    # id 8 three times, id 7 twice: most repeated first
    assert result.failing_rows == [{"id": 8, "dq_count": 3}, {"id": 7, "dq_count": 2}]
    capped = only(run(orders, dq.unique("id"), sample_size=1))
    assert capped.failing_rows == [{"id": 8, "dq_count": 3}]

    multi = only(run(orders, dq.unique(["id", "tag"])))
    # (8, NULL) is ignored: a NULL key is never a duplicate
    assert multi.failing_rows == [{"id": 7, "tag": "c", "dq_count": 2}, {"id": 8, "tag": "d", "dq_count": 2}]


def test_row_condition_sample_includes_null_outcomes(orders: sa.Engine) -> None:
    result = only(run(orders, dq.row_condition("amount < 50"), sample_size=20))
    assert sorted(r["id"] for r in result.failing_rows) == [3, 5, 6, 7, 7, 8, 8, 8]


def test_no_sample_when_passing_or_sample_size_zero(orders: sa.Engine) -> None:
    checks = [dq.not_null("id"), dq.value_range("amount", min=0), dq.not_null("tag"), dq.unique("id")]
    with statement_log(orders) as log:
        silent = by_name(run(orders, checks, sample_size=0))
    assert log.counts()["sample"] == 0
    assert [silent[n].status for n in ["not_null(tag)", "unique(id)"]] == ["fail", "fail"]
    assert all(r.failing_rows == [] for r in silent.values())

    with statement_log(orders) as log:
        sampled = by_name(run(orders, checks, sample_size=3))
    assert log.counts()["sample"] == 2  # only the two failed checks
    assert sampled["not_null(id)"].failing_rows == []
    assert sampled["value_range(amount)"].failing_rows == []
    assert len(sampled["not_null(tag)"].failing_rows) == 3


def test_warn_and_aggregate_failures(orders: sa.Engine) -> None:
    checks = [dq.not_null("tag", severity="warn"), dq.mean_between("amount", max=1), dq.row_count(max=1)]
    results = by_name(run(orders, checks))
    assert results["not_null(tag)"].status == "warn"
    assert len(results["not_null(tag)"].failing_rows) == 4  # a warning shows its rows too
    # aggregate checks have no offending rows to show
    assert results["mean_between(amount)"].failing_rows == []
    assert results["row_count"].failing_rows == []


def test_sample_respects_the_where_filter(orders: sa.Engine) -> None:
    result = only(run(orders, dq.not_null("tag"), where="id >= 5"))
    assert result.observed == 2
    assert sorted(r["id"] for r in result.failing_rows) == [6, 8]


def test_a_where_with_or_narrows_the_sample_as_a_whole(orders: sa.Engine) -> None:
    # The sample adds the rule to the dataset's filter: "id = 2 OR id = 5" must stay one
    # condition, else "id = 2 OR (id = 5 AND tag IS NULL)" would let a passing row through.
    result = only(run(orders, dq.not_null("tag"), where="id = 5 OR id = 6", sample_size=10))
    assert result.observed == 1
    assert [r["id"] for r in result.failing_rows] == [6]
    result = only(run(orders, dq.not_null("tag"), where="id = 6 OR id = 5", sample_size=10))
    assert [r["id"] for r in result.failing_rows] == [6]
