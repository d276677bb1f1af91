"""DAGs of the UI tests (issue 7): a check task with passing and failing checks, and a
DAG that one test user may not read. The tests write the warehouse (connection
``dq_issue7_warehouse``) before each run.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG

from airflow_dq.checks import mean_between, not_null, row_count, unique, value_range, volume_anomaly
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
# A check name a DAG author could write: the pages must show it as text, never as markup.
MARKUP_NAME = '<img src=x onerror="document.title=1"> & "ids"'


def _gate(dag_id: str, table: str, checks: list) -> DAG:
    with DAG(dag_id=dag_id, schedule="@daily", start_date=START, catchup=False) as dag:
        DataQualityOperator(
            task_id=f"validate_{table}",
            conn_id="dq_issue7_warehouse",
            table=table,
            where="day = '{{ ds }}'",
            checks=checks,
        )
    return dag


orders = _gate(
    "test_issue7_orders",
    "orders",
    [
        row_count(min=5),
        not_null("customer_id", severity="warn"),
        value_range("amount", min=0, max=1000),
        mean_between("amount", min=10, max=200),
        unique("order_id", name=MARKUP_NAME),
        # Judged from the third run on, so six runs chart a band from the detector.
        volume_anomaly(min_points=3, severity="warn"),
    ],
)
secret = _gate("test_issue7_secret", "payroll", [row_count(min=1), value_range("salary", min=0)])
