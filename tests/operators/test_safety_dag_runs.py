"""The attack from issue 11 in real DAG runs: someone who may only trigger a run puts SQL
into ``dag_run.conf``. The task fails with a clear message, the canary stays intact, and
the safe way (``parameters=``) binds the same value harmlessly. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_runs import load_dag, xcom_value
from tests.engines.test_read_only import ATTACKS
from tests.engines.test_timeouts import frozen_postgres  # noqa: F401 - a fixture

pytestmark = pytest.mark.airflow


def _run(dag_id: str, conf: dict | None = None):
    dag = load_dag("issue11_safety_dags", dag_id)
    run = dag.test(run_conf=conf or {})
    return run, {ti.task_id: ti for ti in run.get_task_instances()}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> sa.Engine:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warehouse.db'}"
        engine = sa.create_engine(url)
    else:
        engine = request.getfixturevalue("postgres_engine")
        url = engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg2://", "postgresql://")
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE11_WAREHOUSE", url)
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(tmp_path / "history.db"))
    with engine.begin() as conn:
        for table in ("canary", "events"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.exec_driver_sql("CREATE TABLE canary (secret VARCHAR(20))")
        conn.exec_driver_sql("INSERT INTO canary VALUES ('safe')")
        conn.exec_driver_sql("CREATE TABLE events (country VARCHAR(40), amount REAL)")
        conn.exec_driver_sql("INSERT INTO events VALUES ('US', 1.0), ('US', 2.0), ('DE', 3.0)")
    return engine


def _output(capsys: pytest.CaptureFixture) -> str:
    captured = capsys.readouterr()  # the task runner logs the task's error to the console
    return captured.out + captured.err


def _canary(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT secret FROM canary")]


@pytest.mark.parametrize("attack", ATTACKS[:2])
def test_sql_in_the_conf_of_a_templated_where_fails_the_task_and_spares_the_canary(
    warehouse: sa.Engine, attack: str, capsys: pytest.CaptureFixture
) -> None:
    run, tis = _run("issue11_where_from_conf", {"c": attack})
    assert run.state == "failed"
    assert tis["validate"].state == "failed" and tis["validate"].try_number == 1  # not retried
    assert tis["publish"].state == "upstream_failed"
    assert _canary(warehouse) == ["safe"]
    assert "DataQualityOperator 'validate': 'where' holds" in _output(capsys)


@pytest.mark.parametrize("attack", ATTACKS[:1])
def test_sql_in_the_conf_of_a_templated_custom_sql_errors_the_check(warehouse: sa.Engine, attack: str) -> None:
    run, tis = _run("issue11_custom_sql_from_conf", {"c": attack})
    assert tis["validate"].state == "failed" and tis["publish"].state == "upstream_failed"
    assert _canary(warehouse) == ["safe"]
    (result,) = xcom_value(run, "validate")["results"]  # the verdict is kept
    assert result["status"] == "error"
    assert result["message"].startswith("check 'custom_sql': argument 'sql' holds more than one SQL statement")


def test_the_same_value_as_a_bound_parameter_is_only_data(warehouse: sa.Engine) -> None:
    run, tis = _run("issue11_bound_parameters", {"c": "US"})
    assert run.state == "success", {k: ti.state for k, ti in tis.items()}
    results = {r["name"]: r for r in xcom_value(run, "validate")["results"]}
    assert results["row_count"]["observed"] == 2  # only the US rows
    assert results["country_rows"]["observed"] == 2
    assert results["above_floor"]["status"] == "pass"

    run, tis = _run("issue11_bound_parameters", {"c": ATTACKS[0], "floor": "1.5"})
    assert tis["validate"].state == "failed"
    results = {r["name"]: r for r in xcom_value(run, "validate")["results"]}
    # The whole attack string is compared as one value: no such country, nothing written.
    assert results["row_count"]["status"] == "fail" and results["row_count"]["observed"] == 0
    assert results["country_rows"]["observed"] == 0
    assert _canary(warehouse) == ["safe"]


def test_an_empty_rendered_where_fails_instead_of_checking_the_whole_table(
    warehouse: sa.Engine, capsys: pytest.CaptureFixture
) -> None:
    _, tis = _run("issue11_empty_where", {"w": "  "})
    assert tis["validate"].state == "failed" and tis["validate"].try_number == 1
    assert "'where' rendered empty ('  '), which would check the whole table" in _output(capsys)


def test_an_empty_rendered_table_fails_naming_the_argument(warehouse: sa.Engine, capsys: pytest.CaptureFixture) -> None:
    _, tis = _run("issue11_empty_table", {"t": ""})
    assert tis["validate"].state == "failed"
    assert "DataQualityOperator 'validate': 'table' rendered empty ('')" in _output(capsys)


def test_a_slow_statement_is_a_retried_error_naming_its_kind(
    warehouse: sa.Engine, capsys: pytest.CaptureFixture
) -> None:
    _, tis = _run("issue11_slow_custom_sql")
    assert tis["validate"].state == "failed"
    assert tis["validate"].try_number == 2  # an infrastructure error: Airflow retried it
    assert "the custom statement took longer than statement_timeout=1s" in _output(capsys)


@pytest.mark.postgres
def test_a_frozen_warehouse_errors_the_task_instead_of_hanging(
    request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str, capsys: pytest.CaptureFixture
) -> None:
    url, freeze = request.getfixturevalue("frozen_postgres")  # a server of its own, SIGCONTed afterwards
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE11_FROZEN", url.replace("postgresql+psycopg2://", "postgresql://"))
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(tmp_path / "history.db"))
    freeze()
    _, tis = _run("issue11_frozen_warehouse")
    assert tis["validate"].state == "failed" and tis["publish"].state == "upstream_failed"
    assert tis["validate"].try_number == 2  # retried, then failed: never a pass, never a hang
    assert "connecting to the database took longer than connect_timeout=2s" in _output(capsys)
