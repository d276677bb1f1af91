"""Real DAG runs: history builds up over logical dates, a volume drop halts the pipeline,
and a history-store outage errors the task (retried) without losing the verdict."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.store import MetricStore
from airflow_dq.store.migrations import MIGRATIONS
from airflow_dq.store.schema import METRICS
from tests.airflow_runs import load_dag, run_dag, xcom_value

pytestmark = pytest.mark.airflow

FIRST = dt.date(2026, 10, 5)

# Every migration number, in order (numbers ascend but need not be consecutive across branches).
ALL_VERSIONS = [number for number, _, _ in MIGRATIONS]


def write_day(url: str, day: dt.date, rows: int) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS events (event_date DATE, user_id INTEGER)")
        conn.execute(sa.text("DELETE FROM events WHERE event_date = :d"), {"d": day.isoformat()})
        conn.execute(
            sa.text("INSERT INTO events VALUES (:d, :u)"), [{"d": day.isoformat(), "u": i} for i in range(rows)]
        )
    engine.dispose()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE4_WAREHOUSE", url)
    return url


def test_history_builds_then_a_volume_drop_halts_the_pipeline(warehouse: str, airflow_db: str) -> None:
    dag = load_dag("issue4_anomaly_dags", "test_issue4_volume_anomaly")
    rng = random.Random(4)
    for i in range(9):
        day = FIRST + dt.timedelta(days=i)
        write_day(warehouse, day, round(200 * (1 + rng.gauss(0, 0.03))))
        run, tis = run_dag(dag, day)
        assert run.state == "success", f"day {i}"
        assert tis["publish"].state == "success"
        payload = xcom_value(run, "validate")
        volume = payload["results"][0]
        # Learning is its own status in XCom (and the store): never a pass, never a halt.
        assert volume["status"] == ("learning" if i < 7 else "pass")
        assert volume["message"].startswith("learning: ") == (i < 7)
        assert ("1 learning" in payload["summary"]) == (i < 7)

    bad_day = FIRST + dt.timedelta(days=9)
    write_day(warehouse, bad_day, 90)  # more than half of the rows did not arrive
    run, tis = run_dag(dag, bad_day)
    assert run.state == "failed"
    assert tis["validate"].state == "failed" and tis["validate"].try_number == 1  # data failure: no retry
    assert tis["publish"].state == "upstream_failed"
    volume, count = xcom_value(run, "validate")["results"]
    assert (volume["status"], count["status"]) == ("fail", "pass")
    assert volume["observed"] == 90
    assert volume["message"].startswith("row count 90 is below the expected band [")
    assert "from 9 past runs" in volume["message"]

    # The default store follows AIRFLOW_HOME (a temp dir in tests) and kept every run once.
    store = MetricStore.open(f"sqlite:///{Path(airflow_db) / 'data_quality' / 'history.db'}")
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(METRICS.c.logical_date, METRICS.c.value, METRICS.c.status, METRICS.c.run_id)
            .where(
                METRICS.c.dag_id == "test_issue4_volume_anomaly",
                METRICS.c.check_name == "volume_anomaly",
                METRICS.c.metric == "row_count",
            )
            .order_by(METRICS.c.logical_date)
        ).all()
    store.close()
    assert len(rows) == 10
    assert rows[-1].value == 90.0 and rows[-1].status == "fail"
    assert rows[0].logical_date.date() == FIRST

    # Once the data is fixed, a new run of the bad day passes (the failed run stays on record;
    # history reads the newest run of each date).
    write_day(warehouse, bad_day, 201)
    run, tis = run_dag(dag, bad_day)
    assert run.state == "success" and tis["publish"].state == "success"


def test_store_outage_errors_the_task_and_keeps_the_verdict(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on port 1: every connection to the store is refused.
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE4_DEAD_STORE", "postgresql://dq:dq@127.0.0.1:1/history")
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_issue4_dead_store")
    day = FIRST + dt.timedelta(days=20)
    write_day(warehouse, day, 50)
    run, tis = run_dag(load_dag("issue4_anomaly_dags", "test_issue4_store_outage"), day)
    assert tis["validate"].state == "failed"
    assert tis["validate"].try_number == 2  # an infrastructure failure: retried
    assert tis["publish"].state == "upstream_failed"
    result = xcom_value(run, "validate")  # pushed before the error: never lost
    volume, count = result["results"]
    assert count["status"] == "pass"
    assert volume["status"] == "error"  # the store failed, not the data (issue 11)
    assert volume["message"].startswith("cannot compare with past runs: OperationalError")


@pytest.mark.postgres
def test_store_on_postgresql_through_an_airflow_connection(
    warehouse: str, monkeypatch: pytest.MonkeyPatch, postgres_engine: sa.Engine
) -> None:
    url = postgres_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE4_PG_STORE", url.replace("postgresql+psycopg2://", "postgresql://"))
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_issue4_pg_store")
    dag = load_dag("issue4_anomaly_dags", "test_issue4_volume_anomaly")
    days = [FIRST + dt.timedelta(days=40 + i) for i in range(2)]
    for day in days:
        write_day(warehouse, day, 100)
        run, _ = run_dag(dag, day)
        assert run.state == "success"
    run, _ = run_dag(dag, days[-1])  # another run of the same date (dag.test makes a new run_id)
    assert run.state == "success"
    # The provider created its schema on the server (migrations applied automatically).
    with postgres_engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM dq_schema_version ORDER BY version")).scalars().all()
        rows = conn.execute(
            sa.select(METRICS.c.logical_date, METRICS.c.value)
            .where(METRICS.c.check_name == "volume_anomaly", METRICS.c.metric == "row_count")
            .order_by(METRICS.c.logical_date)
        ).all()
    assert versions == ALL_VERSIONS
    # Each run keeps its rows; the history of a date is its newest run.
    assert [(r.logical_date.date(), r.value) for r in rows] == [(days[0], 100.0), (days[1], 100.0), (days[1], 100.0)]
    past = MetricStore(postgres_engine).history(
        "test_issue4_volume_anomaly", "validate", -1, "volume_anomaly", before=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    )
    assert [p.at.date() for p in past["row_count"]] == days


def write_regions(url: str, day: dt.date, rows: dict[str, int]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS regional_events (event_date DATE, region TEXT)")
        conn.execute(sa.text("DELETE FROM regional_events WHERE event_date = :d"), {"d": day.isoformat()})
        for region, n in rows.items():
            conn.execute(
                sa.text("INSERT INTO regional_events VALUES (:d, :r)"), [{"d": day.isoformat(), "r": region}] * n
            )
    engine.dispose()


def test_each_map_index_has_its_own_history(warehouse: str) -> None:
    dag = load_dag("issue4_anomaly_dags", "test_issue4_mapped_regions")
    rng = random.Random(12)
    first = FIRST + dt.timedelta(days=60)
    for i in range(8):
        # Very different volumes per region: a shared history would flag both every day.
        rows = {"eu": round(1000 * (1 + rng.gauss(0, 0.03))), "us": round(50 * (1 + rng.gauss(0, 0.03)))}
        write_regions(warehouse, first + dt.timedelta(days=i), rows)
        run, _ = run_dag(dag, first + dt.timedelta(days=i))
        assert run.state == "success", f"day {i}"
    day = first + dt.timedelta(days=8)
    write_regions(warehouse, day, {"eu": 1000, "us": 10})
    run = dag.test(logical_date=dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))
    states = {ti.map_index: ti.state for ti in run.get_task_instances()}
    assert states == {0: "success", 1: "failed"}
    store = MetricStore.open(f"sqlite:///{Path(os.environ['AIRFLOW_HOME']) / 'data_quality' / 'history.db'}")
    with store.engine.connect() as conn:
        last = conn.execute(
            sa.select(METRICS.c.map_index, METRICS.c.value, METRICS.c.status)
            .where(METRICS.c.dag_id == "test_issue4_mapped_regions", METRICS.c.run_id == run.run_id)
            .order_by(METRICS.c.map_index)
        ).all()
    store.close()
    assert [tuple(r) for r in last] == [(0, 1000.0, "pass"), (1, 10.0, "fail")]
