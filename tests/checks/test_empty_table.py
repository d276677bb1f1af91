"""An empty dataset gives every check a clear outcome, never a crash."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import assert_words, by_name, create_table, run


def test_every_check_on_an_empty_table(db: sa.Engine) -> None:
    create_table(db, "parent", {"id": sa.Integer()}, [(1,)])
    create_table(
        db,
        "t",
        {"id": sa.Integer(), "k": sa.Integer(), "s": sa.String(10), "x": sa.Float(), "ts": sa.DateTime()},
    )
    checks = [
        dq.row_count(min=1),
        dq.row_count(max=10, name="row_count_max"),
        dq.not_null("id"),
        dq.unique("id"),
        dq.unique(["id", "k"]),
        dq.accepted_values("s", ["a"]),
        dq.value_range("x", min=0),
        dq.matches_regex("s", "^a$"),
        dq.length_between("s", max=3),
        dq.references("k", "parent", "id"),
        dq.row_condition("x > 0"),
        dq.mean_between("x", min=0),
        dq.stddev_between("x", max=1),
        dq.freshness("ts", max_age=dt.timedelta(days=1)),
        dq.schema({"id": "integer", "k": "integer", "s": "string", "x": "float", "ts": "timestamp"}),
        dq.custom_sql("SELECT COUNT(*) FROM t", equals=0, name="custom_count"),
    ]
    suite = run(db, checks)
    results = by_name(suite)

    assert results["row_count"].status == "fail"
    assert results["row_count"].observed == 0
    assert_words(results["row_count"].message, "0 rows, which is not >= 1")
    assert results["row_count_max"].status == "pass"

    row_level = [
        "not_null(id)",
        "unique(id)",
        "unique(id, k)",
        "accepted_values(s)",
        "value_range(x)",
        "matches_regex(s)",
        "length_between(s)",
        "references(k)",
        "row_condition",
    ]
    for name in row_level:
        assert results[name].status == "pass", name
        assert results[name].observed == 0, name
        assert_words(results[name].message, "0 rows", "nothing breaks the rule")
        assert results[name].failing_rows == []

    assert results["mean_between(x)"].status == "fail"
    assert results["mean_between(x)"].observed is None
    assert_words(results["mean_between(x)"].message, "cannot be computed", "at least 1 non-NULL value")
    assert results["stddev_between(x)"].status == "fail"
    assert_words(results["stddev_between(x)"].message, "cannot be computed", "at least 2 non-NULL values")
    assert results["freshness(ts)"].status == "fail"
    assert_words(results["freshness(ts)"].message, "has no timestamps", "not fresh")

    assert results["schema"].status == "pass"  # the catalog, not the data
    assert results["custom_count"].status == "pass"
    assert sum(r.status == "error" for r in suite.results) == 0


def test_all_null_column_is_like_an_empty_one_except_for_not_null(db: sa.Engine) -> None:
    create_table(db, "t", {"x": sa.Float()}, [(None,), (None,)])
    results = by_name(run(db, [dq.not_null("x"), dq.value_range("x", max=1), dq.mean_between("x", max=1)]))
    assert (results["not_null(x)"].status, results["not_null(x)"].observed) == ("fail", 2)
    assert results["value_range(x)"].status == "pass"
    assert_words(results["value_range(x)"].message, "no non-NULL values to check")
    assert results["mean_between(x)"].status == "fail"


def test_stddev_needs_two_values(db: sa.Engine) -> None:
    create_table(db, "t", {"x": sa.Float()}, [(3.0,), (None,)])
    results = by_name(run(db, [dq.stddev_between("x", max=1), dq.mean_between("x", min=3, max=3)]))
    assert results["stddev_between(x)"].status == "fail"
    assert results["stddev_between(x)"].observed is None
    assert_words(results["stddev_between(x)"].message, "needs at least 2 non-NULL values")
    assert results["mean_between(x)"].status == "pass"
