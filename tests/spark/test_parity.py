"""The Spark engine, on a real local Spark Connect server, gives the SQL engine's results.

The same data and suites as the pandas parity tests (tests/pandas): same statuses, observed
values, metrics and sample sizes as SQLite, with all scalar metrics in ONE Spark job.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.spark import SparkEngine
from airflow_dq.metrics import MetricError, Minimum, RowCount
from airflow_dq.results import SuiteResult
from airflow_dq.suite import run_checks
from tests.checks.data import NOW, create_table, run
from tests.pandas import parity_data as data
from tests.pandas import test_grouped_parity as grouped
from tests.pandas import test_new_checks_parity as new_checks
from tests.pandas.test_parity import _same

pytestmark = pytest.mark.spark


def _parquet(frame: pd.DataFrame, tmp_path: Path, name: str = "t.parquet") -> str:
    path = tmp_path / name
    frame.to_parquet(path)  # naive timestamps: Spark reads them as TIMESTAMP_NTZ (wall clock)
    return str(path)


def _assert_same(sql: SuiteResult, spark: SuiteResult, *, messages: bool = False) -> None:
    assert [r.name for r in spark.results] == [r.name for r in sql.results]
    for a, b in zip(sql.results, spark.results, strict=True):
        assert (a.name, str(a.status)) == (b.name, str(b.status)), (a.message, b.message)
        assert _same(a.observed, b.observed) or a.to_dict()["observed"] == b.to_dict()["observed"], (
            a.name,
            a.observed,
            b.observed,
        )
        assert a.metrics.keys() == b.metrics.keys(), a.name
        for label in a.metrics:
            assert _same(a.metrics[label], b.metrics[label]), (a.name, label, a.metrics[label], b.metrics[label])
        assert a.expected == b.expected, a.name
        assert len(a.failing_rows) == len(b.failing_rows), a.name
        if messages:
            assert a.message == b.message, a.name


def test_parity_suite_matches_sql(spark: Any, sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    create_table(sqlite_engine, "t", data.COLUMNS, data.rows())
    sql = run(sqlite_engine, data.suite(), now=NOW)
    result = run_checks(SparkEngine(spark, path=_parquet(data.frame(data.rows()), tmp_path)), data.suite(), now=NOW)
    statuses = {r.name: str(r.status) for r in result.results}
    assert 8 <= sum(s != "pass" for s in statuses.values()) <= len(statuses) - 8, statuses
    _assert_same(sql, result)
    assert result.statements["data"] == 1  # every scalar metric of the suite in ONE Spark job


def test_new_checks_match_sql(spark: Any, sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    """Quantiles, sums, distinct counts, column pairs, monotonic order, duplicate options."""
    create_table(sqlite_engine, "t", new_checks.COLUMNS, new_checks.rows())
    sql = run(sqlite_engine, new_checks.suite(), now=NOW)
    path = _parquet(new_checks.frame(new_checks.rows()), tmp_path)
    result = run_checks(SparkEngine(spark, path=path), new_checks.suite(), now=NOW)
    _assert_same(sql, result)
    for name, status in new_checks.EXPECTED.items():
        assert str(next(r for r in result.results if r.name == name).status) == status, name
    # the shared scan, plus one job per metric a plain aggregate cannot express (window, GROUP BY)
    own_jobs = 3 + 3  # 3 distinct monotonic orders (two checks share one), 3 duplicate counts with options
    assert result.statements["data"] == 1 + own_jobs


def test_completeness_checks_match_sql(spark: Any, sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    """Segments and time buckets (also cut on Berlin's wall clock): one GROUP BY job per grouping."""
    create_table(sqlite_engine, "t", grouped.COLUMNS, grouped._rows())
    sql = run(sqlite_engine, grouped._suite(), now=NOW)
    result = run_checks(SparkEngine(spark, path=_parquet(grouped._frame(), tmp_path)), grouped._suite(), now=NOW)
    _assert_same(sql, result, messages=True)
    assert {str(r.status) for r in result.results} == {"pass", "fail"}
    assert result.statements["grouped"] >= 3


def test_drift_against_a_reference_table_matches_sql(spark: Any, sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    """Histograms on the reference's edges, in one aggregation job per table, as in SQL."""
    from tests.drift.test_drift_check import REFERENCE, _data

    REFERENCE.to_sql("ref", sqlite_engine, index=False)
    _data(1.0, seed=3).to_sql("moved", sqlite_engine, index=False)
    spark.read.parquet(_parquet(REFERENCE, tmp_path, "ref.parquet")).createOrReplaceTempView("ref")
    check = dq.drift(["age", "income", "plan"], reference={"table": "ref"})
    sql = run(sqlite_engine, [check], table="moved", now=NOW)
    result = run_checks(
        SparkEngine(spark, path=_parquet(_data(1.0, seed=3), tmp_path, "moved.parquet")), [check], now=NOW
    )
    assert result.results[0].status == "fail"
    assert (
        result.results[0].observed["drifted_columns"] == sql.results[0].observed["drifted_columns"] == ["age", "plan"]
    )
    ours = {c["column"]: c for c in result.results[0].observed["columns"]}
    theirs = {c["column"]: c for c in sql.results[0].observed["columns"]}
    for column in ("age", "income", "plan"):
        assert ours[column]["method"] == theirs[column]["method"], column
        assert ours[column]["statistic"] == pytest.approx(theirs[column]["statistic"], rel=1e-9), column


def test_unsupported_metric_is_an_error_for_that_check_alone(spark: Any, tmp_path: Path) -> None:
    """custom_sql and references need the warehouse: status error naming what is missing."""
    path = _parquet(data.frame(data.rows()), tmp_path)
    checks = [
        dq.row_count(min=1),
        dq.custom_sql("SELECT 1", min=1, name="custom"),
        dq.references("user_id", "users", "id"),
        dq.not_null("day"),
    ]
    result = run_checks(SparkEngine(spark, path=path), checks, now=NOW)
    statuses = {r.name: str(r.status) for r in result.results}
    assert statuses == {"row_count": "pass", "custom": "error", "references(user_id)": "error", "not_null(day)": "pass"}
    by_name = {r.name: r for r in result.results}
    assert "Spark engine cannot run custom SQL" in by_name["custom"].message
    assert "Spark engine cannot check references to a parent table" in by_name["references(user_id)"].message


def test_where_row_condition_and_table(spark: Any, sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    """A Spark SQL filter, a Spark SQL row_condition, and a catalog table instead of files."""
    create_table(sqlite_engine, "t", data.COLUMNS, data.rows())
    spark.read.parquet(_parquet(data.frame(data.rows()), tmp_path)).createOrReplaceTempView("events")
    checks = [
        dq.row_count(min=150),
        dq.row_condition("amount > 999500 OR amount IS NULL", name="rule"),
        dq.not_null("user_id"),
    ]
    where = "country = 'US'"
    sql = run(sqlite_engine, checks, now=NOW, where=where)
    result = run_checks(SparkEngine(spark, table="events", where=where), checks, now=NOW)
    _assert_same(sql, result)
    assert result.dataset == f"table events where {where}"


def test_engine_values_directly(spark: Any) -> None:
    frame = spark.createDataFrame(pd.DataFrame({"x": [3.0, float("nan"), 1.0], "t": ["b", None, "a"]}))
    values = SparkEngine(spark, frame=frame).compute([RowCount(), Minimum("x"), Minimum("t")])
    assert values == {RowCount(): 3, Minimum("x"): 1.0, Minimum("t"): "a"}  # NaN counts as NULL
    bad = SparkEngine(spark, frame=frame).compute([Minimum("nope"), RowCount()])
    assert isinstance(bad[Minimum("nope")], MetricError) and "no column 'nope'" in str(bad[Minimum("nope")])
    assert bad[RowCount()] == 3


def test_time_buckets_of_an_instant_column(spark: Any) -> None:
    """A TIMESTAMP (an instant) is converted to the bucket's zone; NTZ values are wall clock."""
    from airflow_dq.metrics.grouped import ByTimeBucket, Grouped

    stamps = spark.sql(
        "SELECT to_timestamp(s) AS t FROM VALUES ('2026-11-26 22:30:00'), ('2026-11-26 23:10:00'), ('2026-11-27 05:00:00') AS v(s)"
    )
    start, end = (
        dt.datetime(2026, 11, 27, tzinfo=dt.UTC) - dt.timedelta(hours=1),
        dt.datetime(2026, 11, 27, 6, tzinfo=dt.UTC),
    )
    metric = Grouped(RowCount(), ByTimeBucket("t", "hour", "Europe/Berlin", start, end))
    value = SparkEngine(spark, frame=stamps).compute([metric])[metric]
    # the session runs on UTC: 23:10 UTC is 00:10 in Berlin; 22:30 UTC falls before the window
    assert value == {(dt.datetime(2026, 11, 27, 0),): 1, (dt.datetime(2026, 11, 27, 6),): 1}


def test_a_bad_row_condition_errors_alone(spark: Any, tmp_path: Path) -> None:
    """Spark refuses the shared job because of one expression: that check gets Spark's
    message as status error, and every other check is judged from one more job."""
    path = _parquet(data.frame(data.rows()), tmp_path)
    checks = [dq.row_count(min=1), dq.row_condition("amount > no_such_column", name="typo"), dq.not_null("user_id")]
    result = run_checks(SparkEngine(spark, path=path), checks, now=NOW)
    by_name = {r.name: r for r in result.results}
    assert str(by_name["typo"].status) == "error"
    assert "Spark cannot compute" in by_name["typo"].message and "no_such_column" in by_name["typo"].message
    assert (str(by_name["row_count"].status), by_name["row_count"].observed) == ("pass", 300)
    assert (str(by_name["not_null(user_id)"].status), by_name["not_null(user_id)"].observed) == ("fail", 18)
