"""DAGs for the DataFrame tests: a DataFrame flows from task to task and is checked on the way.

Kept import-light (no pandas at parse time): frames are built inside the tasks. The run's
``conf`` picks good or bad data (``{"bad": true}``) or the file to check (``{"path": ...}``).
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import (
    accepted_values,
    not_null,
    row_count,
    time_bucket_completeness,
    unique,
    value_range,
)
from airflow_dq.decorators import dq_task
from airflow_dq.operators import DataFrameQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
CHECKS = [
    row_count(min=3),
    not_null("user_id"),
    unique("event_id"),
    value_range("amount", min=0, max=1000),
    accepted_values("country", ["US", "DE", "FR"]),
]


def _events(bad: bool):
    import pandas as pd

    frame = pd.DataFrame(
        {
            "event_id": [1, 2, 3, 4, 5],
            "user_id": [10, 11, 12, 13, 14],
            "amount": [5.0, 12.5, 99.0, 7.25, 300.0],
            "country": ["US", "DE", "FR", "US", "DE"],
        }
    )
    if bad:  # what a broken upstream hands over: a NULL key, a duplicate, a negative amount
        frame.loc[1, "user_id"] = None
        frame.loc[2, "event_id"] = 1
        frame.loc[3, "amount"] = -40.0
    return frame


@task
def train(frame) -> dict:
    # Proves the DataFrame itself arrived: its shape and a column sum.
    return {"rows": len(frame), "amount": float(frame["amount"].sum())}


with DAG(dag_id="test_issue5_xcom_operator", schedule=None, start_date=START, catchup=False) as xcom_operator:

    @task
    def extract(**context):
        return _events(bool(context["dag_run"].conf.get("bad")))

    events = extract()
    validate = DataFrameQualityOperator(task_id="validate", data=events, checks=CHECKS, retries=2)
    validate >> train(events)


def _taskflow_dag(dag_id: str, **dq_kwargs) -> DAG:
    checks = dq_kwargs.pop("checks", CHECKS)
    with DAG(dag_id=dag_id, schedule=None, start_date=START, catchup=False) as dag:

        @dq_task(checks=checks, retries=2, **dq_kwargs)
        def features(**context):
            return _events(bool(context["dag_run"].conf.get("bad")))

        train(features())
    return dag


taskflow_fail = _taskflow_dag("test_issue5_taskflow_fail")
taskflow_skip = _taskflow_dag("test_issue5_taskflow_skip", on_failure="skip")
taskflow_warn = _taskflow_dag(
    "test_issue5_taskflow_warn", checks=[row_count(min=3), not_null("user_id", severity="warn")]
)


with DAG(dag_id="test_issue5_task_dq_registered", schedule=None, start_date=START, catchup=False) as registered:
    # The same decorator as Airflow users spell it, found through the provider's task-decorators.
    @task.dq(checks=[row_count(min=3), unique("event_id")])
    def registered_features(**context):
        return _events(bool(context["dag_run"].conf.get("bad")))

    train(registered_features())


with DAG(dag_id="test_issue5_file", schedule=None, start_date=START, catchup=False) as file_dag:
    validate_file = DataFrameQualityOperator(
        task_id="validate_file",
        data="{{ dag_run.conf['path'] }}",
        chunksize=2,
        checks=CHECKS,
        sample_size=3,
    )

    @task
    def load() -> str:
        return "loaded"

    validate_file >> load()


with DAG(dag_id="test_issue5_window", schedule="@daily", start_date=START, catchup=False) as window_dag:
    # The check's window is templated (the day before {{ data_interval_end }}; Airflow 3 cron
    # runs have an empty data interval): each run judges its own day.

    @task
    def hourly(**context):
        import pandas as pd

        start = context["data_interval_end"].replace(tzinfo=None) - dt.timedelta(days=1)
        skip = {5, 6} if context["dag_run"].conf.get("bad") else set()
        stamps = [start + dt.timedelta(hours=h, minutes=m) for h in range(24) if h not in skip for m in (0, 30)]
        return pd.DataFrame({"event_time": pd.to_datetime(stamps), "n": range(len(stamps))})

    DataFrameQualityOperator(
        task_id="validate",
        data=hourly(),
        checks=[row_count(min=1), time_bucket_completeness("event_time", bucket="hour", lookback=dt.timedelta(days=1))],
    )


def bad_events():
    return _events(bad=True)


with DAG(dag_id="test_issue5_callable", schedule=None, start_date=START, catchup=False) as callable_dag:
    # A callable is called in execute(): the frame never goes through XCom.
    DataFrameQualityOperator(task_id="validate", data=bad_events, checks=CHECKS, on_failure="skip") >> train.override(
        task_id="train"
    )(None)
