"""Compile every check of the parity catalogue for one warehouse's SQLAlchemy dialect.

What tests/engines/test_dialect_compile.py asserts on: for each check of the parity suites
(the classic, grouped and newer checks), either what ``SqlEngine.missing`` reports before the
scan, or the scan, GROUP BY and failure-sample statements the engine builds with the
warehouse's ``Dialect``, compiled with the warehouse's own SQLAlchemy dialect class.

The test imports it for the dialects Airflow's venv holds (SQL Server, Redshift, Trino,
ANSI). Snowflake, BigQuery and Databricks connectors cannot be installed next to Airflow's
pins (requirements/dialects-lock.txt says why), so the test runs this module in
``.venv-dialects`` (made by ``make setup-test``) as::

    .venv-dialects/bin/python -m tests.engines.dialect_compile_worker snowflake bigquery databricks

from the repository root (airflow_dq is imported from the source tree: its SQL engine
imports SQLAlchemy, not Airflow), and reads the JSON it prints. Compile only: reflection
reads a throw-away SQLite file, nothing connects to a warehouse.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check
from airflow_dq.engines.sql import dialects, known_groups
from airflow_dq.engines.sql.engine import SqlEngine
from airflow_dq.engines.sql.grouped import grouped_statements
from airflow_dq.metrics import Grouped, RowCount
from tests.checks.data import create_table
from tests.engines import test_dialect_parity as parity
from tests.engines import test_sql_parity as classic
from tests.pandas import test_new_checks_parity as newer

# Schemes of the dialects this venv cannot hold (the test runs them in .venv-dialects).
OTHER_VENV = ("bigquery", "databricks", "snowflake")


def suites() -> list[tuple[dict, list, list[Check]]]:
    """The parity catalogue: (columns, rows, checks) of each table."""
    extra = [
        dq.segment_completeness("country", expected=["US", "DE"], name="listed_segments"),
        dq.segment_completeness("country", reference_table="users_countries", name="discovered_segments"),
    ]
    return [
        (parity._doubles(classic.COLUMNS), classic._rows(), [*classic._suite(), *parity._grouped_suite(), *extra]),
        (parity._doubles(newer.COLUMNS), newer.rows(), newer.suite()),
    ]


def sa_dialect(scheme: str) -> sa.engine.Dialect:
    """The warehouse's SQLAlchemy dialect, from its URL scheme (as ``create_engine`` finds it)."""
    if scheme == "ansi":
        return sa.engine.default.DefaultDialect()
    return sa.engine.url.make_url(f"{scheme}://").get_dialect()()


def family(scheme: str, target: sa.engine.Dialect) -> dialects.Dialect:
    # "exasol": a name airflow_dq does not know, so the ANSI fallback.
    return dialects.Dialect("exasol") if scheme == "ansi" else dialects.dialect_named(target.name)


def _statements(engine: SqlEngine, check: Check) -> list[sa.Select]:
    metrics = [RowCount(), *check.metrics()]
    grouped = [m for m in metrics if isinstance(m, Grouped)]
    _, by_group_by = known_groups.plan(engine, grouped)
    statements = [*engine.scan_statements(metrics), *grouped_statements(engine, by_group_by)]
    spec = check.failure_sample()
    if spec is not None:
        statements.append(engine.sample_statement(spec, 5))
    return statements


def compile_catalogue(scheme: str) -> dict[str, Any]:
    """Every check of the catalogue for ``scheme``: its type, what the dialect lacks for it
    (before the scan) or its compiled statements, or the compiler's error."""
    target = sa_dialect(scheme)
    chosen = family(scheme, target)
    checks: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = sa.create_engine(f"sqlite:///{Path(tmp) / 'reflected.db'}")
        try:
            for columns, rows, suite in suites():
                create_table(sqlite, "users", {"id": sa.Integer()}, [(1,)])
                create_table(sqlite, "users_countries", {"country": sa.String(3)}, [("US",)])
                create_table(sqlite, "t", columns, rows)
                # Reflection from SQLite (there is no warehouse); statements built for the warehouse.
                engine = SqlEngine(sqlite, table="t", dialect=chosen)
                for check in suite:
                    entry: dict[str, Any] = {"name": check.name, "type": check.check_type}
                    lacking = [engine.missing(m) for m in check.metrics() if engine.missing(m)]
                    if lacking:
                        entry["missing"] = lacking
                    else:
                        try:
                            entry["sql"] = [str(s.compile(dialect=target)) for s in _statements(engine, check)]
                        except Exception as error:  # reported to the test, which fails on it
                            entry["compile_error"] = f"{type(error).__name__}: {error}"
                    checks.append(entry)
        finally:
            sqlite.dispose()
    return {
        "scheme": scheme,
        "dialect_class": f"{type(target).__module__}.{type(target).__qualname__}",
        "family": type(chosen).__name__,
        "checks": checks,
    }


if __name__ == "__main__":
    json.dump({scheme: compile_catalogue(scheme) for scheme in sys.argv[1:]}, sys.stdout)
