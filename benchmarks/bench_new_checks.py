"""Benchmark: what the checks of issue 13 add to the one scan, per engine.

    .venv/bin/python benchmarks/bench_new_checks.py                 # 300,000 rows, 3 rounds
    .venv/bin/python benchmarks/bench_new_checks.py --rows 1000000 --no-postgres

Prints, measured side by side in one run (rounds interleaved), the time of a base suite
(row_count, not_null, value_range, mean_between) and of the base suite plus each family
of new checks, as a ratio to the base suite, on SQLite, PostgreSQL (a throw-away server,
``tests/pg_server.py``) and a pandas DataFrame:

- aggregates: sum_between, distinct_count/ratio, forbidden_values, is_null, column_pair;
- quantiles: quantile_between (p90) + median_between (SQLite: ordered sub-selects);
- order: monotonic (a lag() window in a sub-select);
- the same quantile as its own custom_sql query, the alternative before this issue
  (SQL only): what sharing the scan saves.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_dq import checks as dq
from airflow_dq.engines.pandas import check_dataframe
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.suite import run_checks

NOW = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)


def make_frame(rows: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = rng.gamma(2.0, 50.0, rows)
    amount[rng.random(rows) < 0.02] = np.nan
    ordered = pd.Timestamp("2026-11-27") + pd.to_timedelta(np.arange(rows), unit="s")
    return pd.DataFrame(
        {
            "seq": np.arange(rows, dtype="int64"),
            "user_id": rng.integers(1, rows // 10 + 2, rows),
            "country": pd.Series(np.array(["US", "DE", "FR", "GB", "XX"])[rng.integers(0, 5, rows)], dtype="str"),
            "amount": amount,
            "ordered_at": ordered,
            "shipped_at": ordered + pd.to_timedelta(rng.integers(-60, 86_400, rows), unit="s"),
        }
    )


def suites() -> dict[str, list]:
    base = [
        dq.row_count(min=1),
        dq.not_null("user_id"),
        dq.value_range("amount", min=0, max=10_000),
        dq.mean_between("amount", min=0, max=1_000),
    ]
    return {
        "base (4 checks)": base,
        "+ aggregates (6)": [
            *base,
            dq.sum_between("amount", min=0),
            dq.distinct_count_between("user_id", min=1),
            dq.distinct_ratio_between("user_id", max=1),
            dq.forbidden_values("country", ["XX"], mostly=0.5),
            dq.is_null("amount", mostly=0.01),
            dq.column_pair("shipped_at", ">=", "ordered_at", mostly=0.9),
        ],
        "+ quantiles (2)": [
            *base,
            dq.quantile_between("amount", 0.9, max=10000),
            dq.median_between("amount", max=10000),
        ],
        "+ monotonic (1)": [*base, dq.monotonic("seq", order_by="ordered_at", strictly=True)],
    }


def _timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def bench(name: str, runners: dict[str, Callable[[], Any]], repeat: int) -> None:
    times: dict[str, list[float]] = {label: [] for label in runners}
    labels = list(runners)
    for round_no in range(repeat):  # interleaved, order rotated per round
        for label in labels[round_no % len(labels) :] + labels[: round_no % len(labels)]:
            times[label].append(_timed(runners[label]))
    base = statistics.median(times[labels[0]])
    print(f"\n{name}")
    for label in labels:
        median = statistics.median(times[label])
        print(f"  {label:<34} {median * 1000:9.1f} ms   x{median / base:5.2f}")


def sql_runners(bind: sa.Engine) -> dict[str, Callable[[], Any]]:
    runners: dict[str, Callable[[], Any]] = {
        label: (lambda checks=checks: run_checks(SqlEngine(bind, table="t"), checks, now=NOW, sample_size=0))
        for label, checks in suites().items()
    }
    base = suites()["base (4 checks)"]
    # Before this issue: the p90 as its own query (exact on PostgreSQL; on SQLite via OFFSET).
    if bind.dialect.name == "postgresql":
        p90 = "SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY amount) FROM t"
    else:
        p90 = (
            "SELECT amount FROM t WHERE amount IS NOT NULL ORDER BY amount LIMIT 1 OFFSET "
            "(SELECT CAST((count(amount) - 1) * 0.9 AS INTEGER) FROM t)"
        )
    runners["base + p90 as custom_sql (its own query)"] = lambda: run_checks(
        SqlEngine(bind, table="t"), [*base, dq.custom_sql(p90, max=10_000, name="p90")], now=NOW, sample_size=0
    )
    return runners


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    frame = make_frame(args.rows)
    print(f"{args.rows:,} rows, median of {args.repeat} interleaved rounds; ratio to the base suite")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = sa.create_engine(f"sqlite:///{folder}/bench.db")
        frame.to_sql("t", sqlite, index=False, chunksize=50_000)
        bench("SQLite", sql_runners(sqlite), args.repeat)
        sqlite.dispose()

    if not args.no_postgres:
        from tests.pg_server import PostgresServer

        server = PostgresServer()
        try:
            bind = sa.create_engine(server.start())
            frame.to_sql("t", bind, index=False, chunksize=50_000)
            with bind.begin() as conn:
                conn.exec_driver_sql("ANALYZE t")
            bench("PostgreSQL", sql_runners(bind), args.repeat)
            bind.dispose()
        finally:
            server.stop()

    bench(
        "pandas (DataFrame in memory)",
        {label: (lambda checks=checks: check_dataframe(frame, checks, now=NOW)) for label, checks in suites().items()},
        args.repeat,
    )


if __name__ == "__main__":
    main()
