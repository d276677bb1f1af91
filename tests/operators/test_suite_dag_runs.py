"""Real DAG runs whose checks come from suite files (tests/dags/suites/), and DAG imports
that fail on a broken suite file with its name, line, check and argument."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.operators.test_data_quality_dag_runs import _write_events

pytestmark = pytest.mark.airflow

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_WAREHOUSE", url)
    return url


def test_suite_file_gate_passes_good_data_in_one_scan(warehouse: str) -> None:
    _write_events(warehouse, [(DAY.isoformat(), i, float(i)) for i in range(1, 21)])
    run, tis = run_dag(load_dag("issue12_suite_dags", "dq_test_suite_gate"), DAY)
    assert run.state == "success", {k: t.state for k, t in tis.items()}
    result = xcom_value(run, "validate")
    # The file's four checks, then the one given in Python; the file's filter was rendered.
    assert [r["name"] for r in result["results"]] == [
        "row_count",
        "not_null(user_id)",
        "value_range(amount)",
        "amount_not_negative_today",
        "unique(user_id, event_date)",
    ]
    assert all(r["status"] == "pass" for r in result["results"])
    assert result["dataset"] == f"table events where event_date = '{DAY.isoformat()}'"
    assert result["statements"]["data"] == 1


def test_suite_file_gate_halts_on_bad_data(warehouse: str) -> None:
    rows = [(DAY.isoformat(), i, float(i)) for i in range(1, 21)] + [(DAY.isoformat(), None, -3.0)]
    _write_events(warehouse, rows)
    run, tis = run_dag(load_dag("issue12_suite_dags", "dq_test_suite_gate"), DAY)
    assert tis["validate"].state == "failed" and tis["train"].state == "upstream_failed"
    by_name = {r["name"]: r for r in xcom_value(run, "validate")["results"]}
    assert by_name["not_null(user_id)"]["status"] == "fail"
    # the rendered row_condition from the file is severity warn: recorded, not blocking
    assert by_name["amount_not_negative_today"]["status"] == "warn"
    assert by_name["amount_not_negative_today"]["observed"] == 1


def test_dataframe_task_and_operator_read_their_dataset_of_a_json_suite(airflow_db: str) -> None:
    run, tis = run_dag(load_dag("issue12_suite_dags", "dq_test_suite_frames"), DAY)
    assert tis["features"].state == "success"
    assert tis["train"].state == "success"
    assert tis["check_labels"].state == "failed"
    features = xcom_value(run, "features", key="dq_results")
    assert [r["name"] for r in features["results"]] == ["row_count", "not_null(user_id)", "unique(user_id)"]
    labels = xcom_value(run, "check_labels")
    assert [(r["name"], r["status"], r["observed"]) for r in labels["results"]] == [
        ("accepted_values(label)", "fail", 1)
    ]


def test_a_templated_suite_path_is_read_when_the_task_runs(warehouse: str) -> None:
    _write_events(warehouse, [(DAY.isoformat(), i, float(i)) for i in range(1, 21)])
    dag = load_dag("issue12_suite_dags", "dq_test_suite_templated")
    assert dag.get_task("validate").checks == []  # nothing loaded at parse time
    run, tis = run_dag(dag, DAY, run_conf={"suite": "events"})
    assert tis["validate"].state == "success"
    result = xcom_value(run, "validate")
    assert [r["name"] for r in result["results"]] == [
        "row_count",
        "not_null(user_id)",
        "value_range(amount)",
        "amount_not_negative_today",
    ]
    assert result["dataset"] == f"table events where event_date = '{DAY.isoformat()}'"

    run, tis = run_dag(dag, DAY + dt.timedelta(days=1), run_conf={"suite": "no_such_suite"})
    assert tis["validate"].state == "failed"
    assert xcom_value(run, "validate") is None


def _import_errors(folder: Path) -> dict[str, str]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(folder))
    return bag.import_errors


def test_a_broken_suite_file_fails_the_dag_import_naming_file_line_check_argument(
    tmp_path: Path, airflow_db: str
) -> None:
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "orders.yml").write_text(
        textwrap.dedent(
            """\
            table: orders
            checks:
              - not_null: order_id
              - value_range:
                  column: amount
                  min: 0
                  mostly: 1.5
            """
        )
    )
    (tmp_path / "orders_dag.py").write_text(
        textwrap.dedent(
            """\
            import datetime as dt
            from airflow.sdk import DAG
            from airflow_dq.operators import DataQualityOperator

            with DAG(dag_id="orders", schedule=None, start_date=dt.datetime(2026, 1, 1)):
                DataQualityOperator(task_id="check_orders", conn_id="warehouse", suite="suites/orders.yml")
            """
        )
    )
    errors = _import_errors(tmp_path)
    assert list(errors) == [str(tmp_path / "orders_dag.py")]
    message = errors[str(tmp_path / "orders_dag.py")]
    assert "DataQualityOperator 'check_orders'" in message
    assert f"suite file {tmp_path / 'suites' / 'orders.yml'}, line 7" in message
    assert "check 'value_range' on column 'amount': argument 'mostly' must be a fraction in (0, 1], got 1.5" in message
