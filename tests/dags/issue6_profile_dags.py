"""DAGs for the stored-profile reference of the drift check (issue 6).

``test_issue6_profile_baseline`` checks the partition ``batch = '{{ ds }}'`` of ``features``
(connection ``dq_issue6_profile_warehouse``, written by the test) against the trusted rows;
its drift check records the batch's profile in the history store. ``test_issue6_profile_gate``
compares each new partition with the profile the baseline recorded on a pinned good day
(``params.pin``, a logical date) and publishes only when the batch did not drift.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import drift, stored_profile
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
COLUMNS = ["age", "income", "plan"]
CHECK = "feature_drift"


def features(seed: int, n: int = 600, *, drifted: bool = False):
    """A feature batch (pandas and numpy imported when called, not when the DAG is parsed)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    shift = 1.0 if drifted else 0.0
    return pd.DataFrame(
        {
            "age": rng.normal(40 + shift * 10, 10, n).round(1),
            "income": rng.lognormal(10, 0.4, n).round(0),
            "plan": rng.choice(["free", "pro", "team"], n, p=[0.3, 0.3, 0.4] if drifted else [0.6, 0.3, 0.1]),
        }
    )


with DAG(dag_id="test_issue6_profile_baseline", schedule=None, start_date=START, catchup=False) as baseline:
    DataQualityOperator(
        task_id="profile",
        conn_id="dq_issue6_profile_warehouse",
        table="features",
        where="batch = '{{ ds }}'",
        checks=[drift(COLUMNS, reference={"table": "features", "where": "batch = 'trusted'"}, name=CHECK)],
    )

with DAG(
    dag_id="test_issue6_profile_gate",
    schedule=None,
    start_date=START,
    catchup=False,
    params={"pin": "2026-11-01T00:00:00+00:00"},
) as gate_dag:

    @task
    def train() -> str:
        return "model-v3"

    @task
    def publish(model: str) -> str:
        return f"published {model}"

    gate = DataQualityOperator(
        task_id="gate",
        conn_id="dq_issue6_profile_warehouse",
        table="features",
        where="batch = '{{ ds }}'",
        checks=[
            drift(
                COLUMNS,
                reference=stored_profile(
                    dag_id="test_issue6_profile_baseline",
                    task_id="profile",
                    check=CHECK,
                    logical_date="{{ params.pin }}",
                ),
                name=CHECK,
            )
        ],
        retries=1,  # an unreadable history store is retried; a drifted batch is not
        retry_delay=dt.timedelta(seconds=0),
    )
    model = train()
    gate >> model
    publish(model)
