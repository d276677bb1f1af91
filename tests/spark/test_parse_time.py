"""SparkQualityOperator refuses wrong arguments when the DAG is parsed, without PySpark."""

from __future__ import annotations

import subprocess
import sys

import pytest

from airflow_dq import checks as dq
from airflow_dq.operators import SparkQualityOperator


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": "/lake/events"}, "give exactly one of 'conn_id'"),
        ({"conn_id": "spark", "remote": "sc://h:1", "path": "/lake"}, "give exactly one of 'conn_id'"),
        ({"remote": "http://h:1", "path": "/lake"}, "'remote' must be a Spark Connect URL"),
        ({"conn_id": "spark"}, "give exactly one of 'table' or 'path'"),
        ({"conn_id": "spark", "table": "t", "path": "/lake"}, "give exactly one of 'table' or 'path'"),
        ({"conn_id": "spark", "table": "  "}, "'table' must be a non-empty string"),
        ({"conn_id": "spark", "table": "t", "where": ""}, "'where' must be a non-empty string"),
        ({"conn_id": "spark", "path": "/lake", "file_format": "xls"}, "'file_format' must be one of"),
        ({"conn_id": "spark", "path": "/lake", "on_failure": "ignore"}, "on_failure"),
    ],
)
def test_bad_arguments_fail_at_parse_time(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SparkQualityOperator(task_id="v", checks=[dq.row_count(min=1)], **kwargs)


def test_checks_that_need_the_warehouse_are_refused_naming_the_check() -> None:
    with pytest.raises(ValueError, match=r"check 'custom' \(custom_sql\) is not supported by the Spark engine"):
        SparkQualityOperator(
            task_id="v", conn_id="spark", table="t", checks=[dq.custom_sql("SELECT 1", min=1, name="custom")]
        )
    with pytest.raises(ValueError, match=r"check 'references\(user_id\)' \(references\)"):
        SparkQualityOperator(task_id="v", conn_id="spark", table="t", checks=[dq.references("user_id", "users", "id")])


def test_parsing_a_spark_dag_does_not_import_pyspark() -> None:
    code = (
        "import sys\n"
        "from airflow_dq import checks as dq\n"
        "from airflow_dq.operators import SparkQualityOperator\n"
        "SparkQualityOperator(task_id='v', conn_id='spark', table='t', checks=[dq.not_null('x')])\n"
        "print('pyspark' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_suite_file_gives_the_table_where_and_checks(tmp_path) -> None:
    (tmp_path / "orders.yml").write_text(
        "version: 1\nschema: sales\ntable: orders\nwhere: \"day = '{{ ds }}'\"\n"
        "checks:\n  - not_null: order_id\n  - row_count: {min: 1}\n"
    )
    op = SparkQualityOperator(
        task_id="v", conn_id="spark", suite=str(tmp_path / "orders.yml"), checks=[dq.unique("order_id")]
    )
    assert (op.table, op.path, op.where) == ("sales.orders", None, "day = '{{ ds }}'")
    assert [c.name for c in op.checks] == ["not_null(order_id)", "row_count", "unique(order_id)"]
    assert [a.uri for a in op.outlets] == ["spark://spark/sales/orders"]
    (tmp_path / "query.yml").write_text("version: 1\nsql: SELECT 1 AS x\nchecks:\n  - row_count: {min: 1}\n")
    with pytest.raises(ValueError, match=r"SparkQualityOperator 'v': the suite's dataset .* is a SQL query"):
        SparkQualityOperator(task_id="v", conn_id="spark", suite=str(tmp_path / "query.yml"))
    (tmp_path / "bad.yml").write_text("version: 1\ntable: t\nchecks:\n  - custom_sql: {sql: SELECT 1, min: 1}\n")
    with pytest.raises(ValueError, match=r"custom_sql\) is not supported by the Spark engine"):
        SparkQualityOperator(task_id="v", conn_id="spark", suite=str(tmp_path / "bad.yml"))


def test_outlet_asset_is_derived_from_plain_names_only() -> None:
    from airflow.sdk import Asset

    def outlets(**kwargs: object) -> list[str]:
        op = SparkQualityOperator(task_id="v", checks=[dq.row_count(min=1)], **kwargs)
        return [a.uri for a in op.outlets]

    assert outlets(conn_id="spark", path="s3a://lake/events/") == ["s3a://lake/events"]
    assert outlets(conn_id="spark", path="/lake/events") == ["file:///lake/events"]
    assert outlets(remote="sc://spark-host:15002", table="db.events") == ["spark://spark-host:15002/db/events"]
    assert outlets(conn_id="spark", path="s3a://lake/date={{ ds }}/") == []  # templated: no fixed name
    assert outlets(conn_id="spark", path="/lake", asset=False) == []
    assert outlets(conn_id="spark", path="/lake/{{ ds }}", asset=Asset("s3://lake/events")) == ["s3://lake/events"]
    with pytest.raises(ValueError, match=r"'asset=True' needs a plain"):
        outlets(conn_id="spark", path="/lake/{{ ds }}", asset=True)
    with pytest.raises(ValueError, match=r"'asset' must be an Asset"):
        outlets(conn_id="spark", path="/lake", asset=3)
