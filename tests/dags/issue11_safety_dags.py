"""DAGs for the safety tests (issue 11): an attacker who can only trigger a run with a conf.

Every DAG reads the warehouse ``dq_issue11_warehouse`` (SQLite or PostgreSQL, set by the
test), where a ``canary`` table sits next to ``events``.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import custom_sql, row_condition, row_count
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
CONN = "dq_issue11_warehouse"
# The common, unsafe pattern from the issue: a run's conf value written into raw SQL.
CONF_C = "{{ dag_run.conf.get('c', 'US') }}"


def _dag(dag_id: str, **operator_kwargs) -> DAG:
    with DAG(dag_id=dag_id, schedule=None, start_date=START, catchup=False) as dag:
        operator_kwargs.setdefault("table", "events")
        operator_kwargs.setdefault("conn_id", CONN)
        validate = DataQualityOperator(task_id="validate", **operator_kwargs)

        @task
        def publish() -> str:
            return "published"

        validate >> publish()
    return dag


where_from_conf = _dag("issue11_where_from_conf", where=f"country = '{CONF_C}'", checks=[row_count(min=0)])
custom_sql_from_conf = _dag(
    "issue11_custom_sql_from_conf",
    checks=[custom_sql(f"SELECT COUNT(*) FROM events WHERE country = '{CONF_C}'", min=0, name="us_rows")],
)
# The safe way: the same value as a bound parameter, in where, custom_sql and row_condition.
bound = _dag(
    "issue11_bound_parameters",
    where="country = :c",
    parameters={"c": "{{ dag_run.conf.get('c', 'US') }}", "floor": "{{ dag_run.conf.get('floor', 0) }}"},
    checks=[
        row_count(min=1),
        custom_sql("SELECT COUNT(*) FROM events WHERE country = :c", min=1, name="country_rows"),
        row_condition("amount >= :floor OR country <> :c", name="above_floor"),
    ],
)
empty_where = _dag("issue11_empty_where", where="{{ dag_run.conf.get('w', '') }}", checks=[row_count(min=0)])
empty_table = _dag("issue11_empty_table", table="{{ dag_run.conf.get('t', '') }}", checks=[row_count(min=0)])
# A statement that runs far longer than its timeout: a retryable error naming the kind.
slow = _dag(
    "issue11_slow_custom_sql",
    checks=[
        custom_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
            "SELECT COUNT(*) FROM n",
            min=0,
            name="slow",
        )
    ],
    statement_timeout=1,
    retries=1,
    retry_delay=dt.timedelta(seconds=0),
)
# The warehouse of this DAG is frozen by the test (SIGSTOP): the task must not hang.
frozen = _dag(
    "issue11_frozen_warehouse",
    conn_id="dq_issue11_frozen",
    checks=[row_count(min=1)],
    statement_timeout=1,
    connect_timeout=2,
    retries=1,
    retry_delay=dt.timedelta(seconds=0),
)
