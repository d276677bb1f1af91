"""Every statement to a database: read-only where the dialect can say so, and bounded in time.

``guard(bind, limits)`` returns an engine that shares ``bind``'s pool and, for every
transaction it begins, asks the database family's ``Dialect`` (engines/sql/dialects.py,
``start_session``/``end_session``/``watchdog``/``timed_out``/``refused_statement``) to:

- make it read-only: PostgreSQL/Redshift ``SET TRANSACTION READ ONLY`` (and
  ``default_transaction_read_only``, so a stacked ``COMMIT`` cannot escape into a writable
  transaction), MySQL/MariaDB ``START TRANSACTION READ ONLY``, SQLite ``PRAGMA query_only``,
  DuckDB ``BEGIN TRANSACTION READ ONLY`` plus a refusal of every statement DuckDB's parser
  does not call a SELECT; the transaction is never committed by the checks and is rolled
  back when the connection closes;
- bound each statement: PostgreSQL ``statement_timeout``, MySQL ``max_execution_time``
  (MariaDB ``max_statement_time``), SQLite a progress handler, DuckDB an interrupt; plus a
  client-side watchdog that shuts the socket of a server that stopped answering (a frozen
  server cannot enforce its own timeout), and a connect timeout in the driver's connect
  arguments.

This module holds no database names: a new family is one ``Dialect`` class.

A statement that runs out of time raises ``StatementTimeout``, naming the statement's kind
(``data``, ``schema``, ``custom``, ...): an ordinary exception, so Airflow retries the task.
The history store uses the same guard with ``read_only=False`` (timeouts only).

The session settings are sent on the DBAPI cursor, not through SQLAlchemy's execution, so
listeners that count the statements of a suite see only the suite's own statements.
"""

from __future__ import annotations

import logging
import math
import time
import weakref
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airflow_dq.engines.sql.dialects import dialect_named, dialect_of
from airflow_dq.engines.sql.watchdog import Watchdog

log = logging.getLogger(__name__)

DEFAULT_STATEMENT_TIMEOUT = 600.0  # seconds; the provider config's default too
DEFAULT_CONNECT_TIMEOUT = 30.0


class StatementTimeout(TimeoutError):
    """A statement (or a connection attempt) ran out of time: retryable, unlike bad data."""

    def __init__(self, kind: str, seconds: float, detail: str = "") -> None:
        self.kind, self.seconds = kind, seconds
        if kind == "connect":
            what = f"connecting to the database took longer than connect_timeout={seconds:g}s"
        else:
            what = f"the {kind} statement took longer than statement_timeout={seconds:g}s and was cancelled"
        super().__init__(what + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class Limits:
    """Time limits in seconds (``None``: no limit; the provider always sets both)."""

    statement_timeout: float | None = DEFAULT_STATEMENT_TIMEOUT
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("statement_timeout", "connect_timeout"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
                raise ValueError(f"'{name}' must be a positive number of seconds, got {value!r}")


class StatementLog(Counter):
    """The engine's statement counter, which also remembers the kind counted last.

    Every place that sends a statement counts it just before sending it, so the kind
    counted last is the kind of the statement that timed out.
    """

    last_kind: str | None = None

    def __setitem__(self, key: str, value: int) -> None:
        self.last_kind = key
        super().__setitem__(key, value)


# -- the guard ---------------------------------------------------------------------------


def guard(
    bind: sa.Engine,
    limits: Limits | None = None,
    *,
    read_only: bool = True,
    statements: Any = None,
    kind: str = "SQL",
) -> sa.Engine:
    """An engine on ``bind``'s pool whose transactions are read-only and time-bounded.

    ``statements`` (a ``StatementLog``) names the kind of a statement that times out;
    without one, every statement is of ``kind``.
    """
    limits = limits or Limits()
    bind = getattr(bind, "_dq_base", bind)  # guarding a guarded engine replaces its guard
    guarded = bind.execution_options(dq_guarded=True)  # an OptionEngine: its own listeners
    guarded._dq_base = bind  # type: ignore[attr-defined]
    guarded._dq_limits = limits  # type: ignore[attr-defined]  # for a second connection (guarded_limits)
    _Guard(guarded, limits, read_only, statements, kind)
    if limits.connect_timeout is not None:
        _set_connect_timeout(bind, limits.connect_timeout)
    return guarded


def guarded_limits(bind: sa.Engine) -> Limits | None:
    """The limits ``bind`` was guarded with (None for an unguarded engine): a second
    connection opened for the same checks (a reconciliation source) gets the same."""
    return getattr(bind, "_dq_limits", None)


class _Guard:
    """The listeners of one guarded engine; what each database needs comes from its
    ``Dialect`` (``start_session``, ``end_session``, ``watchdog``, ``timed_out``...)."""

    def __init__(self, engine: sa.Engine, limits: Limits, read_only: bool, statements: Any, kind: str) -> None:
        self.limits, self.read_only, self.statements, self.default_kind = limits, read_only, statements, kind
        self.dialect = dialect_of(engine)
        if read_only and not self.dialect.read_only_guard:
            # Said, not silently assumed: nothing here stops a write on this database.
            log.warning(
                "airflow_dq has no read-only transaction for the %r dialect (%s family): give the "
                "connection a read-only role or user so that checks cannot write",
                self.dialect.name,
                self.dialect.family,
            )
        # Per Connection (one checkout), not per pooled DBAPI connection: state that outlived
        # a transaction must never make a later one skip its read-only settings.
        self._state: weakref.WeakKeyDictionary[sa.Connection, dict[str, Any]] = weakref.WeakKeyDictionary()
        self._watchdogs: weakref.WeakKeyDictionary[sa.Connection, Watchdog] = weakref.WeakKeyDictionary()
        sa.event.listen(engine, "commit", self.end_commit)
        sa.event.listen(engine, "rollback", self.end_rollback)
        sa.event.listen(engine, "before_cursor_execute", self.before)
        sa.event.listen(engine, "after_cursor_execute", self.after)
        sa.event.listen(engine, "handle_error", self.error)

    def kind(self, context: Any = None) -> str:
        if context is not None and getattr(context, "execution_options", None):
            explicit = context.execution_options.get("dq_kind")
            if explicit:
                return explicit
        return getattr(self.statements, "last_kind", None) or self.default_kind

    # -- per transaction -------------------------------------------------------------
    # The settings are sent before the first statement of each transaction (not in the
    # "begin" event, whose errors SQLAlchemy does not handle), under the same watchdog.
    def _end(self, conn: sa.Connection, committing: bool) -> None:
        if self._state.pop(conn, None) is None:  # no statement ran: nothing was set
            return
        dbapi = conn.connection.dbapi_connection
        self.dialect.end_session(dbapi, read_only=self.read_only, committing=committing)

    def end_commit(self, conn: sa.Connection) -> None:
        self._end(conn, committing=True)

    def end_rollback(self, conn: sa.Connection) -> None:
        with suppress(Exception):  # a broken connection is discarded by the pool anyway
            self._end(conn, committing=False)

    # -- per statement ---------------------------------------------------------------
    def before(self, conn: sa.Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        timeout = self.limits.statement_timeout
        dbapi = conn.connection.dbapi_connection
        if self.read_only:
            refused = self.dialect.refused_statement(dbapi, statement)
            if refused:  # a DBAPI error: a custom_sql write is that check's error only
                raise ReadOnlyViolation(refused)
        if timeout is not None:
            watchdog = self.dialect.watchdog(dbapi, timeout)
            if watchdog is not None:
                self._watchdogs[conn] = watchdog
                watchdog.start()
        state = self._state.get(conn)
        if state is None:  # the transaction's first statement
            state = self._state[conn] = {"deadline": math.inf, "interrupted": False}
            self.dialect.start_session(dbapi, conn.dialect, read_only=self.read_only, timeout=timeout, state=state)
        if timeout is not None:
            state["deadline"], state["interrupted"] = time.monotonic() + timeout, False

    def after(self, conn: sa.Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        watchdog = self._watchdogs.pop(conn, None)
        if watchdog is not None:
            watchdog.cancel()

    def error(self, context: sa.engine.ExceptionContext) -> BaseException | None:
        conn = context.connection
        watchdog = self._watchdogs.pop(conn, None) if conn is not None else None
        if watchdog is not None:
            watchdog.cancel()
        timeout = self.limits.statement_timeout
        original = context.original_exception
        if conn is None or context.is_pre_ping:
            if self.limits.connect_timeout is not None and _is_connect_timeout(original):
                return StatementTimeout("connect", self.limits.connect_timeout, _first_line(original))
            return None
        if self.read_only and self.dialect.discard_after_error:
            # A failed statement may have been a stacked COMMIT that made the session's
            # read-only settings permanent: discard this connection rather than hand it
            # back to the pool it shares with the caller's engine.
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = False
        if timeout is None:
            return None
        kind = self.kind(context.execution_context)
        if watchdog is not None and watchdog.fired:
            return StatementTimeout(kind, timeout, watchdog.reason)
        if self.dialect.timed_out(original, self._state.get(conn)):
            return StatementTimeout(kind, timeout, _first_line(original))
        return None


class ReadOnlyViolation(sa.exc.DBAPIError):
    """A statement the read-only guard refused to send (DuckDB: anything but a SELECT).

    A ``DBAPIError`` like the database's own refusals, so a ``custom_sql`` write is that
    check's ``error`` and the other checks are judged (see isolation.py)."""

    def __init__(self, message: str) -> None:
        super().__init__(None, None, PermissionError(message), connection_invalidated=False)


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _is_connect_timeout(err: BaseException) -> bool:
    text = str(err).lower()
    return "timeout expired" in text or "timed out" in text or isinstance(err, TimeoutError)


# -- connect timeout -----------------------------------------------------------------------

_CONNECT_TIMEOUTS: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()


def _set_connect_timeout(bind: sa.Engine, seconds: float) -> None:
    dialect = bind.dialect
    first = dialect not in _CONNECT_TIMEOUTS
    _CONNECT_TIMEOUTS[dialect] = seconds
    if first:
        sa.event.listen(bind, "do_connect", _connect_args)


def _connect_args(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
    seconds = _CONNECT_TIMEOUTS.get(dialect)
    if seconds is None:
        return
    for name, value in dialect_named(dialect.name).connect_arguments(seconds).items():
        cparams.setdefault(name, value)
