"""The shipped asset-driven example: clean orders reach the report, doubtful ones do not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.asset_runs import asset_triggered_runs, run_queued, schedule_asset_triggered_runs, sync_and_unpause
from tests.conftest import ROOT

pytestmark = pytest.mark.airflow

CONSUMER = "example_dq_orders_consumer"
GATE = "require_quality_dq_example_warehouse_orders"


def _consume(seen: int) -> tuple[int, dict[str, str] | None, object]:
    schedule_asset_triggered_runs()
    runs = asset_triggered_runs(CONSUMER)
    if len(runs) == seen:
        return seen, None, None
    assert len(runs) == seen + 1
    dr, tis = run_queued(load_dag("example_dq_assets", CONSUMER, folder=ROOT / "example_dags"), runs[-1].run_id)
    return len(runs), {t: ti.state for t, ti in tis.items()}, dr


def test_example_producer_and_consumer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_DQ_EXAMPLE_WAREHOUSE", f"sqlite:///{tmp_path / 'warehouse.db'}")
    sync_and_unpause(CONSUMER)
    producer = load_dag("example_dq_assets", "example_dq_orders_producer", folder=ROOT / "example_dags")
    seen = len(asset_triggered_runs(CONSUMER))

    _, tis = run_dag(producer, dt.date(2026, 11, 10), run_conf={"batch": "good"})
    assert tis["validate_orders"].state == "success"
    seen, states, dr = _consume(seen)
    assert states == {GATE: "success", "build_report": "success"}
    assert xcom_value(dr, "build_report") == {"orders": 200, "revenue": 2598.0}
    assert xcom_value(dr, GATE)["counts"] == {"pass": 4}

    _, tis = run_dag(producer, dt.date(2026, 11, 11), run_conf={"batch": "late_refunds"})
    assert tis["validate_orders"].state == "success"  # a warn check does not halt the producer...
    seen, states, _ = _consume(seen)
    assert states == {GATE: "failed", "build_report": "upstream_failed"}  # ...but this consumer halts on warn

    _, tis = run_dag(producer, dt.date(2026, 11, 12), run_conf={"batch": "broken"})
    assert tis["validate_orders"].state == "failed"
    seen, states, _ = _consume(seen)
    assert states is None  # no asset event, so no consumer run
