"""DAGs for the completeness and freshness sensor tests (issue 3): wait for data, then train.

The tests write the warehouse (connection ``dq_issue3_warehouse``) before and during each
run. Short poke intervals and timeouts keep the runs to a few seconds.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from airflow_dq.checks import segment_completeness, time_bucket_completeness
from airflow_dq.operators import DataQualityOperator
from airflow_dq.sensors import CompletenessSensor, FreshnessSensor

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
CONN = "dq_issue3_warehouse"


def _wait_then_train(dag_id: str, sensor_cls: type, **sensor_kwargs) -> DAG:
    if sensor_cls is not DataQualityOperator:
        sensor_kwargs.setdefault("poke_interval", 1)
        sensor_kwargs.setdefault("timeout", 30)
    # A data-interval schedule: each run covers [midnight, next midnight), the window the
    # time-bucket check defaults to (Airflow 3's "@daily" gives an empty interval).
    schedule = CronDataIntervalTimetable("0 0 * * *", timezone="UTC")
    with DAG(dag_id=dag_id, schedule=schedule, start_date=START, catchup=False) as dag:
        wait = sensor_cls(task_id="wait", conn_id=CONN, table="events", **sensor_kwargs)

        @task
        def train() -> str:
            return "trained"

        wait >> train()
    return dag


def _complete_hours():
    return [time_bucket_completeness("event_time", bucket="hour"), segment_completeness("country", ["US", "DE"])]


completeness_deferred = _wait_then_train(
    "test_issue3_completeness_deferred", CompletenessSensor, checks=_complete_hours()
)
completeness_poke = _wait_then_train(
    "test_issue3_completeness_poke", CompletenessSensor, checks=_complete_hours(), deferrable=False
)
freshness_deferred = _wait_then_train("test_issue3_freshness_deferred", FreshnessSensor, column="event_time")
freshness_timeout = _wait_then_train("test_issue3_freshness_timeout", FreshnessSensor, column="event_time", timeout=3)
freshness_timeout_soft = _wait_then_train(
    "test_issue3_freshness_timeout_soft", FreshnessSensor, column="event_time", timeout=3, soft_fail=True
)
freshness_timeout_poke = _wait_then_train(
    "test_issue3_freshness_timeout_poke", FreshnessSensor, column="event_time", timeout=3, deferrable=False
)
# Not a sensor: the gate itself, halting training on a gap or a vanished segment.
gate = _wait_then_train("test_issue3_gate", DataQualityOperator, checks=_complete_hours())
