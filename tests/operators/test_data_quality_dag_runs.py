"""Real Airflow DAG runs (dag.test() on a migrated SQLite metadata DB) of the gate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_runs import load_dag, run_dag, xcom_value

pytestmark = pytest.mark.airflow

DAY = dt.date(2026, 11, 20)


def _write_events(url: str, rows: list[tuple]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS events")
        conn.exec_driver_sql("CREATE TABLE events (event_date DATE, user_id INTEGER, amount REAL)")
        conn.execute(
            sa.text("INSERT INTO events VALUES (:d, :u, :a)"),
            [{"d": d, "u": u, "a": a} for d, u, a in rows],
        )
    engine.dispose()


def _good_rows(day: dt.date = DAY) -> list[tuple]:
    return [(day.isoformat(), i, float(i)) for i in range(1, 21)]


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_WAREHOUSE", url)
    return url


def test_good_data_lets_training_run(warehouse: str) -> None:
    _write_events(warehouse, _good_rows())
    run, tis = run_dag(load_dag("dq_gate_dags", "dq_test_gate"), DAY)
    assert run.state == "success"
    assert tis["validate"].state == "success" and tis["train"].state == "success"
    result = xcom_value(run, "validate")
    assert result["passed"] is True
    assert {r["name"]: r["status"] for r in result["results"]} == {
        "row_count": "pass",
        "not_null(user_id)": "pass",
        "value_range(amount)": "pass",
    }
    assert result["statements"]["data"] == 1


def test_bad_data_fails_the_gate_without_retry_and_keeps_results(warehouse: str) -> None:
    rows = [*_good_rows(), (DAY.isoformat(), None, 5.0), (DAY.isoformat(), None, 6.0)]
    # Bad rows on another day are outside the templated partition filter and must not count.
    rows += [("2026-11-19", None, -1.0)] * 5
    _write_events(warehouse, rows)
    run, tis = run_dag(load_dag("dq_gate_dags", "dq_test_gate"), DAY)
    assert run.state == "failed"
    assert tis["validate"].state == "failed"
    assert tis["train"].state == "upstream_failed"
    # retries=1 on the task, but a data failure is not retried.
    assert tis["validate"].try_number == 1
    result = xcom_value(run, "validate")
    assert result["passed"] is False
    failed = [r for r in result["results"] if r["status"] == "fail"]
    assert [r["name"] for r in failed] == ["not_null(user_id)"]
    assert failed[0]["observed"] == 2
    assert "2 of 22 rows" in failed[0]["message"]
    assert len(failed[0]["failing_rows"]) == 2
    assert all(row["user_id"] is None for row in failed[0]["failing_rows"])
    assert result["dataset"] == f"table events where event_date = '{DAY.isoformat()}'"


def test_warn_failure_is_recorded_but_training_runs(warehouse: str) -> None:
    _write_events(warehouse, [*_good_rows(), (DAY.isoformat(), None, 1.0)])
    run, tis = run_dag(load_dag("dq_gate_dags", "dq_test_gate_warn"), DAY)
    assert run.state == "success"
    assert tis["train"].state == "success"
    result = xcom_value(run, "validate")
    statuses = {r["name"]: r["status"] for r in result["results"]}
    assert statuses == {"row_count": "pass", "not_null(user_id)": "warn"}
    assert result["passed"] is True


def test_on_failure_skip_skips_downstream(warehouse: str) -> None:
    _write_events(warehouse, [(DAY.isoformat(), None, -5.0)])
    run, tis = run_dag(load_dag("dq_gate_dags", "dq_test_gate_skip"), DAY)
    assert tis["validate"].state == "skipped"
    assert tis["train"].state == "skipped"
    result = xcom_value(run, "validate")
    assert {r["name"] for r in result["results"] if r["status"] == "fail"} == {
        "not_null(user_id)",
        "value_range(amount)",
    }


def test_unreachable_database_is_retried_not_passed(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_UNREACHABLE", f"postgresql://nobody@127.0.0.1:{port}/nowhere")
    run, tis = run_dag(load_dag("dq_gate_dags", "dq_test_gate_broken_conn"), DAY)
    assert tis["validate"].state == "failed"
    assert tis["train"].state == "upstream_failed"
    assert tis["validate"].try_number == 2  # the connection error was retried
    assert xcom_value(run, "validate") is None  # nothing was judged, nothing claims a pass


@pytest.mark.postgres
def test_gate_on_postgresql(monkeypatch: pytest.MonkeyPatch, airflow_db: str, postgres_engine: sa.Engine) -> None:
    url = postgres_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_WAREHOUSE", url.replace("postgresql+psycopg2://", "postgresql://"))
    _write_events(
        url, [*_good_rows(), (DAY.isoformat(), 3, -50.0), (DAY.isoformat(), 4, -60.0), (DAY.isoformat(), 5, -70.0)]
    )
    run, tis = run_dag(load_dag("dq_gate_dags", "dq_test_gate"), DAY)
    assert tis["validate"].state == "failed"
    assert tis["train"].state == "upstream_failed"
    result = xcom_value(run, "validate")
    failed = {r["name"]: r for r in result["results"] if r["status"] == "fail"}
    assert set(failed) == {"value_range(amount)"}
    assert failed["value_range(amount)"]["observed"] == 3
    assert sorted(row["amount"] for row in failed["value_range(amount)"]["failing_rows"]) == [-70.0, -60.0, -50.0]
