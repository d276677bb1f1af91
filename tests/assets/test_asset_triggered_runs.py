"""Quality on Assets, with real asset-triggered runs: a checked producer triggers consumers
whose gate reads the quality summary on the triggering asset event."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_runs import load_dag, run_dag
from tests.asset_runs import asset_triggered_runs, run_queued, schedule_asset_triggered_runs, sync_and_unpause

pytestmark = pytest.mark.airflow

URI = "sql://dq12_warehouse/orders"
CONSUMERS = ("dq12_consumer", "dq12_strict_consumer")


def _write_orders(path: Path, rows: list[tuple[int | None, float]]) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS orders")
        conn.exec_driver_sql("CREATE TABLE orders (order_id INTEGER, amount REAL)")
        conn.exec_driver_sql("INSERT INTO orders VALUES (?, ?)", rows)
    engine.dispose()


def _asset_events() -> list:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.uri == URI)
            .order_by(AssetEvent.id)
            .all()
        )
        session.expunge_all()
        return events


def _run_new_consumer_runs(seen: dict[str, int]) -> dict[str, dict[str, str]]:
    """Let the scheduler create the asset-triggered runs, run the new ones, return task states."""
    schedule_asset_triggered_runs()
    states = {}
    for dag_id in CONSUMERS:
        runs = asset_triggered_runs(dag_id)
        new = runs[seen.get(dag_id, 0) :]
        seen[dag_id] = len(runs)
        assert len(new) <= 1
        for run in new:
            dr, tis = run_queued(load_dag("issue12_asset_dags", dag_id), run.run_id)
            states[dag_id] = {t: ti.state for t, ti in tis.items()} | {"run": dr.state}
    return states


def test_producer_summary_triggers_or_halts_consumers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    warehouse = tmp_path / "warehouse.db"
    monkeypatch.setenv("AIRFLOW_CONN_DQ12_WAREHOUSE", f"sqlite:///{warehouse}")
    sync_and_unpause(*CONSUMERS)
    producer = load_dag("issue12_asset_dags", "dq12_producer")
    gate = "require_quality_dq12_warehouse_orders"
    seen: dict[str, int] = {}

    # 1. Good data: the check passes, its event carries a passing summary, both consumers run.
    _write_orders(warehouse, [(1, 10.0), (2, 20.0), (3, 5.0)])
    run, tis = run_dag(producer, dt.date(2026, 11, 2))
    assert tis["validate_orders"].state == "success"
    event = _asset_events()[-1]
    summary = event.extra["data_quality"]
    assert summary["passed"] is True
    assert summary["counts"] == {"pass": 3}
    assert summary["score"] == 1.0
    assert summary["failed"] == [] and summary["warned"] == {}
    assert summary["run"] == {
        "dag_id": "dq12_producer",
        "task_id": "validate_orders",
        "run_id": run.run_id,
        "map_index": -1,
    }
    assert summary["url"].startswith("/data-quality/task?dag_id=dq12_producer")
    states = _run_new_consumer_runs(seen)
    assert states["dq12_consumer"] == {gate: "success", "train": "success", "run": "success"}
    assert states["dq12_strict_consumer"] == {gate: "success", "publish": "success", "run": "success"}

    # 2. Broken data (a NULL key): the check task fails, emits no event, triggers nothing.
    before = len(_asset_events())
    _write_orders(warehouse, [(1, 10.0), (None, 20.0)])
    _, tis = run_dag(producer, dt.date(2026, 11, 3))
    assert tis["validate_orders"].state == "failed"
    assert len(_asset_events()) == before
    assert _run_new_consumer_runs(seen) == {}

    # 3. A warn-severity failure: the task passes with a warning summary; the lenient consumer
    #    runs, the strict one (halt_on=["warn"], min_score=1.0) is halted before publishing.
    _write_orders(warehouse, [(1, 10.0), (2, -3.0)])
    _, tis = run_dag(producer, dt.date(2026, 11, 4))
    assert tis["validate_orders"].state == "success"
    summary = _asset_events()[-1].extra["data_quality"]
    assert summary["passed"] is True
    assert summary["counts"] == {"pass": 2, "warn": 1}
    assert summary["score"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["warned"] == {"amount_not_negative": "warn"}
    states = _run_new_consumer_runs(seen)
    assert states["dq12_consumer"] == {gate: "success", "train": "success", "run": "success"}
    assert states["dq12_strict_consumer"] == {gate: "failed", "publish": "upstream_failed", "run": "failed"}

    # 4. An unchecked update of the asset (no summary on its event): every consumer halts.
    loader = load_dag("issue12_asset_dags", "dq12_unchecked_loader")
    _, tis = run_dag(loader, dt.date(2026, 11, 5))
    assert tis["load_orders"].state == "success"
    assert "data_quality" not in _asset_events()[-1].extra
    states = _run_new_consumer_runs(seen)
    assert states["dq12_consumer"] == {gate: "failed", "train": "upstream_failed", "run": "failed"}
    assert states["dq12_strict_consumer"] == {gate: "failed", "publish": "upstream_failed", "run": "failed"}


def test_dataframe_task_puts_its_summary_on_its_outlets(airflow_db: str) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    run, tis = run_dag(load_dag("issue12_asset_dags", "dq12_frame_producer"), dt.date(2026, 11, 2))
    assert tis["features"].state == "success"
    with create_session() as session:
        event = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.uri == "file:///data/features.parquet", AssetEvent.source_run_id == run.run_id)
            .one()
        )
        summary = event.extra["data_quality"]
    assert summary["counts"] == {"pass": 1, "warn": 1}
    assert summary["warned"] == {"not_null(user_id)": "warn"}
    assert summary["dataset"] == "DataFrame returned by features"


def test_rules_travel_with_the_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> None:
    from tests.airflow_runs import xcom_value

    warehouse = tmp_path / "warehouse.db"
    monkeypatch.setenv("AIRFLOW_CONN_DQ12_WAREHOUSE", f"sqlite:///{warehouse}")
    _write_orders(warehouse, [(1, 10.0), (None, 20.0)])
    run, tis = run_dag(load_dag("issue12_asset_dags", "dq12_ruled_producer"), dt.date(2026, 11, 6))
    assert tis["validate_orders"].state == "failed"  # by the asset's own not_null rule
    statuses = {r["name"]: r["status"] for r in xcom_value(run, "validate_orders")["results"]}
    assert statuses == {"value_range(amount)": "pass", "not_null(order_id)": "fail", "row_count": "pass"}
    assert xcom_value(run, "validate_orders")["statements"]["data"] == 1  # the asset's rules share the one scan

    # The rules are part of the asset's definition in Airflow's metadata DB.
    from airflow.models.asset import AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        extra = session.query(AssetModel).filter(AssetModel.uri == "sql://dq12_warehouse/main/orders").one().extra
    assert [spec["class"] for spec in extra["data_quality_checks"]] == [
        "airflow_dq.checks.rows.NotNull",
        "airflow_dq.checks.aggregates.RowCountCheck",
    ]
