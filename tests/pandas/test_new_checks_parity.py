"""The checks of issue 13 agree on SQLite, PostgreSQL and pandas (in memory, CSV and
Parquet read in chunks): same statuses, observed values and metrics; and SQL measures them
inside the one scan."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check
from airflow_dq.engines.pandas import check_dataframe
from airflow_dq.results import SuiteResult
from tests.checks.data import NOW, create_table, run, statement_log
from tests.pandas.test_parity import _same

COLUMNS = {
    "seq": sa.Integer(),
    "user_id": sa.Integer(),
    "country": sa.String(3),
    "amount": sa.Float(),
    "price": sa.Numeric(12, 2),
    "label": sa.Boolean(),
    "legacy": sa.String(5),
    "ordered_at": sa.DateTime(),
    "shipped_at": sa.DateTime(),
    "loaded_id": sa.Integer(),
}
DTYPES = {"seq": "int64", "user_id": "Int64", "country": "str", "amount": "float64", "label": "bool", "legacy": "str"}


def rows(n: int = 240, seed: int = 13) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ordered = dt.datetime(2026, 11, 27) + dt.timedelta(minutes=7 * i)
        out.append(
            {
                "seq": i,
                "user_id": None if i % 19 == 0 else rng.randint(1, 60),
                "country": rng.choice(["US", "DE", "FR", "XX", "USA", None]),
                "amount": None if i % 23 == 0 else round(rng.gauss(500, 120), 2),
                "price": decimal.Decimal(str(round(rng.uniform(0, 120), 2))),
                "label": i % 4 == 0,
                "legacy": "x" if i % 60 == 7 else None,
                "ordered_at": ordered,
                # NULL: not shipped yet; every 31st is shipped before it was ordered
                "shipped_at": None
                if i % 13 == 0
                else ordered + dt.timedelta(hours=-2 if i % 31 == 0 else rng.randint(1, 48)),
                # increasing with seq, except two rows that went back
                "loaded_id": i * 10 - (15 if i in (50, 170) else 0) if i % 29 else None,
            }
        )
    return out


def frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(records).astype(DTYPES)
    for column in ("ordered_at", "shipped_at"):
        df[column] = pd.to_datetime(df[column])
    df["loaded_id"] = df["loaded_id"].astype("Int64")
    return df


def suite() -> list[Check]:
    return [
        dq.sum_between("amount", min=100_000, max=120_000),
        dq.sum_between("label", min=60, max=60, name="label_sum"),  # booleans sum as 0/1
        dq.sum_between("price", max=10_000, name="price_sum"),
        dq.mean_between("label", min=0.25, max=0.25, name="positive_rate"),
        dq.stddev_between("label", min=0.4, max=0.5, name="label_spread"),
        dq.quantile_between("amount", 0.9, min=600, max=700),
        dq.quantile_between("amount", 0.1, max=300, name="amount_p10"),
        dq.quantile_between("price", 0.25, min=20, max=40, name="price_p25"),
        dq.median_between("user_id", min=25, max=35),
        dq.quantile_between("seq", 1.0, min=239, max=239, name="seq_max"),
        dq.quantile_between("label", 0.5, max=0, name="label_median"),
        dq.distinct_count_between("country", min=5, max=5),
        dq.distinct_count_between("user_id", max=40, name="few_users"),
        dq.distinct_ratio_between("seq", min=1, max=1),
        dq.distinct_ratio_between("user_id", min=0.5, name="user_ratio"),
        dq.forbidden_values("country", ["XX", "USA"]),
        dq.forbidden_values("user_id", [1000, 2000], name="no_test_users"),
        dq.is_null("legacy"),
        dq.is_null("legacy", mostly=0.9, name="mostly_null_legacy"),
        dq.column_pair("shipped_at", ">=", "ordered_at"),
        dq.column_pair("shipped_at", ">=", "ordered_at", mostly=0.85, name="shipped_mostly"),
        dq.column_pair("seq", "!=", "user_id", name="seq_not_user"),
        dq.column_pair("amount", "<", "seq", mostly=0.1, name="amount_below_seq"),
        dq.monotonic("seq", order_by="ordered_at", strictly=True),
        dq.monotonic("loaded_id", order_by="seq", name="loaded_in_order"),
        dq.monotonic("loaded_id", order_by="seq", mostly=0.99, name="loaded_mostly"),
        dq.monotonic("seq", order_by="ordered_at", direction="decreasing", name="seq_down"),
        dq.unique("country", count="all", mostly=0.5, name="country_all"),
        dq.unique("legacy", ignore_nulls=False, name="legacy_with_nulls"),
        dq.unique(["label", "legacy"], ignore_nulls=False, count="all", mostly=0.1, name="pair_all"),
        dq.row_count(min=240, max=240, strict_max=True, name="row_count_strict"),
        dq.column_count(min=10, max=10),
        dq.column_count(max=5, name="narrow"),
        dq.schema({"seq": "integer", "user_id": "integer", "legacy": None}, allow_extra=True, ordered=True),
        dq.schema({"user_id": None, "seq": None}, allow_extra=True, ordered=True, name="schema_order"),
        dq.value_range("ordered_at", min="2026-11-27T06:00:00+00:00", name="ordered_after"),
    ]


EXPECTED = {  # verdicts worked out by hand from the data above
    "label_sum": "pass",
    "positive_rate": "pass",
    "seq_max": "pass",
    "label_median": "pass",
    "distinct_count_between(country)": "pass",
    "distinct_ratio_between(seq)": "pass",
    "forbidden_values(country)": "fail",
    "no_test_users": "pass",
    "is_null(legacy)": "fail",
    "mostly_null_legacy": "pass",
    "column_pair(shipped_at >= ordered_at)": "fail",
    "shipped_mostly": "pass",
    "seq_not_user": "fail",
    "monotonic(seq, ordered_at)": "pass",
    "loaded_in_order": "fail",
    "loaded_mostly": "pass",
    "seq_down": "fail",
    "legacy_with_nulls": "fail",
    "row_count_strict": "fail",
    "column_count": "pass",
    "narrow": "fail",
    "schema": "pass",
    "schema_order": "fail",
    "ordered_after": "fail",
}


def _pandas_run(how: str, tmp_path: Path) -> SuiteResult:
    df = frame(rows())
    if how == "frame":
        return check_dataframe(df, suite(), now=NOW)
    if how == "csv_chunks":
        path = tmp_path / "t.csv"
        df.to_csv(path, index=False)
        options = {
            "dtype": {**DTYPES, "price": "float64", "loaded_id": "Int64"},
            "parse_dates": ["ordered_at", "shipped_at"],
        }
        return check_dataframe(path, suite(), now=NOW, chunksize=37, read_options=options)
    path = tmp_path / "t.parquet"
    df.to_parquet(path)
    return check_dataframe(path, suite(), now=NOW, chunksize=37)


@pytest.mark.parametrize("how", ["frame", "csv_chunks", "parquet_chunks"])
def test_new_checks_agree_on_every_engine(db: sa.Engine, how: str, tmp_path: Path) -> None:
    create_table(db, "t", COLUMNS, rows())
    sql = run(db, suite(), now=NOW)
    pandas = _pandas_run(how, tmp_path)

    statuses = {r.name: str(r.status) for r in sql.results}
    assert "error" not in statuses.values(), [r.message for r in sql.results if r.status == "error"]
    for name, status in EXPECTED.items():
        assert statuses[name] == status, (name, statuses[name], next(r.message for r in sql.results if r.name == name))
    for a, b in zip(sql.results, pandas.results, strict=True):
        assert (a.name, str(a.status)) == (b.name, str(b.status)), (a.message, b.message)
        assert _same(a.observed, b.observed) or (isinstance(a.observed, dict) and a.observed == b.observed), (
            a.name,
            a.observed,
            b.observed,
        )
        assert a.metrics.keys() == b.metrics.keys()
        for label in a.metrics:
            assert _same(a.metrics[label], b.metrics[label]), (a.name, label, a.metrics[label], b.metrics[label])
        assert a.expected == b.expected
        assert len(a.failing_rows) == len(b.failing_rows), (a.name, a.failing_rows, b.failing_rows)


def test_hand_computed_values(db: sa.Engine) -> None:
    """The values themselves, against Python's own arithmetic on the same rows."""
    records = rows()
    create_table(db, "t", COLUMNS, records)
    results = {r.name: r for r in run(db, suite(), now=NOW).results}
    amounts = sorted(r["amount"] for r in records if r["amount"] is not None)
    position = 0.9 * (len(amounts) - 1)
    low = math.floor(position)
    p90 = amounts[low] + (position - low) * (amounts[low + 1] - amounts[low])
    assert math.isclose(results["quantile_between(amount)"].observed, p90, rel_tol=1e-12)
    assert math.isclose(results["sum_between(amount)"].observed, sum(amounts), rel_tol=1e-12)
    assert results["label_sum"].observed == 60
    assert results["distinct_count_between(country)"].observed == 5
    bad_pairs = sum(1 for r in records if r["shipped_at"] is None or r["shipped_at"] < r["ordered_at"])
    assert results["column_pair(shipped_at >= ordered_at)"].observed == bad_pairs
    assert results["loaded_in_order"].observed == 2
    assert results["is_null(legacy)"].observed == 4
    assert results["country_all"].observed == sum(1 for r in records if r["country"] is not None)
    # legacy: 236 NULLs and 4 "x" are two repeated keys: 235 + 3 surplus rows
    assert results["legacy_with_nulls"].observed == 238


def test_failure_samples_show_the_same_rows(db: sa.Engine) -> None:
    create_table(db, "t", COLUMNS, rows())
    names = ("forbidden_values(country)", "is_null(legacy)", "column_pair(shipped_at >= ordered_at)", "seq_not_user")
    sql = {r.name: r for r in run(db, suite(), now=NOW, sample_size=3).results}
    frame = {r.name: r for r in check_dataframe(frame_of_rows(), suite(), now=NOW, sample_size=3).results}
    for name in names:
        assert len(sql[name].failing_rows) == 3, name
        assert [r["seq"] for r in sql[name].failing_rows] == [r["seq"] for r in frame[name].failing_rows], name
    assert sql["is_null(legacy)"].failing_rows[0]["legacy"] == "x"


def frame_of_rows() -> pd.DataFrame:
    return frame(rows())


def test_column_pair_of_incomparable_types_errors_alone(db: sa.Engine) -> None:
    create_table(db, "t", COLUMNS, rows())
    checks = [dq.column_pair("seq", "<", "country"), dq.row_count(min=1)]
    for results in (run(db, checks, now=NOW).results, check_dataframe(frame_of_rows(), checks, now=NOW).results):
        assert [str(r.status) for r in results] == ["error", "pass"]
        assert "'seq' is integer, 'country' is string" in results[0].message


def test_new_checks_share_the_one_scan(db: sa.Engine) -> None:
    create_table(db, "t", COLUMNS, rows())
    checks = [c for c in suite() if c.check_type not in ("schema", "column_count")]
    with statement_log(db) as log:
        result = run(db, checks, now=NOW, sample_size=0)
    assert log.counts()["data"] == 1, log.of("data")
    assert result.statements["data"] == 1


def test_where_filter_applies_inside_the_sub_selects(db: sa.Engine) -> None:
    """Quantiles without percentile_cont and order checks read sub-selects: the dataset's
    filter must narrow them too."""
    create_table(db, "t", COLUMNS, rows())
    checks = [dq.quantile_between("seq", 0.5, min=0), dq.monotonic("loaded_id", order_by="seq")]
    results = {r.name: r for r in run(db, checks, now=NOW, where="seq < 100").results}
    assert results["quantile_between(seq)"].observed == 49.5
    assert results["monotonic(loaded_id, seq)"].observed == 1  # only the break at seq 50
