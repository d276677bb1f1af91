"""The main job: the example DAG end to end on the embedded SQLite default (``make demo``).

Runs ``example_dq_training_gate`` twice with real Airflow DAG runs on a migrated SQLite
metadata DB under ``.airflow-demo/``: once with a good batch (training runs) and once with
a broken batch (the gate fails, training is ``upstream_failed``). Prints the outcome and
exits non-zero if either run did not end the way it should.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".airflow-demo"
DAG_ID = "example_dq_training_gate"


def _configure() -> None:
    HOME.mkdir(exist_ok=True)
    os.environ.update(
        {
            "AIRFLOW_HOME": str(HOME),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
            "AIRFLOW_CONN_DQ_EXAMPLE_WAREHOUSE": f"sqlite:///{HOME}/warehouse.db",
        }
    )
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)


def _run(batch: str, day: dt.datetime) -> tuple[dict[str, str], dict | None]:
    import importlib

    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    sys.path.insert(0, str(ROOT / "example_dags"))
    dag = importlib.import_module(DAG_ID).dag
    run = dag.test(logical_date=day, run_conf={"batch": batch})
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    with create_session() as session:
        row = session.scalars(
            XComModel.get_many(run_id=run.run_id, key="return_value", task_ids="validate_batch", dag_ids=DAG_ID)
        ).first()
        results = XComModel.deserialize_value(row) if row is not None else None
    return states, results


def _report(batch: str, states: dict[str, str], results: dict | None) -> None:
    print(f"\n=== {batch} batch: " + ", ".join(f"{task}={state}" for task, state in sorted(states.items())))
    if results:
        print(f"    {results['summary']}")
        for r in results["results"]:
            if r["status"] != "pass":
                print(f"    [{r['status'].upper()}] {r['name']}: {r['message']}")


def main() -> int:
    _configure()
    expected = {"good": "success", "broken": "upstream_failed"}
    outcome = {}
    for batch, day in (
        ("good", dt.datetime(2026, 11, 25, tzinfo=dt.UTC)),
        ("broken", dt.datetime(2026, 11, 26, tzinfo=dt.UTC)),
    ):
        states, results = _run(batch, day)
        outcome[batch] = (states, results)
    print("\n" + "=" * 72 + "\nairflow_dq example: load -> validate -> train")
    ok = True
    for batch, (states, results) in outcome.items():
        _report(batch, states, results)
        if states.get("train_model") != expected[batch]:
            ok = False
            print(f"    UNEXPECTED: train_model should be {expected[batch]}")
    print("\nResult:", "training ran on the good batch and was halted on the broken one." if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
