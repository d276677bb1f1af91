"""The trigger of the deferrable data sensors: poll the checks until they pass or time runs out.

It runs in the triggerer's event loop, so it never blocks it: the connection is fetched
with ``await BaseHook.aget_connection``, every database call runs in a worker thread
(``asyncio.to_thread``) and waiting is ``asyncio.sleep``. It is stored as plain kwargs
(checks as JSON specs, times as ISO strings).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_dq.checks.serde import check_from_spec

if TYPE_CHECKING:
    import sqlalchemy as sa


def engine_from_connection(conn: Any) -> sa.Engine:
    """A SQLAlchemy engine for an Airflow connection object, without looking it up again.

    Blocking (imports the hook, may open files): call it in a thread from async code.
    """
    hook = conn.get_hook(hook_params={"connection": conn})
    # Some hooks (SQLite's get_uri) look the connection up again by id; a synchronous lookup
    # is not allowed from the triggerer, and we already hold the connection.
    hook.get_connection = lambda _conn_id: conn
    if not hasattr(hook, "get_sqlalchemy_engine"):
        raise TypeError(
            f"connection '{conn.conn_id}' gives a {type(hook).__name__}, which is not a SQL hook with SQLAlchemy support"
        )
    return hook.get_sqlalchemy_engine()


class DataReadyTrigger(BaseTrigger):
    """Fire when the checks pass (``status: success``), at ``deadline`` (``status: timeout``),
    or on a database error (``status: error``). Every event carries the number of polls and
    the last message saying what was still missing.

    :param conn_id: Airflow connection of the database.
    :param dataset: ``{"table", "schema", "query", "where"}`` (None where unused).
    :param checks: the rendered checks, as ``airflow_dq.checks.serde.check_to_spec`` dicts.
    :param now: the run's reference time (ISO), which the checks judge against.
    :param deadline: when to give up (ISO, aware), or None to wait forever.
    :param poke_interval: seconds between polls.
    :param parameters: values of ``:name`` placeholders in the SQL, sent as bound values.
    :param statement_timeout: seconds per statement (None: the engine's default).
    :param connect_timeout: seconds to connect (None: the engine's default).
    """

    def __init__(
        self,
        *,
        conn_id: str,
        dataset: Mapping[str, Any],
        checks: Sequence[Mapping[str, Any]],
        now: str,
        deadline: str | None,
        poke_interval: float,
        default_timezone: str = "UTC",
        polls: int = 0,
        parameters: Mapping[str, Any] | None = None,
        statement_timeout: float | None = None,
        connect_timeout: float | None = None,
    ) -> None:
        super().__init__()
        self.conn_id = conn_id
        self.dataset = dict(dataset)
        self.checks = [dict(c) for c in checks]
        self.now = now
        self.deadline = deadline
        self.poke_interval = float(poke_interval)
        self.default_timezone = default_timezone
        self.polls = polls  # polls already made by the task before it deferred
        self.parameters = dict(parameters) if parameters else None
        self.statement_timeout, self.connect_timeout = statement_timeout, connect_timeout

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "conn_id": self.conn_id,
                "dataset": self.dataset,
                "checks": self.checks,
                "now": self.now,
                "deadline": self.deadline,
                "poke_interval": self.poke_interval,
                "default_timezone": self.default_timezone,
                "polls": self.polls,
                "parameters": self.parameters,
                "statement_timeout": self.statement_timeout,
                "connect_timeout": self.connect_timeout,
            },
        )

    def _event(self, status: str, message: str, polls: int, result: Any = None) -> TriggerEvent:
        return TriggerEvent({"status": status, "message": message, "polls": polls, "result": result})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from airflow_dq.engines.sql.session import Limits
        from airflow_dq.waiting import probe, still_missing

        polls = self.polls
        try:
            conn = await BaseHook.aget_connection(self.conn_id)
            bind = await asyncio.to_thread(engine_from_connection, conn)
        except Exception as err:
            yield self._event("error", f"cannot connect with '{self.conn_id}': {err!r}", polls)
            return
        checks = [check_from_spec(spec) for spec in self.checks]
        defaults = Limits()
        limits = Limits(
            statement_timeout=self.statement_timeout or defaults.statement_timeout,
            connect_timeout=self.connect_timeout or defaults.connect_timeout,
        )
        now = dt.datetime.fromisoformat(self.now)
        deadline = dt.datetime.fromisoformat(self.deadline) if self.deadline else None
        try:
            while True:
                polls += 1
                try:
                    result = await asyncio.to_thread(
                        probe,
                        bind,
                        self.dataset,
                        checks,
                        now=now,
                        default_timezone=self.default_timezone,
                        limits=limits,
                        parameters=self.parameters,
                    )
                except Exception as err:
                    yield self._event("error", f"poll {polls} failed: {err!r}", polls)
                    return
                if result.passed:
                    self.log.info("Poll %d: the data is ready (%s)", polls, result.summary())
                    yield self._event("success", result.summary(), polls, result.to_dict())
                    return
                missing = still_missing(result)
                self.log.info("Poll %d: still waiting for %s", polls, missing)
                left = None if deadline is None else (deadline - dt.datetime.now(dt.UTC)).total_seconds()
                if left is not None and left <= 0:
                    yield self._event("timeout", f"gave up after {polls} polls; still missing: {missing}", polls)
                    return
                await asyncio.sleep(self.poke_interval if left is None else min(self.poke_interval, left))
        finally:
            await asyncio.to_thread(bind.dispose)
