"""Read queries of the pages, on the history store's tables (``airflow_dq.store.schema``).

The store's own API serves anomaly checks (one metric's past); the pages need other cuts:
the latest result of every check, one check's runs with their metrics, one task run's
results. Failure samples are not kept in the store: they come from the task's XCom return
value, which holds every result of the run, offending rows included.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from airflow_dq.store.schema import METRICS, RESULTS
from airflow_dq.ui.bands import parse_band
from airflow_dq.ui.model import CheckKey, CheckSummary, RunResult

if TYPE_CHECKING:
    from airflow_dq.store import MetricStore

_CHECK = (RESULTS.c.dag_id, RESULTS.c.task_id, RESULTS.c.map_index, RESULTS.c.check_name)


class StoreUnavailable(RuntimeError):
    """The history store could not be opened or read (the page says so, with a 503)."""


@cache
def _store() -> MetricStore:
    # One store per API-server process, opened from the same [data_quality] settings the
    # tasks use. (cache keeps no failure: a store that could not open is retried next time.)
    from airflow_dq.operators.history import open_store

    return open_store()


def _pages_engine() -> sa.Engine:
    # The pages only read: their queries run read-only, with the tasks' statement and
    # connect timeouts, on the store's pool (opening the store above ran its migrations).
    from airflow_dq.engines.sql.session import guard
    from airflow_dq.operators.base import limits_setting

    store = _store()
    if getattr(store, "pages_engine", None) is None:
        store.pages_engine = guard(store.engine, limits_setting(), read_only=True, kind="history store page")
    return store.pages_engine


@contextmanager
def _connect() -> Iterator[sa.Connection]:
    from airflow_dq.engines.sql.session import StatementTimeout

    try:
        engine = _pages_engine()
    except Exception as err:  # a missing connection, a bad URL, an unreachable server
        raise StoreUnavailable(f"cannot open the history store: {type(err).__name__}: {err}") from err
    try:
        with engine.connect() as conn:
            yield conn
    except sa.exc.DBAPIError as err:  # unreachable, unreadable, or refused (read-only)
        raise StoreUnavailable(f"cannot read the history store: {type(err).__name__}: {err.orig}") from err
    except StatementTimeout as err:
        raise StoreUnavailable(f"cannot read the history store: {err}") from err


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _result(row: sa.Row, metrics: dict[str, Any] | None = None) -> RunResult:
    lower, upper = parse_band(row.check_type, row.expected)
    return RunResult(
        dag_id=row.dag_id,
        task_id=row.task_id,
        run_id=row.run_id,
        map_index=row.map_index,
        try_number=row.try_number,
        logical_date=_utc(row.logical_date),
        recorded_at=_utc(row.recorded_at),
        dataset=row.dataset,
        check=row.check_name,
        check_type=row.check_type,
        severity=row.severity,
        status=row.status,
        expected=row.expected,
        observed=_json(row.observed),
        message=row.message,
        metrics=metrics or {},
        lower=lower,
        upper=upper,
        # A warning while the check was still learning (while_learning="warn") is no anomaly.
        anomaly=row.check_type.endswith("_anomaly")
        and row.status in ("fail", "warn")
        and not row.message.startswith(("learning:", "not judged:")),
    )


def _newest_first(table: sa.Table = RESULTS) -> list[sa.ColumnElement]:
    return [table.c.logical_date.desc(), table.c.recorded_at.desc(), table.c.run_id.desc()]


def dag_ids_with_results(readable: Iterable[str]) -> list[str]:
    """The readable DAGs that have recorded results (for the DAG filter)."""
    with _connect() as conn:
        recorded = set(conn.scalars(sa.select(RESULTS.c.dag_id).distinct()))
    return sorted(recorded & set(readable))


def latest_summaries(dag_ids: Iterable[str], *, recent: int) -> list[CheckSummary]:
    """Every check of these DAGs: its latest result and its last ``recent`` runs."""
    dag_ids = sorted(set(dag_ids))
    if not dag_ids:
        return []
    position = sa.func.row_number().over(partition_by=_CHECK, order_by=_newest_first()).label("position")
    ranked = sa.select(RESULTS, position).where(RESULTS.c.dag_id.in_(dag_ids)).subquery()
    stmt = sa.select(ranked).where(ranked.c.position <= recent).order_by(ranked.c.position.desc())
    with _connect() as conn:
        rows = conn.execute(stmt).all()
    by_check: dict[CheckKey, list[RunResult]] = defaultdict(list)
    for row in rows:  # oldest first within each check
        result = _result(row)
        by_check[result.key].append(result)
    return [CheckSummary(latest=runs[-1], recent=runs) for runs in by_check.values()]


def _attach_metrics(conn: sa.Connection, results: list[RunResult]) -> None:
    """Give each result its metric values (one query for all results of one task)."""
    if not results:
        return
    first = results[0]
    columns = (METRICS.c.run_id, METRICS.c.map_index, METRICS.c.check_name, METRICS.c.metric)
    stmt = sa.select(*columns, METRICS.c.value, METRICS.c.value_json).where(
        METRICS.c.dag_id == first.dag_id,
        METRICS.c.task_id == first.task_id,
        METRICS.c.check_name.in_(sorted({r.check for r in results})),
        METRICS.c.run_id.in_(sorted({r.run_id for r in results})),
    )
    values: dict[tuple[str, int, str], dict[str, Any]] = defaultdict(dict)
    for run_id, map_index, check_name, metric, value, value_json in conn.execute(stmt):
        values[run_id, map_index, check_name][metric] = value if value is not None else _json(value_json)
    for r in results:
        r.metrics = values.get((r.run_id, r.map_index, r.check), {})


def check_history(key: CheckKey, *, limit: int) -> list[RunResult]:
    """The check's last ``limit`` runs, oldest first, with their metric values."""
    stmt = (
        sa.select(RESULTS)
        .where(
            RESULTS.c.dag_id == key.dag_id,
            RESULTS.c.task_id == key.task_id,
            RESULTS.c.map_index == key.map_index,
            RESULTS.c.check_name == key.check,
        )
        .order_by(*_newest_first())
        .limit(limit)
    )
    with _connect() as conn:
        results = [_result(row) for row in reversed(conn.execute(stmt).all())]
        _attach_metrics(conn, results)
    return results


def task_run_results(dag_id: str, run_id: str, task_id: str, map_index: int) -> list[RunResult]:
    """Every result one task instance recorded (the store keeps its latest try)."""
    stmt = sa.select(RESULTS).where(
        RESULTS.c.dag_id == dag_id,
        RESULTS.c.task_id == task_id,
        RESULTS.c.run_id == run_id,
        RESULTS.c.map_index == map_index,
    )
    with _connect() as conn:
        results = [_result(row) for row in conn.execute(stmt)]
        _attach_metrics(conn, results)
    return results


def failure_samples(dag_id: str, run_id: str, task_id: str, map_index: int) -> dict[str, list[dict]]:
    """Offending rows per check name from the task's XCom return value, if it is kept."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        stmt = XComModel.get_many(
            run_id=run_id, key="return_value", task_ids=task_id, dag_ids=dag_id, map_indexes=map_index, limit=1
        )
        row = session.scalars(stmt).first()
        payload = XComModel.deserialize_value(row) if row is not None else None
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        return {}  # not a data-quality task, or its XCom was cleared
    return {
        str(r.get("name")): [row for row in r.get("failing_rows") or [] if isinstance(row, dict)]
        for r in payload["results"]
        if isinstance(r, dict) and r.get("failing_rows")
    }
