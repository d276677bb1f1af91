"""DAGs for issue 13: bounds templated per run (timestamps, params) on a table and on a
DataFrame, and the DataFrame operator's ``where`` filter.

The tests write the warehouse (connection ``dq_test_warehouse``) before each run.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG

from airflow_dq.checks import mean_between, row_count, value_range
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

# One day of rows per run: the bounds are the run's own day, rendered per run.
RUN_DAY_CHECKS = [
    value_range("loaded_at", min="{{ logical_date }}", max="{{ logical_date.add(days=1) }}", strict_max=True),
    row_count(min="{{ params.min_rows }}"),
    mean_between("amount", max="{{ params.max_mean }}"),
]

with DAG(
    dag_id="dq_test_templated_bounds",
    schedule="@daily",
    start_date=START,
    catchup=False,
    params={"min_rows": 3, "max_mean": 50},
) as templated_bounds:
    DataQualityOperator(
        task_id="validate",
        conn_id="dq_test_warehouse",
        table="loads",
        checks=RUN_DAY_CHECKS,
        retries=0,
    )


# Reconciliation across two connections: the warehouse copy against its source database.
with DAG(dag_id="dq_test_reconcile", schedule="@daily", start_date=START, catchup=False) as reconcile:
    from airflow_dq.checks import row_count_matches, sum_matches

    DataQualityOperator(
        task_id="reconcile",
        conn_id="dq_test_warehouse",
        table="orders",
        where="order_day = '{{ ds }}'",
        checks=[
            row_count_matches("src_orders", other_conn_id="dq_test_source", other_where="order_day = '{{ ds }}'"),
            sum_matches("amount", "src_orders", other_conn_id="dq_test_source", other_where="order_day = '{{ ds }}'"),
        ],
        retries=0,
    )


def _two_days():
    import pandas as pd

    # 2026-11-20 is clean; 2026-11-21 has a negative amount and a NULL user.
    return pd.DataFrame(
        {
            "day": ["2026-11-20"] * 3 + ["2026-11-21"] * 3,
            "user_id": [1, 2, 3, 4, None, 6],
            "amount": [5.0, 7.0, 9.0, -1.0, 3.0, 4.0],
        }
    )


with DAG(dag_id="dq_test_dataframe_where", schedule="@daily", start_date=START, catchup=False) as dataframe_where:
    from airflow_dq.checks import not_null
    from airflow_dq.operators import DataFrameQualityOperator

    DataFrameQualityOperator(
        task_id="validate_day",
        data=_two_days,
        where="day == '{{ ds }}'",
        checks=[row_count(min=3, max=3), not_null("user_id"), value_range("amount", min=0)],
        retries=0,
    )


with DAG(dag_id="dq_test_task_dq_where", schedule="@daily", start_date=START, catchup=False) as task_dq_where:
    from airflow_dq.checks import not_null
    from airflow_dq.decorators import dq_task

    # Only the run's day is checked; the frame flows on whole when that day is clean.
    @dq_task(checks=[row_count(min=3, max=3), not_null("user_id")], where="day == '{{ ds }}'", retries=0)
    def features():
        return _two_days()

    features()
