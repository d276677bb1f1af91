"""Real DAG runs of the README's first anomaly example on daily data with a weekly rhythm:
judged from the third week on, weekends and a marked holiday raise no alarm, and a
Tuesday 35% low halts the pipeline within the first five weeks."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq.checks import volume_anomaly
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.store import MetricStore, RunKey
from airflow_dq.store.schema import RESULTS
from airflow_dq.suite import run_checks
from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.anomaly.test_dag_runs import write_day

pytestmark = pytest.mark.airflow

FIRST = dt.date(2026, 10, 5)  # a Monday
HOLIDAY = dt.date(2026, 10, 22)  # a Thursday, marked in the DAG's exclude_dates
WEEKLY = [1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.55]  # weekends 40-45% lower


def usual_rows(day: dt.date) -> int:
    noise = random.Random(day.toordinal()).gauss(0, 0.04)
    return round(2000 * WEEKLY[day.weekday()] * (1 + noise))


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE10_WAREHOUSE", url)
    return url


def default_store() -> MetricStore:
    return MetricStore.open(f"sqlite:///{Path(os.environ['AIRFLOW_HOME']) / 'data_quality' / 'history.db'}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> tuple[str, Callable[[], MetricStore]]:
    """(warehouse URL, how to open the history store the tasks use): SQLite files, or the
    warehouse and the store both on the real PostgreSQL server, as in production."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warehouse.db'}"
        monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE10_WAREHOUSE", url)
        return url, default_store
    engine = request.getfixturevalue("postgres_engine")
    url = engine.url.render_as_string(hide_password=False)
    airflow_url = url.replace("postgresql+psycopg2://", "postgresql://")
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE10_WAREHOUSE", airflow_url)
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE10_PG_STORE", airflow_url)
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_issue10_pg_store")
    return url, lambda: MetricStore(sa.create_engine(url))


def record_past_days(url: str, store: Callable[[], MetricStore], dag_id: str, days: list[dt.date], check: Any) -> None:
    """The first two weeks, recorded exactly as the operator records a run (same checks,
    same engine, same store), to keep the number of DAG runs in the test small."""
    history = store()
    engine = sa.create_engine(url)
    try:
        for day in days:
            write_day(url, day, usual_rows(day))
            logical = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)

            def past(check_name: str, runs: int, logical: dt.datetime = logical) -> Any:
                return history.history(dag_id, "validate", -1, check_name, before=logical, runs=runs)

            sql = SqlEngine(engine, table="events", where=f"event_date = '{day.isoformat()}'")
            result = run_checks(sql, [check], now=logical, history=past, logical_date=logical)
            assert result.results[0].status == "learning"
            history.record(RunKey(dag_id, "validate", f"seeded__{day.isoformat()}", logical), result)
    finally:
        engine.dispose()
        history.close()


def test_weekly_rhythm_is_judged_early_without_false_alarms(backend: tuple[str, Callable[[], MetricStore]]) -> None:
    warehouse, store = backend
    dag = load_dag("issue10_weekly_dags", "test_issue10_weekly")
    check = volume_anomaly(seasonality="day_of_week", direction="drop", exclude_dates=[HOLIDAY.isoformat()])
    record_past_days(warehouse, store, dag.dag_id, [FIRST + dt.timedelta(days=i) for i in range(13)], check)

    def day_run(day: dt.date, rows: int) -> tuple[str, dict[str, Any]]:
        write_day(warehouse, day, rows)
        run, _ = run_dag(dag, day)
        return run.state, xcom_value(run, "validate")["results"][0]

    # Day 14 (the second Sunday) is the 14th run: still learning, visibly, and not halting.
    state, result = day_run(FIRST + dt.timedelta(days=13), usual_rows(FIRST + dt.timedelta(days=13)))
    assert (state, result["status"]) == ("success", "learning")
    assert result["message"].startswith("learning: 13 of 14 past runs needed before judging")

    # From the third week on every day is judged; quiet weekends are normal, and so are
    # the holiday (marked) and the days after it.
    for offset in range(14, 22):
        day = FIRST + dt.timedelta(days=offset)
        if day == HOLIDAY:
            # A third of the usual volume, marked: not judged, and not history for later days.
            state, result = day_run(day, round(usual_rows(day) * 0.3))
            assert (state, result["status"]) == ("success", "learning"), result["message"]
            assert result["message"].startswith("not judged: the date is in exclude_dates")
            continue
        state, result = day_run(day, usual_rows(day))
        assert (state, result["status"]) == ("success", "pass"), (day, result["message"])
        assert "within the expected band" in result["message"]

    # The fourth Tuesday (three Tuesdays of history, week 4) arrives 35% low: caught, and the
    # pipeline is halted.
    tuesday = FIRST + dt.timedelta(days=22)
    assert tuesday.weekday() == 1
    write_day(warehouse, tuesday, round(usual_rows(tuesday) * 0.65))
    run, tis = run_dag(dag, tuesday)
    assert run.state == "failed" and tis["publish"].state == "upstream_failed"
    result = xcom_value(run, "validate")["results"][0]
    assert result["status"] == "fail"
    assert result["message"].startswith("row count ") and "is below the expected band" in result["message"]
    assert "-3" in result["message"].split("vs expected")[0]  # about -35% vs expected

    # The Wednesday after is normal again: the bad Tuesday does not drag its expectation.
    wednesday = tuesday + dt.timedelta(days=1)
    state, result = day_run(wednesday, usual_rows(wednesday))
    assert (state, result["status"]) == ("success", "pass"), result["message"]

    # The store (SQLite or PostgreSQL) recorded the learning runs as learning, not as passes.
    history = store()
    with history.engine.connect() as conn:
        statuses = conn.execute(
            sa.select(RESULTS.c.logical_date, RESULTS.c.status)
            .where(RESULTS.c.dag_id == dag.dag_id, RESULTS.c.check_name == "volume_anomaly")
            .order_by(RESULTS.c.logical_date, RESULTS.c.recorded_at)
        ).all()
    history.close()
    by_day = {row.logical_date.date(): row.status for row in statuses}  # the newest run of each day
    assert [by_day[FIRST + dt.timedelta(days=i)] for i in range(14)] == ["learning"] * 14
    assert by_day[HOLIDAY] == "learning" and by_day[tuesday] == "fail" and by_day[wednesday] == "pass"


def test_while_learning_fixed_bounds_apply_until_history_is_enough(warehouse: str) -> None:
    dag = load_dag("issue10_weekly_dags", "test_issue10_while_learning")
    day = dt.date(2026, 11, 2)
    write_day(warehouse, day, 5)  # no history yet, and only 5 rows: the fixed rule fails
    run, tis = run_dag(dag, day)
    assert run.state == "failed" and tis["publish"].state == "upstream_failed"
    result = xcom_value(run, "validate")["results"][0]
    assert result["status"] == "fail"
    assert result["message"].startswith("row count 5 is outside the fixed bounds used while learning [100, +inf]")
    write_day(warehouse, day + dt.timedelta(days=1), 500)
    run, _ = run_dag(dag, day + dt.timedelta(days=1))
    assert run.state == "success"
    result = xcom_value(run, "validate")["results"][0]
    assert result["status"] == "learning"
    assert result["expected"] == "learning; meanwhile row count in [100, +inf]"
