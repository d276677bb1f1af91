"""Helpers shared by the check and engine tests: real tables, suite runs, statement logs."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from airflow_dq.checks import Check
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.results import CheckResult, SuiteResult
from airflow_dq.suite import run_checks

# A fixed run time, so freshness results do not depend on the clock.
NOW = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)


def create_table(
    bind: sa.Engine,
    name: str,
    columns: Mapping[str, sa.types.TypeEngine[Any]],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]] = (),
) -> sa.Table:
    """Create ``name`` with ``columns`` (name -> SQLAlchemy type) and insert ``rows``.

    Rows are dicts or tuples in column order.
    """
    table = sa.Table(name, sa.MetaData(), *(sa.Column(c, t) for c, t in columns.items()))
    names = list(columns)
    records = [dict(r) if isinstance(r, Mapping) else dict(zip(names, r, strict=True)) for r in rows]
    with bind.begin() as conn:
        table.drop(conn, checkfirst=True)
        table.create(conn)
        if records:
            conn.execute(table.insert(), records)
    return table


def run(
    bind: sa.Engine,
    checks: Check | Sequence[Check],
    *,
    table: str | None = "t",
    now: dt.datetime = NOW,
    sample_size: int = 5,
    default_timezone: str = "UTC",
    **dataset: Any,
) -> SuiteResult:
    """Run ``checks`` on a table (default ``t``) or on ``query=...``."""
    checks = [checks] if isinstance(checks, Check) else list(checks)
    if "query" in dataset:
        table = None
    engine = SqlEngine(bind, table=table, **dataset)
    return run_checks(engine, checks, now=now, sample_size=sample_size, default_timezone=default_timezone)


def only(suite: SuiteResult) -> CheckResult:
    (result,) = suite.results
    return result


def by_name(suite: SuiteResult) -> dict[str, CheckResult]:
    return {r.name: r for r in suite.results}


def assert_words(message: str, *words: str) -> None:
    missing = [w for w in words if w not in message]
    assert not missing, f"{missing} not in message {message!r}"


# -- statement counting --------------------------------------------------------------
_CATALOG = re.compile(r"\bpragma\b|pg_catalog|information_schema|\bpg_\w+\(|current_schema|^\s*show\b", re.I)
# LIMIT at the very end of a statement: a literal, "?" (SQLite) or "%(name)s" (psycopg2).
_TRAILING_LIMIT = re.compile(r"\blimit\s+(\d+|\?|%\((\w+)\)s)(\s+offset\s+(\?|\S+))?\s*$", re.I)


class StatementLog:
    """Every statement a SQLAlchemy engine sends, classified.

    ``catalog`` (reflection: PRAGMA, pg_catalog, information_schema), ``custom`` (the SQL
    of custom_sql checks, given to the log), ``sample`` (a failure sample: a top-level
    LIMIT) and ``data`` (everything else: the shared scan). ``columns`` records the number
    of result columns of each data statement.
    """

    def __init__(self, custom: Iterable[str] = ()) -> None:
        self.custom = {" ".join(s.split()) for s in custom}
        self.statements: list[tuple[str, str]] = []
        self.data_columns: list[int] = []

    def classify(self, statement: str, parameters: Any) -> str:
        text = " ".join(statement.split())
        if text in self.custom:
            return "custom"
        if _CATALOG.search(text):
            return "catalog"
        match = _TRAILING_LIMIT.search(text)
        if match:
            if match.group(1).isdigit():
                limit: Any = int(match.group(1))
            elif match.group(2):
                limit = parameters[match.group(2)]
            else:  # "?": the limit is the last parameter, or the one before OFFSET's
                limit = parameters[-2] if match.group(4) == "?" else parameters[-1]
            # A query dataset's column names come from "... LIMIT 0": that is catalog work.
            return "catalog" if limit == 0 else "sample"
        return "data"

    def counts(self) -> Counter[str]:
        return Counter(kind for kind, _ in self.statements)

    def of(self, kind: str) -> list[str]:
        return [text for k, text in self.statements if k == kind]


@contextmanager
def statement_log(bind: sa.Engine, custom: Iterable[str] = ()) -> Iterator[StatementLog]:
    """Record the statements sent through ``bind`` while the block runs.

    The engine connects once first, so the dialect's own first-connect queries (server
    version, settings) are not mistaken for the suite's.
    """
    with bind.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    log = StatementLog(custom)

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        log.statements.append((log.classify(statement, parameters), statement))

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if log.statements and log.statements[-1][0] == "data" and cursor.description is not None:
            log.data_columns.append(len(cursor.description))

    sa.event.listen(bind, "before_cursor_execute", before)
    sa.event.listen(bind, "after_cursor_execute", after)
    try:
        yield log
    finally:
        sa.event.remove(bind, "before_cursor_execute", before)
        sa.event.remove(bind, "after_cursor_execute", after)
