"""One dataset, built twice: as SQL rows and as the DataFrame a pipeline would hold."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from typing import Any

import pandas as pd
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check

COLUMNS = {
    "id": sa.Integer(),
    "user_id": sa.Integer(),
    "country": sa.String(3),
    "amount": sa.Float(),
    "price": sa.Numeric(12, 2),
    "email": sa.String(40),
    "ts": sa.DateTime(),
    "day": sa.Date(),
    "flag": sa.Boolean(),
}

# pandas dtypes a pipeline would use for the same columns (nullable Int64 for integers with
# NULLs; Decimal and date objects stay object columns).
DTYPES = {"id": "Int64", "user_id": "Int64", "country": "str", "amount": "float64", "email": "str", "flag": "bool"}


def rows(seed: int = 7, n: int = 300) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "id": None if i % 61 == 5 else (i if i % 50 else i - 1),  # duplicates and a NULL
                "user_id": None if i % 17 == 0 else rng.randint(1, 40),
                "country": rng.choice(["US", "DE", "FR", "XX", "USA", None]),
                "amount": None if i % 23 == 0 else round(rng.gauss(1_000_000, 250), 2),
                "price": decimal.Decimal(str(round(rng.uniform(0, 120), 2))),
                "email": rng.choice([f"user{i}@example.com", f"user{i}@example", "nobody", None]),
                "ts": None if i % 41 == 3 else dt.datetime(2026, 11, 27, 3) + dt.timedelta(minutes=rng.randint(0, 600)),
                "day": dt.date(2026, 11, 1) + dt.timedelta(days=rng.randint(0, 40)),
                "flag": i % 3 == 0,
            }
        )
    return out


def frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(records)
    df = df.astype(DTYPES)
    df["ts"] = pd.to_datetime(df["ts"])  # None -> NaT
    df["amount"] = df["amount"].astype("float64")  # None -> NaN
    return df


def suite() -> list[Check]:
    """Every check that can run on a DataFrame, with passing and failing variants."""
    return [
        dq.row_count(min=100),
        dq.row_count(max=250, name="row_count_max"),
        dq.not_null("user_id"),
        dq.not_null("country", mostly=0.75),
        dq.not_null("day"),
        dq.not_null("amount", severity="warn"),
        dq.unique("id"),
        dq.unique(["user_id", "day"]),
        dq.unique("email", mostly=0.5),
        dq.accepted_values("country", ["US", "DE", "FR"]),
        dq.accepted_values("user_id", list(range(1, 41)), name="known_users"),
        dq.value_range("price", min=10, max=100, mostly=0.7),
        dq.value_range("day", max=dt.date(2026, 11, 30), strict_max=True, name="day_range"),
        dq.value_range("ts", min="2026-11-27 05:00:00", name="ts_range"),
        dq.value_range("amount", min=999_000, max=1_001_000, name="amount_range"),
        dq.value_range("user_id", min=1, max=30, strict_min=True, name="user_range", mostly=0.6),
        dq.matches_regex("email", r"^[a-z0-9]+@[a-z]+\.[a-z]+$"),
        dq.matches_regex("user_id", r"^[1-3]", name="user_digits", mostly=0.3),
        dq.matches_regex("id", r"^[0-9]{1,2}$", name="id_text"),
        dq.length_between("email", min=6, max=20),
        dq.length_between("country", min=2, max=2, name="country_len"),
        dq.length_between("id", max=2, name="id_len", mostly=0.3),
        dq.mean_between("amount", min=999_990, max=1_000_010),
        dq.mean_between("price", min=0, max=50, name="mean_price"),
        dq.mean_between("user_id", min=15, max=25, name="mean_user"),
        dq.stddev_between("amount", min=200, max=300),
        dq.stddev_between("price", max=10, name="stddev_price"),
        dq.stddev_between("user_id", min=5, max=20, name="stddev_user"),
        dq.freshness("ts", max_age=dt.timedelta(hours=4)),
        dq.freshness("ts", max_age=dt.timedelta(hours=2), name="fresh_2h"),
        dq.schema(
            {
                "id": "integer",
                "user_id": "integer",
                "country": "string",
                "amount": "float",
                "price": "number",
                "email": "string",
                "ts": "timestamp",
                "day": "date",
                "flag": "boolean",
            }
        ),
        dq.schema({"id": "string", "missing_col": None}, allow_extra=True, name="schema_wrong"),
    ]
