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
