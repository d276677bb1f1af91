"""One real Airflow API server for the UI tests, with check results recorded by real runs.

The server starts first (it takes ~20 s) and, while it boots, the issue-7 DAGs run with
``dag.test()``: five good days of orders and one bad day (failing and warning checks),
plus one run of a DAG that the user ``outsider`` may not read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.airflow_runs import load_dag, run_dag
from tests.ui.api_server import ApiServer
from tests.ui.warehouse import bad_orders, good_orders, payroll, write_day

ROOT = Path(__file__).resolve().parents[2]
FIRST_DAY = dt.date(2026, 10, 1)
DAYS = 6  # the last one is bad
USERS = {"admin": "ADMIN", "viewer": "VIEWER", "outsider": "VIEWER", "analyst": "VIEWER"}
HIDDEN_DAG = "test_issue7_secret"


@dataclass
class Site:
    server: ApiServer
    orders_runs: list  # DagRuns, oldest first; the last one failed
    secret_run: object
    tokens: dict[str, str]

    @property
    def bad_run(self):
        return self.orders_runs[-1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = ROOT / "artifacts" / "ui"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def ui_site(airflow_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("ui-site")
    patch = pytest.MonkeyPatch()
    # Tasks and the server read the same history store, here a file of this test only.
    patch.setenv("AIRFLOW__DATA_QUALITY__STORE_PATH", str(workdir / "history.db"))
    warehouse = workdir / "warehouse.db"
    patch.setenv("AIRFLOW_CONN_DQ_ISSUE7_WAREHOUSE", f"sqlite:///{warehouse}")
    server = ApiServer(
        workdir,
        USERS,
        auth_manager="tests.ui.auth_manager.OneDagHiddenAuthManager",
        env={"DQ_TEST_DENY": f"outsider:{HIDDEN_DAG}", "DQ_TEST_DENY_XCOM": "analyst:test_issue7_orders"},
    )
    server.start()
    try:
        engine = sa.create_engine(f"sqlite:///{warehouse}")
        orders = load_dag("issue7_ui_dags", "test_issue7_orders")
        secret = load_dag("issue7_ui_dags", HIDDEN_DAG)
        runs = []
        for i in range(DAYS):
            day = FIRST_DAY + dt.timedelta(days=i)
            write_day(engine, "orders", bad_orders(day) if i == DAYS - 1 else good_orders(day, 8 + i % 3))
            run, tis = run_dag(orders, day)
            expected = "failed" if i == DAYS - 1 else "success"
            assert tis["validate_orders"].state == expected, f"day {day}: {tis['validate_orders'].state}"
            runs.append(run)
        write_day(engine, "payroll", payroll(FIRST_DAY))
        secret_run, tis = run_dag(secret, FIRST_DAY)
        assert tis["validate_payroll"].state == "success"
        engine.dispose()

        server.wait_ready()
        tokens = {user: server.token(user) for user in USERS}
        yield Site(server, runs, secret_run, tokens)
    finally:
        server.stop()
        patch.undo()
