"""The history store as tasks open it has the provider's statement timeout (issue 11): a
store that stalls errors the task (retried) instead of holding the worker slot. It still
writes (only the warehouse and the UI pages are read-only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.engines.sql.session import StatementTimeout
from airflow_dq.operators.history import open_store
from tests.engines.test_timeouts import SLOW


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if request.param == "sqlite":
        monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(tmp_path / "history.db"))
    else:
        url = request.getfixturevalue("postgres_engine").url.render_as_string(hide_password=False)
        monkeypatch.setenv("AIRFLOW_CONN_DQ_STORE_TIMEOUT", url.replace("postgresql+psycopg2://", "postgresql://"))
        monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_store_timeout")
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STATEMENT_TIMEOUT", "0.5")
    store = open_store()
    yield store
    store.close()


def test_a_stalled_store_statement_times_out(store) -> None:
    timed_out = r"the history store statement took longer than statement_timeout=0\.5s"
    with pytest.raises(StatementTimeout, match=timed_out), store.engine.connect() as conn:
        conn.exec_driver_sql(SLOW)


def test_the_store_still_records(store) -> None:
    from airflow_dq.results import CheckResult, Severity, Status, SuiteResult
    from airflow_dq.store import RunKey

    result = CheckResult(
        "row_count", "row_count", Severity.ERROR, Status.PASS, ">= 1", 5, "5 rows", metrics={"row_count": 5}
    )
    suite = SuiteResult("table t", [result], {"data": 1}, dt.datetime(2026, 11, 27, tzinfo=dt.UTC), 0.1)
    key = RunKey("dag", "task", "run1", dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    assert store.record(key, suite) == 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM dq_check_results")).scalar() == 1
