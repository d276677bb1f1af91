"""Real DAG runs: a good day's recorded profile is the pinned reference of later gates (issue 6)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.store import MetricStore
from airflow_dq.store.schema import PROFILES
from tests.airflow_runs import load_dag, run_dag, xcom_value

pytestmark = pytest.mark.airflow

DAGS = "issue6_profile_dags"
GOOD_DAY, SIMILAR_DAY, DRIFTED_DAY = dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)


def _states(tis: dict) -> dict[str, str]:
    return {task_id: str(ti.state) for task_id, ti in tis.items()}


def _write(url: str) -> None:
    load_dag(DAGS, "test_issue6_profile_gate")  # imports the DAG file, whose features() makes the data
    module = sys.modules[f"dq_dagfile_{DAGS}"]
    import pandas as pd

    frames = [
        module.features(9).assign(batch="trusted"),
        module.features(1).assign(batch=GOOD_DAY.isoformat()),
        module.features(2).assign(batch=SIMILAR_DAY.isoformat()),
        module.features(3, drifted=True).assign(batch=DRIFTED_DAY.isoformat()),
    ]
    engine = sa.create_engine(url)
    pd.concat(frames).to_sql("features", engine, index=False, if_exists="replace")
    engine.dispose()


def _gate_story(store: MetricStore) -> None:
    baseline, gate = load_dag(DAGS, "test_issue6_profile_baseline"), load_dag(DAGS, "test_issue6_profile_gate")

    # A pin that is not in the store yet: the check errors, naming itself and the pin.
    run, tis = run_dag(gate, SIMILAR_DAY)
    assert _states(tis) == {"gate": "failed", "train": "upstream_failed", "publish": "upstream_failed"}
    (missing,) = xcom_value(run, "gate")["results"]
    assert missing["status"] == "error" and missing["name"] == "feature_drift"
    assert "logical_date='2026-11-01T00:00:00+00:00'" in missing["message"]
    assert "dag_id='test_issue6_profile_baseline'" in missing["message"]
    assert "is not in the history store" in missing["message"]

    # The good day: the baseline's drift check passes and records the batch's profile.
    run, tis = run_dag(baseline, GOOD_DAY)
    assert run.state == "success" and xcom_value(run, "profile")["passed"]
    recorded = store.profile("test_issue6_profile_baseline", "profile", "feature_drift", run_id=run.run_id)
    assert recorded is not None and set(recorded) == {"age", "income", "plan"}
    assert sum(recorded["age"].counts) == 600

    # Later: similar data passes the pinned gate and is published ...
    run, tis = run_dag(gate, SIMILAR_DAY)
    assert _states(tis) == {"gate": "success", "train": "success", "publish": "success"}
    assert xcom_value(run, "publish") == "published model-v3"
    (passed,) = xcom_value(run, "gate")["results"]
    assert passed["status"] == "pass" and passed["observed"]["drifted_columns"] == []
    assert "stored profile (dag_id='test_issue6_profile_baseline'" in passed["expected"]

    # ... drifted data fails it and halts training and publication.
    run, tis = run_dag(gate, DRIFTED_DAY)
    assert _states(tis) == {"gate": "failed", "train": "upstream_failed", "publish": "upstream_failed"}
    assert tis["gate"].try_number == 1  # a data failure: not retried
    (failed,) = xcom_value(run, "gate")["results"]
    assert failed["status"] == "fail"
    assert failed["observed"]["drifted_columns"] == ["age", "plan"]
    by_column = {c["column"]: c for c in failed["observed"]["columns"]}
    assert by_column["age"]["reference_rows"] == 600 and by_column["age"]["current_rows"] == 600

    # Each gate run recorded its own batch's profile too (what a later pin would read).
    with store.engine.connect() as conn:
        runs = conn.execute(
            sa.select(PROFILES.c.dag_id, PROFILES.c.logical_date).distinct().order_by(PROFILES.c.logical_date)
        ).all()
    assert [(r.dag_id, r.logical_date.date()) for r in runs] == [
        ("test_issue6_profile_baseline", GOOD_DAY),
        ("test_issue6_profile_gate", SIMILAR_DAY),
        ("test_issue6_profile_gate", DRIFTED_DAY),
    ]


def test_pinned_good_day_profile_gates_later_runs_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE6_PROFILE_WAREHOUSE", url)
    store_path = tmp_path / "history.db"  # a store of this test's own: no profiles of other tests
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(store_path))
    _write(url)
    store = MetricStore.open(f"sqlite:///{store_path}")
    try:
        _gate_story(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_pinned_good_day_profile_gates_later_runs_on_postgresql(
    monkeypatch: pytest.MonkeyPatch, postgres_engine: sa.Engine, airflow_db: str
) -> None:
    # The warehouse and the history store both on the PostgreSQL server.
    url = postgres_engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg2://", "postgresql://")
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE6_PROFILE_WAREHOUSE", url)
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE6_PROFILE_STORE", url)
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_issue6_profile_store")
    _write(url)
    _gate_story(MetricStore(postgres_engine))


def test_unreadable_store_retries_the_gate_and_keeps_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str
) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE6_PROFILE_WAREHOUSE", url)
    # Nothing listens on port 1: every connection to the store is refused.
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE6_DEAD_STORE", "postgresql://dq:dq@127.0.0.1:1/history")
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_issue6_dead_store")
    _write(url)
    run, tis = run_dag(load_dag(DAGS, "test_issue6_profile_gate"), SIMILAR_DAY)
    assert _states(tis) == {"gate": "failed", "train": "upstream_failed", "publish": "upstream_failed"}
    assert tis["gate"].try_number == 2  # an infrastructure failure: retried
    (result,) = xcom_value(run, "gate")["results"]  # pushed before the error: never lost
    assert result["status"] == "error"
    assert "could not be read from the history store: OperationalError" in result["message"]
