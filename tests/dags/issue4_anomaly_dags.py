"""DAGs for the history-store and anomaly tests (issue 4): load -> validate -> publish.

The tests write the warehouse (connection ``dq_issue4_warehouse``) before each logical
date, so the same DAG builds its history over several runs and then meets a bad day.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import row_count, volume_anomaly
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def _dag(dag_id: str) -> DAG:
    with DAG(dag_id=dag_id, schedule="@daily", start_date=START, catchup=False) as dag:
        validate = DataQualityOperator(
            task_id="validate",
            conn_id="dq_issue4_warehouse",
            table="events",
            where="event_date = '{{ ds }}'",
            checks=[volume_anomaly(direction="drop"), row_count(min=1)],
            retries=1,
            retry_delay=dt.timedelta(seconds=0),
        )

        @task
        def publish() -> str:
            return "published"

        validate >> publish()
    return dag


volume_dag = _dag("test_issue4_volume_anomaly")
outage_dag = _dag("test_issue4_store_outage")


# One mapped task per region: each map index keeps its own history.
with DAG(dag_id="test_issue4_mapped_regions", schedule="@daily", start_date=START, catchup=False) as mapped_dag:
    DataQualityOperator.partial(
        task_id="validate",
        conn_id="dq_issue4_warehouse",
        table="regional_events",
        checks=[volume_anomaly(direction="drop")],
    ).expand(where=["event_date = '{{ ds }}' AND region = 'eu'", "event_date = '{{ ds }}' AND region = 'us'"])
