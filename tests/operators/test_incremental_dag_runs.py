"""Real DAG runs of an incremental whole-table gate: 30 days read once, then one day per run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.checks import row_count
from airflow_dq.operators import DataQualityOperator
from airflow_dq.store.schema import PARTITION_STATES
from tests.airflow_runs import load_dag, run_dag, xcom_value

pytestmark = pytest.mark.airflow

FIRST = dt.date(2026, 10, 1)


def _append_day(url: str, day: dt.date, amounts: list[float]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS events (event_date DATE, user_id INTEGER, amount REAL)")
        conn.execute(
            sa.text("INSERT INTO events VALUES (:d, :u, :a)"),
            [{"d": day.isoformat(), "u": i, "a": a} for i, a in enumerate(amounts)],
        )
    engine.dispose()


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    store = tmp_path / "history.db"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE14_WAREHOUSE", url)
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(store))
    return url, store


def test_whole_table_gate_reads_only_the_new_partition(warehouse: tuple[str, Path]) -> None:
    url, store = warehouse
    for i in range(30):
        _append_day(url, FIRST + dt.timedelta(days=i), [20.0] * 10)
    dag = load_dag("issue14_incremental_dags", "test_issue14_incremental")

    run, tis = run_dag(dag, FIRST + dt.timedelta(days=29))
    assert run.state == "success" and tis["publish"].state == "success"
    first = xcom_value(run, "validate")
    assert first["statements"]["partitions_read"] == 30
    assert first["results"][0]["observed"] == 300

    new_day = FIRST + dt.timedelta(days=30)
    _append_day(url, new_day, [20.0] * 10)
    run, tis = run_dag(dag, new_day)
    assert run.state == "success"
    second = xcom_value(run, "validate")
    assert second["statements"]["partitions_read"] == 1
    assert second["statements"]["partitions_from_store"] == 30
    assert second["results"][0]["observed"] == 310  # the whole table, from merged states

    # A bad day: the whole-table mean moves and negative amounts appear; the gate halts.
    bad_day = FIRST + dt.timedelta(days=31)
    _append_day(url, bad_day, [-5.0] * 5 + [900.0] * 5)
    run, tis = run_dag(dag, bad_day)
    assert run.state == "failed" and tis["publish"].state == "upstream_failed"
    failed = {r["name"] for r in xcom_value(run, "validate")["results"] if r["status"] == "fail"}
    assert failed == {"value_range(amount)", "mean_between(amount)"}

    engine = sa.create_engine(f"sqlite:///{store}")
    with engine.connect() as conn:
        partitions = conn.execute(sa.select(sa.func.count(sa.distinct(PARTITION_STATES.c.partition_key)))).scalar()
    engine.dispose()
    assert partitions == 32


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"incremental_by": ""}, "incremental_by"),
        ({"incremental_by": "day", "table": None, "sql": "SELECT 1"}, "incremental_by"),
        ({"incremental_by": "day", "rescan_partitions": -1}, "rescan_partitions"),
        ({"rescan_partitions": 2}, "rescan_partitions"),
    ],
)
def test_bad_incremental_arguments_fail_at_parse_time(kwargs: dict, argument: str) -> None:
    args = {"task_id": "validate", "conn_id": "warehouse", "table": "events", "checks": [row_count(min=1)]} | kwargs
    with pytest.raises(ValueError, match=f"DataQualityOperator 'validate': '{argument}'"):
        DataQualityOperator(**args)
