"""Side-by-side benchmark: completeness checks sharing GROUP BYs vs one query per check vs hand-written SQL.

Starts a throw-away PostgreSQL server, generates a day of events with a two-hour gap and a
vanished segment, and measures, interleaved round by round:

(a) ``run_checks`` with five completeness checks in ONE suite: three segment checks on
    ``country`` share one GROUP BY, one on (country, platform), one hourly bucket check;
(b) the same checks, each in its own suite (what a tool without sharing sends);
(c) hand-written SQL: the three GROUP BY queries an expert would write.

It prints the median time, the ratio to (c), the statements sent, and checks that (a) and
(c) find the same missing hours and vanished segments.

    .venv/bin/python benchmarks/bench_completeness.py --rows 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from airflow_dq.checks import segment_completeness, time_bucket_completeness  # noqa: E402
from airflow_dq.engines.sql import SqlEngine  # noqa: E402
from airflow_dq.suite import run_checks  # noqa: E402
from tests.pg_server import PostgresServer  # noqa: E402

DAY = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
COUNTRIES = ["US", "DE", "FR", "GB", "IN", "BR", "JP", "ES"]
PLATFORMS = ["ios", "android", "web"]


def load(engine: sa.Engine, rows: int) -> None:
    # Hours 14-15 are missing and JP vanished.
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS events")
        conn.exec_driver_sql(
            f"""
            CREATE TABLE events AS
            SELECT i AS id,
                   TIMESTAMP '2026-11-26 00:00:00' + mod(i, 86400) * INTERVAL '1 second' AS event_time,
                   (ARRAY{COUNTRIES!r})[1 + mod(i, {len(COUNTRIES)})] AS country,
                   (ARRAY{PLATFORMS!r})[1 + mod(i / 7, {len(PLATFORMS)})] AS platform
            FROM generate_series(1, {rows}) AS i
            """
        )
        conn.exec_driver_sql(
            "DELETE FROM events WHERE event_time >= '2026-11-26 14:00' AND event_time < '2026-11-26 16:00'"
        )
        conn.exec_driver_sql("DELETE FROM events WHERE country = 'JP'")
        conn.exec_driver_sql("ANALYZE events")


def checks() -> list:
    return [
        segment_completeness("country", COUNTRIES, name="all_countries"),
        segment_completeness("country", COUNTRIES, min_share=0.05, name="fair_share"),
        segment_completeness(
            "country", {c: 1 / len(COUNTRIES) for c in COUNTRIES}, min_share_ratio=0.5, name="not_shrunk"
        ),
        segment_completeness(["country", "platform"], [(c, p) for c in COUNTRIES for p in PLATFORMS], name="pairs"),
        time_bucket_completeness("event_time", start=DAY, end=DAY + dt.timedelta(days=1), name="hours"),
    ]


HAND_WRITTEN = [
    "SELECT country, COUNT(*) FROM events GROUP BY country",
    "SELECT country, platform, COUNT(*) FROM events GROUP BY country, platform",
    "SELECT date_trunc('hour', event_time), COUNT(*) FROM events "
    "WHERE event_time >= '2026-11-26' AND event_time < '2026-11-27' GROUP BY 1",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with PostgresServer() as server:
        engine = sa.create_engine(server.url)
        load(engine, args.rows)
        sent: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))

        def shared():
            return run_checks(SqlEngine(engine, table="events"), checks(), sample_size=0)

        def separate():
            return [run_checks(SqlEngine(engine, table="events"), [c], sample_size=0) for c in checks()]

        def hand():
            with engine.connect() as conn:
                return [conn.exec_driver_sql(q).all() for q in HAND_WRITTEN]

        approaches = {"(a) shared GROUP BYs": shared, "(b) one suite per check": separate, "(c) hand-written": hand}
        times: dict[str, list[float]] = {k: [] for k in approaches}
        statements: dict[str, int] = {}
        outcome = {}
        for _ in range(args.repeat):
            for label, fn in approaches.items():
                sent.clear()
                started = time.perf_counter()
                outcome[label] = fn()
                times[label].append(time.perf_counter() - started)
                statements[label] = sum(1 for s in sent if "pg_catalog" not in s and "information_schema" not in s)

        base = statistics.median(times["(c) hand-written"])
        print(f"{args.rows:,} rows, median of {args.repeat} rounds")
        for label in approaches:
            median = statistics.median(times[label])
            print(f"  {label:26s} {median * 1000:8.1f} ms  x{median / base:5.2f}  {statements[label]} statements")

        suite = outcome["(a) shared GROUP BYs"]
        by_name = {r.name: r.observed for r in suite.results}
        hours = {row[0].hour for row in outcome["(c) hand-written"][2]}
        expected_missing = [f"2026-11-26T{h:02d}:00:00+00:00" for h in range(24) if h not in hours]
        countries = {row[0] for row in outcome["(c) hand-written"][0]}
        assert by_name["hours"]["missing"] == expected_missing, by_name["hours"]
        assert by_name["all_countries"]["vanished"] == [repr(c) for c in COUNTRIES if c not in countries]
        print(f"  same findings: missing hours {expected_missing}, vanished {by_name['all_countries']['vanished']}")
        engine.dispose()


if __name__ == "__main__":
    main()
