"""OpenLineage facets of the check tasks, read back from the provider's file transport after a
real DAG run (``airflow dags test`` in a fresh process, so the listener sees the transport)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_runs import lineage_of_dags_test

pytestmark = pytest.mark.airflow


def _warehouse(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE orders (order_id INTEGER, amount REAL)")
        insert = "INSERT INTO {} VALUES (:id, :amount)"
        rows = [(1, 10.0), (2, 20.5), (3, None), (4, 99.0)]
        conn.execute(sa.text(insert.format("orders")), [{"id": i, "amount": a} for i, a in rows])
        conn.exec_driver_sql("CREATE TABLE refunds (order_id INTEGER, amount REAL)")
        conn.execute(sa.text(insert.format("refunds")), [{"id": 1, "amount": -5.0}, {"id": None, "amount": 3.0}])


def _events(tmp_path: Path, db: sa.Engine) -> list[dict]:
    _warehouse(db)
    (tmp_path / "export.csv").write_text("user_id,score\n1,0.5\n2,0.7\n3,0.9\n")
    env = {"AIRFLOW_CONN_DQ12_LINEAGE_WH": _airflow_uri(db), "DQ12_LINEAGE_CSV": str(tmp_path / "export.csv")}
    # validate_refunds fails, so the run fails
    return lineage_of_dags_test("dq12_lineage", "2026-11-02", tmp_path / "openlineage.jsonl", env, returncode=1)


def _task_event(events: list[dict], task_id: str, event_type: str) -> dict:
    matching = [e for e in events if e["eventType"] == event_type and e["job"]["name"] == f"dq12_lineage.{task_id}"]
    assert len(matching) == 1, [(e["eventType"], e["job"]["name"]) for e in events]
    return matching[0]


def _airflow_uri(db: sa.Engine) -> str:
    return db.url.render_as_string(hide_password=False).replace("postgresql+psycopg2://", "postgresql://")


def _names(db: sa.Engine, table: str) -> tuple[str, str]:
    """What OpenLineage calls the table: PostgreSQL by its spec, SQLite by its connection."""
    if db.dialect.name == "postgresql":
        # the schema is the default one the scan's connection used
        return f"postgres://{db.url.host}:{db.url.port}", f"{db.url.database}.public.{table}"
    return "sqlite://dq12_lineage_wh", table  # no OpenLineage naming for SQLite


def test_check_tasks_emit_quality_facets(tmp_path: Path, db: sa.Engine, airflow_db: str) -> None:
    events = _events(tmp_path, db)

    # A passing table: the metrics the scan measured and one assertion per check.
    complete = _task_event(events, "validate_orders", "COMPLETE")
    (dataset,) = complete["inputs"]
    assert (dataset["namespace"], dataset["name"]) == _names(db, "orders")
    metrics = dataset["inputFacets"]["dataQualityMetrics"]
    assert metrics["rowCount"] == 4
    assert metrics["columnMetrics"]["order_id"]["nullCount"] == 0
    assert metrics["columnMetrics"]["order_id"]["distinctCount"] == 4  # unique's counts, no extra query
    assert metrics["columnMetrics"]["amount"]["count"] == 3  # value_range's non-NULL count
    assert metrics["columnMetrics"]["amount"]["nullCount"] == 1
    assertions = {a["name"]: a for a in dataset["facets"]["dataQualityAssertions"]["assertions"]}
    assert set(assertions) == {"row_count", "not_null(order_id)", "unique(order_id)", "value_range(amount)"}
    assert all(a["success"] for a in assertions.values())
    assert assertions["not_null(order_id)"]["column"] == "order_id"
    assert assertions["not_null(order_id)"]["assertion"] == "not_null"
    assert "column" not in assertions["row_count"]  # a table-level check
    assert assertions["value_range(amount)"]["severity"] == "error"

    # A failing table: the FAIL event still carries every assertion, each with its outcome.
    fail = _task_event(events, "validate_refunds", "FAIL")
    (dataset,) = fail["inputs"]
    assert (dataset["namespace"], dataset["name"]) == _names(db, "refunds")
    assertions = {a["name"]: a for a in dataset["facets"]["dataQualityAssertions"]["assertions"]}
    assert assertions["not_null(order_id)"]["success"] is False
    assert assertions["not_null(order_id)"]["actual"] == "1"
    assert assertions["not_null(order_id)"]["params"]["status"] == "fail"
    assert assertions["refunds_negative"]["success"] is False
    assert assertions["refunds_negative"]["severity"] == "warn"
    assert assertions["refunds_negative"]["params"]["status"] == "warn"
    assert dataset["inputFacets"]["dataQualityMetrics"]["columnMetrics"]["order_id"]["nullCount"] == 1

    # A file checked with pandas: named by its path.
    complete = _task_event(events, "validate_export", "COMPLETE")
    (dataset,) = complete["inputs"]
    assert (dataset["namespace"], dataset["name"]) == ("file", str(tmp_path / "export.csv"))
    assert dataset["inputFacets"]["dataQualityMetrics"]["rowCount"] == 3
    assert {a["name"] for a in dataset["facets"]["dataQualityAssertions"]["assertions"]} == {
        "row_count",
        "not_null(user_id)",
    }


def test_postgres_table_is_named_as_openlineage_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_dq.checks import row_count
    from airflow_dq.lineage import sql_dataset_name
    from airflow_dq.operators import DataQualityOperator

    monkeypatch.setenv("AIRFLOW_CONN_DQ12_PG", "postgresql://dq:secret@db.example:5433/analytics")
    op = DataQualityOperator(task_id="v", conn_id="dq12_pg", table="orders", schema="sales", checks=[row_count(min=1)])
    assert sql_dataset_name(op) == ("postgres://db.example:5433", "analytics.sales.orders")
    op.schema, op.dq_default_schema = None, "public"  # the dialect's default schema, seen during the scan
    assert sql_dataset_name(op) == ("postgres://db.example:5433", "analytics.public.orders")


def test_scan_metrics_reads_only_measured_values() -> None:
    from airflow_dq.lineage import scan_metrics
    from airflow_dq.results import CheckResult, Severity, Status, SuiteResult

    def result(metrics: dict) -> CheckResult:
        return CheckResult("c", "t", Severity.ERROR, Status.PASS, "", None, "", metrics=metrics)

    suite = SuiteResult(
        "t",
        [
            result({"null_count(a)": 2, "row_count": 10}),
            result({"duplicate_count(('a',))": 3, "complete_count(('a',))": 8}),
            result({"maximum(ts)": "2026-11-02T00:00:00", "maximum(x)": 7.5, "mean(x)": 3.0}),
        ],
    )
    row_count, columns = scan_metrics(suite)
    assert row_count == 10
    assert columns == {"a": {"nullCount": 2, "count": 8, "distinctCount": 5}, "x": {"max": 7.5}}
