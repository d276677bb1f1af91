"""Real DAG runs of the completeness and freshness sensors (dag.test() runs triggers inline).

The sensor waits while a thread writes the missing rows, then lets training run; a sensor
whose data never comes times out (failed, or skipped with soft_fail). Deferral is observed
on Airflow's own TaskInstance: every state it is given is recorded.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_runs import load_dag, run_dag, xcom_value

pytestmark = pytest.mark.airflow

# A manual run at RUN_DAY covers the interval before it: [2026-11-19, 2026-11-20) UTC.
DAY = dt.date(2026, 11, 19)
RUN_DAY = dt.date(2026, 11, 20)
MODULE = "completeness_sensor_dags"


def _hours(skip: set[int] = frozenset(), countries: tuple[str, ...] = ("US", "DE")) -> list[tuple[str, str]]:
    return [
        (f"{DAY.isoformat()} {h:02d}:{m:02d}:00", country)
        for h in range(24)
        if h not in skip
        for m, country in enumerate(countries)
    ]


def _write(url: str, rows: list[tuple[str, str]], *, create: bool = False) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if create:
            conn.exec_driver_sql("DROP TABLE IF EXISTS events")
            conn.exec_driver_sql("CREATE TABLE events (event_time TIMESTAMP, country TEXT)")
        if rows:
            conn.execute(sa.text("INSERT INTO events VALUES (:t, :c)"), [{"t": t, "c": c} for t, c in rows])
    engine.dispose()


def _when(ready, fn, *args) -> threading.Thread:
    """Call ``fn(*args)`` in a thread as soon as ``ready()`` is true: the late load."""

    def late() -> None:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        fn(*args)

    thread = threading.Thread(target=late, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE3_WAREHOUSE", url)
    return url


@pytest.fixture
def queries() -> Iterator[list[str]]:
    """Every statement run on any SQLAlchemy engine in this process (the sensor's polls)."""
    seen: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    sa.event.listen(sa.Engine, "after_cursor_execute", on_execute)
    yield seen
    sa.event.remove(sa.Engine, "after_cursor_execute", on_execute)


@pytest.fixture
def states() -> Iterator[list[tuple[str, str]]]:
    """Every (task_id, state) Airflow assigns to a TaskInstance during the test."""
    from airflow.models.taskinstance import TaskInstance

    seen: list[tuple[str, str]] = []

    def on_set(target, value, oldvalue, initiator) -> None:
        seen.append((target.task_id, getattr(value, "value", value)))

    sa.event.listen(TaskInstance.state, "set", on_set)
    yield seen
    sa.event.remove(TaskInstance.state, "set", on_set)


def test_deferred_sensor_waits_for_missing_hours_and_segment_then_training_runs(warehouse: str, states: list) -> None:
    # Hours 14 and 15 are missing and DE vanished, until a late load brings both.
    _write(warehouse, _hours(skip={14, 15}, countries=("US",)), create=True)
    deferred = lambda: ("wait", "deferred") in states  # noqa: E731 - the first poll found data missing
    late = _when(
        deferred,
        _write,
        warehouse,
        [*_hours(skip=set(range(24)) - {14, 15}, countries=("US",)), (f"{DAY} 18:30:00", "DE")],
    )
    run, tis = run_dag(load_dag(MODULE, "test_issue3_completeness_deferred"), RUN_DAY)
    late.join()
    assert run.state == "success"
    assert tis["wait"].state == "success" and tis["train"].state == "success"
    assert ("wait", "deferred") in states  # it held no worker slot while waiting
    result = xcom_value(run, "wait")
    assert result["passed"] is True
    assert result["wait"]["mode"] == "deferred"
    assert result["wait"]["polls"] >= 2  # one in the worker, at least one in the trigger


def test_poke_mode_sensor_waits_then_succeeds_without_deferring(warehouse: str, states: list, queries: list) -> None:
    _write(warehouse, _hours(skip={14, 15}), create=True)
    # A poll is 3 statements on events (the scan, two GROUP BYs): load after the first poll.
    first_poll_done = lambda: sum(q.startswith("SELECT") and "FROM events" in q for q in queries) >= 3  # noqa: E731
    late = _when(first_poll_done, _write, warehouse, [(f"{DAY} 14:10:00", "US"), (f"{DAY} 15:10:00", "DE")])
    run, tis = run_dag(load_dag(MODULE, "test_issue3_completeness_poke"), RUN_DAY)
    late.join()
    assert run.state == "success" and tis["train"].state == "success"
    assert ("wait", "deferred") not in states
    result = xcom_value(run, "wait")
    assert result["wait"]["mode"] == "poke" and result["wait"]["polls"] >= 2


def test_complete_data_passes_on_the_first_poll_without_deferring(warehouse: str, states: list) -> None:
    _write(warehouse, _hours(), create=True)
    run, tis = run_dag(load_dag(MODULE, "test_issue3_completeness_deferred"), RUN_DAY)
    assert run.state == "success" and tis["train"].state == "success"
    assert ("wait", "deferred") not in states
    assert xcom_value(run, "wait")["wait"] == {"mode": "poke", "polls": 1}


def test_freshness_sensor_waits_for_the_end_of_the_interval(warehouse: str, states: list) -> None:
    _write(warehouse, _hours(), create=True)  # newest row 23:01 on the day; the run ends at midnight
    late = _when(lambda: ("wait", "deferred") in states, _write, warehouse, [("2026-11-20 00:00:05", "US")])
    run, tis = run_dag(load_dag(MODULE, "test_issue3_freshness_deferred"), RUN_DAY)
    late.join()
    assert run.state == "success" and tis["train"].state == "success"
    assert ("wait", "deferred") in states
    result = xcom_value(run, "wait")
    assert result["results"][0]["observed"] == "2026-11-20T00:00:05+00:00"


@pytest.mark.parametrize("dag_id", ["test_issue3_freshness_timeout", "test_issue3_freshness_timeout_poke"])
def test_sensor_times_out_and_fails(warehouse: str, states: list, dag_id: str) -> None:
    _write(warehouse, _hours(), create=True)  # never reaches midnight
    started = time.monotonic()
    run, tis = run_dag(load_dag(MODULE, dag_id), RUN_DAY)
    assert run.state == "failed"
    assert tis["wait"].state == "failed"
    assert tis["train"].state == "upstream_failed"
    assert time.monotonic() - started >= 3  # it waited for its timeout
    assert (("wait", "deferred") in states) == (dag_id == "test_issue3_freshness_timeout")


def test_soft_fail_sensor_times_out_and_skips(warehouse: str, states: list) -> None:
    _write(warehouse, _hours(), create=True)
    _, tis = run_dag(load_dag(MODULE, "test_issue3_freshness_timeout_soft"), RUN_DAY)
    assert tis["wait"].state == "skipped"
    assert tis["train"].state == "skipped"
    assert ("wait", "deferred") in states


def test_gate_halts_training_naming_the_missing_hours_and_country(warehouse: str) -> None:
    # The check's default window is the run's data interval, rendered by the operator.
    _write(warehouse, _hours(skip={14, 15}, countries=("US",)), create=True)
    run, tis = run_dag(load_dag(MODULE, "test_issue3_gate"), RUN_DAY)
    assert tis["wait"].state == "failed" and tis["train"].state == "upstream_failed"
    results = {r["name"]: r for r in xcom_value(run, "wait")["results"]}
    hours = results["time_bucket_completeness(event_time)"]
    assert hours["observed"]["missing"] == ["2026-11-19T14:00:00+00:00", "2026-11-19T15:00:00+00:00"]
    assert "no rows for 2026-11-19 14:00\u201316:00 UTC" in hours["message"]
    assert results["segment_completeness(country)"]["observed"]["vanished"] == ["'DE'"]
