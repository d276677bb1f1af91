"""row_count_matches / sum_matches: the checked dataset against its source, in the same
database or across two connections (SQLite warehouse, PostgreSQL source), on SQL and on
DataFrames, and in a real DAG run with two Airflow connections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.connections import use_connections
from airflow_dq.engines.pandas import check_dataframe
from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.checks.data import NOW, assert_words, by_name, create_table, run, statement_log

COLUMNS = {"order_id": sa.Integer(), "order_day": sa.String(10), "amount": sa.Float(), "paid": sa.Numeric(10, 2)}


def _orders(n: int, day: str = "2026-11-20") -> list[dict]:
    return [{"order_id": i, "order_day": day, "amount": i * 1.1, "paid": i * 2} for i in range(n)]


def test_matches_a_source_table_in_the_same_database(db: sa.Engine) -> None:
    create_table(db, "t", COLUMNS, _orders(100))
    create_table(db, "src", COLUMNS, _orders(103) + _orders(5, day="2026-11-19"))
    checks = [
        dq.row_count_matches("src"),
        dq.row_count_matches("src", tolerance=0.05, name="within_5pct"),
        dq.row_count_matches("src", other_where="order_id < 100 AND order_day = '2026-11-20'", name="same_slice"),
        dq.row_count_matches(
            other_sql="SELECT order_id FROM src WHERE order_id < 100 AND order_day = '2026-11-20'", name="from_sql"
        ),
        dq.sum_matches("amount", "src", other_where="order_id < 100 AND order_day = '2026-11-20'"),
        dq.sum_matches("amount", "src", other_column="paid", name="other_column"),
    ]
    with statement_log(db) as log:
        suite = run(db, checks, sample_size=0)
    results = by_name(suite)
    row_count = results["row_count_matches"]
    assert (row_count.status, row_count.observed, row_count.metrics["difference"]) == ("fail", 100, -8)
    assert_words(row_count.message, "100 here vs 108 in the source", "rows missing here")
    assert results["within_5pct"].status == "fail"  # 8 of 108 is 7.4%
    assert results["same_slice"].status == "pass"
    assert results["from_sql"].status == "pass"
    # 0.0 + 1.1 + ... summed by two databases in two orders: equal within the float tolerance
    assert results["sum_matches(amount)"].status == "pass", results["sum_matches(amount)"].message
    assert results["other_column"].status == "fail"
    # one scan of the dataset, one SELECT per distinct source (table+filter or query)
    assert log.counts()["data"] == 1 + 3, log.of("data")
    assert suite.statements["source"] == 3


@pytest.mark.postgres
def test_across_two_connections(sqlite_engine: sa.Engine, postgres_engine: sa.Engine) -> None:
    create_table(sqlite_engine, "orders", COLUMNS, _orders(50))
    create_table(postgres_engine, "src_orders", COLUMNS, _orders(50) + _orders(2, day="2026-11-21"))
    checks = [
        dq.row_count_matches("src_orders", other_conn_id="oltp", other_where="order_day = '2026-11-20'"),
        dq.row_count_matches("src_orders", other_conn_id="oltp", name="whole_source"),
        dq.sum_matches("paid", "src_orders", other_conn_id="oltp", other_where="order_day = '2026-11-20'"),
    ]
    with use_connections({"oltp": postgres_engine}):
        results = by_name(run(sqlite_engine, checks, table="orders"))
        frame = by_name(check_dataframe(pd.DataFrame(_orders(50)), checks, now=NOW))
    for side in (results, frame):
        assert side["row_count_matches"].status == "pass"
        assert (side["whole_source"].status, side["whole_source"].metrics["difference"]) == ("fail", -2)
        assert side["sum_matches(paid)"].status == "pass", side["sum_matches(paid)"].message


def test_an_unreachable_source_is_an_error_not_a_pass(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    create_table(sqlite_engine, "orders", COLUMNS, _orders(3))
    missing = sa.create_engine(f"sqlite:///{tmp_path / 'nowhere' / 'source.db'}")
    with use_connections({"oltp": missing}), pytest.raises(sa.exc.OperationalError):
        run(sqlite_engine, [dq.row_count_matches("src_orders", other_conn_id="oltp")], table="orders")
    with pytest.raises(LookupError, match="use_connections"):  # no opener set: said plainly
        run(sqlite_engine, [dq.row_count_matches("src_orders", other_conn_id="oltp")], table="orders")


def test_a_dataframe_needs_a_source_connection() -> None:
    from airflow_dq.dataframe_support import reject_sql_only_checks

    with pytest.raises(ValueError, match="other_conn_id"):
        reject_sql_only_checks([dq.row_count_matches("src")], owner="test")
    reject_sql_only_checks([dq.row_count_matches("src", other_conn_id="oltp")], owner="test")


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: dq.row_count_matches(), "other_table"),
        (lambda: dq.row_count_matches("a", other_sql="SELECT 1"), "other_table"),
        (lambda: dq.row_count_matches("a", tolerance=1.5), "tolerance"),
        (lambda: dq.row_count_matches("a", tolerance="1%"), "tolerance"),
        (lambda: dq.row_count_matches("a", other_conn_id=""), "other_conn_id"),
        (lambda: dq.sum_matches("", "a"), "column"),
        (lambda: dq.sum_matches("x", "a", other_column=" "), "other_column"),
    ],
)
def test_bad_arguments_fail_at_parse_time(build, argument: str) -> None:
    with pytest.raises(dq.CheckArgumentError, match=f"argument '{argument}'"):
        build()


@pytest.mark.airflow
def test_reconcile_in_a_dag_with_two_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    warehouse, source = (sa.create_engine(f"sqlite:///{tmp_path / name}.db") for name in ("warehouse", "source"))
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_WAREHOUSE", str(warehouse.url))
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_SOURCE", str(source.url))
    create_table(warehouse, "orders", COLUMNS, _orders(20)[:-1] + _orders(4, day="2026-11-21"))  # one row lost
    create_table(source, "src_orders", COLUMNS, _orders(20) + _orders(4, day="2026-11-21"))
    dag = load_dag("issue13_bounds_dags", "dq_test_reconcile")

    partial, tis = run_dag(dag, dt.date(2026, 11, 20))
    assert partial.state == "failed" and tis["reconcile"].state == "failed"
    payload = {r["name"]: r for r in xcom_value(partial, "reconcile")["results"]}
    assert payload["row_count_matches"]["status"] == "fail"
    assert payload["row_count_matches"]["metrics"]["difference"] == -1
    assert payload["sum_matches(amount)"]["status"] == "fail"

    complete, tis = run_dag(dag, dt.date(2026, 11, 21))
    assert complete.state == "success"
    assert {r["status"] for r in xcom_value(complete, "reconcile")["results"]} == {"pass"}
