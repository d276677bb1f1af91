"""The three semantic bugs of issue 13, held to the same verdict on SQLite, PostgreSQL and pandas:
booleans average as 0/1; a column of mixed Python types errors one check, not the run;
floating metrics compare with the same small relative tolerance everywhere."""

from __future__ import annotations

import math
import statistics

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks.bounds import REL_TOL
from airflow_dq.engines.pandas import check_dataframe
from tests.checks.data import NOW, by_name, create_table, run


def _both(db: sa.Engine, columns: dict, records: list[dict], df: pd.DataFrame, checks: list) -> tuple[dict, dict]:
    create_table(db, "t", columns, records)
    return by_name(run(db, checks)), by_name(check_dataframe(df, checks, now=NOW))


@pytest.mark.parametrize("nullable", [False, True])
def test_booleans_average_as_zero_one_on_every_engine(db: sa.Engine, nullable: bool) -> None:
    labels = [True, False, False, True, True, False, False, False] + ([None] if nullable else [])
    df = pd.DataFrame({"label": pd.array(labels, dtype="boolean" if nullable else "bool")})
    checks = [
        dq.mean_between("label", min=0.375, max=0.375),  # 3 positives of 8: the positive rate
        dq.stddev_between("label", min=0.5175, max=0.5176),
        dq.sum_between("label", min=3, max=3),
        dq.mean_between("label", max=0.3, name="too_many_positives"),
    ]
    sql, frame = _both(db, {"label": sa.Boolean()}, [{"label": v} for v in labels], df, checks)
    for results in (sql, frame):
        assert results["mean_between(label)"].status == "pass", results["mean_between(label)"].message
        assert results["mean_between(label)"].observed == 0.375
        assert math.isclose(results["stddev_between(label)"].observed, statistics.stdev([1, 0, 0, 1, 1, 0, 0, 0]))
        assert results["sum_between(label)"].observed == 3
        assert results["too_many_positives"].status == "fail"
    assert [(r.status, r.observed) for r in sql.values()] == [(r.status, r.observed) for r in frame.values()]


def test_mixed_python_types_error_one_check_and_the_rest_run(db: sa.Engine) -> None:
    """[1, 2, 3, "abc"] (dtype object) used to raise TypeError out of the whole pandas run."""
    df = pd.DataFrame({"x": [1, 2, 3, "abc"], "y": [1, 2, 3, 4]})
    checks = [
        dq.value_range("x", min=0, max=10),
        dq.sum_between("x", min=0),
        dq.not_null("x"),
        dq.row_count(min=4),
        dq.value_range("y", min=0, max=3),
    ]
    # The same values in a SQL table are a text column.
    records = [{"x": str(v), "y": y} for v, y in zip(df["x"], df["y"], strict=True)]
    sql, frame = _both(db, {"x": sa.String(5), "y": sa.Integer()}, records, df, checks)
    for results in (sql, frame):
        assert results["value_range(x)"].status == "error", results["value_range(x)"].message
        assert results["sum_between(x)"].status == "error"
        assert (results["not_null(x)"].status, results["row_count"].status) == ("pass", "pass")
        assert (results["value_range(y)"].status, results["value_range(y)"].observed) == ("fail", 1)
    assert "'<' not supported" in frame["value_range(x)"].message or "compare" in frame["value_range(x)"].message


def test_a_bound_set_at_the_value_passes_on_every_engine(db: sa.Engine) -> None:
    """stddev_samp of [1, 1, 3] differs in the last digit between PostgreSQL and SQLite's sums."""
    exact = statistics.stdev([1, 1, 3])  # sqrt(4/3)
    df = pd.DataFrame({"v": [1.0, 1.0, 3.0]})
    checks = [
        dq.stddev_between("v", min=exact, max=exact),
        dq.stddev_between("v", min=exact * (1 + 1e-6), name="clearly_above"),
        dq.stddev_between("v", max=exact * (1 - 1e-6), name="clearly_below"),
        dq.stddev_between("v", min=exact, strict_min=True, name="strictly_above"),
        dq.mean_between("v", min=5 / 3, max=5 / 3),
    ]
    sql, frame = _both(db, {"v": sa.Float()}, [{"v": v} for v in df["v"]], df, checks)
    for results in (sql, frame):
        assert results["stddev_between(v)"].status == "pass", results["stddev_between(v)"].message
        assert results["mean_between(v)"].status == "pass"
        assert results["clearly_above"].status == "fail"
        assert results["clearly_below"].status == "fail"
        assert results["strictly_above"].status == "fail"  # equal within the tolerance is not above


def test_the_tolerance_is_relative_and_small() -> None:
    from airflow_dq.checks.bounds import within

    assert within(1.0 + REL_TOL / 2, None, 1.0)
    assert not within(1.0 + 10 * REL_TOL, None, 1.0)
    assert within(1e12 - 1e2, 1e12, None)  # 1e-10 relative
    assert not within(1e12 - 1e4, 1e12, None)
    assert not within(5, 6, None) and within(6, 6, None)  # integers compare exactly
    assert not within(float("nan"), None, None)
