"""The shipped example DAG: a good batch trains, a broken batch is halted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.conftest import ROOT

pytestmark = pytest.mark.airflow


def test_example_gate_trains_on_good_batch_and_halts_on_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_DQ_EXAMPLE_WAREHOUSE", f"sqlite:///{tmp_path / 'warehouse.db'}")
    dag = load_dag("example_dq_training_gate", "example_dq_training_gate", folder=ROOT / "example_dags")

    good, tis = run_dag(dag, dt.date(2026, 11, 24), run_conf={"batch": "good"})
    assert {t: ti.state for t, ti in tis.items()} == {
        "load_batch": "success",
        "validate_batch": "success",
        "validate_contract": "success",
        "train_model": "success",
    }
    contract = xcom_value(good, "validate_contract")
    assert contract["passed"] is True and len(contract["results"]) == 10
    assert contract["dataset"] == "table events where event_date = '2026-11-24'"
    assert xcom_value(good, "train_model")["rows"] == 2000

    broken, tis = run_dag(dag, dt.date(2026, 11, 25), run_conf={"batch": "broken"})
    assert tis["validate_batch"].state == "failed"
    assert tis["train_model"].state == "upstream_failed"
    failed = {r["name"] for r in xcom_value(broken, "validate_batch")["results"] if r["status"] == "fail"}
    assert "not_null(user_id)" in failed  # the NULL burst
    assert "segment_completeness(country)" in failed  # the vanished segment
    results = {r["name"]: r for r in xcom_value(broken, "validate_batch")["results"]}
    assert "'DE'" in results["segment_completeness(country)"]["message"]
    # The YAML contract halts the broken batch too: a third of user_id is NULL (mostly 0.95).
    assert tis["validate_contract"].state == "failed"
    contract = {r["name"]: r["status"] for r in xcom_value(broken, "validate_contract")["results"]}
    assert [name for name, status in contract.items() if status == "fail"] == ["not_null(user_id)"]
