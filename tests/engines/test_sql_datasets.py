"""Datasets: tables, queries and ``where`` filters; a missing column errors one check only."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import SqlEngine
from tests.checks.data import assert_words, by_name, create_table, only, run, statement_log


@pytest.fixture
def events(db: sa.Engine) -> sa.Engine:
    rows = [
        (1, dt.datetime(2026, 11, 26, 9, 0), "09:30", 5.0),
        (2, dt.datetime(2026, 11, 26, 23, 0), "10:00", -1.0),
        (3, dt.datetime(2026, 11, 27, 8, 0), "10:00", 7.0),
        (4, dt.datetime(2026, 11, 27, 11, 0), "11:15", 9.0),
        (5, dt.datetime(2026, 11, 27, 12, 0), None, 100.0),
    ]
    create_table(
        db, "events", {"id": sa.Integer(), "ts": sa.DateTime(), "slot": sa.String(5), "amount": sa.Float()}, rows
    )
    return db


def test_missing_column_errors_that_check_only(events: sa.Engine) -> None:
    checks = [
        dq.not_null("user_id"),
        dq.unique(["id", "ghost"]),
        dq.not_null("id"),
        dq.value_range("amount", min=0, max=10),
    ]
    with statement_log(events) as log:
        suite = run(events, checks, table="events")
    results = by_name(suite)

    for name, missing in [("not_null(user_id)", "['user_id']"), ("unique(id, ghost)", "['ghost']")]:
        assert results[name].status == "error"
        assert results[name].observed is None
        assert_words(results[name].message, f"column(s) {missing} do not exist", "['amount', 'id', 'slot', 'ts']")
        assert results[name].blocking
    # the others still ran, in the same single scan
    assert results["not_null(id)"].status == "pass"
    assert (results["value_range(amount)"].status, results["value_range(amount)"].observed) == ("fail", 2)
    assert log.counts()["data"] == 1
    assert [r.name for r in suite.results] == [c.name for c in checks]  # order kept
    assert not suite.passed


def test_query_dataset(events: sa.Engine) -> None:
    query = "SELECT id, amount, amount * 2 AS doubled FROM events WHERE amount >= 0"
    checks = [
        dq.row_count(min=4, max=4),
        dq.value_range("doubled", min=0, max=20),
        dq.unique("id"),
        dq.unique(["id", "doubled"]),
        dq.not_null("ts"),  # not a column of the query
    ]
    suite = run(events, checks, query=query)
    results = by_name(suite)

    assert results["row_count"].status == "pass"
    assert results["value_range(doubled)"].observed == 1  # 200.0
    assert results["value_range(doubled)"].failing_rows == [{"id": 5, "amount": 100.0, "doubled": 200.0}]
    assert results["unique(id, doubled)"].status == "pass"
    assert results["not_null(ts)"].status == "error"
    assert_words(results["not_null(ts)"].message, "['amount', 'doubled', 'id']")
    assert suite.dataset == "query"


def test_query_dataset_with_a_where_filter(events: sa.Engine) -> None:
    suite = run(events, [dq.row_count(min=1), dq.not_null("slot")], query="SELECT * FROM events", where="id > 2")
    results = by_name(suite)
    assert results["row_count"].observed == 3
    assert results["not_null(slot)"].observed == 1
    assert suite.dataset == "query where id > 2"


def test_where_with_colons_in_string_literals(events: sa.Engine) -> None:
    # "'10:00'" must reach the database as text, not as a bind parameter named ":00".
    result = only(run(events, dq.row_count(min=1), table="events", where="slot = '10:00'"))
    assert result.observed == 2
    assert_words(run(events, dq.row_count(min=1), table="events", where="slot >= '10:00'").dataset, "where slot >=")


def test_where_with_like_percent(events: sa.Engine) -> None:
    result = only(run(events, dq.row_count(min=1), table="events", where="slot LIKE '1%'"))
    assert result.observed == 3


@pytest.mark.postgres
def test_where_with_postgres_casts(postgres_engine: sa.Engine) -> None:
    rows = [(dt.datetime(2026, 11, 26, 23, 0), "10:00"), (dt.datetime(2026, 11, 27, 8, 0), "10:00")]
    create_table(postgres_engine, "events", {"ts": sa.DateTime(), "slot": sa.String(5)}, rows)
    where = "ts::date = '2026-11-27'::date AND slot::time >= '10:00'::time"
    checks = [dq.row_count(min=1, max=1), dq.unique(["ts", "slot"]), dq.not_null("slot")]

    suite = run(postgres_engine, checks, table="events", where=where)

    assert [r.status for r in suite.results] == ["pass"] * 3
    assert suite.results[0].observed == 1
    failing = only(run(postgres_engine, dq.row_condition("ts::date < '2026-11-27'::date"), table="events", where=where))
    assert failing.status == "fail"
    assert failing.failing_rows == [{"ts": dt.datetime(2026, 11, 27, 8, 0), "slot": "10:00"}]


@pytest.mark.postgres
def test_table_in_another_schema(postgres_engine: sa.Engine) -> None:
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA mart; CREATE TABLE mart.t (id int); INSERT INTO mart.t VALUES (1), (1)")
        conn.exec_driver_sql("CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1)")
    suite = run(postgres_engine, [dq.unique("id"), dq.schema({"id": "integer"})], schema="mart")
    results = by_name(suite)
    assert results["unique(id)"].observed == 1
    assert results["unique(id)"].failing_rows == [{"id": 1, "dq_count": 2}]
    assert results["schema"].status == "pass"
    assert suite.dataset == "table mart.t"


def test_missing_table_raises(db: sa.Engine) -> None:
    # Not a data problem: an ordinary exception, so Airflow retries the task.
    with pytest.raises(sa.exc.NoSuchTableError):
        run(db, dq.row_count(min=1), table="nowhere")


def test_engine_needs_exactly_one_dataset(db: sa.Engine) -> None:
    with pytest.raises(ValueError, match="exactly one of 'table' or 'query'"):
        SqlEngine(db)
    with pytest.raises(ValueError, match="exactly one of 'table' or 'query'"):
        SqlEngine(db, table="t", query="SELECT 1")


def test_custom_sql_with_colons_and_percent(events: sa.Engine) -> None:
    check = dq.custom_sql("SELECT COUNT(*) FROM events WHERE slot LIKE '1%' AND slot <> '10:00'", equals=1)
    result = only(run(events, check, table="events"))
    assert (result.status, result.observed) == ("pass", 1)


@pytest.mark.postgres
def test_custom_sql_with_postgres_casts(postgres_engine: sa.Engine) -> None:
    create_table(postgres_engine, "events", {"slot": sa.String(5)}, [("09:30",), ("10:00",), ("11:15",)])
    check = dq.custom_sql("SELECT COUNT(*) FROM events WHERE slot::time >= '10:00'::time", min=1, max=1)
    result = only(run(postgres_engine, check, table="events"))
    assert (result.status, result.observed) == ("fail", 2)
    assert_words(result.message, "returned 2", "does not meet query result in [1, 1]")
