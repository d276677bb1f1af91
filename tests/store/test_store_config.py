"""Where the provider opens its history store: config options and AIRFLOW_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.operators.history import default_store_path, open_store


def test_default_store_lives_under_airflow_home() -> None:
    # conftest points AIRFLOW_HOME at a temp dir: tests never write to a real home.
    assert default_store_path() == Path(os.environ["AIRFLOW_HOME"]) / "data_quality" / "history.db"


def test_store_path_and_retention_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere" / "dq.db"
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(path))
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__RETENTION_DAYS", "7")
    store = open_store()
    try:
        assert store.engine.url.database == str(path)
        assert store.retention_days == 7
        assert "dq_metric_values" in sa.inspect(store.engine).get_table_names()  # migrated on open
    finally:
        store.close()
    assert path.exists()


@pytest.mark.postgres
def test_store_conn_id_opens_the_connections_database(
    postgres_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("AIRFLOW_CONN_DQ_STORE_CFG", url.replace("postgresql+psycopg2://", "postgresql://"))
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_store_cfg")
    store = open_store()
    try:
        assert store.engine.dialect.name == "postgresql"
    finally:
        store.close()
    assert "dq_check_results" in sa.inspect(postgres_engine).get_table_names()
