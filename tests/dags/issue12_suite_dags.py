"""DAGs whose checks come from suite files next to this file (tests/dags/suites/)."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Param, task

from airflow_dq.checks import unique
from airflow_dq.operators import DataFrameQualityOperator, DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

with DAG(dag_id="dq_test_suite_gate", schedule="@daily", start_date=START, catchup=False) as suite_gate:
    validate = DataQualityOperator(
        task_id="validate",
        conn_id="dq_test_warehouse",
        suite="suites/events.yml",  # table, filter and checks from the file
        checks=[unique(["user_id", "event_date"])],  # plus one written in Python
    )

    @task
    def train() -> str:
        return "trained"

    validate >> train()


with DAG(dag_id="dq_test_suite_frames", schedule=None, start_date=START, catchup=False) as suite_frames:

    @task.dq(suite="suites/features.json", dataset="features")
    def features():
        import pandas as pd

        return pd.DataFrame({"user_id": [1, 2, 3], "age": [30, 40, 50]})

    @task
    def labels():
        import pandas as pd

        return pd.DataFrame({"label": [0, 1, 2]})  # 2 is not an accepted label

    check_labels = DataFrameQualityOperator(
        task_id="check_labels", data=labels(), suite="suites/features.json", dataset="labels"
    )

    @task
    def train(frame) -> int:
        return len(frame)

    train(features()) >> check_labels


with DAG(
    dag_id="dq_test_suite_templated",
    schedule=None,
    start_date=START,
    catchup=False,
    params={"suite": Param("events", type="string")},
) as suite_templated:
    # The path is rendered when the task runs, so the file is read (and validated) then.
    DataQualityOperator(task_id="validate", conn_id="dq_test_warehouse", suite="suites/{{ params.suite }}.yml")
