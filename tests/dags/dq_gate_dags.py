"""DAGs for the DataQualityOperator tests: validate -> train, in several flavours.

The tests write the warehouse (connection ``dq_test_warehouse``) before each run, so the
same DAG sees good or bad data.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import not_null, row_count, value_range
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _gate_dag(dag_id: str, conn_id: str = "dq_test_warehouse", **operator_kwargs) -> DAG:
    checks = operator_kwargs.pop(
        "checks", [row_count(min=1), not_null("user_id"), value_range("amount", min=0, mostly=0.9)]
    )
    with DAG(dag_id=dag_id, schedule="@daily", start_date=START, catchup=False) as dag:
        validate = DataQualityOperator(
            task_id="validate",
            conn_id=conn_id,
            table="events",
            where="event_date = '{{ ds }}'",
            checks=checks,
            retries=1,
            retry_delay=dt.timedelta(seconds=0),
            **operator_kwargs,
        )

        @task
        def train() -> str:
            return "trained"

        validate >> train()
    return dag


gate = _gate_dag("dq_test_gate")
warn_gate = _gate_dag("dq_test_gate_warn", checks=[row_count(min=1), not_null("user_id", severity="warn")])
skip_gate = _gate_dag("dq_test_gate_skip", on_failure="skip")
broken_conn_gate = _gate_dag("dq_test_gate_broken_conn", conn_id="dq_test_unreachable")
