"""What happens when a DAG file is parsed: argument errors, imports, templating."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.airflow

DAG_TEMPLATE = textwrap.dedent(
    """
    import datetime as dt
    from airflow.sdk import DAG
    from airflow_dq.checks import *
    from airflow_dq.operators import DataQualityOperator

    with DAG("bad_args", schedule=None, start_date=dt.datetime(2026, 1, 1)):
        DataQualityOperator(task_id="validate", conn_id="warehouse", {source}, checks=[{checks}])
    """
)


def _import_errors(tmp_path: Path, checks: str, source: str = 'table="events"') -> str:
    from airflow.dag_processing.dagbag import DagBag

    (tmp_path / "bad_dag.py").write_text(DAG_TEMPLATE.format(checks=checks, source=source))
    bag = DagBag(dag_folder=str(tmp_path))
    assert not bag.dags, "a DAG with a bad argument must not load"
    (error,) = bag.import_errors.values()
    return error


@pytest.mark.parametrize(
    ("checks", "source", "expected"),
    [
        ('value_range("amount", min=10, max=5)', 'table="events"', ["value_range", "'amount'", "'min'"]),
        ('not_null("")', 'table="events"', ["not_null", "'column'"]),
        ('not_null("id", mostly=1.5)', 'table="events"', ["not_null", "'mostly'"]),
        ('accepted_values("country", [])', 'table="events"', ["accepted_values", "'values'"]),
        ('matches_regex("email", "([a-z")', 'table="events"', ["matches_regex", "'pattern'"]),
        ('row_count(min=5, severity="fatal")', 'table="events"', ["row_count", "'severity'"]),
        ('not_null("id"), not_null("id")', 'table="events"', ["two checks are named 'not_null(id)'"]),
        ('not_null("id")', 'table="events", sql="SELECT 1"', ["exactly one of 'table' or 'sql'"]),
        ('"not a check"', 'table="events"', ["is not a check"]),
    ],
)
def test_bad_argument_fails_dag_import_naming_check_and_argument(
    tmp_path: Path, airflow_db: str, checks: str, source: str, expected: list[str]
) -> None:
    error = _import_errors(tmp_path, checks, source)
    for words in expected:
        assert words in error


def test_parsing_imports_no_heavy_modules_and_raises_no_deprecation_warning() -> None:
    # A fresh interpreter: what importing the public API costs a DAG file.
    code = textwrap.dedent(
        """
        import sys, warnings
        import airflow.sdk
        heavy_before = {m for m in ("pandas", "scipy") if m in sys.modules}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import airflow_dq.operators, airflow_dq.checks
            from airflow_dq.checks import not_null, row_count
            from airflow_dq.operators import DataQualityOperator
            DataQualityOperator(task_id="t", conn_id="c", table="t", checks=[row_count(min=1), not_null("a")])
        print("HEAVY", sorted({m for m in ("pandas", "scipy") if m in sys.modules} - heavy_before))
        print("WARNINGS", [f"{w.category.__name__}: {w.message}" for w in caught])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "HEAVY []" in out
    assert "WARNINGS []" in out


def test_check_sql_is_rendered_per_run_without_touching_the_declared_checks(airflow_db: str) -> None:
    import datetime as dt

    from airflow.sdk import DAG

    from airflow_dq.checks import custom_sql, row_condition
    from airflow_dq.operators import DataQualityOperator

    with DAG("render_test", schedule=None, start_date=dt.datetime(2026, 1, 1)):
        op = DataQualityOperator(
            task_id="validate",
            conn_id="warehouse",
            table="events",
            where="day = '{{ ds }}'",
            checks=[
                custom_sql("SELECT COUNT(*) FROM events WHERE day = '{{ ds }}'", min=1),
                row_condition("amount < {{ params.limit }}"),
            ],
            params={"limit": 7},
        )
    declared = op.checks
    op.render_template_fields({"ds": "2026-11-20", "params": {"limit": 7}})
    assert op.where == "day = '2026-11-20'"
    assert op.checks[0].sql == "SELECT COUNT(*) FROM events WHERE day = '2026-11-20'"
    assert op.checks[1].condition == "amount < 7"
    # The declared objects still hold the templates for the next run.
    assert declared[0].sql == "SELECT COUNT(*) FROM events WHERE day = '{{ ds }}'"
