"""Drift against a pinned run's stored profile vs against a table, and the cost of recording.

Two tables of ``--rows`` rows each on a throw-away PostgreSQL server (a reference and a
batch whose ``amount`` moved), three columns checked. Side by side:

- ``table, no record``: ``drift(..., reference={"table": ...}, record_profile=False)``, the
  behaviour before profiles were recorded;
- ``table + record``: the default, which also measures the batch's own profile for the
  history store (one more histogram query, one top-categories query per categorical column);
- ``pinned profile``: the reference's profile was recorded once; the check reads it from the
  store and bins the batch on its edges (the reference table is not read).

    .venv/bin/python benchmarks/bench_drift_stored_profile.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from airflow_dq.checks import drift, stored_profile  # noqa: E402
from airflow_dq.engines.sql import SqlEngine  # noqa: E402
from airflow_dq.store import MetricStore, RunKey  # noqa: E402
from airflow_dq.suite import run_checks  # noqa: E402
from benchmarks.bench_drift_pushdown import COLUMNS, load  # noqa: E402
from tests.pg_server import PostgresServer  # noqa: E402

DAY = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with PostgresServer() as server:
        engine = sa.create_engine(server.url)
        load(engine, args.rows)
        store = MetricStore(sa.create_engine("sqlite://"))
        # The pinned run: the reference table checked once, its own profile recorded.
        baseline = drift(COLUMNS, reference={"table": "batch"}, name="amounts")
        store.record(RunKey("etl", "gate", "good", DAY), run_checks(SqlEngine(engine, table="reference"), [baseline]))

        def reader(pin):
            return store.profile("etl", "gate", pin.check_name, run_id=pin.run_id)

        ways = {
            "table, no record": (drift(COLUMNS, reference={"table": "reference"}, record_profile=False), None),
            "table + record": (drift(COLUMNS, reference={"table": "reference"}), None),
            "pinned profile": (drift(COLUMNS, reference=stored_profile(run_id="good"), name="amounts"), reader),
        }
        outcome = {}
        for name, (check, profiles) in ways.items():
            best, statements = float("inf"), Counter()
            for _ in range(args.repeat):
                sql = SqlEngine(engine, table="batch")
                started = time.perf_counter()
                result = run_checks(sql, [check], profiles=profiles).results[0]
                best = min(best, time.perf_counter() - started)
                statements = sql.statements
            outcome[name] = (result, best, sum(statements.values()))
        engine.dispose()

    print(f"drift of {len(COLUMNS)} columns, two PostgreSQL tables of {args.rows:,} rows (best of {args.repeat})\n")
    print(f"{'':<18}{'verdict':>9}{'drifted':>10}{'seconds':>9}{'statements':>12}")
    for name, (result, seconds, statements) in outcome.items():
        drifted = ",".join(result.observed["drifted_columns"]) or "-"
        print(f"{name:<18}{result.status.value:>9}{drifted:>10}{seconds:>9.2f}{statements:>12}")
    base = outcome["table, no record"][1]
    print(
        f"\nrecording the batch's profile: {outcome['table + record'][1] / base:.2f}x the time; "
        f"pinned profile instead of the table: {outcome['pinned profile'][1] / base:.2f}x"
    )


if __name__ == "__main__":
    main()
