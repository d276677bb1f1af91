"""Real Airflow DAG runs of SparkQualityOperator on the local Spark Connect server."""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.airflow_runs import load_dag, run_dag, xcom_value

pytestmark = [pytest.mark.spark, pytest.mark.airflow]

DAY = dt.date(2026, 11, 3)


def _connection(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    host, port = url.removeprefix("sc://").split(":")
    conn = {"conn_type": "spark_connect", "host": host, "port": int(port)}
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_SPARK", json.dumps(conn))


def _lake(tmp_path: Path, bad: bool) -> str:
    """A Parquet folder with two days; only the run's day is checked (the where filter)."""
    rows = [
        {"event_id": 1, "user_id": 10, "amount": 20.0, "country": "US", "event_date": DAY.isoformat()},
        {"event_id": 2, "user_id": 11, "amount": 700.0, "country": "US", "event_date": DAY.isoformat()},
        {"event_id": 3, "user_id": 12, "amount": 30.0, "country": "DE", "event_date": DAY.isoformat()},
        {"event_id": 4, "user_id": 13, "amount": 40.0, "country": "FR", "event_date": DAY.isoformat()},
        # another day's bad rows: outside the run's partition, never judged
        {"event_id": 4, "user_id": None, "amount": -1.0, "country": "XX", "event_date": "2026-11-02"},
    ]
    if bad:
        rows += [
            {"event_id": 3, "user_id": None, "amount": -40.0, "country": "DE", "event_date": DAY.isoformat()},
            {"event_id": 9, "user_id": 19, "amount": 900.0, "country": "FR", "event_date": DAY.isoformat()},
        ]
    folder = tmp_path / ("bad" if bad else "good")
    folder.mkdir()
    pd.DataFrame(rows).astype({"user_id": "Int64"}).to_parquet(folder / "part-0.parquet")
    return str(folder)


def _statuses(result: dict[str, Any]) -> dict[str, str]:
    return {r["name"]: r["status"] for r in result["results"]}


def test_good_lake_partition_passes(
    airflow_db: str, spark_remote: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _connection(monkeypatch, spark_remote)
    run, tis = run_dag(
        load_dag("issue15_spark_dags", "test_issue15_spark_gate"), DAY, run_conf={"path": _lake(tmp_path, False)}
    )
    assert run.state == "success"
    assert {t: ti.state for t, ti in tis.items()} == {"validate": "success", "train": "success"}
    result = xcom_value(run, "validate")
    assert result["passed"] is True
    assert result["dataset"].endswith(f"where event_date = '{DAY.isoformat()}'")  # the where was templated
    assert set(_statuses(result).values()) == {"pass"}
    assert result["statements"]["data"] == 1  # one Spark job for the whole suite


def test_bad_lake_partition_halts_and_keeps_its_results(
    airflow_db: str, spark_remote: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _connection(monkeypatch, spark_remote)
    run, tis = run_dag(
        load_dag("issue15_spark_dags", "test_issue15_spark_gate"), DAY, run_conf={"path": _lake(tmp_path, True)}
    )
    assert run.state == "failed"
    assert tis["validate"].state == "failed" and tis["validate"].try_number == 1  # bad data is not retried
    assert tis["train"].state == "upstream_failed"
    result = xcom_value(run, "validate")
    assert _statuses(result) == {
        "row_count": "pass",
        "not_null(user_id)": "fail",
        "unique(event_id)": "fail",
        "value_range(amount)": "fail",
        "accepted_values(country)": "pass",
        "big_amounts_are_us": "warn",
    }
    by_name = {r["name"]: r for r in result["results"]}
    assert by_name["unique(event_id)"]["failing_rows"] == [{"event_id": 3, "dq_count": 2}]
    assert by_name["value_range(amount)"]["failing_rows"][0]["amount"] == -40.0


def test_unreachable_spark_connect_server_is_retried_not_passed(
    airflow_db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _connection(monkeypatch, f"sc://127.0.0.1:{port}")
    run, tis = run_dag(load_dag("issue15_spark_dags", "test_issue15_spark_gate"), DAY, run_conf={"path": str(tmp_path)})
    assert tis["validate"].state == "failed"
    assert tis["validate"].try_number == 2  # the connection error was retried
    assert tis["train"].state == "upstream_failed"
    assert xcom_value(run, "validate") is None  # nothing was judged, nothing claims a pass
