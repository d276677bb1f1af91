"""The main job: the example DAG end to end on the embedded SQLite default (``make demo``).

Runs ``example_dq_training_gate`` twice with real Airflow DAG runs on a migrated SQLite
metadata DB under ``.airflow-demo/``: once with a good batch (training runs) and once with
a broken batch (the gates fail, training is ``upstream_failed``). Airflow's own log lines
go to ``.airflow-demo/demo.log``, so what is printed is the verdict; it ends with how to
open the same runs in the Airflow UI (``make demo-ui``). Exits non-zero if either run did
not end the way it should.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".airflow-demo"
LOG = HOME / "demo.log"
DAG_ID = "example_dq_training_gate"
GATES = ("validate_batch", "validate_contract")


@contextlib.contextmanager
def _airflow_output_to_log() -> Iterator[None]:
    """Send everything Airflow writes (its structured task and scheduler logs) to LOG.

    Redirected at the file-descriptor level: Airflow's log handlers hold their own
    references to the console streams, so swapping ``sys.stdout`` would not catch them.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with LOG.open("a") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


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


def _run(batch: str, day: dt.datetime) -> tuple[dict[str, str], dict[str, dict]]:
    import importlib

    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    sys.path.insert(0, str(ROOT / "example_dags"))
    dag = importlib.import_module(DAG_ID).dag
    run = dag.test(logical_date=day, run_conf={"batch": batch})
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    results = {}
    with create_session() as session:
        for gate in GATES:
            row = session.scalars(
                XComModel.get_many(run_id=run.run_id, key="return_value", task_ids=gate, dag_ids=DAG_ID)
            ).first()
            if row is not None:
                results[gate] = XComModel.deserialize_value(row)
    return states, results


def _report(batch: str, states: dict[str, str], results: dict[str, dict]) -> None:
    print(f"\n=== {batch} batch: " + ", ".join(f"{task}={state}" for task, state in sorted(states.items())))
    for gate, result in results.items():
        print(f"    {gate}: {result['summary']}")
        for r in result["results"]:
            if r["status"] != "pass":
                print(f"      [{r['status'].upper()}] {r['name']}: {r['message']}")


def _ui_hint() -> None:
    print(
        "\nSee these runs and their results in the Airflow UI (same metadata DB and history store):\n"
        "    make demo-ui        # starts `airflow standalone` on .airflow-demo/ (Ctrl-C stops it)\n"
        "then open http://localhost:8080, sign in as `admin` with the password the command prints\n"
        "(also in .airflow-demo/simple_auth_manager_passwords.json.generated), and open\n"
        f"Dags > {DAG_ID} > a run > validate_batch > Data Quality, or the Data Quality entry of the navigation bar.\n"
        f"Airflow's own log of this demo: {LOG.relative_to(ROOT)}"
    )


def main() -> int:
    HOME.mkdir(exist_ok=True)
    LOG.write_text("")
    expected = {"good": "success", "broken": "upstream_failed"}
    outcome = {}
    print(f"airflow_dq example: load -> validate (Python checks + a YAML suite) -> train, in {HOME.name}/")
    with _airflow_output_to_log():
        _configure()
    for batch, day in (
        ("good", dt.datetime(2026, 11, 25, tzinfo=dt.UTC)),
        ("broken", dt.datetime(2026, 11, 26, tzinfo=dt.UTC)),
    ):
        print(f"  running the DAG on a {batch} batch ...", flush=True)
        with _airflow_output_to_log():
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
    _ui_hint()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
