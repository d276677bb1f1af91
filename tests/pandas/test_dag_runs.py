"""Real Airflow DAG runs: a DataFrame passes between tasks (XCom) and bad data halts the run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tests.airflow_runs import load_dag, run_dag, xcom_value

pytestmark = pytest.mark.airflow

MODULE = "issue5_dataframe_dags"
GOOD_TRAIN = {"rows": 5, "amount": 423.75}


def _dag(dag_id: str):
    return load_dag(MODULE, dag_id)


def _statuses(result: dict) -> dict[str, str]:
    return {r["name"]: r["status"] for r in result["results"]}


def test_operator_passes_a_good_dataframe_on(airflow_db: str) -> None:
    run, tis = run_dag(_dag("test_issue5_xcom_operator"), dt.date(2026, 11, 2))
    assert run.state == "success"
    assert {t: ti.state for t, ti in tis.items()} == {"extract": "success", "validate": "success", "train": "success"}
    assert xcom_value(run, "train") == GOOD_TRAIN
    result = xcom_value(run, "validate")
    assert result["passed"] is True and result["dataset"] == "DataFrame"
    assert set(_statuses(result).values()) == {"pass"}


def test_operator_halts_on_a_bad_dataframe_without_retry(airflow_db: str) -> None:
    run, tis = run_dag(_dag("test_issue5_xcom_operator"), dt.date(2026, 11, 3), run_conf={"bad": True})
    assert run.state == "failed"
    assert tis["validate"].state == "failed"
    assert tis["validate"].try_number == 1  # retries=2, but bad data is not retried
    assert tis["train"].state == "upstream_failed"
    result = xcom_value(run, "validate")  # the results survive the failure
    assert _statuses(result) == {
        "row_count": "pass",
        "not_null(user_id)": "fail",
        "unique(event_id)": "fail",
        "value_range(amount)": "fail",
        "accepted_values(country)": "pass",
    }
    by_name = {r["name"]: r for r in result["results"]}
    assert by_name["unique(event_id)"]["failing_rows"] == [{"event_id": 1, "dq_count": 2}]
    assert by_name["value_range(amount)"]["failing_rows"][0]["amount"] == -40.0


def test_task_dq_validates_the_returned_frame_before_it_flows_on(airflow_db: str) -> None:
    run, tis = run_dag(_dag("test_issue5_taskflow_fail"), dt.date(2026, 11, 4))
    assert run.state == "success"
    assert tis["features"].state == "success" and tis["train"].state == "success"
    assert xcom_value(run, "train") == GOOD_TRAIN
    assert xcom_value(run, "features", key="dq_results")["passed"] is True
    # The frame itself is the XCom return value (stored by Airflow's pandas serializer).
    from airflow.sdk.serde import deserialize

    frame = deserialize(xcom_value(run, "features"))
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["event_id", "user_id", "amount", "country"]


def test_task_dq_fails_on_bad_data_and_downstream_never_runs(airflow_db: str) -> None:
    run, tis = run_dag(_dag("test_issue5_taskflow_fail"), dt.date(2026, 11, 5), run_conf={"bad": True})
    assert run.state == "failed"
    assert tis["features"].state == "failed" and tis["features"].try_number == 1
    assert tis["train"].state == "upstream_failed"
    assert xcom_value(run, "train") is None
    results = xcom_value(run, "features", key="dq_results")
    assert results["passed"] is False
    assert _statuses(results)["value_range(amount)"] == "fail"


def test_task_dq_skip_skips_downstream(airflow_db: str) -> None:
    run, tis = run_dag(_dag("test_issue5_taskflow_skip"), dt.date(2026, 11, 6), run_conf={"bad": True})
    assert tis["features"].state == "skipped"
    assert tis["train"].state == "skipped"
    assert xcom_value(run, "features", key="dq_results")["passed"] is False


def test_task_dq_warn_lets_the_frame_through(airflow_db: str) -> None:
    run, tis = run_dag(_dag("test_issue5_taskflow_warn"), dt.date(2026, 11, 7), run_conf={"bad": True})
    assert run.state == "success"
    assert tis["train"].state == "success"
    assert xcom_value(run, "train") == {"rows": 5, "amount": 376.5}  # the bad frame, warned about
    assert _statuses(xcom_value(run, "features", key="dq_results")) == {
        "row_count": "pass",
        "not_null(user_id)": "warn",
    }


def test_registered_task_dq_decorator(airflow_db: str) -> None:
    good, tis = run_dag(_dag("test_issue5_task_dq_registered"), dt.date(2026, 11, 8))
    assert good.state == "success" and xcom_value(good, "train") == GOOD_TRAIN
    bad, tis = run_dag(_dag("test_issue5_task_dq_registered"), dt.date(2026, 11, 9), run_conf={"bad": True})
    assert bad.state == "failed"
    assert tis["registered_features"].state == "failed" and tis["train"].state == "upstream_failed"


def _write_events(path: Path, bad: bool) -> None:
    frame = pd.DataFrame(
        {
            "event_id": range(1, 8),
            "user_id": [10, 11, 12, 13, 14, 15, 16],
            "amount": [5.0, 12.5, 99.0, 7.25, 300.0, 1.0, 2.0],
            "country": ["US", "DE", "FR", "US", "DE", "FR", "US"],
        }
    )
    if bad:
        frame.loc[6, "event_id"] = 1  # a duplicate across chunks (chunks of 2 rows)
        frame.loc[5, "country"] = "XX"
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)


@pytest.mark.parametrize("name", ["events.csv", "events.csv.gz", "events.parquet"])
def test_file_checked_in_chunks_halts_on_bad_data(airflow_db: str, tmp_path: Path, name: str) -> None:
    dag = _dag("test_issue5_file")
    path = tmp_path / name
    _write_events(path, bad=False)
    day = {"events.csv": 10, "events.csv.gz": 12, "events.parquet": 14}[name]
    good, tis = run_dag(dag, dt.date(2026, 11, day), run_conf={"path": str(path)})
    assert good.state == "success" and tis["load"].state == "success"
    assert xcom_value(good, "validate_file")["statements"]["chunks"] == 4  # 7 rows, chunks of 2

    _write_events(path, bad=True)
    bad, tis = run_dag(dag, dt.date(2026, 11, day + 1), run_conf={"path": str(path)})
    assert bad.state == "failed" and tis["load"].state == "upstream_failed"
    result = xcom_value(bad, "validate_file")
    assert [r["name"] for r in result["results"] if r["status"] == "fail"] == [
        "unique(event_id)",
        "accepted_values(country)",
    ]


def test_object_storage_uri(airflow_db: str, tmp_path: Path) -> None:
    """A URI goes through Airflow's ObjectStoragePath (file:// here; s3://, gs:// alike)."""
    path = tmp_path / "events.parquet"
    _write_events(path, bad=True)
    run, tis = run_dag(_dag("test_issue5_file"), dt.date(2026, 11, 20), run_conf={"path": f"file://{path}"})
    assert tis["validate_file"].state == "failed"
    result = xcom_value(run, "validate_file")
    assert result["dataset"] == f"parquet file file://{path}, chunks of 2 rows"
    assert {r["name"]: r["observed"] for r in result["results"]}["unique(event_id)"] == 1


def test_templated_window_per_run_and_results_in_the_history_store(airflow_db: str) -> None:
    from airflow_dq.operators.history import open_store

    dag = _dag("test_issue5_window")
    good, tis = run_dag(dag, dt.date(2026, 11, 21))
    assert good.state == "success"
    bad, tis = run_dag(dag, dt.date(2026, 11, 22), run_conf={"bad": True})
    assert tis["validate"].state == "failed"
    buckets = {r["name"]: r for r in xcom_value(bad, "validate")["results"]}["time_bucket_completeness(event_time)"]
    # the window rendered for THIS run (the 22nd), not frozen at the first run's dates
    assert "2026-11-21 05:00" in buckets["message"], buckets["message"]

    store = open_store()
    try:
        past = store.history(
            "test_issue5_window", "validate", -1, "row_count", before=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        )
    finally:
        store.close()
    assert [point.value for point in past["row_count"]][-2:] == [48.0, 44.0]


def test_callable_input_skips_downstream_on_bad_data(airflow_db: str) -> None:
    run, tis = run_dag(_dag("test_issue5_callable"), dt.date(2026, 11, 23))
    assert tis["validate"].state == "skipped" and tis["train"].state == "skipped"
    result = xcom_value(run, "validate")
    assert result["dataset"] == "DataFrame from bad_events()"
    assert result["passed"] is False
