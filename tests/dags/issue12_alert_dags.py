"""Check tasks that alert by e-mail (connection ``dq12_smtp``) through DataQualityNotifier.

The tests write the warehouse (connection ``dq12_alerts_wh``) before each run and start the
SMTP server the connection points at.
"""

from __future__ import annotations

import datetime as dt

from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import DAG

from airflow_dq.alerts import alert_callbacks
from airflow_dq.checks import not_null, row_count, value_range
from airflow_dq.operators import DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _email() -> SmtpNotifier:
    return SmtpNotifier(
        to="oncall@example.com",
        from_email="airflow@example.com",
        smtp_conn_id="dq12_smtp",
        subject="{{ data_quality.subject }}",
        html_content="{{ data_quality.html }}",
    )


with DAG(dag_id="dq12_alerts", schedule=None, start_date=START, catchup=False) as alerts:
    # A gate: an error check fails the task, and the on-call gets what failed.
    DataQualityOperator(
        task_id="validate_orders",
        conn_id="dq12_alerts_wh",
        table="orders",
        checks=[row_count(min=1), not_null("order_id"), value_range("amount", min=0, max=1000)],
        **alert_callbacks(_email()),
    )
    # Warnings only, alerted because alert_on_warn=True.
    DataQualityOperator(
        task_id="watch_refunds",
        conn_id="dq12_alerts_wh",
        table="refunds",
        checks=[not_null("order_id", severity="warn")],
        **alert_callbacks(_email(), alert_on_warn=True),
    )
    # The same warnings, not alerted (alert_on_warn=False).
    DataQualityOperator(
        task_id="watch_refunds_quietly",
        conn_id="dq12_alerts_wh",
        table="refunds",
        checks=[not_null("order_id", severity="warn")],
        **alert_callbacks(_email(), alert_on_warn=False),
    )
    # A database that cannot be reached: the alert says the checks could not run, and why.
    DataQualityOperator(
        task_id="validate_unreachable",
        conn_id="dq12_alerts_missing",
        table="orders",
        checks=[row_count(min=1)],
        **alert_callbacks(_email()),
    )
