"""Checks never hang (issue 11): a statement that runs too long, or a server that stopped
answering, raises ``StatementTimeout`` naming the statement's kind (a retryable error).

The frozen-server test stops a dedicated PostgreSQL server of its own (SIGSTOP on every
server process), so the session's shared server is never frozen, and always resumes it.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.engines.sql.session import Limits, StatementTimeout
from airflow_dq.suite import run_checks
from tests.checks.data import create_table
from tests.pg_server import PostgresServer

# Counts to 100 million one row at a time: minutes on either database, unless cancelled.
SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT COUNT(*) FROM n"


def test_a_slow_custom_query_times_out_naming_its_kind(db: sa.Engine) -> None:
    create_table(db, "t", {"x": sa.Integer()}, [(1,)])
    engine = SqlEngine(db, table="t", limits=Limits(statement_timeout=0.5))
    with pytest.raises(StatementTimeout, match=r"the custom statement took longer than statement_timeout=0\.5s"):
        run_checks(engine, [dq.row_count(min=1), dq.custom_sql(SLOW, min=0, name="slow")])
    # The scan ran before the custom query, within its time; the connection is usable again.
    assert engine.statements["data"] == 1
    assert run_checks(SqlEngine(db, table="t", limits=Limits(statement_timeout=5)), [dq.row_count(min=1)]).passed


def test_a_slow_scan_times_out_naming_its_kind(db: sa.Engine) -> None:
    create_table(db, "t", {"x": sa.Integer()}, [(1,)])
    engine = SqlEngine(db, query=SLOW.replace("SELECT COUNT(*) FROM n", "SELECT i AS x FROM n"), limits=Limits(0.5))
    with pytest.raises(StatementTimeout, match="the data statement took longer"):
        run_checks(engine, [dq.row_count(min=1)])


def test_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="'statement_timeout' must be a positive number of seconds"):
        Limits(statement_timeout=0)
    with pytest.raises(ValueError, match="'connect_timeout' must be a positive number of seconds"):
        Limits(connect_timeout="10")


# -- a frozen server -----------------------------------------------------------------------


def _server_pids(data_dir: Path) -> list[int]:
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:  # field 4 of /proc/<pid>/stat: the parent
            children.append(int(stat.parent.name))
    return [postmaster, *children]


@pytest.fixture
def frozen_postgres() -> Iterator[tuple[str, callable]]:
    if os.environ.get("DQ_POSTGRES_URL"):
        pytest.skip("needs a server of its own to freeze")
    server = PostgresServer()
    url = server.start()
    stopped: list[int] = []

    def freeze() -> None:
        for pid in _server_pids(Path(server._dir) / "data"):
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)

    try:
        yield url, freeze
    finally:
        for pid in stopped:  # always resume, or the server could never be stopped
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        server.stop()


@pytest.mark.postgres
def test_a_frozen_server_times_out_instead_of_hanging(frozen_postgres) -> None:
    url, freeze = frozen_postgres
    bind = sa.create_engine(url)
    create_table(bind, "t", {"x": sa.Integer()}, [(1,)])
    with bind.connect() as conn:  # a pooled connection, open before the freeze
        conn.exec_driver_sql("SELECT 1")
    freeze()

    # A statement on the open connection: the server cannot cancel it, the watchdog does.
    engine = SqlEngine(bind, table="t", limits=Limits(statement_timeout=1, connect_timeout=2))
    with pytest.raises(StatementTimeout, match=r"the schema statement took longer .* stopped answering"):
        run_checks(engine, [dq.row_count(min=1)])

    # A new connection: the driver's connect timeout.
    fresh = sa.create_engine(url)
    with pytest.raises(StatementTimeout, match="connecting to the database took longer than connect_timeout=2s"):
        run_checks(SqlEngine(fresh, table="t", limits=Limits(statement_timeout=1, connect_timeout=2)), [])
    fresh.dispose()
    bind.dispose()
