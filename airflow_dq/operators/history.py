"""The history store as a task uses it: open it from the provider config, read a check's
past for anomaly checks, and record the run's results before the verdict is raised.

Any data-quality operator does the same three steps (the DataFrame operator too)::

    history = TaskHistory(context)
    result = run_checks(engine, checks, ..., history=history.reader, logical_date=history.key.logical_date,
                        profiles=history.profile)
    return history.record_then_verdict(result, context, on_failure=self.on_failure, log=self.log)

Where the store lives (``[data_quality]`` options): ``store_conn_id`` names an Airflow
connection to any SQLAlchemy database (PostgreSQL in production); when empty, an embedded
SQLite file at ``store_path``, by default ``$AIRFLOW_HOME/data_quality/history.db``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook, conf

from airflow_dq.checks.anomaly import HistoryUnavailable
from airflow_dq.operators.base import (
    default_timezone_setting,
    limits_setting,
    run_time,
    sample_size_setting,
    verdict,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import sqlalchemy as sa
    from airflow.sdk import Context

    from airflow_dq.checks.base import Check
    from airflow_dq.engines.base import Engine
    from airflow_dq.metrics.stored import ColumnProfile, StoredProfile
    from airflow_dq.results import SuiteResult
    from airflow_dq.stats.anomaly import Point
    from airflow_dq.store import MetricStore, RunKey
    from airflow_dq.store.partition_states import PartitionStates


def default_store_path() -> Path:
    """``$AIRFLOW_HOME/data_quality/history.db`` (AIRFLOW_HOME defaults to ~/airflow, as in Airflow)."""
    home = os.environ.get("AIRFLOW_HOME") or "~/airflow"
    return Path(home).expanduser() / "data_quality" / "history.db"


def open_store() -> MetricStore:
    """Open (and migrate) the store the provider config points at."""
    from airflow_dq.store import MetricStore

    retention = conf.getint("data_quality", "retention_days", fallback=400)
    return MetricStore(store_engine(), retention_days=retention)


def store_engine(*, read_only: bool = False) -> sa.Engine:
    """The store's engine from the provider config, with the statement and connect timeouts
    (``[data_quality] statement_timeout``/``connect_timeout``); read-only for the UI pages."""
    from airflow_dq.engines.sql.session import guard
    from airflow_dq.store import sqlite_engine

    conn_id = conf.get("data_quality", "store_conn_id", fallback="") or ""
    if conn_id.strip():
        hook = BaseHook.get_hook(conn_id.strip())
        if not hasattr(hook, "get_sqlalchemy_engine"):
            raise TypeError(
                f"[data_quality] store_conn_id '{conn_id}' gives a {type(hook).__name__}, which is not a "
                "SQL hook with SQLAlchemy support"
            )
        engine = hook.get_sqlalchemy_engine()
    else:
        path = (conf.get("data_quality", "store_path", fallback="") or "").strip()
        engine = sqlite_engine(path or default_store_path())
    return guard(engine, limits_setting(), read_only=read_only, kind="history store")


def run_key(context: Context) -> RunKey:
    """The task instance that records: dag, task, run, map index, try and logical date."""
    from airflow_dq.store import RunKey

    ti = context["ti"]
    logical_date = context.get("logical_date")
    if logical_date is None:  # Airflow 3 runs may have none (manual, asset-triggered)
        dag_run = context.get("dag_run")
        logical_date = getattr(dag_run, "run_after", None) or dt.datetime.now(dt.UTC)
    map_index = getattr(ti, "map_index", None)
    return RunKey(
        dag_id=ti.dag_id,
        task_id=ti.task_id,
        run_id=ti.run_id,
        logical_date=logical_date,
        map_index=-1 if map_index is None else int(map_index),
        try_number=int(getattr(ti, "try_number", None) or 1),
    )


class TaskHistory:
    """One task's connection to the history store, opened on first use.

    Store failures are remembered instead of lost: an anomaly check that could not read its
    history says so in its result, and ``record_then_verdict`` then raises a retryable
    error after logging the results and pushing them to XCom.
    """

    def __init__(self, context: Context) -> None:
        self.key = run_key(context)
        self._store: MetricStore | None = None
        self._open_error: Exception | None = None
        self.error: BaseException | None = None

    def _open(self) -> MetricStore:
        if self._store is None:
            # An unreachable store is tried once per task, not once per check: each attempt
            # can take a connect timeout.
            if self._open_error is not None:
                raise self._open_error
            try:
                self._store = open_store()
            except Exception as err:
                self._open_error = err
                raise
        return self._store

    def reader(self, check_name: str, runs: int) -> Mapping[str, Sequence[Point]]:
        """Past values of one check of this task (same map index), before this run's date."""
        try:
            return self._open().history(
                self.key.dag_id,
                self.key.task_id,
                self.key.map_index,
                check_name,
                before=self.key.logical_date,
                runs=runs,
            )
        except Exception as err:
            self.error = self.error or err
            raise HistoryUnavailable(f"{type(err).__name__}: {err}") from err

    def profile(self, pin: StoredProfile) -> Mapping[str, ColumnProfile] | None:
        """A pinned run's stored profile; ``dag_id``/``task_id`` default to this task's."""
        logical_date = pin.logical_datetime()  # a bad date is the pin's fault (ValueError), not the store's
        try:
            return self._open().profile(
                pin.dag_id or self.key.dag_id,
                pin.task_id or self.key.task_id,
                pin.check_name or "",
                run_id=pin.run_id,
                logical_date=logical_date,
                map_index=pin.map_index,
            )
        except Exception as err:
            self.error = self.error or err
            raise HistoryUnavailable(f"{type(err).__name__}: {err}") from err

    def partition_states(self) -> PartitionStates:
        """The store's partition states as this task instance reads and writes them (an
        incremental dataset). A store that cannot be opened raises: no silent full pass."""
        from airflow_dq.store.partition_states import PartitionStates

        return PartitionStates(self._open(), self.key)

    def record(self, result: SuiteResult) -> None:
        try:
            self._open().record(self.key, result)
        except Exception as err:
            self.error = self.error or err

    def run_checks(
        self, make_engine: Callable[[], Engine], checks: Sequence[Check], context: Context, *, sample_size: int | None
    ) -> SuiteResult:
        """Run the checks with the run's time, the provider settings, this history and its
        stored profiles; the store is closed again if anything fails before the verdict."""
        from airflow_dq.engines.connections import use_connections
        from airflow_dq.operators.base import sqlalchemy_engine_for
        from airflow_dq.suite import run_checks

        try:
            # Reconciliation checks reach their source through other Airflow connections.
            with use_connections(sqlalchemy_engine_for):
                return run_checks(
                    make_engine(),
                    checks,
                    now=run_time(context),
                    sample_size=sample_size_setting(sample_size),
                    default_timezone=default_timezone_setting(),
                    history=self.reader,
                    logical_date=self.key.logical_date,
                    profiles=self.profile,
                )
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def record_then_verdict(self, result: SuiteResult, context: Context, *, on_failure: str, log: Any) -> Any:
        """Record the results, then apply the verdict; on a store failure, keep the verdict
        (task log + XCom) and raise ``HistoryUnavailable`` so Airflow retries the task."""
        from airflow_dq.operators.publish import publish

        try:
            self.record(result)
        finally:
            self.close()
        publish(result, context)  # asset event summary, OpenLineage facets, alert callbacks
        if self.error is None:
            log.info("Recorded %d check results in the history store", len(result.results))
            return verdict(result, context, on_failure=on_failure, log=log)
        from airflow_dq.report import results_table

        log.info("%s", results_table(result))
        context["ti"].xcom_push(key="return_value", value=result.to_dict())
        raise HistoryUnavailable(
            f"the data-quality history store failed ({type(self.error).__name__}: {self.error}); "
            "the results above were not recorded, so the task errors and is retried"
        ) from self.error
