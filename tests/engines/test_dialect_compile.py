"""Every check compiles for the warehouses with no server here (issue 15, point 5):
SQL Server (SQLAlchemy's own dialect), Redshift (sqlalchemy-redshift) and Trino (trino),
plus the generic ANSI fallback. Compile only: the scan, GROUP BY and failure-sample
statements of each check are built by the engine with the warehouse's Dialect and
compiled with its SQLAlchemy dialect. A check the dialect cannot express is reported by
``Dialect.missing`` before the scan, and exactly those are listed as unsupported in
docs/dialects.md and the README's databases table.

Snowflake, BigQuery and Databricks are not here: their SQLAlchemy dialects import their
connectors, which pin protobuf < 7 or python-dateutil < 3 against Airflow's lock.
"""

from __future__ import annotations

import pytest
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

# SQLAlchemy URL scheme of each warehouse -> the check types it cannot run (docs/dialects.md).
UNSUPPORTED = {
    "mssql": {"matches_regex", "time_bucket_completeness"},
    "redshift+psycopg2": {"time_bucket_completeness"},
    "trino": {"time_bucket_completeness"},
    "ansi": {"matches_regex", "time_bucket_completeness"},
}
# Spellings that must never reach the warehouse (the SQL Server report).
FORBIDDEN = {
    "mssql": ("stddev_samp", "REGEXP", "char_length", "LIMIT", "FILTER (WHERE"),
    "trino": (" ~ ", " REGEXP "),  # regexp_like(...) is Trino's search
    "redshift+psycopg2": ("FILTER (WHERE", "set_config"),
}

# ... and what each must say instead: check name -> a spelling in its statements.
REQUIRED = {
    "mssql": {
        "stddev_between(amount)": "stdev(",
        "length_between(email)": "len(",
        "quantile_between(amount)": "row_number()",
    },
    "trino": {"matches_regex(email)": "regexp_like(", "length_between(email)": "length("},
    "redshift+psycopg2": {"matches_regex(email)": " !~ ", "quantile_between(amount)": "percentile_cont"},
    "ansi": {"length_between(email)": "char_length("},
}


def _suites() -> list[tuple[dict, list, list[Check]]]:
    extra = [
        dq.segment_completeness("country", expected=["US", "DE"], name="listed_segments"),
        dq.segment_completeness("country", reference_table="users_countries", name="discovered_segments"),
    ]
    return [
        (parity._doubles(classic.COLUMNS), classic._rows(), [*classic._suite(), *parity._grouped_suite(), *extra]),
        (parity._doubles(newer.COLUMNS), newer.rows(), newer.suite()),
    ]


def _sa_dialect(scheme: str) -> sa.engine.Dialect:
    if scheme == "ansi":
        return sa.engine.default.DefaultDialect()
    return sa.engine.url.make_url(f"{scheme}://").get_dialect()()


def _statements(engine: SqlEngine, check: Check) -> list[sa.Select]:
    metrics = [RowCount(), *check.metrics()]
    grouped = [m for m in metrics if isinstance(m, Grouped)]
    _, by_group_by = known_groups.plan(engine, grouped)
    statements = [*engine.scan_statements(metrics), *grouped_statements(engine, by_group_by)]
    spec = check.failure_sample()
    if spec is not None:
        statements.append(engine.sample_statement(spec, 5))
    return statements


@pytest.mark.parametrize("scheme", sorted(UNSUPPORTED))
def test_every_check_compiles_or_is_reported_missing(sqlite_engine: sa.Engine, scheme: str) -> None:
    target = _sa_dialect(scheme)
    family = dialects.Dialect("exasol") if scheme == "ansi" else dialects.dialect_named(target.name)
    unsupported, compiled, wanted = set(), 0, dict(REQUIRED[scheme])
    for columns, rows, suite in _suites():
        create_table(sqlite_engine, "users", {"id": sa.Integer()}, [(1,)])
        create_table(sqlite_engine, "users_countries", {"country": sa.String(3)}, [("US",)])
        create_table(sqlite_engine, "t", columns, rows)
        # Reflection from SQLite (there is no warehouse); statements built for the warehouse.
        engine = SqlEngine(sqlite_engine, table="t", dialect=family)
        for check in suite:
            lacking = [engine.missing(m) for m in check.metrics() if engine.missing(m)]
            if lacking:
                assert f"the {family.name!r} dialect" in lacking[0]
                unsupported.add(check.check_type)
                continue
            sqls = [str(statement.compile(dialect=target)) for statement in _statements(engine, check)]
            compiled += len(sqls)
            for sql in sqls:
                for spelling in FORBIDDEN.get(scheme, ()):
                    assert spelling not in sql, (check.name, spelling, sql)
            if check.name in wanted:
                spelling = wanted.pop(check.name)
                assert any(spelling in sql for sql in sqls), (check.name, spelling, sqls)
    assert unsupported == UNSUPPORTED[scheme]
    assert not wanted  # every spelling was looked for
    assert compiled > 50
