"""Drift check on a large SQL table: histograms pushed down vs pulling the columns into pandas.

Two tables of ``--rows`` rows each on a throw-away PostgreSQL server (a reference and a
batch whose ``amount`` moved), three columns checked (two numeric, one categorical):

- ``pushdown``: ``drift(...)`` through ``SqlEngine``: bounded samples, the reference's top
  categories, and ONE histogram SELECT per table; a few thousand values reach Python;
- ``pull``: what one writes without it: ``pandas.read_sql`` of both tables' columns, then
  the same check on the DataFrames (``check_dataframe``).

Both give the same verdict; the benchmark prints wall time, the Python heap peak
(tracemalloc, measured in a second run) and the rows that crossed the wire, side by side.

    .venv/bin/python benchmarks/bench_drift_pushdown.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from airflow_dq.checks import drift  # noqa: E402
from airflow_dq.engines.pandas import check_dataframe  # noqa: E402
from airflow_dq.engines.sql import SqlEngine  # noqa: E402
from airflow_dq.suite import run_checks  # noqa: E402
from tests.pg_server import PostgresServer  # noqa: E402

COLUMNS = ["amount", "quantity", "country"]


def load(engine: sa.Engine, rows: int) -> None:
    with engine.begin() as conn:
        for table, shift in (("reference", 0.0), ("batch", 0.15)):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
            conn.exec_driver_sql(
                f"""
                CREATE TABLE {table} AS
                SELECT i AS id,
                       exp(3 + {shift} + 0.5 * sqrt(-2 * ln(random())) * cos(2 * pi() * random())) AS amount,
                       floor(random() * 10)::int AS quantity,
                       (ARRAY['US','DE','FR','GB','IN','BR','JP','ES'])[1 + floor(random() * 8)::int] AS country
                FROM generate_series(1, {rows}) AS i
                """
            )
            conn.exec_driver_sql(f"ANALYZE {table}")


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def heap_peak(fn) -> int:
    # A separate run: tracemalloc slows every allocation, so it never runs while timing.
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    with PostgresServer() as server:
        engine = sa.create_engine(server.url)
        load(engine, args.rows)
        fetched = {"rows": 0}

        @sa.event.listens_for(engine, "after_cursor_execute")
        def count_rows(conn, cursor, statement, parameters, context, executemany):
            fetched["rows"] += max(cursor.rowcount, 0) if cursor.description else 0

        def pushdown():
            check = drift(COLUMNS, reference={"table": "reference"})
            return run_checks(SqlEngine(engine, table="batch"), [check]).results[0]

        def pull():
            select = f"SELECT {', '.join(COLUMNS)} FROM "
            reference = pd.read_sql(select + "reference", engine)
            batch = pd.read_sql(select + "batch", engine)
            return check_dataframe(batch, [drift(COLUMNS, reference=reference)]).results[0]

        import scipy.stats  # noqa: F401 - both ways use scipy: import it before timing either

        rows, outcome = {}, {}
        for name, fn in (("pushdown", pushdown), ("pull", pull)):
            fetched["rows"] = 0
            result, seconds = timed(fn)
            rows[name] = fetched["rows"]
            outcome[name] = (result, seconds, heap_peak(fn))
        engine.dispose()

    print(f"drift of {len(COLUMNS)} columns, two PostgreSQL tables of {args.rows:,} rows each\n")
    print(f"{'':<10}{'verdict':>9}{'drifted':>22}{'seconds':>9}{'heap peak MB':>14}{'rows fetched':>14}")
    for name, (result, seconds, peak) in outcome.items():
        drifted = ",".join(result.observed["drifted_columns"]) or "-"
        print(f"{name:<10}{result.status.value:>9}{drifted:>22}{seconds:>9.2f}{peak / 2**20:>14.1f}{rows[name]:>14,}")
    (_, push_s, push_mem), (_, pull_s, pull_mem) = outcome["pushdown"], outcome["pull"]
    print(f"\npull / pushdown: {pull_s / push_s:.1f}x the time, {pull_mem / max(push_mem, 1):.0f}x the heap")


if __name__ == "__main__":
    main()
