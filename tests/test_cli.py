"""``airflow-dq``, the installed console script, run as a user runs it (no Airflow scheduler)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.engines.sql import SqlEngine
from airflow_dq.report import results_table
from airflow_dq.suite import run_checks
from airflow_dq.suite_files import load_suite

CLI = Path(sys.executable).with_name("airflow-dq")
DAY = "2026-11-20"
SUITE = textwrap.dedent(
    """\
    table: events
    where: "event_date = '{{ ds }}'"
    checks:
      - row_count: {min: 1}
      - not_null: user_id
      - value_range: {column: amount, min: 0}
      - unique: {columns: user_id, severity: warn}
    """
)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120)


def _events(url: str, rows: list[tuple]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS events")
        conn.exec_driver_sql("CREATE TABLE events (event_date VARCHAR(10), user_id INTEGER, amount REAL)")
        conn.execute(sa.text("INSERT INTO events VALUES (:d, :u, :a)"), [{"d": d, "u": u, "a": a} for d, u, a in rows])
    engine.dispose()


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    path = tmp_path / "events.yml"
    path.write_text(SUITE)
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.db'}"
    return request.getfixturevalue("postgres_url")


def _without_timing(table: str) -> str:
    return re.sub(r"\(\d+\.\d+ s;", "(_ s;", table)


def test_validate_accepts_a_good_file_and_names_line_and_argument_of_a_bad_one(suite: Path, tmp_path: Path) -> None:
    done = _cli("validate", str(suite))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok {suite}: 1 dataset(s), 4 check(s)"

    bad = tmp_path / "bad.yml"
    bad.write_text(SUITE.replace("{column: amount, min: 0}", "{column: amount, min: 0, mostly: 2}"))
    done = _cli("validate", str(suite), str(bad))
    assert done.returncode == 1
    assert f"INVALID suite file {bad}, line 6: check 'value_range' on column 'amount': argument 'mostly'" in done.stderr


def test_run_passes_and_prints_the_task_log_table(suite: Path, url: str) -> None:
    _events(url, [(DAY, 1, 1.0), (DAY, 2, 2.0), ("2026-11-19", None, -5.0)])
    done = _cli("run", str(suite), "--url", url, "--logical-date", DAY)
    assert done.returncode == 0, done.stdout + done.stderr
    # The very table the operator logs, for the same checks on the same rendered partition.
    engine = sa.create_engine(url)
    try:
        checks = load_suite(suite).dataset().checks
        expected = run_checks(
            SqlEngine(engine, table="events", where=f"event_date = '{DAY}'"),
            checks,
            now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        )
    finally:
        engine.dispose()
    assert _without_timing(done.stdout.strip()) == _without_timing(results_table(expected))
    assert f"4 checks on table events where event_date = '{DAY}': 4 pass" in done.stdout


def test_run_exits_1_on_a_failed_error_check_not_on_a_warning(suite: Path, url: str) -> None:
    _events(url, [(DAY, 1, 1.0), (DAY, 1, 2.0)])  # duplicate user: a warn check
    done = _cli("run", str(suite), "--url", url, "--logical-date", DAY)
    assert done.returncode == 0, done.stdout
    assert "WARN    warn      unique(user_id)" in done.stdout

    _events(url, [(DAY, 1, 1.0), (DAY, None, -2.0)])
    done = _cli("run", str(suite), "--url", url, "--logical-date", DAY)
    assert done.returncode == 1
    assert "[FAIL] not_null(user_id): 1 of 2 rows (50.00%) are NULL" in done.stdout
    assert "[FAIL] value_range(amount)" in done.stdout


def test_run_where_replaces_the_file_filter(suite: Path, url: str) -> None:
    _events(url, [(DAY, 1, 1.0), ("2026-11-19", None, -5.0)])
    done = _cli("run", str(suite), "--url", url, "--where", "event_date = '2026-11-19'")
    assert done.returncode == 1
    assert "checks on table events where event_date = '2026-11-19'" in done.stdout


def test_run_exits_2_when_it_cannot_run(suite: Path, tmp_path: Path) -> None:
    missing_dir = tmp_path / "no" / "such" / "dir"
    done = _cli("run", str(suite), "--url", f"sqlite:///{missing_dir / 'w.db'}")
    assert done.returncode == 2
    assert "could not run dataset 'events': OperationalError" in done.stderr

    url = f"sqlite:///{tmp_path / 'w.db'}"
    _events(url, [(DAY, 1, 1.0)])
    other = tmp_path / "other.yml"
    other.write_text(SUITE.replace("not_null: user_id", "not_null: customer_id"))
    done = _cli("run", str(other), "--url", url, "--logical-date", DAY)
    assert done.returncode == 2  # the column does not exist: the check could not be evaluated
    assert "ERROR   error     not_null(customer_id)" in done.stdout

    done = _cli("run", str(tmp_path / "nowhere.yml"), "--url", url)
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_run_by_airflow_connection_and_record_in_the_store(suite: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _events(url, [(DAY, 1, 1.0), (DAY, 2, 2.0)])
    store = tmp_path / "history.db"
    env_run = subprocess.run(
        [str(CLI), "run", str(suite), "--conn-id", "cli_wh", "--logical-date", DAY, "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"AIRFLOW_CONN_CLI_WH": url, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert env_run.returncode == 0, env_run.stdout + env_run.stderr
    assert "Recorded 4 check results in the history store as airflow-dq-cli.events" in env_run.stdout
    engine = sa.create_engine(f"sqlite:///{store}")
    try:
        with engine.connect() as conn:
            names = sorted(r[0] for r in conn.exec_driver_sql("SELECT DISTINCT check_name FROM dq_check_results"))
    finally:
        engine.dispose()
    assert names == ["not_null(user_id)", "row_count", "unique(user_id)", "value_range(amount)"]


def test_run_renders_templates_with_macros_and_vars_and_refuses_undefined_ones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _events(url, [("2026-11-13", 1, 1.0), (DAY, None, 1.0)])
    suite = tmp_path / "week_ago.yml"
    suite.write_text(
        SUITE.replace("event_date = '{{ ds }}'", "event_date = '{{ macros.ds_add(ds, var.value.days_back | int) }}'")
    )
    done = _cli("run", str(suite), "--url", url, "--logical-date", DAY, "--var", "days_back=-7")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checks on table events where event_date = '2026-11-13': 4 pass" in done.stdout

    done = _cli("run", str(suite), "--url", url, "--logical-date", DAY)  # days_back not given
    assert done.returncode == 2
    assert "does not render" in done.stderr and "days_back" in done.stderr


def test_schema_prints_the_published_schema() -> None:
    import json

    from airflow_dq.suite_files.schema import published_schema

    done = _cli("schema")
    assert done.returncode == 0
    assert json.loads(done.stdout) == published_schema()
