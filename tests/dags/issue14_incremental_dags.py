"""DAG for the incremental-metrics test (issue 14): load -> validate the whole table -> publish.

The test appends one day's partition to ``events`` (connection ``dq_issue14_warehouse``)
before each run; the whole table is judged from per-partition states in the store.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import mean_between, not_null, row_count, value_range
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

with DAG(dag_id="test_issue14_incremental", schedule="@daily", start_date=START, catchup=False) as incremental:
    validate = DataQualityOperator(
        task_id="validate",
        conn_id="dq_issue14_warehouse",
        table="events",
        incremental_by="event_date",
        checks=[
            row_count(min=1),
            not_null("user_id"),
            value_range("amount", min=0),
            mean_between("amount", min=10, max=30),
        ],
        retries=1,
        retry_delay=dt.timedelta(seconds=0),
    )

    @task
    def publish() -> str:
        return "published"

    validate >> publish()
