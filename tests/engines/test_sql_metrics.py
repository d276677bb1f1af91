"""Metric values the SQL engine reads back: precise, and typed the same on every database."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
import sqlalchemy as sa

from airflow_dq.engines.sql import SqlEngine
from airflow_dq.metrics import Maximum, Mean, Minimum, StdDev
from tests.checks.data import create_table


@pytest.mark.parametrize("offset", [0.0, 1e6, 1e8, 1e10])
def test_stddev_is_precise_for_large_values(db: sa.Engine, offset: float) -> None:
    # SQLite has no STDDEV: a naive sum of squares returned 0 for values near 1e8.
    values = [None if v is None else offset + v for v in (1.0, 2.0, 3.0, 4.0, 5.5, None)]
    create_table(db, "t", {"x": sa.Float()}, [(v,) for v in values])
    engine = SqlEngine(db, table="t")
    engine.column_types()

    got = engine.compute([StdDev("x"), Mean("x")])

    expected = statistics.stdev(v for v in values if v is not None)
    assert got[StdDev("x")] == pytest.approx(expected, rel=1e-6)
    assert got[Mean("x")] == pytest.approx(offset + 3.1, rel=1e-12)


def test_stddev_shift_works_with_filters_and_query_datasets(db: sa.Engine) -> None:
    create_table(db, "t", {"g": sa.Integer(), "x": sa.Integer()}, [(1, 10**9 + i) for i in range(4)] + [(2, 7)])
    filtered = SqlEngine(db, table="t", where="g = 1")
    query = SqlEngine(db, query="SELECT x FROM t WHERE g = 1")
    for engine in (filtered, query):
        engine.column_types()
        assert engine.compute([StdDev("x")])[StdDev("x")] == pytest.approx(statistics.stdev(range(4)), rel=1e-9)


def test_min_and_max_of_dates_and_timestamps_are_typed(db: sa.Engine) -> None:
    rows = [
        (dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4, 5, 600000), "b"),
        (dt.date(2025, 12, 31), dt.datetime(2025, 12, 31, 23, 59), "a"),
        (None, None, None),
    ]
    create_table(db, "t", {"day": sa.Date(), "ts": sa.DateTime(), "s": sa.String(3)}, rows)
    engine = SqlEngine(db, table="t")
    engine.column_types()

    got = engine.compute([Minimum("day"), Maximum("day"), Minimum("ts"), Maximum("ts"), Maximum("s")])

    assert got[Minimum("day")] == dt.date(2025, 12, 31)
    assert got[Maximum("day")] == dt.date(2026, 1, 2)
    assert got[Minimum("ts")] == dt.datetime(2025, 12, 31, 23, 59)
    assert got[Maximum("ts")] == dt.datetime(2026, 1, 2, 3, 4, 5, 600000)
    assert got[Maximum("s")] == "b"


def test_unparseable_text_in_a_sqlite_datetime_column_is_kept(sqlite_engine: sa.Engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (ts DATETIME)")
        conn.exec_driver_sql("INSERT INTO t VALUES ('2026-01-01 10:00:00'), ('zz not a date')")
    engine = SqlEngine(sqlite_engine, table="t")
    engine.column_types()
    assert engine.compute([Maximum("ts")])[Maximum("ts")] == "zz not a date"
