"""Incremental metrics on a partitioned, append-only table, on real SQLite and PostgreSQL.

Whole-table values merged from per-partition states kept in a real history store must equal
a full scan's; after the first run only new partitions are read. The proof that old
partitions are not read again: a row slipped into an old partition behind the engine's back
(breaking the append-only promise) stays invisible until that partition is rescanned.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.engines.sql.incremental import IncrementalSqlEngine
from airflow_dq.metrics import Maximum, Mean, Minimum, NullCount, RowCount, StdDev
from airflow_dq.metrics.sketches import ApproxDistinctCount
from airflow_dq.store import MetricStore, RunKey
from airflow_dq.store.partition_states import PartitionStates
from airflow_dq.suite import run_checks
from tests.checks.data import NOW, create_table, statement_log

FIRST = dt.date(2026, 11, 1)
COLUMNS = {"day": sa.Date(), "user_id": sa.Integer(), "amount": sa.Float(), "ts": sa.DateTime()}


def _rows(day: dt.date, n: int = 40, seed: int = 0) -> list[dict]:
    rng = random.Random(day.toordinal() + seed)
    return [
        {
            "day": day,
            "user_id": None if rng.random() < 0.05 else rng.randint(1, 500),
            "amount": round(rng.gauss(1e6, 250.0), 2),  # large values: variance merging must stay exact
            "ts": dt.datetime.combine(day, dt.time(12)) + dt.timedelta(minutes=i),
        }
        for i in range(n)
    ]


def _days(count: int, start: dt.date = FIRST) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(count)]


def _append(db: sa.Engine, rows: list[dict]) -> None:
    table = sa.Table("events", sa.MetaData(), *(sa.Column(c, t) for c, t in COLUMNS.items()))
    with db.begin() as conn:
        conn.execute(table.insert(), rows)


@pytest.fixture
def store(tmp_path: Path) -> MetricStore:
    store = MetricStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    yield store
    store.close()


def _checks() -> list:
    return [
        dq.row_count(min=1),
        dq.not_null("user_id", mostly=0.9),
        dq.value_range("amount", min=0, max=2e6),
        dq.mean_between("amount", min=999_000, max=1_001_000),
        dq.stddev_between("amount", min=100, max=400),
        dq.freshness("ts", max_age=dt.timedelta(days=60)),
    ]


def _incremental(db: sa.Engine, store: MetricStore, owner: RunKey | None = None, **kwargs) -> IncrementalSqlEngine:
    return IncrementalSqlEngine(
        db, table="events", partition_column="day", states=PartitionStates(store, owner), **kwargs
    )


def _assert_same(incremental, full) -> None:
    for ours, theirs in zip(incremental.results, full.results, strict=True):
        assert (ours.name, ours.status) == (theirs.name, theirs.status)
        if isinstance(theirs.observed, float):
            assert math.isclose(ours.observed, theirs.observed, rel_tol=1e-9), ours.name
        else:
            assert ours.observed == theirs.observed, ours.name


def test_thirty_partitions_are_read_once_then_only_the_new_one(db: sa.Engine, store: MetricStore) -> None:
    create_table(db, "events", COLUMNS, [r for day in _days(30) for r in _rows(day)])

    with statement_log(db) as log:
        first = run_checks(_incremental(db, store), _checks(), now=NOW)
    full = run_checks(SqlEngine(db, table="events"), _checks(), now=NOW)
    _assert_same(first, full)
    assert first.statements == {"schema": 1, "partition_scan": 1, "partitions_read": 30}
    assert len(log.of("data")) == 1 and "GROUP BY" in log.of("data")[0].upper()

    _append(db, _rows(FIRST + dt.timedelta(days=30)))
    with statement_log(db) as log:
        second = run_checks(_incremental(db, store), _checks(), now=NOW)
    _assert_same(second, run_checks(SqlEngine(db, table="events"), _checks(), now=NOW))
    assert second.statements == {"schema": 1, "partition_scan": 1, "partitions_read": 1, "partitions_from_store": 30}
    assert second.results[0].observed == 31 * 40
    (scan,) = log.of("data")
    assert "day >" in scan.replace('"', "")  # only partitions after the newest stored one


def test_old_partitions_are_not_read_again_until_rescanned(db: sa.Engine, store: MetricStore) -> None:
    create_table(db, "events", COLUMNS, [r for day in _days(5) for r in _rows(day)])
    metrics = [RowCount(), NullCount("user_id"), Minimum("amount"), Maximum("ts"), Mean("amount"), StdDev("amount")]
    _incremental(db, store).compute(metrics)
    # Break the promise: a late row lands in the newest stored partition.
    late = _rows(FIRST + dt.timedelta(days=4), n=1, seed=9)[0] | {"amount": -1.0, "user_id": None}
    _append(db, [late])

    blind = _incremental(db, store)
    values = blind.compute(metrics)
    assert values[RowCount()] == 200 and values[Minimum("amount")] > 0
    assert blind.statements["partitions_read"] == 0 and blind.statements["partitions_from_store"] == 5

    rescan = _incremental(db, store, rescan_partitions=1)
    values = rescan.compute(metrics)
    plain = SqlEngine(db, table="events")
    plain.column_types()  # as run_checks does first: values are read in the column's type
    full = plain.compute(metrics)
    assert values[RowCount()] == full[RowCount()] == 201
    assert values[NullCount("user_id")] == full[NullCount("user_id")]
    assert values[Minimum("amount")] == full[Minimum("amount")] == -1.0
    assert values[Maximum("ts")] == full[Maximum("ts")]
    assert isinstance(values[Maximum("ts")], dt.datetime)
    assert math.isclose(values[Mean("amount")], full[Mean("amount")], rel_tol=1e-12)
    assert math.isclose(values[StdDev("amount")], full[StdDev("amount")], rel_tol=1e-6)
    assert rescan.statements["partitions_read"] == 1


def test_a_cleared_task_rescans_the_partitions_it_measured(db: sa.Engine, store: MetricStore) -> None:
    create_table(db, "events", COLUMNS, [r for day in _days(3) for r in _rows(day)])
    monday = RunKey("etl", "validate", "run_monday", dt.datetime(2026, 11, 4, tzinfo=dt.UTC))
    tuesday = RunKey("etl", "validate", "run_tuesday", dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    _incremental(db, store, monday).compute([RowCount()])  # monday measured all three days
    _append(db, _rows(FIRST + dt.timedelta(days=3)))
    _incremental(db, store, tuesday).compute([RowCount()])  # tuesday: day 4 only

    # Day 4 was bad and is reloaded with fewer rows; clearing tuesday's task reruns it.
    with db.begin() as conn:
        conn.execute(sa.text("DELETE FROM events WHERE day = :d"), {"d": FIRST + dt.timedelta(days=3)})
    _append(db, _rows(FIRST + dt.timedelta(days=3), n=10))
    rerun = _incremental(db, store, tuesday)
    assert rerun.compute([RowCount()])[RowCount()] == 3 * 40 + 10
    assert rerun.statements["partitions_read"] == 1 and rerun.statements["partitions_from_store"] == 3


def test_a_check_added_later_and_non_mergeable_checks(db: sa.Engine, store: MetricStore) -> None:
    create_table(db, "events", COLUMNS, [r for day in _days(4) for r in _rows(day)])
    run_checks(_incremental(db, store), [dq.row_count(min=1)], now=NOW)
    # A new mergeable metric has no states yet: every partition is read once more.
    grown = run_checks(_incremental(db, store), [dq.row_count(min=1), dq.mean_between("amount", min=0)], now=NOW)
    assert grown.statements["partitions_read"] == 4
    # unique() cannot merge exactly (a key may repeat across partitions): a full scan.
    mixed = [dq.row_count(min=1), dq.unique("ts")]
    run_checks(_incremental(db, store), mixed, now=NOW)  # unique's count of complete keys: new states
    mixed = run_checks(_incremental(db, store), mixed, now=NOW)
    assert mixed.statements == {"schema": 1, "data": 1, "partition_scan": 1, "partitions_from_store": 4}
    assert [r.status for r in mixed.results] == ["pass", "pass"]


def test_rows_without_a_partition_are_read_every_time(db: sa.Engine, store: MetricStore) -> None:
    create_table(db, "events", COLUMNS, [r for day in _days(2) for r in _rows(day)])
    _append(db, [_rows(FIRST)[0] | {"day": None}])
    assert _incremental(db, store).compute([RowCount()])[RowCount()] == 81
    _append(db, [_rows(FIRST)[1] | {"day": None}])
    again = _incremental(db, store)
    assert again.compute([RowCount()])[RowCount()] == 82
    assert again.statements["partitions_read"] == 0


def test_partition_column_must_exist_and_be_orderable(db: sa.Engine, store: MetricStore) -> None:
    create_table(db, "events", COLUMNS, _rows(FIRST))
    engine = IncrementalSqlEngine(db, table="events", partition_column="nope", states=PartitionStates(store))
    with pytest.raises(ValueError, match="partition column 'nope' does not exist"):
        engine.compute([RowCount()])
    with pytest.raises(ValueError, match="rescan_partitions"):
        _incremental(db, store, rescan_partitions=-1)


def test_distinct_count_sketches_merge_across_partitions(db: sa.Engine, store: MetricStore) -> None:
    # 12 partitions of 400 rows; users overlap between days, so per-day distinct counts
    # cannot be summed. 3,000 distinct users in all.
    rng = random.Random(14)
    rows = []
    for day in _days(12):
        for i in range(400):
            rows.append({"day": day, "user_id": rng.randint(1, 3000) if i else None, "amount": 1.0, "ts": None})
    create_table(db, "events", COLUMNS, rows)
    metric = ApproxDistinctCount("user_id")
    exact = SqlEngine(db, table="events").compute([metric])[metric]  # a plain scan counts exactly
    first = _incremental(db, store).compute([metric, RowCount()])
    assert abs(first[metric] - exact) <= 0.05 * exact  # ~1.6% standard error: 3 sigma
    assert first[RowCount()] == 12 * 400

    _append(db, [{"day": FIRST + dt.timedelta(days=12), "user_id": 10_000 + i, "amount": 1.0} for i in range(500)])
    later = _incremental(db, store)
    values = later.compute([metric, RowCount()])
    assert later.statements["partitions_read"] == 1 and later.statements["partitions_from_store"] == 12
    assert later.statements["partition_scan"] == 2  # the states, and the sketch's registers
    grown = SqlEngine(db, table="events").compute([metric])[metric]
    assert grown == exact + 500  # the new day's users are all new
    assert abs(values[metric] - grown) <= 0.05 * grown


def test_listed_segments_merge_and_buckets_scan_as_usual(db: sa.Engine, store: MetricStore) -> None:
    rows = []
    for n, day in enumerate(_days(6)):
        for i, row in enumerate(_rows(day, n=30)):
            rows.append(row | {"user_id": [1, 2, 3][i % 3] if n < 5 else 1})  # segment 2 and 3 vanish on day 6
    create_table(db, "events", COLUMNS, rows)
    checks = [
        dq.segment_completeness("user_id", [1, 2, 3, 4], min_count=40, name="users"),
        dq.time_bucket_completeness(
            "ts",
            "hour",
            start=dt.datetime(2026, 11, 6, 12, tzinfo=dt.UTC),
            end=dt.datetime(2026, 11, 6, 13, tzinfo=dt.UTC),
        ),
        dq.row_count(min=1),
    ]
    merged = run_checks(_incremental(db, store), checks, now=NOW)
    plain = run_checks(SqlEngine(db, table="events"), checks, now=NOW)
    _assert_same(merged, plain)
    assert merged.results[0].observed["vanished"] == ["4"]  # 1: 80, 2: 50, 3: 50 rows
    assert merged.results[0].status == "fail" and merged.results[1].status == "pass"
    # The bucket check's window moves every run: it is read by the usual scan, not kept.
    assert merged.statements["data"] == 1 and merged.statements["partitions_read"] == 6

    _append(db, [r | {"user_id": 4} for r in _rows(FIRST + dt.timedelta(days=6), n=45)])
    again = run_checks(_incremental(db, store), checks, now=NOW)
    _assert_same(again, run_checks(SqlEngine(db, table="events"), checks, now=NOW))
    assert again.results[0].status == "pass"
    assert again.statements["partitions_read"] == 1 and again.statements["partitions_from_store"] == 6


def test_a_reread_partition_that_is_gone_is_forgotten(db: sa.Engine, store: MetricStore) -> None:
    create_table(db, "events", COLUMNS, [r for day in _days(4) for r in _rows(day)])
    monday = RunKey("etl", "validate", "run_monday", dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    _incremental(db, store, monday).compute([RowCount()])
    with db.begin() as conn:  # the last day was bad and is dropped, not reloaded
        conn.execute(sa.text("DELETE FROM events WHERE day = :d"), {"d": FIRST + dt.timedelta(days=3)})
    assert _incremental(db, store, monday).compute([RowCount()])[RowCount()] == 3 * 40  # cleared task reruns
    # Another task must not merge the dropped day's old state either.
    other = RunKey("etl", "report", "run_monday", dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    later = _incremental(db, store, other)
    assert later.compute([RowCount()])[RowCount()] == 3 * 40
    assert later.statements["partitions_from_store"] == 3
