"""A DAG whose check tasks report OpenLineage facets: a passing table, a failing table, a CSV file.

The test writes the warehouse (connection ``dq12_lineage_wh``) and the CSV file named by
``DQ12_LINEAGE_CSV`` before running the DAG with the OpenLineage file transport.
"""

from __future__ import annotations

import datetime as dt
import os

from airflow.sdk import DAG

from airflow_dq.checks import not_null, row_count, unique, value_range
from airflow_dq.operators import DataFrameQualityOperator, DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

with DAG(dag_id="dq12_lineage", schedule=None, start_date=START, catchup=False) as lineage:
    DataQualityOperator(
        task_id="validate_orders",
        conn_id="dq12_lineage_wh",
        table="orders",
        checks=[row_count(min=1), not_null("order_id"), unique("order_id"), value_range("amount", min=0, max=100)],
    )
    DataQualityOperator(
        task_id="validate_refunds",
        conn_id="dq12_lineage_wh",
        table="refunds",
        checks=[not_null("order_id"), value_range("amount", max=0, severity="warn", name="refunds_negative")],
    )
    DataFrameQualityOperator(
        task_id="validate_export",
        data=os.environ.get("DQ12_LINEAGE_CSV", "/nonexistent/export.csv"),
        checks=[row_count(min=1), not_null("user_id")],
    )
