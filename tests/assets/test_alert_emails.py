"""Alerts end to end: check tasks e-mail what failed through Airflow's SMTP notifier to a real
SMTP server started on loopback."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_runs import load_dag, run_dag
from tests.smtp_server import smtp_server

pytestmark = pytest.mark.airflow


def _warehouse(path: Path, *, broken: bool) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS orders")
        conn.exec_driver_sql("DROP TABLE IF EXISTS refunds")
        conn.exec_driver_sql("CREATE TABLE orders (order_id INTEGER, amount REAL)")
        conn.exec_driver_sql("CREATE TABLE refunds (order_id INTEGER)")
        if broken:
            conn.exec_driver_sql("INSERT INTO orders VALUES (?, ?)", [(1, 10.0), (None, 20.0), (3, 5000.0)])
            conn.exec_driver_sql("INSERT INTO refunds VALUES (?)", [(1,), (None,)])
        else:
            conn.exec_driver_sql("INSERT INTO orders VALUES (?, ?)", [(1, 10.0), (2, 20.0)])
            conn.exec_driver_sql("INSERT INTO refunds VALUES (?)", [(1,)])
    engine.dispose()


def test_failing_gate_and_warning_send_readable_emails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_DQ12_ALERTS_WH", f"sqlite:///{tmp_path / 'wh.db'}")
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "http://airflow.example:8080")
    dag = load_dag("issue12_alert_dags", "dq12_alerts")
    with smtp_server() as (port, inbox):
        smtp = {"conn_type": "smtp", "host": "127.0.0.1", "port": port}
        smtp["extra"] = {"disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 0}
        monkeypatch.setenv("AIRFLOW_CONN_DQ12_SMTP", json.dumps(smtp))

        _warehouse(tmp_path / "wh.db", broken=True)
        run, tis = run_dag(dag, dt.date(2026, 11, 2))
        assert {t: ti.state for t, ti in tis.items()} == {
            "validate_orders": "failed",
            "watch_refunds": "success",
            "watch_refunds_quietly": "success",
            "validate_unreachable": "failed",
        }
        mails = {m["Subject"]: m for m in inbox.messages}
        assert sorted(mails) == [
            "Data quality COULD NOT RUN: table orders (dq12_alerts.validate_unreachable)",
            "Data quality FAILED: table orders (dq12_alerts.validate_orders)",
            "Data quality WARNING: table refunds (dq12_alerts.watch_refunds)",
        ]
        unreachable = mails["Data quality COULD NOT RUN: table orders (dq12_alerts.validate_unreachable)"]
        assert "Error: " in unreachable.get_body(("html",)).get_content()
        assert "dq12_alerts_missing" in unreachable.get_body(("html",)).get_content()
        failed = mails["Data quality FAILED: table orders (dq12_alerts.validate_orders)"]
        assert failed["To"] == "oncall@example.com"
        body = failed.get_body(("html",)).get_content()
        assert "2 of 3 checks did not pass:" in body
        assert "- not_null(order_id) [fail]: 1 of 3 rows (33.33%) are NULL" in body
        assert "expected: all rows have a value in &#x27;order_id&#x27;; observed: 1" in body
        assert "- value_range(amount) [fail]: 1 of 3 non-NULL values (33.33%) are out of range" in body
        assert "row_count" not in body  # the passing check is not listed
        link = "Results: http://airflow.example:8080/data-quality/task?dag_id=dq12_alerts&amp;run_id="
        assert link in body and "task_id=validate_orders" in body
        assert run.run_id.replace("+", "%2B").replace(":", "%3A") in body
        warned = mails["Data quality WARNING: table refunds (dq12_alerts.watch_refunds)"]
        assert "- not_null(order_id) [warn]: 1 of 2 rows (50.00%) are NULL" in warned.get_body(("html",)).get_content()

        # Clean data: nobody is woken up.
        inbox.messages.clear()
        _warehouse(tmp_path / "wh.db", broken=False)
        _, tis = run_dag(dag, dt.date(2026, 11, 3))
        assert {t: ti.state for t, ti in tis.items() if ti.state != "success"} == {"validate_unreachable": "failed"}
        assert [m["Subject"] for m in inbox.messages] == [
            "Data quality COULD NOT RUN: table orders (dq12_alerts.validate_unreachable)"
        ]
