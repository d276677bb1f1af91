"""DAGs for the Spark tests: lake files checked on a Spark Connect server through a connection.

The run's ``conf`` names the Parquet folder (``{"path": ...}``); the connection
``dq_test_spark`` (type ``spark_connect``) is set by the test. No PySpark at parse time.
"""

from __future__ import annotations

import datetime as dt
import os

from airflow.sdk import DAG, task

from airflow_dq.checks import accepted_values, not_null, row_condition, row_count, unique, value_range
from airflow_dq.operators import SparkQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

with DAG("test_issue15_spark_gate", start_date=START, schedule=None, catchup=False) as gate:
    validate = SparkQualityOperator(
        task_id="validate",
        conn_id="dq_test_spark",
        path="{{ dag_run.conf['path'] }}",
        where="event_date = '{{ ds }}'",
        retries=1,
        retry_delay=dt.timedelta(seconds=0),
        checks=[
            row_count(min=3),
            not_null("user_id"),
            unique("event_id"),
            value_range("amount", min=0, max=1000),
            accepted_values("country", ["US", "DE", "FR"]),
            row_condition("amount < 500 OR country = 'US'", name="big_amounts_are_us", severity="warn"),
        ],
    )

    @task
    def train() -> str:
        return "trained"

    validate >> train()


# The suite/asset/OpenLineage DAG: a catalog table from a suite file, and lake files named by
# the environment (plain at parse time, so both tasks derive their outlet asset).
with DAG("test_issue15_spark_suite", start_date=START, schedule=None, catchup=False) as suite_dag:
    SparkQualityOperator(task_id="validate_table", conn_id="dq_test_spark", suite="suites/spark_orders.yml")
    SparkQualityOperator(
        task_id="validate_files",
        conn_id="dq_test_spark",
        path=os.environ.get("DQ15_SPARK_LAKE", "/nonexistent/lake"),
        checks=[row_count(min=1), not_null("user_id")],
    )
