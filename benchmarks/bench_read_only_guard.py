"""Side-by-side benchmark: what the read-only, time-bounded session (issue 11) costs a suite.

The same suite (benchmarks/suite_spec.py) on the same PostgreSQL table, run two ways,
interleaved round by round so that load from other processes hits both alike:

(a) ``run_checks`` with ``SqlEngine`` as shipped: every transaction read-only, with a
    statement timeout and a watchdog thread per statement (``engines/sql/session.py``);
(b) the same with the guard switched off (``session.guard`` replaced by the identity).

A small table shows the fixed cost (the session settings are one round trip per
transaction); a large one shows it against a real scan. Prints medians and the ratio a/b.

    .venv/bin/python benchmarks/bench_read_only_guard.py --rows 1000 200000 --repeat 9
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import sqlalchemy as sa  # noqa: E402
from suite_spec import TABLE, create_table_sql, suite  # noqa: E402

import airflow_dq.engines.sql.engine as engine_module  # noqa: E402
from airflow_dq.engines.sql.engine import SqlEngine  # noqa: E402
from airflow_dq.suite import run_checks  # noqa: E402
from tests.pg_server import PostgresServer  # noqa: E402


def _run(bind: sa.Engine, checks: list, guarded: bool) -> tuple[float, dict[str, int], list[str]]:
    shipped = engine_module.guard
    if not guarded:
        engine_module.guard = lambda bind, *args, **kwargs: bind
    try:
        started = time.perf_counter()
        result = run_checks(SqlEngine(bind, table=TABLE), checks, sample_size=0)
        return time.perf_counter() - started, result.statements, [r.status for r in result.results]
    finally:
        engine_module.guard = shipped


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 200_000])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with PostgresServer() as server:
        bind = sa.create_engine(server.url)
        print(f"{'rows':>9}  {'guarded (a)':>12}  {'unguarded (b)':>14}  {'a/b':>6}  statements")
        for rows in args.rows:
            with bind.begin() as conn:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
                conn.exec_driver_sql(create_table_sql(rows))
                conn.exec_driver_sql(f"ANALYZE {TABLE}")
            checks = [spec.check for spec in suite(rows)]
            _run(bind, checks, True)  # warm the pool and the server's caches
            times: dict[bool, list[float]] = {True: [], False: []}
            verdicts = {}
            for _ in range(args.repeat):
                for guarded in (True, False):
                    seconds, statements, statuses = _run(bind, checks, guarded)
                    times[guarded].append(seconds)
                    verdicts[guarded] = statuses
            assert verdicts[True] == verdicts[False], "the guard changed a verdict"
            a, b = statistics.median(times[True]), statistics.median(times[False])
            print(f"{rows:>9,}  {a * 1000:>10.1f}ms  {b * 1000:>12.1f}ms  {a / b:>6.2f}  {statements}")
        bind.dispose()


if __name__ == "__main__":
    main()
