"""The pages' store queries only read and never hang (issue 11): the connection every page
query uses (``queries._connect``) is read-only and bounded by ``statement_timeout``, on the
default SQLite store and on a PostgreSQL store named by an Airflow connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engines.test_timeouts import SLOW

pytestmark = pytest.mark.airflow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def pages(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> Iterator[object]:
    from airflow_dq.ui import queries

    if request.param == "sqlite":
        monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(tmp_path / "history.db"))
    else:
        url = request.getfixturevalue("postgres_engine").url.render_as_string(hide_password=False)
        monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE11_STORE", url.replace("postgresql+psycopg2://", "postgresql://"))
        monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_issue11_store")
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STATEMENT_TIMEOUT", "0.5")
    queries._store.cache_clear()
    yield queries
    queries._store().close()
    queries._store.cache_clear()


def test_the_pages_cannot_write_to_the_store(pages) -> None:
    with pytest.raises(pages.StoreUnavailable, match=r"read-only|readonly"), pages._connect() as conn:
        conn.exec_driver_sql("DELETE FROM dq_check_results")
    with pages._connect() as conn:  # reading still works, and the tables are there
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM dq_check_results").scalar() == 0


def test_a_slow_store_query_is_a_store_outage_not_a_hung_page(pages) -> None:
    timed_out = r"history store page statement took longer than statement_timeout=0\.5s"
    with pytest.raises(pages.StoreUnavailable, match=timed_out), pages._connect() as conn:
        conn.exec_driver_sql(SLOW)
