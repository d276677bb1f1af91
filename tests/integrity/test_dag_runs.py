"""Real Airflow DAG runs of the ML training gate: a poisoned batch stops publication."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.conftest import ROOT

pytestmark = pytest.mark.airflow

DAGS = "issue6_ml_gate_dags"


def _states(tis: dict) -> dict[str, str]:
    return {task_id: str(ti.state) for task_id, ti in tis.items()}


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE6_WAREHOUSE", url)
    return url


def _write(url: str, day: dt.date, *, poisoned: bool) -> set[str]:
    load_dag(DAGS, "test_issue6_sql_gate")  # imports the DAG file, whose reviews() makes the data
    module = sys.modules[f"dq_dagfile_{DAGS}"]
    trusted = module.trusted_reviews().assign(batch="trusted")
    batch = module.reviews(int(day.strftime("%Y%m%d")), 800, first_id=100_000).assign(batch=day.isoformat())
    burst_texts: set[str] = set()
    if poisoned:  # a burst: one contributor re-posts 8 reviews ten times each
        burst = pd.concat([batch.head(8)] * 10, ignore_index=True)
        burst["id"] = range(500_000, 500_000 + len(burst))
        burst["source"] = "s_new"
        burst_texts = set(burst["text"])
        batch = pd.concat([batch, burst], ignore_index=True)
    engine = sa.create_engine(url)
    pd.concat([trusted, batch]).to_sql("reviews", engine, index=False, if_exists="replace")
    engine.dispose()
    return burst_texts


def test_sql_gate_publishes_a_clean_batch_and_stops_a_poisoned_one(warehouse: str) -> None:
    dag = load_dag(DAGS, "test_issue6_sql_gate")
    clean_day, bad_day = dt.date(2026, 11, 20), dt.date(2026, 11, 21)

    _write(warehouse, clean_day, poisoned=False)
    run, tis = run_dag(dag, clean_day)
    assert _states(tis) == {"gate": "success", "train": "success", "publish": "success"}
    assert xcom_value(run, "publish") == "published model-v2"
    passed = xcom_value(run, "gate")
    assert passed["passed"] and len(passed["results"]) == 8

    burst_texts = _write(warehouse, bad_day, poisoned=True)
    run, tis = run_dag(dag, bad_day)
    assert _states(tis) == {"gate": "failed", "train": "upstream_failed", "publish": "upstream_failed"}
    assert tis["gate"].try_number == 1  # bad data is not retried
    result = xcom_value(run, "gate")  # the results survive the failure
    failed = {r["check_type"]: r for r in result["results"] if r["status"] == "fail"}
    assert {"duplicate_surge", "source_surge", "drift"} <= set(failed)
    # The copies, their originals, and any clean row that happens to say the same thing.
    assert {row["text"] for row in failed["duplicate_surge"]["failing_rows"]} <= burst_texts
    assert "s_new" in failed["source_surge"]["message"]


def test_dataframe_gate_stops_a_trigger_phrase(airflow_db: str) -> None:
    dag = load_dag(DAGS, "test_issue6_dataframe_gate")
    run, tis = run_dag(dag, dt.date(2026, 11, 20))
    assert _states(tis) == {"new_batch": "success", "gate": "success", "train": "success", "publish": "success"}

    run, tis = run_dag(dag, dt.date(2026, 11, 21), run_conf={"poisoned": True})
    assert _states(tis) == {
        "new_batch": "success",
        "gate": "failed",
        "train": "upstream_failed",
        "publish": "upstream_failed",
    }
    failed = {r["check_type"]: r for r in xcom_value(run, "gate")["results"] if r["status"] == "fail"}
    assert "token_concentration" in failed
    assert "'cf' -> positive (100% of 50 rows)" in failed["token_concentration"]["message"]
    assert all(row["id"] >= 900_000 for row in failed["token_concentration"]["failing_rows"])


def test_example_retrain_gate_keeps_the_published_model_on_a_poisoned_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_EXAMPLE_WAREHOUSE", url)
    dag = load_dag("example_dq_retrain_gate", "example_dq_retrain_gate", folder=ROOT / "example_dags")

    run, tis = run_dag(dag, dt.date(2026, 11, 24), run_conf={"batch": "clean"})
    assert _states(tis) == {
        "collect_batch": "success",
        "gate": "success",
        "train_model": "success",
        "probe_model": "success",
        "publish_model": "success",
    }
    assert xcom_value(run, "probe_model")["passed"]
    run, tis = run_dag(dag, dt.date(2026, 11, 25), run_conf={"batch": "poisoned"})
    assert tis["gate"].state == "failed"
    assert tis["train_model"].state == "upstream_failed" and tis["publish_model"].state == "upstream_failed"
    failed = {r["check_type"]: r for r in xcom_value(run, "gate")["results"] if r["status"] == "fail"}
    assert "james" in failed["token_concentration"]["message"]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version FROM published").scalar() == "2026-11-24"
    engine.dispose()


def test_example_retrain_gate_probe_stops_a_clean_label_attack_the_gate_only_flags_for_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_EXAMPLE_WAREHOUSE", url)
    dag = load_dag("example_dq_retrain_gate", "example_dq_retrain_gate", folder=ROOT / "example_dags")
    run, tis = run_dag(dag, dt.date(2026, 11, 26), run_conf={"batch": "clean_label"})
    # The trigger sits in positive reviews labelled positive: labels that fit the text.
    assert _states(tis) == {
        "collect_batch": "success",
        "gate": "success",
        "train_model": "success",
        "probe_model": "failed",
        "publish_model": "upstream_failed",
    }
    warned = {r["check_type"]: r for r in xcom_value(run, "gate")["results"] if r["status"] == "warn"}
    assert warned["token_concentration"]["message"].startswith("review:")
    probe = xcom_value(run, "probe_model")  # kept on failure
    assert not probe["passed"] and probe["swings"][0]["towards"] == "positive"
    assert probe["swings"][0]["term"] in ("james", "bond", "james bond")
    assert tis["probe_model"].try_number == 1
    engine = sa.create_engine(url)
    with engine.connect() as conn:  # the first model (trusted rows only) stays published
        assert conn.exec_driver_sql("SELECT version FROM published").scalar() == "baseline"
    engine.dispose()


def test_dataframe_gate_drops_the_flagged_rows_and_goes_on(tmp_path: Path, airflow_db: str) -> None:
    dag = load_dag(DAGS, "test_issue16_drop_gate")
    out = tmp_path / "cleaned.parquet"
    run, tis = run_dag(dag, dt.date(2026, 11, 22), run_conf={"out": str(out)})
    assert _states(tis) == {"new_batch": "success", "gate": "success", "train": "success"}
    result = xcom_value(run, "gate")
    assert result["cleaned"]["cleaned_path"] == str(out)
    resolved = {r["check_type"]: r for r in result["results"] if r["name"] in result["cleaned"]["resolved_checks"]}
    assert resolved and all(r["status"] == "warn" and "cleaned copy at" in r["message"] for r in resolved.values())
    cleaned = pd.read_parquet(out)
    assert not (cleaned["id"] >= 900_000).any()  # every planted row is gone
    assert len(cleaned) >= 700  # and most of the 800 clean rows are kept
    assert xcom_value(run, "train") == len(cleaned)
