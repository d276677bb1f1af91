"""The history store on real SQLite and PostgreSQL: migrations, idempotent writes, history
reads, retention, and parallel writers on one SQLite file."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.results import CheckResult, Severity, Status, SuiteResult
from airflow_dq.store import MetricStore, RunKey, migrate, sqlite_engine
from airflow_dq.store.migrations import MIGRATIONS
from airflow_dq.store.schema import METRICS, RESULTS

DAY = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

# Every migration number, in order (numbers ascend but need not be consecutive across branches).
ALL_VERSIONS = [number for number, _, _ in MIGRATIONS]


def suite(rows: int, status: Status = Status.PASS, checks: tuple[str, ...] = ("volume",)) -> SuiteResult:
    return SuiteResult(
        dataset="table events",
        results=[
            CheckResult(
                name=name,
                check_type="volume_anomaly",
                severity=Severity.ERROR,
                status=status,
                expected="row count in [90, 110]",
                observed=rows,
                message=f"{rows} rows",
                metrics={"row_count": rows, "newest": dt.datetime(2026, 3, 1, 4, tzinfo=dt.UTC)},
            )
            for name in checks
        ],
    )


def key(
    day: int, *, run: str | None = None, try_number: int = 1, map_index: int = -1, task: str = "validate"
) -> RunKey:
    return RunKey(
        dag_id="etl",
        task_id=task,
        run_id=run or f"scheduled__{day}",
        logical_date=DAY + dt.timedelta(days=day),
        map_index=map_index,
        try_number=try_number,
    )


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_migrations_apply_in_order_once_and_upgrade_an_older_schema(db: sa.Engine) -> None:
    assert migrate(db, target=1) == [1]
    inspector = sa.inspect(db)
    assert {"dq_check_results", "dq_metric_values", "dq_schema_version"} <= set(inspector.get_table_names())
    assert "ix_dq_metric_values_history" not in {i["name"] for i in inspector.get_indexes("dq_metric_values")}
    # Opening a store brings an older schema up to date, exactly once.
    MetricStore(db)
    assert migrate(db) == []
    indexes = {i["name"] for i in sa.inspect(db).get_indexes("dq_metric_values")}
    assert {"ix_dq_metric_values_history", "ix_dq_metric_values_recorded_at"} <= indexes
    with db.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM dq_schema_version ORDER BY version")).scalars().all()
    assert versions == ALL_VERSIONS


def test_a_retry_replaces_its_rows_and_other_runs_stay(db: sa.Engine) -> None:
    store = MetricStore(db)
    store.record(key(0), suite(100, checks=("volume", "other")))
    store.record(key(1), suite(101))
    assert count(db, RESULTS) == 3 and count(db, METRICS) == 6
    # Try 2 of the day-1 run measured something else (and lost a check): it replaces try 1.
    store.record(key(1, try_number=2), suite(55, Status.FAIL))
    store.record(key(1, try_number=2), suite(55, Status.FAIL))  # and a re-run of the same try
    assert count(db, RESULTS) == 3 and count(db, METRICS) == 6
    with db.connect() as conn:
        row = conn.execute(
            sa.select(METRICS.c.value, METRICS.c.try_number, METRICS.c.status, METRICS.c.value_json).where(
                METRICS.c.run_id == "scheduled__1", METRICS.c.metric == "row_count"
            )
        ).one()
        newest = conn.execute(
            sa.select(METRICS.c.value, METRICS.c.value_json).where(
                METRICS.c.run_id == "scheduled__1", METRICS.c.metric == "newest"
            )
        ).one()
    assert tuple(row) == (55.0, 2, "fail", "55")
    assert tuple(newest) == (None, '"2026-03-01T04:00:00+00:00"')  # not a number: JSON only


def test_history_is_the_checks_past_oldest_first(db: sa.Engine) -> None:
    store = MetricStore(db)
    for day in range(10):
        store.record(key(day), suite(100 + day))
    store.record(key(3, run="manual__again"), suite(999))  # a later run on the same date wins
    store.record(key(5, map_index=2), suite(7))  # another map index is another series
    store.record(key(5, task="other_task"), suite(8))
    past = store.history("etl", "validate", -1, "volume", before=DAY + dt.timedelta(days=8), runs=5)
    points = past["row_count"]
    assert [p.at.day for p in points] == [4, 5, 6, 7, 8]  # the 5 runs before day 8 (March 9)
    assert [p.value for p in points] == [999.0, 104.0, 105.0, 106.0, 107.0]
    everything = store.history("etl", "validate", -1, "volume", before=DAY + dt.timedelta(days=30))["row_count"]
    assert len(everything) == 10 and everything[3].value == 999.0
    assert all(p.at.tzinfo is not None for p in everything)
    assert store.history("etl", "validate", 2, "volume", before=DAY + dt.timedelta(days=30))["row_count"][0].value == 7


def test_retention_deletes_old_rows_when_recording(db: sa.Engine) -> None:
    store = MetricStore(db, retention_days=30)
    store.record(key(0), suite(100), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    store.record(key(1), suite(100), now=dt.datetime(2026, 1, 20, tzinfo=dt.UTC))
    assert count(db, RESULTS) == 2
    store.record(key(2), suite(100), now=dt.datetime(2026, 2, 10, tzinfo=dt.UTC))  # Jan 1 is > 30 days old
    with db.connect() as conn:
        runs = conn.execute(sa.select(RESULTS.c.run_id).order_by(RESULTS.c.run_id)).scalars().all()
    assert runs == ["scheduled__1", "scheduled__2"]
    assert store.purge(dt.datetime(2026, 2, 1, tzinfo=dt.UTC)) == 2  # the Jan 20 metric rows
    assert count(db, METRICS) == 2


def test_bad_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="retention_days"):
        MetricStore(sa.create_engine("sqlite://"), retention_days=-1)


def test_sqlite_store_runs_in_wal_mode(tmp_path: Path) -> None:
    store = MetricStore.open(f"sqlite:///{tmp_path / 'nested' / 'history.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60_000
    store.close()


def _write_runs(path: str, worker: int, runs: int) -> None:
    # Each worker is a task with its own engine, as parallel Airflow tasks are.
    store = MetricStore(sqlite_engine(path))
    for day in range(runs):
        store.record(key(day, task=f"task_{worker}"), suite(day, checks=("a", "b", "c")))
        store.record(key(day, task=f"task_{worker}", try_number=2), suite(day, checks=("a", "b", "c")))
    store.close()


def test_parallel_threads_on_one_sqlite_file(tmp_path: Path) -> None:
    path = str(tmp_path / "history.db")
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            _write_runs(path, worker, 15)
        except BaseException as err:  # reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = sqlite_engine(path)
    assert count(engine, RESULTS) == 8 * 15 * 3  # retries replaced, nothing lost or doubled
    assert count(engine, METRICS) == 8 * 15 * 3 * 2


def test_parallel_processes_migrate_and_write_one_fresh_sqlite_file(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh" / "history.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_runs, args=(path, w, 10)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    engine = sqlite_engine(path)
    assert count(engine, RESULTS) == 4 * 10 * 3
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM dq_schema_version")).scalars().all()
    assert sorted(versions) == ALL_VERSIONS  # migrated once, not once per process
