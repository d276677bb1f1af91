"""The MySQL dialect of the guard (issue 11), on a real MariaDB server of this module's own:
read-only transactions (``START TRANSACTION READ ONLY``), ``max_statement_time``, stacked
SQL refused, and the canary intact. The time-bucket and regex checks are not part of the
MySQL dialect yet, so the suite here sticks to portable checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.engines.sql.session import Limits, StatementTimeout, guard
from airflow_dq.suite import run_checks
from tests.engines.test_read_only import ATTACKS
from tests.mariadb_server import MariaDBServer, available

pytestmark = pytest.mark.skipif(not available(), reason="mariadb-server is not installed (make setup)")


@pytest.fixture(scope="module")
def mariadb() -> Iterator[sa.Engine]:
    server = MariaDBServer()
    engine = sa.create_engine(server.start())
    try:
        yield engine
    finally:
        engine.dispose()
        server.stop()


@pytest.fixture
def db(mariadb: sa.Engine) -> sa.Engine:
    with mariadb.begin() as conn:
        for table in ("canary", "events"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.exec_driver_sql("CREATE TABLE canary (secret VARCHAR(20))")
        conn.exec_driver_sql("INSERT INTO canary VALUES ('safe')")
        conn.exec_driver_sql("CREATE TABLE events (country VARCHAR(40), amount DOUBLE)")
        conn.exec_driver_sql("INSERT INTO events VALUES ('US', 1.0), ('US', 2.0), ('DE', NULL)")
    return mariadb


def _canary(db: sa.Engine) -> list[str]:
    with db.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT secret FROM canary")]


def test_a_suite_runs_read_only_and_leaves_the_engine_writable(db: sa.Engine) -> None:
    suite = run_checks(
        SqlEngine(db, table="events", where="country = 'US'"),
        [dq.row_count(min=2, max=2), dq.not_null("amount"), dq.custom_sql("SELECT COUNT(*) FROM canary", equals=1)],
    )
    assert [r.status for r in suite.results] == ["pass", "pass", "pass"], suite.summary()
    with db.begin() as conn:  # the session settings did not stay on the pooled connection
        conn.exec_driver_sql("UPDATE canary SET secret = 'rotated'")
    assert _canary(db) == ["rotated"]


@pytest.mark.parametrize("statement", ["UPDATE canary SET secret = 'pwned'", "INSERT INTO canary VALUES ('x')"])
def test_the_guarded_engine_cannot_write(db: sa.Engine, statement: str) -> None:
    with pytest.raises(sa.exc.DBAPIError, match="READ ONLY transaction"), guard(db).connect() as conn:
        conn.exec_driver_sql(statement)
        conn.commit()
    assert _canary(db) == ["safe"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_stacked_sql_is_refused(db: sa.Engine, attack: str) -> None:
    with pytest.raises(ValueError, match="SqlEngine: 'where' holds"):
        SqlEngine(db, table="events", where=f"country = '{attack}'")
    assert _canary(db) == ["safe"]


def test_a_slow_statement_times_out_naming_its_kind(db: sa.Engine) -> None:
    slow = (
        "SELECT COUNT(*) FROM information_schema.columns a, information_schema.columns b, information_schema.columns c"
    )
    engine = SqlEngine(db, table="events", limits=Limits(statement_timeout=0.5))
    with pytest.raises(StatementTimeout, match=r"the custom statement took longer than statement_timeout=0\.5s"):
        run_checks(engine, [dq.custom_sql(slow, min=0, name="slow")])
