"""How fast the Data Quality pages read the history store, side by side with plain reads.

Fills a store (SQLite file, or ``--url`` for any SQLAlchemy database) with a year of
daily runs of many DAGs through ``MetricStore.record`` (as the tasks do), then times, in
interleaved rounds:

(a) the overview query (latest result + last 20 runs of every check) vs reading the whole
    results table once (the least any "latest per check" answer can cost without an index);
(b) one check's page (120 runs with their metrics) vs the store's own ``history()`` read
    of the same check (what an anomaly check reads);
(c) one task run's results.

    .venv/bin/python benchmarks/bench_ui_queries.py --dags 20 --checks 10 --days 365
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from airflow_dq.results import CheckResult, Severity, Status, SuiteResult  # noqa: E402
from airflow_dq.store import MetricStore, RunKey  # noqa: E402
from airflow_dq.store.schema import RESULTS  # noqa: E402

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def fill(store: MetricStore, dags: int, checks: int, days: int) -> int:
    for day in range(days):
        at = START + dt.timedelta(days=day)
        for d in range(dags):
            results = [
                CheckResult(
                    name=f"check_{c}",
                    check_type="row_count",
                    severity=Severity.ERROR,
                    status=Status.FAIL if (day + c) % 17 == 0 else Status.PASS,
                    expected="row count >= 100",
                    observed=1000 + (day * 7 + c) % 50,
                    message="ok",
                    metrics={"row_count": 1000 + (day * 7 + c) % 50, f"null_count(col_{c})": c},
                )
                for c in range(checks)
            ]
            key = RunKey(f"dag_{d}", "validate", f"scheduled__{at.isoformat()}", at)
            store.record(key, SuiteResult(f"table t_{d}", results), now=at)
    return dags * checks * days


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dags", type=int, default=20)
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="SQLAlchemy URL of an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="dq-bench-ui-"))
    if args.url:
        os.environ["AIRFLOW_CONN_DQ_BENCH_STORE"] = args.url
        os.environ["AIRFLOW__DATA_QUALITY__STORE_CONN_ID"] = "dq_bench_store"
    else:
        os.environ["AIRFLOW__DATA_QUALITY__STORE_PATH"] = str(workdir / "history.db")
    os.environ["AIRFLOW__DATA_QUALITY__RETENTION_DAYS"] = "0"

    from airflow_dq.ui import queries  # the pages' own store, opened from the settings above
    from airflow_dq.ui.model import CheckKey

    store = queries._store()
    clock = time.perf_counter()
    rows = fill(store, args.dags, args.checks, args.days)
    print(f"store: {store.engine.url.get_backend_name()}, {rows:,} results in {time.perf_counter() - clock:.1f}s")

    dag_ids = {f"dag_{d}" for d in range(args.dags)}
    last = START + dt.timedelta(days=args.days - 1)
    key = CheckKey("dag_0", "validate", -1, "check_3")

    def full_scan() -> None:
        with store.engine.connect() as conn:
            conn.execute(sa.select(RESULTS)).all()

    pairs = {
        "overview (latest + 20 runs of every check)": (
            lambda: queries.latest_summaries(dag_ids, recent=20),
            full_scan,
            "read whole results table",
        ),
        "check page (120 runs + metrics)": (
            lambda: queries.check_history(key, limit=120),
            lambda: store.history("dag_0", "validate", -1, "check_3", before=last + dt.timedelta(days=1), runs=120),
            "store.history() same check",
        ),
        "task run (one run's results)": (
            lambda: queries.task_run_results("dag_0", f"scheduled__{last.isoformat()}", "validate", -1),
            lambda: queries.task_run_results("dag_0", f"scheduled__{last.isoformat()}", "validate", -1),
            "same (no baseline)",
        ),
    }
    assert len(queries.latest_summaries(dag_ids, recent=20)) == args.dags * args.checks
    for name, (ours, base, base_name) in pairs.items():
        a, b = [], []
        for _ in range(args.repeat):  # interleaved: load from other processes hits both
            a += timed(ours, 1)
            b += timed(base, 1)
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{name:45s} {ma * 1000:8.1f} ms   {base_name}: {mb * 1000:8.1f} ms   ratio {ma / mb:5.2f}")


if __name__ == "__main__":
    main()
