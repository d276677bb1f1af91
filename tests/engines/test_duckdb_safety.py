"""DuckDB's read-only guard, on a real DuckDB file: the transaction the checks run in is
``BEGIN TRANSACTION READ ONLY``, and DuckDB's own parser refuses anything but a SELECT
before it runs (a stacked ``COMMIT`` would otherwise end the read-only transaction). A
canary table and the file's bytes prove nothing was written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import SqlEngine, dialects
from airflow_dq.engines.sql.session import ReadOnlyViolation, guard
from airflow_dq.suite import run_checks

pytest.importorskip("duckdb_engine")

# Writes that reach the database as they are (the fragment validator lets a single
# statement through; exec_driver_sql sends stacked text unparsed).
WRITES = [
    "UPDATE canary SET secret = 'pwned'",
    "DELETE FROM canary",
    "COMMIT; DELETE FROM canary",
    "SELECT 1; UPDATE canary SET secret = 'pwned'",
    "CREATE TABLE planted AS SELECT 1 AS x",
    "COPY canary TO '/dev/null'",
]


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    file = tmp_path / "warehouse.duckdb"
    engine = sa.create_engine(f"duckdb:///{file}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE canary (secret VARCHAR)")
        conn.exec_driver_sql("INSERT INTO canary VALUES ('safe')")
        conn.exec_driver_sql("CREATE TABLE events (country VARCHAR, amount DOUBLE)")
        conn.exec_driver_sql("INSERT INTO events VALUES ('US', 1.0), ('US', 2.0), ('DE', NULL)")
    engine.dispose()
    yield file


def _digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _canary(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT secret FROM canary")]


@pytest.mark.parametrize("statement", WRITES)
def test_the_guarded_engine_cannot_write(path: Path, statement: str) -> None:
    before = _digest(path)
    engine = sa.create_engine(f"duckdb:///{path}")
    refused = pytest.raises(ReadOnlyViolation, match=r"read-only guard refuses a \w+(/\w+)* statement on DuckDB")
    with refused, guard(engine).connect() as conn:
        conn.exec_driver_sql(statement)
        conn.commit()
    assert _canary(engine) == ["safe"]
    engine.dispose()
    assert _digest(path) == before


def test_the_read_only_transaction_refuses_a_write_the_parser_let_through(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Second layer: with the statement check switched off, DuckDB itself refuses the write."""
    monkeypatch.setattr(dialects.DuckDB, "refused_statement", lambda self, dbapi, statement: None)
    engine = sa.create_engine(f"duckdb:///{path}")
    refused = pytest.raises(sa.exc.DBAPIError, match="transaction is launched in read-only mode")
    with refused, guard(engine).connect() as conn:
        conn.exec_driver_sql("UPDATE canary SET secret = 'pwned'")
        conn.commit()
    assert _canary(engine) == ["safe"]
    engine.dispose()


def test_a_write_in_custom_sql_errors_that_check_alone(path: Path) -> None:
    before = _digest(path)
    engine = sa.create_engine(f"duckdb:///{path}")
    rendered = dq.custom_sql("{{ params.query }}", min=0, name="templated")
    rendered.sql = "DELETE FROM canary"  # what the operator's rendering does with a bad param
    checks = [
        dq.row_count(min=2, max=2),
        dq.custom_sql("UPDATE canary SET secret = 'pwned' RETURNING 1", min=0, name="update"),
        rendered,
        dq.custom_sql("COMMIT", min=0, name="commit"),
        dq.not_null("amount"),
    ]
    suite = run_checks(SqlEngine(engine, table="events", where="country = 'US'"), checks)
    statuses = {r.name: str(r.status) for r in suite.results}
    assert statuses == {
        "row_count": "pass",
        "update": "error",
        "templated": "error",
        "commit": "error",
        "not_null(amount)": "pass",
    }, suite.summary()
    by_name = {r.name: r for r in suite.results}
    assert "read-only guard refuses a UPDATE statement on DuckDB" in by_name["update"].message
    assert "read-only guard refuses a DELETE statement on DuckDB" in by_name["templated"].message
    assert "read-only guard refuses a TRANSACTION statement on DuckDB" in by_name["commit"].message
    assert _canary(engine) == ["safe"]
    engine.dispose()
    assert _digest(path) == before


def test_a_suite_runs_read_only_and_leaves_the_engine_writable(path: Path) -> None:
    engine = sa.create_engine(f"duckdb:///{path}")
    suite = run_checks(
        SqlEngine(engine, table="events"),
        [dq.row_count(min=3, max=3), dq.custom_sql("SELECT COUNT(*) FROM canary", equals=1)],
    )
    assert [str(r.status) for r in suite.results] == ["pass", "pass"], suite.summary()
    with engine.begin() as conn:  # the read-only transaction did not stay on the pooled connection
        conn.exec_driver_sql("UPDATE canary SET secret = 'rotated'")
    assert _canary(engine) == ["rotated"]
    engine.dispose()


def test_a_file_opened_read_only_is_read_by_the_checks(path: Path) -> None:
    """What docs/dialects.md recommends on top: the file itself opened read-only."""
    engine = sa.create_engine(f"duckdb:///{path}?access_mode=read_only")
    suite = run_checks(SqlEngine(engine, table="events"), [dq.row_count(min=3, max=3), dq.not_null("country")])
    assert suite.passed, suite.summary()
    with pytest.raises(sa.exc.DBAPIError, match="read-only"), engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM canary")
    engine.dispose()
