"""Sensors that make a DAG wait for complete, fresh data instead of running on whatever is there.

Both sensors poll a suite of checks (the same engine as ``DataQualityOperator``) until
every ``error`` check passes. ``deferrable=True`` (the default) frees the worker slot while
waiting: the task is ``deferred`` and ``DataReadyTrigger`` polls in the triggerer. Poke
and reschedule modes work as for any sensor. ``timeout`` fails the task
(``AirflowSensorTimeout``), or skips it with ``soft_fail=True``; a database error raises
normally, so retries apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook, BaseSensorOperator, PokeReturnValue

from airflow_dq.checks.base import Check
from airflow_dq.checks.completeness import FreshThrough
from airflow_dq.checks.serde import check_to_spec
from airflow_dq.operators.base import (
    RenderChecksOnACopy,
    check_parameters,
    check_rendered_sql_dataset,
    check_sql_dataset,
    check_timeout,
    default_timezone_setting,
    limits_setting,
    run_time,
)
from airflow_dq.suite import validate_checks

if TYPE_CHECKING:
    from airflow.sdk import Context

try:  # Airflow >= 3.2 exports it from the SDK.
    from airflow.sdk.exceptions import AirflowSensorTimeout
except ImportError:  # pragma: no cover - Airflow 3.1
    from airflow.exceptions import AirflowSensorTimeout

# The trigger gives up at the sensor's timeout; the deferral timeout is only a backstop
# for a triggerer that dies, so the trigger's own message ("still missing: ...") wins.
_DEFERRAL_GRACE = dt.timedelta(minutes=5)


class DataReadySensor(RenderChecksOnACopy, BaseSensorOperator):
    """Wait until ``checks`` pass on a table or query (base of the freshness and completeness sensors).

    :param conn_id: an Airflow connection to a SQL database. Templated.
    :param table: the table to watch (or ``sql``). Templated; ``schema`` and ``where`` too.
    :param sql: a query to watch instead of a table. Templated.
    :param where: raw SQL filter, e.g. the run's partition. Templated; put run values in
        ``parameters`` (``where="country = :c", parameters={"c": "{{ params.c }}"}``).
    :param parameters: values of ``:name`` placeholders, templated, sent as bound values.
    :param statement_timeout: seconds per statement (default ``[data_quality] statement_timeout``).
    :param connect_timeout: seconds to connect (default ``[data_quality] connect_timeout``).
    :param deferrable: wait in the triggerer (default) rather than in a worker slot.
    """

    template_fields: Sequence[str] = ("conn_id", "table", "schema", "sql", "where", "parameters", "checks")
    template_fields_renderers = {"sql": "sql", "where": "sql"}
    ui_color = "#e6f1d8"

    def __init__(
        self,
        *,
        conn_id: str,
        checks: Sequence[Check],
        table: str | None = None,
        schema: str | None = None,
        sql: str | None = None,
        where: str | None = None,
        parameters: dict[str, Any] | None = None,
        statement_timeout: float | dt.timedelta | None = None,
        connect_timeout: float | dt.timedelta | None = None,
        deferrable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.task_id}'"
        check_sql_dataset(owner, conn_id, table=table, sql=sql, schema=schema, where=where)
        self.checks = validate_checks(checks, owner=owner)
        self.parameters = check_parameters(owner, parameters, where=where, checks=self.checks)
        self.statement_timeout = check_timeout(owner, "statement_timeout", statement_timeout)
        self.connect_timeout = check_timeout(owner, "connect_timeout", connect_timeout)
        if deferrable:
            for check in self.checks:
                try:
                    check_to_spec(check)
                except TypeError as err:
                    raise ValueError(f"{owner}: cannot defer: {err}; use deferrable=False") from err
        self.conn_id, self.table, self.schema, self.sql, self.where = conn_id, table, schema, sql, where
        self.deferrable = deferrable
        self._polls = 0

    def _dataset(self) -> dict[str, Any]:
        return {"table": self.table, "schema": self.schema, "query": self.sql, "where": self.where}

    def poke(self, context: Context) -> bool | PokeReturnValue:
        from airflow_dq.triggers.data_ready import engine_from_connection
        from airflow_dq.waiting import probe, still_missing

        self._polls += 1
        bind = engine_from_connection(BaseHook.get_connection(self.conn_id))
        try:
            result = probe(
                bind,
                self._dataset(),
                self.checks,
                now=run_time(context),
                default_timezone=default_timezone_setting(),
                limits=limits_setting(self.statement_timeout, self.connect_timeout),
                parameters=self.parameters,
            )
        finally:
            bind.dispose()
        if result.passed:
            self.log.info("Poll %d: the data is ready (%s)", self._polls, result.summary())
            return PokeReturnValue(True, self._payload(result.to_dict(), "poke"))
        self.log.info("Poll %d: still waiting for %s", self._polls, still_missing(result))
        return False

    def _payload(self, result: dict[str, Any], mode: str) -> dict[str, Any]:
        return {**result, "wait": {"mode": mode, "polls": self._polls}}

    def execute(self, context: Context) -> Any:
        # A rendered filter that is empty or stacked fails now, not after hours of polling.
        check_rendered_sql_dataset(
            f"{type(self).__name__} '{self.task_id}'",
            table=self.table,
            sql=self.sql,
            schema=self.schema,
            where=self.where,
        )
        if not self.deferrable:
            return super().execute(context)
        started = dt.datetime.now(dt.UTC)
        # One poll in the worker first: data that is already there needs no deferral.
        ready = self.poke(context)
        if ready:
            return ready.xcom_value  # type: ignore[union-attr]
        deadline = started + dt.timedelta(seconds=self.timeout)
        from airflow_dq.triggers.data_ready import DataReadyTrigger

        limits = limits_setting(self.statement_timeout, self.connect_timeout)

        trigger = DataReadyTrigger(
            conn_id=self.conn_id,
            dataset=self._dataset(),
            checks=[check_to_spec(c) for c in self.checks],
            now=run_time(context).isoformat(),
            deadline=deadline.isoformat(),
            poke_interval=self.poke_interval,
            default_timezone=default_timezone_setting(),
            polls=self._polls,
            parameters=self.parameters,
            statement_timeout=limits.statement_timeout,
            connect_timeout=limits.connect_timeout,
        )
        self.log.info(
            "Deferring: the triggerer polls every %s s until %s (timeout)", self.poke_interval, deadline.isoformat()
        )
        self.defer(
            trigger=trigger,
            method_name="execute_complete",
            timeout=deadline - started + _DEFERRAL_GRACE,
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        event = event or {}
        status, message = event.get("status"), event.get("message", "")
        self._polls = int(event.get("polls", 0))
        if status == "success":
            self.log.info("The data is ready after %d polls (deferred): %s", self._polls, message)
            return self._payload(event["result"], "deferred")
        if status == "timeout":
            # resume_execution turns this into a skip when soft_fail=True.
            raise AirflowSensorTimeout(f"Sensor has timed out: {message}")
        # A database error is infrastructure: a plain exception, so the task's retries apply.
        raise RuntimeError(f"{type(self).__name__} '{self.task_id}': {message or f'unexpected event {event!r}'}")


class CompletenessSensor(DataReadySensor):
    """Wait until completeness checks pass: no missing time buckets, no vanished segments.

    .. code-block:: python

        from airflow_dq.checks import segment_completeness, time_bucket_completeness
        from airflow_dq.sensors import CompletenessSensor

        wait = CompletenessSensor(
            task_id="wait_for_complete_events",
            conn_id="warehouse",
            table="events",
            checks=[
                time_bucket_completeness("event_time", bucket="hour"),  # the data interval
                segment_completeness("country", ["US", "DE", "FR"]),
            ],
            where="event_time >= '{{ data_interval_start }}'",
            poke_interval=300,
            timeout=6 * 3600,
        )
        wait >> train_model

    Any checks work (``row_count(min=1000)`` too); each poll runs them as one suite and logs
    what is still missing.
    """


class FreshnessSensor(DataReadySensor):
    """Wait until the newest ``column`` value reaches the run's point (the end of its data
    interval) minus ``lag``.

    .. code-block:: python

        from airflow_dq.sensors import FreshnessSensor

        wait = FreshnessSensor(
            task_id="wait_for_fresh_events",
            conn_id="warehouse",
            table="events",
            column="loaded_at",
            lag=timedelta(minutes=15),
            poke_interval=120,
            timeout=3600,
            soft_fail=True,  # skip downstream instead of failing when the data is late
        )

    :param column: the timestamp column.
    :param lag: how far behind the run's end the newest row may be (default 0).
    :param timezone: zone of timestamps stored without one (default: the provider's
        ``default_timezone``).
    """

    def __init__(
        self,
        *,
        column: str,
        lag: dt.timedelta = dt.timedelta(0),
        timezone: str | None = None,
        checks: Sequence[Check] = (),
        **kwargs: Any,
    ) -> None:
        if not isinstance(column, str) or not column:
            raise ValueError(f"FreshnessSensor '{kwargs.get('task_id')}': 'column' must name a column, got {column!r}")
        fresh = FreshThrough(column, lag=lag, timezone=timezone)
        super().__init__(checks=[fresh, *checks], **kwargs)
        self.column, self.lag = column, lag
