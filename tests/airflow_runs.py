"""Helpers for tests that make real Airflow DAG runs."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

DAGS = Path(__file__).resolve().parent / "dags"


def load_dag(module: str, dag_id: str, folder: Path = DAGS) -> Any:
    """Import a DAG file from a DAG folder (as the DAG processor would) and return one DAG."""
    name = f"dq_dagfile_{module}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, folder / f"{module}.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return next(v for v in vars(sys.modules[name]).values() if getattr(v, "dag_id", None) == dag_id)


def run_dag(dag: Any, day: dt.date, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
    """dag.test() for one logical date; returns the DagRun and {task_id: task instance}."""
    run = dag.test(logical_date=dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), **kwargs)
    return run, {ti.task_id: ti for ti in run.get_task_instances()}


def xcom_value(run: Any, task_id: str, key: str = "return_value") -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.scalars(
            XComModel.get_many(run_id=run.run_id, key=key, task_ids=task_id, dag_ids=run.dag_id)
        ).first()
        return None if row is None else XComModel.deserialize_value(row)


def lineage_of_dags_test(
    dag_id: str, day: str, log: Path, env: dict[str, str], *, returncode: int
) -> list[dict[str, Any]]:
    """Run ``airflow dags test`` in a fresh process (so the OpenLineage listener reads the
    file transport from the environment) and return the OpenLineage events it wrote to ``log``."""
    env = (
        os.environ
        | env
        | {
            "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps({"type": "file", "log_file_path": str(log), "append": True}),
            "AIRFLOW__OPENLINEAGE__NAMESPACE": "dq-tests",
            # emit in a thread of the task process rather than a fork of it (dags test runs in process)
            "AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "True",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", dag_id, day],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == returncode, done.stderr[-3000:]
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
