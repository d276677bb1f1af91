"""DuckDB (embedded, from PyPI) and MariaDB (Debian's server, started here on a loopback
port) give the same verdicts and values as SQLite on the parity suites: the classic checks
(tests/engines/test_sql_parity.py), the newer ones (tests/pandas/test_new_checks_parity.py)
and the grouped checks (time buckets, listed and discovered segments)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check
from airflow_dq.engines.sql import dialects
from airflow_dq.results import SuiteResult
from tests.checks.data import NOW, create_table, run
from tests.engines import test_sql_parity as classic
from tests.mariadb_server import MariaDBServer
from tests.pandas import test_new_checks_parity as newer

pytestmark = pytest.mark.mariadb


def _doubles(columns: dict[str, Any]) -> dict[str, Any]:
    # SQLAlchemy's Float is a 4-byte FLOAT on DuckDB and MariaDB: the data would differ.
    return {name: sa.Double() if type(t) is sa.Float else t for name, t in columns.items()}


@pytest.fixture(scope="module")
def mariadb_url() -> Iterator[str]:
    with MariaDBServer() as server:
        assert server.url is not None
        yield server.url


@pytest.fixture
def mariadb_engine(mariadb_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(mariadb_url)
    with engine.begin() as conn:  # a fresh, empty database for each test
        conn.exec_driver_sql("DROP DATABASE dq")
        conn.exec_driver_sql("CREATE DATABASE dq")
    engine.dispose()
    engine = sa.create_engine(mariadb_url)
    yield engine
    engine.dispose()


@pytest.fixture
def duckdb_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["duckdb", "mariadb"])
def other(request: pytest.FixtureRequest) -> sa.Engine:
    return request.getfixturevalue(f"{request.param}_engine")


def _grouped_suite() -> list[Check]:
    return [
        dq.time_bucket_completeness(
            "ts", start="2026-11-27T03:00:00+00:00", end="2026-11-27T13:00:00+00:00", bucket="hour", min_count=25
        ),
        dq.time_bucket_completeness(
            "ts", start="2026-11-27T00:00:00+00:00", end="2026-11-28T00:00:00+00:00", bucket="hour", name="day_buckets"
        ),
        dq.segment_completeness("country", expected=["US", "DE", "FR", "JP"]),
        dq.segment_completeness("country", reference_table="countries", name="discovered_segments"),
    ]


def _classic(bind: sa.Engine) -> SuiteResult:
    create_table(bind, "users", {"id": sa.Integer()}, [(u,) for u in range(1, 36)])
    create_table(bind, "countries", {"country": sa.String(3)}, [("US",), ("DE",), ("JP",), ("JP",)])
    create_table(bind, "t", _doubles(classic.COLUMNS), classic._rows())
    return run(bind, [*classic._suite(), *_grouped_suite()], now=NOW, sample_size=1000)


def _newer(bind: sa.Engine) -> SuiteResult:
    create_table(bind, "t", _doubles(newer.COLUMNS), newer.rows())
    return run(bind, newer.suite(), now=NOW, sample_size=1000)


def _same_numbers(row: dict[str, Any]) -> str:
    # A DOUBLE that holds 451 is written 451 by one driver and 451.0 by another: one number.
    return json.dumps(json.loads(json.dumps(row), parse_int=float), sort_keys=True)


def _assert_same(lite: SuiteResult, other: SuiteResult) -> None:
    errors = [(r.name, r.message) for r in other.results if r.status == "error"]
    assert not errors
    assert {r.name: str(r.status) for r in other.results} == {r.name: str(r.status) for r in lite.results}
    for a, b in zip(lite.results, other.results, strict=True):
        assert classic._same(a.to_dict()["observed"], b.to_dict()["observed"]) or (
            a.to_dict()["observed"] == b.to_dict()["observed"]
        ), (a.name, a.observed, b.observed)
        for label in a.metrics:
            assert classic._same(a.to_dict()["metrics"][label], b.to_dict()["metrics"][label]), (a.name, label)
        rows_a, rows_b = (sorted(_same_numbers(row) for row in r.to_dict()["failing_rows"]) for r in (a, b))
        assert rows_a == rows_b, a.name


@pytest.mark.parametrize("suite", [_classic, _newer], ids=["classic", "newer"])
def test_same_verdicts_and_values_as_sqlite(sqlite_engine: sa.Engine, other: sa.Engine, suite: Any) -> None:
    lite, result = suite(sqlite_engine), suite(other)
    _assert_same(lite, result)
    statuses = [str(r.status) for r in result.results]
    assert statuses.count("fail") >= 4 and statuses.count("pass") >= 4  # the data has things to find
    assert result.statements["data"] == lite.statements["data"] == 1  # still one scan


def test_the_family_is_chosen_from_the_driver(duckdb_engine: sa.Engine, mariadb_engine: sa.Engine) -> None:
    assert type(dialects.dialect_of(duckdb_engine)) is dialects.DuckDB
    assert type(dialects.dialect_of(mariadb_engine)) is dialects.MySQL


def test_time_buckets_read_naive_timestamps_as_wall_clock_of_the_zone(other: sa.Engine) -> None:
    # 10 rows in each Berlin hour of 2026-11-26 (naive wall clock), none 14:00-15:00.
    base = dt.datetime(2026, 11, 26)
    rows = [
        {"id": h * 10 + i, "ts": base + dt.timedelta(hours=h, minutes=5 * i)}
        for h in range(24)
        if h != 14
        for i in range(10)
    ]
    create_table(other, "t", {"id": sa.Integer(), "ts": sa.DateTime()}, rows)
    check = dq.time_bucket_completeness(
        "ts",
        start="2026-11-25T23:00:00+00:00",
        end="2026-11-26T23:00:00+00:00",
        bucket="hour",
        timezone="Europe/Berlin",
    )
    (result,) = run(other, [check], now=NOW).results
    assert str(result.status) == "fail"
    assert result.observed["missing"] == ["2026-11-26T14:00:00+01:00"]
    assert result.observed["buckets"] == 24


def test_a_slow_duckdb_statement_times_out_as_a_retryable_error(duckdb_engine: sa.Engine) -> None:
    from airflow_dq.engines.sql import SqlEngine
    from airflow_dq.engines.sql.session import Limits, StatementTimeout
    from airflow_dq.suite import run_checks
    from tests.engines.test_timeouts import SLOW

    create_table(duckdb_engine, "t", {"x": sa.Integer()}, [(1,)])
    engine = SqlEngine(duckdb_engine, table="t", limits=Limits(statement_timeout=0.5))
    with pytest.raises(StatementTimeout, match=r"the custom statement took longer than statement_timeout=0\.5s"):
        run_checks(engine, [dq.row_count(min=1), dq.custom_sql(SLOW, min=0, name="slow")], now=NOW)
    # The connection is usable again, and the scan ran within its time.
    assert run_checks(SqlEngine(duckdb_engine, table="t"), [dq.row_count(min=1)], now=NOW).passed
