"""Example: an asset-driven pipeline that only consumes checked data.

example_dq_orders_producer:  load_orders -> validate_orders   (outlet: the orders table's Asset)
example_dq_orders_consumer:  require_quality -> build_report  (scheduled on that Asset)

``validate_orders`` declares the table it checks as an outlet ``Asset``
(``sql://dq_example_warehouse/orders``, derived from the connection and table) and puts
a quality summary on the asset event. The consumer DAG runs on every such event; its
``require_quality`` gate reads the summary and halts the report when the data failed its
checks, warned (``halt_on=["warn"]``) or was never checked. A batch that fails an
``error`` check fails ``validate_orders``, which then emits no event: the consumer is not
even triggered. Trigger the producer with ``{"batch": "late_refunds"}`` to load negative
amounts, a ``warn`` check: the producer passes, the consumer's gate halts the report.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Param, task

from airflow_dq.assets import dataset_asset
from airflow_dq.checks import not_null, row_count, unique, value_range
from airflow_dq.operators import DataQualityOperator, require_quality

WAREHOUSE = "dq_example_warehouse"
ORDERS = dataset_asset(WAREHOUSE, "orders")  # the Asset validate_orders declares
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

with DAG(
    dag_id="example_dq_orders_producer",
    description="Load orders and check them; the check task updates the orders Asset",
    schedule="@daily",
    start_date=START,
    catchup=False,
    params={"batch": Param("good", enum=["good", "late_refunds", "broken"], description="Which batch to load")},
    tags=["airflow_dq", "example", "assets"],
) as producer:

    @task
    def load_orders(**context) -> int:
        """Replace the orders table with one batch (a 'broken' one has NULL order ids)."""
        from airflow.sdk import BaseHook

        batch = context["params"]["batch"]
        rows = [(i, 10.0 + i % 7) for i in range(1, 201)]
        if batch == "late_refunds":
            rows[:5] = [(i, -5.0) for i in range(1, 6)]
        if batch == "broken":
            rows[:20] = [(None, 1.0)] * 20
        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS orders")
            conn.exec_driver_sql("CREATE TABLE orders (order_id INTEGER, amount REAL)")
            conn.exec_driver_sql("INSERT INTO orders VALUES (?, ?)", rows)
        engine.dispose()
        return len(rows)

    validate = DataQualityOperator(
        task_id="validate_orders",
        conn_id=WAREHOUSE,
        table="orders",
        checks=[
            row_count(min=100),
            not_null("order_id"),
            unique("order_id"),
            value_range("amount", min=0, severity="warn", name="amount_not_negative"),
        ],
    )
    load_orders() >> validate

with DAG(
    dag_id="example_dq_orders_consumer",
    description="Build the orders report, only from checked, clean data",
    schedule=[ORDERS],
    start_date=START,
    catchup=False,
    tags=["airflow_dq", "example", "assets"],
) as consumer:

    @task
    def build_report() -> dict:
        from airflow.sdk import BaseHook

        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.connect() as conn:
            orders, revenue = conn.exec_driver_sql("SELECT COUNT(*), SUM(amount) FROM orders").one()
        engine.dispose()
        return {"orders": orders, "revenue": round(revenue, 2)}

    require_quality(ORDERS, halt_on=["warn"]) >> build_report()
