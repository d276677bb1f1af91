"""The Dialect objects: one per database family, an ANSI fallback, and a check the dialect
cannot express is an error of its own, found before the scan."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import dialects
from airflow_dq.engines.sql.engine import SqlEngine
from airflow_dq.results import Status
from airflow_dq.suite import run_checks
from tests.checks.data import NOW, create_table


def test_family_from_the_sqlalchemy_name_with_an_ansi_fallback() -> None:
    assert type(dialects.dialect_named("mariadb")) is dialects.MySQL
    assert type(dialects.dialect_named("mysql")) is dialects.MySQL
    assert type(dialects.dialect_named("postgresql")) is dialects.PostgreSQL
    assert type(dialects.dialect_named("redshift")) is dialects.Redshift
    fallback = dialects.dialect_named("exasol")
    assert type(fallback) is dialects.Dialect and fallback.family == "ansi"
    assert fallback.select_list_limit(sa.create_engine("sqlite://")) == 1000


def test_what_the_dialect_lacks_is_an_error_for_that_check_only(sqlite_engine: sa.Engine) -> None:
    rows = [{"id": i, "email": f"u{i}@x.org", "ts": dt.datetime(2026, 11, 26, i % 24)} for i in range(48)]
    create_table(sqlite_engine, "t", {"id": sa.Integer(), "email": sa.String(20), "ts": sa.DateTime()}, rows)
    suite = [
        dq.row_count(min=10),
        dq.not_null("id"),
        dq.time_bucket_completeness("ts", start="2026-11-26T00:00:00+00:00", end="2026-11-27T00:00:00+00:00"),
        dq.matches_regex("email", r"^u[0-9]+@"),
        dq.length_between("email", min=5, max=12),
    ]
    # A database SQLAlchemy calls 'sqlite' but which speaks only the generic family.
    engine = SqlEngine(sqlite_engine, table="t", dialect=dialects.Dialect("sqlite"))
    result = run_checks(engine, suite, now=NOW)
    statuses = {r.name: r.status for r in result.results}
    assert statuses == {
        "row_count": Status.PASS,
        "not_null(id)": Status.PASS,
        "time_bucket_completeness(ts)": Status.ERROR,
        "matches_regex(email)": Status.ERROR,
        "length_between(email)": Status.PASS,
    }
    by_name = {r.name: r for r in result.results}
    assert "'sqlite' dialect (ansi family) has no time bucketing" in by_name["time_bucket_completeness(ts)"].message
    assert "no regular-expression match" in by_name["matches_regex(email)"].message
    # Found before the scan: the others still share the one scan.
    assert result.statements == {"schema": 1, "data": 1}
    # The same suite on SQLite's own family measures all of them.
    native = run_checks(SqlEngine(sqlite_engine, table="t"), suite, now=NOW)
    assert [r.status for r in native.results] == [Status.PASS] * 5


def test_the_engine_says_which_metrics_its_registry_cannot_compile(sqlite_engine: sa.Engine) -> None:
    from airflow_dq.metrics import Grouped, RowCount
    from airflow_dq.metrics.grouped import BySegments
    from tests.unknown_metrics import Kurtosis

    create_table(sqlite_engine, "t", {"x": sa.Integer()}, [(1,)])
    engine = SqlEngine(sqlite_engine, table="t")
    assert engine.missing(RowCount()) is None
    assert engine.missing(Kurtosis("x")) == "the SQL engine has no compiler for Kurtosis (kurtosis of x)"
    assert "Kurtosis" in engine.missing(Grouped(Kurtosis("x"), BySegments(("x",))))
