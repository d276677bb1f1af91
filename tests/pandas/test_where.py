"""``where=`` on DataFrames: a pandas expression or a mask, the same rows as SQL's WHERE."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.pandas import check_dataframe
from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.checks.data import NOW, create_table, run
from tests.pandas import parity_data as data
from tests.pandas.test_parity import _same

SQL_WHERE = "country IN ('US', 'DE') AND amount > 999900"
PANDAS_WHERE = "country in ['US', 'DE'] and amount > 999900"


@pytest.mark.parametrize("how", ["expression", "mask", "csv_chunks"])
def test_the_filtered_suite_matches_sql(db: sa.Engine, how: str, tmp_path: Path) -> None:
    create_table(db, "t", data.COLUMNS, data.rows())
    sql = run(db, data.suite(), now=NOW, where=SQL_WHERE)
    df = data.frame(data.rows())
    if how == "expression":
        frame = check_dataframe(df, data.suite(), now=NOW, where=PANDAS_WHERE)
    elif how == "mask":
        frame = check_dataframe(
            df, data.suite(), now=NOW, where=lambda f: f["country"].isin(["US", "DE"]) & (f["amount"] > 999900)
        )
    else:
        path = tmp_path / "t.csv"
        df.to_csv(path, index=False)
        options = {"dtype": {**data.DTYPES, "price": "float64"}, "parse_dates": ["ts"]}
        frame = check_dataframe(path, data.suite(), now=NOW, chunksize=29, read_options=options, where=PANDAS_WHERE)
    rows = next(r for r in sql.results if r.name == "row_count")
    assert 40 < rows.observed < 200  # the filter keeps some rows, not all
    for a, b in zip(sql.results, frame.results, strict=True):
        if a.check_type == "schema" and how == "csv_chunks":
            continue  # CSV has no decimal or date type
        assert (a.name, str(a.status), a.expected) == (b.name, str(b.status), b.expected), (a.message, b.message)
        assert _same(a.observed, b.observed), (a.name, a.observed, b.observed)
    assert "where country in" in frame.dataset or "where <lambda>" in frame.dataset


def test_rows_where_the_mask_is_na_are_left_out() -> None:
    df = pd.DataFrame({"x": pd.array([1, None, 3, 4], dtype="Int64")})
    result = check_dataframe(df, [dq.row_count(min=2, max=2)], now=NOW, where="x > 1")
    assert (result.results[0].status, result.results[0].observed) == ("pass", 2)


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("   ", "is empty"),
        ("no_such_column > 1", "failed on the data"),
        (lambda f: f["x"].head(1) > 0, "one True/False per row"),
        (lambda f: f["x"] * 2, "one True/False per row"),
    ],
)
def test_a_broken_filter_is_an_error_not_a_pass(where, words: str) -> None:
    df = pd.DataFrame({"x": [1, 2, 3]})
    with pytest.raises(ValueError, match=words):
        check_dataframe(df, [dq.row_count(min=1)], now=NOW, where=where)


def test_the_operator_refuses_a_bad_where_at_parse_time() -> None:
    from airflow_dq.operators import DataFrameQualityOperator

    with pytest.raises(ValueError, match="'where'"):
        DataFrameQualityOperator(task_id="t", data="x.csv", where="", checks=[dq.row_count(min=1)])
    with pytest.raises(ValueError, match="'where'"):
        DataFrameQualityOperator(task_id="t", data="x.csv", where=5, checks=[dq.row_count(min=1)])


@pytest.mark.airflow
def test_the_operator_checks_only_the_run_s_rows(airflow_db: str) -> None:
    dag = load_dag("issue13_bounds_dags", "dq_test_dataframe_where")
    clean, tis = run_dag(dag, dt.date(2026, 11, 20))
    assert clean.state == "success", tis["validate_day"].state
    payload = xcom_value(clean, "validate_day")
    assert "where day == '2026-11-20'" in payload["dataset"]

    broken, tis = run_dag(dag, dt.date(2026, 11, 21))
    assert broken.state == "failed"
    statuses = {r["name"]: r["status"] for r in xcom_value(broken, "validate_day")["results"]}
    assert statuses == {"row_count": "pass", "not_null(user_id)": "fail", "value_range(amount)": "fail"}


def test_the_new_checks_through_a_filter_match_sql(db: sa.Engine) -> None:
    """Quantiles, order and pair checks read the filtered rows on both sides too."""
    from tests.pandas import test_new_checks_parity as new

    create_table(db, "t", new.COLUMNS, new.rows())
    sql = run(db, new.suite(), now=NOW, where="seq >= 40 AND country IS NOT NULL")
    frame = check_dataframe(new.frame(new.rows()), new.suite(), now=NOW, where="seq >= 40 and country.notna()")
    assert next(r for r in sql.results if r.check_type == "column_count").observed == 10
    for a, b in zip(sql.results, frame.results, strict=True):
        assert (a.name, str(a.status)) == (b.name, str(b.status)), (a.message, b.message)
        assert _same(a.observed, b.observed) or a.observed == b.observed, (a.name, a.observed, b.observed)


@pytest.mark.airflow
def test_task_dq_checks_only_the_run_s_rows(airflow_db: str) -> None:
    dag = load_dag("issue13_bounds_dags", "dq_test_task_dq_where")
    clean, _ = run_dag(dag, dt.date(2026, 11, 20))
    assert clean.state == "success"
    assert xcom_value(clean, "features", key="dq_results")["passed"] is True

    broken, _ = run_dag(dag, dt.date(2026, 11, 21))
    assert broken.state == "failed"
    statuses = {r["name"]: r["status"] for r in xcom_value(broken, "features", key="dq_results")["results"]}
    assert statuses == {"row_count": "pass", "not_null(user_id)": "fail"}
