"""Example: a data-quality gate in front of model training.

load_batch -> [validate_batch, validate_contract] -> train_model

``load_batch`` writes one day of purchase events into an embedded SQLite warehouse (the
Airflow connection ``dq_example_warehouse``). ``validate_batch`` checks that day's partition
in one scan; ``train_model`` fits a tiny model only when the batch passed. Trigger with
``{"batch": "broken"}`` to load a batch in which one country vanished and ``user_id`` is
NULL in a third of the rows: the gate fails and training ends ``upstream_failed``.
``validate_contract`` checks the same partition against the table's contract, a YAML suite
file next to this DAG (``suites/events_contract.yml``), read when the DAG is parsed.

Run it end to end with ``make demo``.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Param, task

from airflow_dq.checks import (
    accepted_values,
    custom_sql,
    freshness,
    mean_between,
    not_null,
    row_count,
    schema,
    segment_completeness,
    stddev_between,
    unique,
    value_range,
)
from airflow_dq.operators import DataQualityOperator

WAREHOUSE = "dq_example_warehouse"
COUNTRIES = ["US", "DE", "FR", "GB"]
ROWS_PER_DAY = 2_000

with DAG(
    dag_id="example_dq_training_gate",
    description="Load a batch, validate it, train only on good data",
    schedule="@daily",
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    params={"batch": Param("good", enum=["good", "broken"], description="Which batch to load")},
    tags=["airflow_dq", "example"],
) as dag:

    @task
    def load_batch(**context) -> dict:
        """Load one day's events; a 'broken' batch loses a country and gets a NULL burst."""
        import random

        from airflow.sdk import BaseHook

        ds, params = context["ds"], context["params"]
        data_interval_end = context["data_interval_end"] or dt.datetime.now(dt.UTC)

        rng = random.Random(ds)
        broken = params["batch"] == "broken"
        rows = []
        for i in range(ROWS_PER_DAY):
            country = COUNTRIES[i % len(COUNTRIES)]
            if broken and country == "DE":
                continue  # the upstream source stopped sending Germany
            user_id = None if broken and i % 3 == 0 else rng.randint(1, 500)
            rows.append(
                {
                    "event_id": int(ds.replace("-", "")) * 10_000 + i,
                    "event_date": ds,
                    "user_id": user_id,
                    "country": country,
                    "amount": round(rng.lognormvariate(3.5, 0.6), 2),
                    "loaded_at": (data_interval_end - dt.timedelta(minutes=rng.randint(1, 50))).strftime(
                        "%Y-%m-%d %H:%M:%S"
                    ),
                }
            )
        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS events (event_id INTEGER, event_date DATE, user_id INTEGER,"
                " country TEXT, amount REAL, loaded_at TIMESTAMP)"
            )
            conn.exec_driver_sql("DELETE FROM events WHERE event_date = ?", (ds,))
            conn.exec_driver_sql(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                [tuple(r.values()) for r in rows],
            )
        engine.dispose()
        return {"rows": len(rows), "batch": params["batch"]}

    validate_batch = DataQualityOperator(
        task_id="validate_batch",
        conn_id=WAREHOUSE,
        table="events",
        where="event_date = '{{ ds }}'",
        checks=[
            schema(
                {
                    "event_id": "integer",
                    "event_date": "date",
                    "user_id": "integer",
                    "country": "string",
                    "amount": "float",
                    "loaded_at": "timestamp",
                }
            ),
            row_count(min=1_000),
            not_null("user_id"),
            not_null("country"),
            unique("event_id"),
            accepted_values("country", COUNTRIES),
            value_range("amount", min=0, max=10_000, mostly=0.999),
            mean_between("amount", min=10, max=100),
            stddev_between("amount", max=200, severity="warn"),
            freshness("loaded_at", max_age=dt.timedelta(hours=2)),
            segment_completeness("country", COUNTRIES, min_share=0.1),  # names a vanished country
            custom_sql(
                "SELECT COUNT(DISTINCT user_id) FROM events WHERE event_date = '{{ ds }}'",
                min=100,
                name="enough_distinct_buyers",
            ),
        ],
    )

    @task
    def train_model(**context) -> dict:
        """Fit amount ~ country by least squares: a stand-in for the real training job."""
        import numpy as np
        from airflow.sdk import BaseHook

        ds = context["ds"]

        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            rows = conn.exec_driver_sql("SELECT country, amount FROM events WHERE event_date = ?", (ds,)).all()
            features = np.array([[1.0 if country == c else 0.0 for c in COUNTRIES] for country, _ in rows])
            target = np.array([amount for _, amount in rows])
            coefficients, *_ = np.linalg.lstsq(features, target, rcond=None)
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS models (trained_for DATE, country TEXT, coefficient REAL)")
            conn.exec_driver_sql("DELETE FROM models WHERE trained_for = ?", (ds,))
            conn.exec_driver_sql(
                "INSERT INTO models VALUES (?, ?, ?)",
                [(ds, c, float(w)) for c, w in zip(COUNTRIES, coefficients, strict=True)],
            )
        engine.dispose()
        return {
            "trained_for": ds,
            "rows": len(rows),
            "coefficients": dict(zip(COUNTRIES, map(float, coefficients), strict=True)),
        }

    # The same gate, its checks declared in YAML (table, filter and checks come from the file).
    validate_contract = DataQualityOperator(
        task_id="validate_contract", conn_id=WAREHOUSE, suite="suites/events_contract.yml"
    )

    load_batch() >> [validate_batch, validate_contract] >> train_model()
