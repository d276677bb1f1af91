"""SQLite and PostgreSQL agree: same data, same suite, same statuses and metric values."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check
from airflow_dq.results import SuiteResult
from tests.checks.data import NOW, create_table, run

pytestmark = pytest.mark.postgres

COLUMNS = {
    "id": sa.Integer(),
    "user_id": sa.Integer(),
    "country": sa.String(3),
    "amount": sa.Float(),
    "price": sa.Numeric(12, 2),
    "email": sa.String(40),
    "ts": sa.DateTime(),
    "day": sa.Date(),
}


def _rows(seed: int = 7, n: int = 300) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": i if i % 50 else i - 1,  # a few duplicate ids
                "user_id": None if i % 17 == 0 else rng.randint(1, 40),
                "country": rng.choice(["US", "DE", "FR", "XX", None]),
                "amount": None if i % 23 == 0 else round(rng.gauss(1_000_000, 250), 2),
                "price": round(rng.uniform(0, 120), 2),
                "email": rng.choice([f"user{i}@example.com", f"user{i}@example", "nobody", None]),
                "ts": dt.datetime(2026, 11, 27, 3) + dt.timedelta(minutes=rng.randint(0, 600)),
                "day": dt.date(2026, 11, 1) + dt.timedelta(days=rng.randint(0, 40)),
            }
        )
    return rows


def _suite() -> list[Check]:
    return [
        dq.row_count(min=100),
        dq.not_null("user_id"),
        dq.not_null("country", mostly=0.75),
        dq.unique("id"),
        dq.unique(["user_id", "day"]),
        dq.accepted_values("country", ["US", "DE", "FR"]),
        dq.value_range("price", min=10, max=100, mostly=0.7),
        dq.value_range("day", max=dt.date(2026, 11, 30), strict_max=True, name="day_range"),
        dq.matches_regex("email", r"^[a-z0-9]+@[a-z]+\.[a-z]+$"),
        dq.length_between("email", min=6, max=20),
        dq.mean_between("amount", min=999_990, max=1_000_010),
        dq.mean_between("price", min=0, max=50, name="mean_price"),
        dq.stddev_between("amount", min=200, max=300),
        dq.stddev_between("price", max=10, name="stddev_price"),
        dq.references("user_id", "users", "id"),
        dq.freshness("ts", max_age=dt.timedelta(hours=4)),
        dq.row_condition("price < 100 OR country = 'US'"),
        dq.schema({c: None for c in COLUMNS}),
        dq.custom_sql("SELECT COUNT(*) FROM t WHERE price > 100", max=100, name="custom"),
    ]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _run_on(bind: sa.Engine) -> SuiteResult:
    create_table(bind, "users", {"id": sa.Integer()}, [(u,) for u in range(1, 36)])
    create_table(bind, "t", COLUMNS, _rows())
    return run(bind, _suite(), now=NOW, sample_size=1000)  # every offending row, to compare them all


def test_sqlite_and_postgres_give_the_same_results(sqlite_engine: sa.Engine, postgres_engine: sa.Engine) -> None:
    lite, pg = _run_on(sqlite_engine), _run_on(postgres_engine)

    assert [r.name for r in lite.results] == [r.name for r in pg.results]
    statuses = {r.name: r.status for r in lite.results}
    assert statuses == {r.name: r.status for r in pg.results}
    # the data has something to find: not every check passes
    assert 4 <= sum(s != "pass" for s in statuses.values()) <= len(statuses) - 4, statuses
    for a, b in zip(lite.results, pg.results, strict=True):
        assert _same(a.to_dict()["observed"], b.to_dict()["observed"]), (a.name, a.observed, b.observed)
        assert a.metrics.keys() == b.metrics.keys()
        for label in a.metrics:
            assert _same(a.to_dict()["metrics"][label], b.to_dict()["metrics"][label]), (a.name, label)
        assert a.expected == b.expected
        # the same offending rows, in the same JSON form (dates, timestamps, decimals)
        rows_a, rows_b = (
            sorted(json.dumps(row, sort_keys=True) for row in r.to_dict()["failing_rows"]) for r in (a, b)
        )
        assert rows_a == rows_b, a.name
