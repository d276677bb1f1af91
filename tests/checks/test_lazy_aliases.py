"""The ``drift`` and ``schema`` aliases stay the check classes, and stay lazy."""

from __future__ import annotations

import json
import subprocess
import sys


def test_aliases_survive_importing_their_submodules() -> None:
    import importlib

    import airflow_dq.checks as checks

    # Importing the submodules binds nothing over the aliases.
    importlib.import_module("airflow_dq.checks.drift")
    importlib.import_module("airflow_dq.checks.schema")
    from airflow_dq.checks import drift, schema
    from airflow_dq.checks.drift import Drift
    from airflow_dq.checks.schema import Schema

    assert drift is Drift and schema is Schema
    assert checks.drift is Drift and checks.schema is Schema


def test_a_dag_without_drift_checks_does_not_load_the_drift_family() -> None:
    code = (
        "import json, sys\n"
        "from airflow_dq.checks import not_null, row_count, schema\n"
        "import airflow_dq.operators\n"
        "print(json.dumps([m for m in ('airflow_dq.checks.drift', 'airflow_dq.metrics.stored') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
