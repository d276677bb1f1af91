"""DAGs for the early seasonal judging tests (issue 10): load -> validate -> publish.

The README's first anomaly example on daily data with a weekly rhythm, with one holiday
marked in ``exclude_dates``, and a check that uses a fixed rule until it can judge.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import row_count, volume_anomaly
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
HOLIDAY = "2026-10-22"  # a Thursday


def _dag(dag_id: str, check: object) -> DAG:
    with DAG(dag_id=dag_id, schedule="@daily", start_date=START, catchup=False) as dag:
        validate = DataQualityOperator(
            task_id="validate",
            conn_id="dq_issue10_warehouse",
            table="events",
            where="event_date = '{{ ds }}'",
            checks=[check],
        )

        @task
        def publish() -> str:
            return "published"

        validate >> publish()
    return dag


weekly_dag = _dag(
    "test_issue10_weekly",
    volume_anomaly(seasonality="day_of_week", direction="drop", exclude_dates=[HOLIDAY]),
)
fallback_dag = _dag(
    "test_issue10_while_learning",
    volume_anomaly(seasonality="day_of_week", while_learning=row_count(min=100)),
)
