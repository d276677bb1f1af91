"""The history store: record every check run's results and metrics, read a metric's past.

Works on any SQLAlchemy database; the provider uses an embedded SQLite file by default
and a database named by an Airflow connection in production (see
``airflow_dq.operators.history``). Nothing here imports Airflow.

    store = MetricStore.open("sqlite:////var/lib/airflow/dq_history.db")
    store.record(RunKey("etl", "validate", "scheduled__2026-11-26", 2026-11-26...), suite_result)
    store.history("etl", "validate", -1, "volume_anomaly", before=...)  # {metric: [Point...]}
    store.profile("etl", "validate", "drift(age)", run_id="...")  # {column: ColumnProfile}
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from airflow_dq.metrics.stored import ColumnProfile
from airflow_dq.results import SuiteResult, to_jsonable
from airflow_dq.stats.anomaly import Point
from airflow_dq.store.migrations import migrate
from airflow_dq.store.profiles import profile_rows, read_profile
from airflow_dq.store.schema import METRICS, PROFILES, RESULTS

SQLITE_BUSY_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class RunKey:
    """Which task instance measured the results. Its rows are replaced when it records again."""

    dag_id: str
    task_id: str
    run_id: str
    logical_date: dt.datetime  # time-zone aware
    map_index: int = -1
    try_number: int = 1


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite stores datetimes without a zone: everything is written and read as UTC.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def sqlite_engine(path: str | Path) -> sa.Engine:
    """A SQLite file engine safe for parallel tasks: WAL, a busy timeout, and writers that
    take the write lock when they begin (``BEGIN IMMEDIATE``), so two writers queue
    instead of failing with "database is locked" when one upgrades a read lock."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    _prepare_sqlite(engine)
    return engine


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL once. Changing the journal mode does not wait on the busy
    timeout: a task connecting while another converts (or writes to) a fresh file gets
    "database is locked" at once, so it retries until the timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _prepare_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not BEGIN on its own; see _on_begin
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL mode, much faster
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("dq_write") else "BEGIN")


def _number(value: Any) -> float | None:
    value = to_jsonable(value)
    if isinstance(value, bool | int | float) and math.isfinite(float(value)):
        return float(value)
    return None


class MetricStore:
    """Metric and result history on a SQLAlchemy engine; migrations run when it is opened.

    :param retention_days: rows recorded longer ago than this are deleted when a run is
        recorded; 0 keeps everything.
    """

    def __init__(self, engine: sa.Engine, *, retention_days: int = 0) -> None:
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 0:
            raise ValueError(f"retention_days must be a whole number >= 0, got {retention_days!r}")
        self.engine = engine
        self.retention_days = retention_days
        migrate(engine)

    @classmethod
    def open(cls, url: str, *, retention_days: int = 0) -> MetricStore:
        """Open a store by SQLAlchemy URL; a ``sqlite:///path`` URL gets the parallel-safe set-up."""
        parsed = sa.make_url(url)
        # The store's own backends, not the engine's Dialect families (store/migrations.py says why).
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            return cls(sqlite_engine(parsed.database), retention_days=retention_days)
        return cls(sa.create_engine(url), retention_days=retention_days)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------
    def _write(self) -> sa.Connection:
        # dq_write: on SQLite the transaction takes the write lock up front (BEGIN IMMEDIATE).
        conn = self.engine.connect()
        conn.execution_options(dq_write=True)
        return conn

    def record(self, key: RunKey, suite: SuiteResult, *, now: dt.datetime | None = None) -> int:
        """Replace the task instance's rows with this suite's results and metrics.

        Returns the number of metric rows written. Idempotent: recording the same task
        instance again (a retry) leaves one set of rows, the newest.
        """
        now = _utc(now or dt.datetime.now(dt.UTC))
        common = {
            "dag_id": key.dag_id,
            "task_id": key.task_id,
            "run_id": key.run_id,
            "map_index": key.map_index,
            "try_number": key.try_number,
            "logical_date": _utc(key.logical_date),
            "dataset": suite.dataset,
            "recorded_at": now,
        }
        results, metrics = [], []
        for r in suite.results:
            results.append(
                {
                    **common,
                    "check_name": r.name,
                    "check_type": r.check_type,
                    "severity": str(r.severity),
                    "status": str(r.status),
                    "expected": r.expected,
                    "observed": json.dumps(to_jsonable(r.observed)),
                    "message": r.message,
                }
            )
            for label, value in r.metrics.items():
                metrics.append(
                    {
                        **common,
                        "check_name": r.name,
                        "metric": label,
                        "value": _number(value),
                        "value_json": json.dumps(to_jsonable(value)),
                        "status": str(r.status),
                    }
                )
        profiles = profile_rows(common, suite)
        with self._write() as conn, conn.begin():
            for table in (RESULTS, METRICS, PROFILES):
                conn.execute(
                    table.delete().where(
                        table.c.dag_id == key.dag_id,
                        table.c.task_id == key.task_id,
                        table.c.run_id == key.run_id,
                        table.c.map_index == key.map_index,
                    )
                )
            if results:
                conn.execute(RESULTS.insert(), results)
            if metrics:
                conn.execute(METRICS.insert(), metrics)
            if profiles:
                conn.execute(PROFILES.insert(), profiles)
            if self.retention_days:
                self._purge(conn, now - dt.timedelta(days=self.retention_days))
        return len(metrics)

    def purge(self, older_than: dt.datetime) -> int:
        """Delete rows recorded before ``older_than``; returns how many metric rows went."""
        with self._write() as conn, conn.begin():
            return self._purge(conn, _utc(older_than))

    @staticmethod
    def _purge(conn: sa.Connection, cutoff: dt.datetime) -> int:
        conn.execute(RESULTS.delete().where(RESULTS.c.recorded_at < cutoff))
        conn.execute(PROFILES.delete().where(PROFILES.c.recorded_at < cutoff))
        return conn.execute(METRICS.delete().where(METRICS.c.recorded_at < cutoff)).rowcount

    # -- reading ---------------------------------------------------------------------
    def history(
        self,
        dag_id: str,
        task_id: str,
        map_index: int,
        check_name: str,
        *,
        before: dt.datetime,
        runs: int = 100,
    ) -> dict[str, list[Point]]:
        """The check's metric values over its last ``runs`` runs before ``before``, oldest first.

        Keyed by metric label. A run that recorded the check but not some metric (a segment
        that had no rows) simply has no point for it; the caller decides what absence means.
        When several runs share a logical date, the one recorded last wins.
        """
        before = _utc(before)
        where = [
            METRICS.c.dag_id == dag_id,
            METRICS.c.task_id == task_id,
            METRICS.c.map_index == map_index,
            METRICS.c.check_name == check_name,
            METRICS.c.logical_date < before,
        ]
        dates = (
            sa.select(METRICS.c.logical_date)
            .where(*where)
            .distinct()
            .order_by(METRICS.c.logical_date.desc())
            .limit(runs)
            .subquery()
        )
        stmt = (
            sa.select(METRICS.c.logical_date, METRICS.c.metric, METRICS.c.value)
            .where(*where, METRICS.c.logical_date >= sa.select(sa.func.min(dates.c.logical_date)).scalar_subquery())
            .order_by(METRICS.c.logical_date, METRICS.c.recorded_at)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        latest: dict[str, dict[dt.datetime, float | None]] = defaultdict(dict)
        for logical_date, metric, value in rows:
            latest[metric][_utc(logical_date)] = value  # later recordings overwrite earlier ones
        return {metric: [Point(at, v) for at, v in sorted(points.items())] for metric, points in latest.items()}

    def profile(
        self,
        dag_id: str,
        task_id: str,
        check_name: str,
        *,
        run_id: str | None = None,
        logical_date: dt.datetime | None = None,
        map_index: int = -1,
    ) -> dict[str, ColumnProfile] | None:
        """The column profiles a drift check recorded in one run (by run_id or logical date)."""
        if (run_id is None) == (logical_date is None):
            raise ValueError("profile: give exactly one of run_id or logical_date")
        with self.engine.connect() as conn:
            return read_profile(
                conn,
                dag_id=dag_id,
                task_id=task_id,
                check_name=check_name,
                run_id=run_id,
                logical_date=None if logical_date is None else _utc(logical_date),
                map_index=map_index,
            )
