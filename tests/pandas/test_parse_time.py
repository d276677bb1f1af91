"""Bad arguments fail when the DAG is parsed, and parsing never imports pandas."""

from __future__ import annotations

import subprocess
import sys

import pytest

from airflow_dq import checks as dq


def test_sql_only_checks_are_refused_at_parse_time() -> None:
    from airflow_dq.operators import DataFrameQualityOperator

    for check, kind in [
        (dq.custom_sql("SELECT 1", equals=1), "custom_sql"),
        (dq.row_condition("a < b"), "row_condition"),
        (dq.references("user_id", "users", "id"), "references"),
    ]:
        with pytest.raises(ValueError, match=rf"DataFrameQualityOperator 'v': check '.*' \({kind}\) needs a SQL"):
            DataFrameQualityOperator(task_id="v", data="x.csv", checks=[dq.row_count(min=1), check])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": ""}, "'data' must be a DataFrame, a callable or a file path"),
        ({"data": 5}, "'data' must be a DataFrame, a callable or a file path"),
        ({"file_format": "xlsx"}, "'file_format' must be 'csv', 'parquet' or None"),
        ({"chunksize": 0}, "'chunksize' must be a whole number >= 1"),
        ({"read_options": "sep=;"}, "'read_options' must be a dict"),
        ({"on_failure": "retry"}, "'on_failure' must be one of"),
        ({"checks": []}, "'checks' is empty"),
    ],
)
def test_operator_arguments(kwargs: dict, message: str) -> None:
    from airflow_dq.operators import DataFrameQualityOperator

    args = {"task_id": "v", "data": "x.csv", "checks": [dq.row_count(min=1)], **kwargs}
    with pytest.raises(ValueError, match=message):
        DataFrameQualityOperator(**args)


def test_task_dq_refuses_sql_checks_and_multiple_outputs() -> None:
    from airflow.sdk import DAG

    from airflow_dq.decorators import dq_task

    with DAG("parse_only"):
        with pytest.raises(ValueError, match=r"@task.dq 'f': check 'row_condition' \(row_condition\) needs a SQL"):

            @dq_task(checks=[dq.row_condition("a < b")])
            def f():
                return None

            f()
        with pytest.raises(ValueError, match="'on_failure' must be one of"):

            @dq_task(checks=[dq.row_count(min=1)], on_failure="ignore")
            def g():
                return None

            g()


def test_parsing_a_dataframe_dag_does_not_import_pandas() -> None:
    code = (
        "import sys, importlib.util;"
        "import airflow_dq.operators, airflow_dq.decorators;"
        "spec = importlib.util.spec_from_file_location('d', 'tests/dags/issue5_dataframe_dags.py');"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec));"
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
