"""SparkQualityOperator like the other check operators: a suite file, the outlet asset's
quality summary and OpenLineage facets, read back after a real ``airflow dags test`` run
(a fresh process, so the OpenLineage listener sees the file transport)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.airflow_runs import lineage_of_dags_test

pytestmark = [pytest.mark.spark, pytest.mark.airflow]


def _catalog_table(spark: Any, tmp_path: Path) -> None:
    """dq15.orders in the server's catalog (shared by every session): one duplicate id, one
    amount out of the warn range."""
    folder = tmp_path / "orders"
    folder.mkdir()
    frame = pd.DataFrame({"order_id": [1, 2, 2, 4], "amount": [10.0, 20.0, 30.0, 400.0]})
    frame.to_parquet(folder / "part-0.parquet")
    spark.sql("CREATE DATABASE IF NOT EXISTS dq15")
    spark.sql("DROP TABLE IF EXISTS dq15.orders")
    spark.sql(f"CREATE TABLE dq15.orders USING parquet LOCATION '{folder}'")


def _lake(tmp_path: Path) -> Path:
    folder = tmp_path / "lake"
    folder.mkdir()
    pd.DataFrame({"user_id": [1, 2, 3]}).to_parquet(folder / "part-0.parquet")
    return folder


def _run(tmp_path: Path, spark_remote: str, lake: Path) -> list[dict]:
    host, port = spark_remote.removeprefix("sc://").split(":")
    env = {
        "AIRFLOW_CONN_DQ_TEST_SPARK": json.dumps({"conn_type": "spark_connect", "host": host, "port": int(port)}),
        "DQ15_SPARK_LAKE": str(lake),
    }
    # validate_table fails (a duplicate order id), so the run fails
    return lineage_of_dags_test(
        "test_issue15_spark_suite", "2026-11-02", tmp_path / "openlineage.jsonl", env, returncode=1
    )


def _event(events: list[dict], task_id: str, event_type: str) -> dict:
    name = f"test_issue15_spark_suite.{task_id}"
    matching = [e for e in events if e["eventType"] == event_type and e["job"]["name"] == name]
    assert len(matching) == 1, [(e["eventType"], e["job"]["name"]) for e in events]
    return matching[0]


def _asset_summary(uri: str) -> dict | None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.uri == uri, AssetEvent.source_dag_id == "test_issue15_spark_suite")
            .all()
        )
        return events[0].extra["data_quality"] if len(events) == 1 else {"events": len(events)}


def test_suite_file_asset_summary_and_lineage(airflow_db: str, spark: Any, spark_remote: str, tmp_path: Path) -> None:
    _catalog_table(spark, tmp_path)
    lake = _lake(tmp_path)
    events = _run(tmp_path, spark_remote, lake)
    host_port = spark_remote.removeprefix("sc://")

    # The catalog table named by the suite file: its checks ran there and the task failed.
    failed = _event(events, "validate_table", "FAIL")
    (dataset,) = failed["inputs"]
    assert (dataset["namespace"], dataset["name"]) == (f"spark://{host_port}", "dq15.orders")
    assertions = {a["name"]: a for a in dataset["facets"]["dataQualityAssertions"]["assertions"]}
    assert {name: a["success"] for name, a in assertions.items()} == {
        "row_count": True,
        "not_null(order_id)": True,
        "unique(order_id)": False,
        "value_range(amount)": False,
    }
    assert assertions["value_range(amount)"]["severity"] == "warn"
    assert dataset["inputFacets"]["dataQualityMetrics"]["rowCount"] == 4

    # The lake files: named by their path, and their outlet event carries the summary.
    complete = _event(events, "validate_files", "COMPLETE")
    (dataset,) = complete["inputs"]
    assert (dataset["namespace"], dataset["name"]) == ("file", str(lake))
    assert dataset["inputFacets"]["dataQualityMetrics"]["columnMetrics"]["user_id"]["nullCount"] == 0
    summary = _asset_summary(f"file://{lake}")
    assert summary["counts"] == {"pass": 2}
    assert summary["dataset"].startswith("files ") and str(lake) in summary["dataset"]
    # A failed task emits no asset event: a consumer never sees the bad table as updated.
    assert _asset_summary("spark://dq_test_spark/dq15/orders") == {"events": 0}
