"""Asset-driven DAGs: a checked producer, an unchecked loader, and two consumers with gates.

The tests write the warehouse (connection ``dq12_warehouse``, table ``orders``) before each
producer run, so the same producer sees good, broken or doubtful data.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Asset, task

from airflow_dq.assets import dataset_asset, with_checks
from airflow_dq.checks import not_null, row_count, value_range
from airflow_dq.operators import DataQualityOperator, require_quality

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
ORDERS = dataset_asset("dq12_warehouse", "orders")  # what the producer's check task declares

with DAG(dag_id="dq12_producer", schedule=None, start_date=START, catchup=False) as producer:
    DataQualityOperator(
        task_id="validate_orders",
        conn_id="dq12_warehouse",
        table="orders",
        checks=[
            row_count(min=1),
            not_null("order_id"),
            value_range("amount", min=0, severity="warn", name="amount_not_negative"),
        ],
    )

with DAG(dag_id="dq12_unchecked_loader", schedule=None, start_date=START, catchup=False) as loader:

    @task(outlets=[ORDERS])
    def load_orders() -> str:  # updates the asset without checking it
        return "loaded"

    load_orders()

with DAG(dag_id="dq12_consumer", schedule=[ORDERS], start_date=START, catchup=False) as consumer:

    @task
    def train() -> str:
        return "trained"

    require_quality(ORDERS) >> train()

with DAG(dag_id="dq12_strict_consumer", schedule=[ORDERS], start_date=START, catchup=False) as strict_consumer:

    @task
    def publish() -> str:
        return "published"

    require_quality(ORDERS, halt_on=["warn"], min_score=1.0) >> publish()

FEATURES = Asset("file:///data/features.parquet")

with DAG(dag_id="dq12_frame_producer", schedule=None, start_date=START, catchup=False) as frame_producer:

    @task.dq(checks=[row_count(min=1), not_null("user_id", severity="warn")], outlets=[FEATURES])
    def features():
        import pandas as pd

        return pd.DataFrame({"user_id": [1, None, 3], "score": [0.1, 0.2, 0.3]})

    features()

# Rules that travel with the asset: defined once with it, run by any check task declaring it.
RULED_ORDERS = with_checks(Asset("sql://dq12_warehouse/main/orders"), [not_null("order_id"), row_count(min=1)])

with DAG(dag_id="dq12_ruled_producer", schedule=None, start_date=START, catchup=False) as ruled_producer:
    DataQualityOperator(
        task_id="validate_orders",
        conn_id="dq12_warehouse",
        table="orders",
        asset=RULED_ORDERS,
        checks=[value_range("amount", min=0)],
    )
