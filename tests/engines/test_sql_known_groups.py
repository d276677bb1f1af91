"""Known segments and buckets counted in the scan give the GROUP BY's verdicts, exactly.

Each suite runs twice on the same real table: once as the engine chooses (conditional
aggregates in the one scan) and once with the threshold at 0 (every grouping by GROUP BY).
Results must be equal field by field, and the statements must show the two paths.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check
from airflow_dq.engines.sql import known_groups
from tests.checks.data import create_table, run

BERLIN = ZoneInfo("Europe/Berlin")


def _both_paths(db: sa.Engine, checks: list[Check], monkeypatch: pytest.MonkeyPatch, **dataset):
    in_scan = run(db, checks, **dataset)
    with monkeypatch.context() as patch:
        patch.setattr(known_groups, "MAX_KNOWN_GROUPS", 0)
        group_by = run(db, checks, **dataset)
    fields = ("name", "status", "observed", "message")
    left = [{f: r.to_dict()[f] for f in fields} for r in in_scan.results]
    right = [{f: r.to_dict()[f] for f in fields} for r in group_by.results]
    assert left == right
    return in_scan, group_by


def _segment_rows() -> list[dict]:
    rng = random.Random(7)
    rows = []
    for i in range(600):
        country = rng.choice(["US", "DE", "FR", None, "GB"])
        rows.append({"id": i, "country": country, "platform": rng.choice(["ios", "android"]), "n": rng.randint(1, 3)})
    return rows


def test_segment_lists_give_the_group_by_verdicts(db: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    columns = {"id": sa.Integer(), "country": sa.String(2), "platform": sa.String(10), "n": sa.Integer()}
    create_table(db, "t", columns, _segment_rows())
    checks = [
        dq.segment_completeness("country", ["US", "DE", "FR", "JP"], min_count=50, name="with_vanished"),
        dq.segment_completeness("country", {"US": 0.2, "DE": 0.2, "GB": 0.6}, min_share_ratio=0.9, name="shares"),
        dq.segment_completeness(["country", "platform"], [("US", "ios"), ("DE", "android"), (None, "ios")]),
        dq.segment_completeness("n", [1, 2, 3], min_share=0.3, name="integers"),
        dq.row_count(min=1),
    ]
    in_scan, group_by = _both_paths(db, checks, monkeypatch, where="id >= 100")
    statuses = [r.status for r in in_scan.results]
    assert statuses == ["fail", "fail", "pass", "pass", "pass"]
    assert "vanished: 'JP'" in in_scan.results[0].message
    assert in_scan.statements == {"schema": 1, "data": 1}
    assert group_by.statements == {"schema": 1, "data": 1, "grouped": 3}  # one per set of columns


def _hours(zone: ZoneInfo, day: dt.date, skip: set[int], aware: bool) -> list[dict]:
    rows = []
    for hour in range(24):
        if hour in skip:
            continue
        for minute in (5, 35):
            wall = dt.datetime(day.year, day.month, day.day, hour, minute)
            moment = wall.replace(tzinfo=zone).astimezone(dt.UTC) if aware else wall
            rows.append({"id": len(rows), "event_time": moment})
    return rows


@pytest.mark.parametrize("day", [dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 11, 26)])
def test_buckets_give_the_group_by_verdicts_across_daylight_saving(
    db: sa.Engine, monkeypatch: pytest.MonkeyPatch, day: dt.date
) -> None:
    # Naive wall-clock Berlin times; 2026-03-29 has 23 hours, 2026-10-25 has 25.
    create_table(db, "t", {"id": sa.Integer(), "event_time": sa.DateTime()}, _hours(BERLIN, day, {9, 10}, False))
    start = dt.datetime(day.year, day.month, day.day, tzinfo=BERLIN)
    end = start + dt.timedelta(days=1)
    checks = [
        dq.time_bucket_completeness("event_time", "hour", start=start, end=end, timezone="Europe/Berlin"),
        dq.time_bucket_completeness(
            "event_time", "hour", start=start + dt.timedelta(minutes=30), end=end, timezone="UTC", name="utc_hours"
        ),
        dq.time_bucket_completeness(
            "event_time", "day", start=start, end=end, timezone="Europe/Berlin", min_count=30, name="day"
        ),
    ]
    in_scan, group_by = _both_paths(db, checks, monkeypatch)
    assert [r.status for r in in_scan.results] == ["fail", "fail", "pass"]
    assert in_scan.results[0].observed["missing"][0].startswith(f"{day.isoformat()}T09:00:00")
    assert in_scan.statements == {"schema": 1, "data": 1}
    assert group_by.statements["grouped"] == 3


@pytest.mark.postgres
def test_timestamptz_and_date_buckets_on_postgres(postgres_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    day = dt.date(2026, 10, 25)  # Berlin falls back: the 02:00 hour happens twice
    rows = _hours(BERLIN, day, {14}, True)
    for row in rows:
        row["day"] = row["event_time"].astimezone(BERLIN).date()
    columns = {"id": sa.Integer(), "event_time": sa.DateTime(timezone=True), "day": sa.Date()}
    create_table(postgres_engine, "t", columns, rows)
    start = dt.datetime(2026, 10, 24, 12, tzinfo=BERLIN)
    end = dt.datetime(2026, 10, 26, 12, tzinfo=BERLIN)
    checks = [
        dq.time_bucket_completeness("event_time", "hour", start=start, end=end, timezone="Europe/Berlin"),
        dq.time_bucket_completeness("day", "day", start=start, end=end, timezone="Europe/Berlin", name="days"),
    ]
    in_scan, group_by = _both_paths(postgres_engine, checks, monkeypatch)
    hours = in_scan.results[0].observed
    assert hours["buckets"] == 48  # 12 + 24 (less the repeated 02:00, one wall-clock bucket) + 12
    assert "2026-10-25T14:00:00+01:00" in hours["missing"]
    assert in_scan.statements == {"schema": 1, "data": 1}
    assert group_by.statements["grouped"] == 2


@pytest.mark.postgres
def test_text_timestamps_on_postgres_keep_the_group_by(postgres_engine: sa.Engine) -> None:
    # Text is cast in the grouping's zone by the GROUP BY; no cheap range comparison exists.
    rows = [{"id": i, "event_time": f"2026-11-26 {h:02d}:10:00"} for i, h in enumerate(range(24))]
    create_table(postgres_engine, "t", {"id": sa.Integer(), "event_time": sa.Text()}, rows)
    check = dq.time_bucket_completeness(
        "event_time", "hour", start="2026-11-26T00:00:00+00:00", end="2026-11-27T00:00:00+00:00"
    )
    suite = run(postgres_engine, [check])
    assert suite.results[0].status == "pass"
    assert suite.statements == {"schema": 1, "data": 1, "grouped": 1}


def test_a_mistyped_segment_list_keeps_the_group_by_and_sinks_nothing(db: sa.Engine) -> None:
    # 'US' can never equal an integer: in the scan PostgreSQL would reject the whole SELECT.
    create_table(db, "t", {"id": sa.Integer(), "n": sa.Integer()}, [(i, i % 3) for i in range(30)])
    checks = [dq.segment_completeness("n", ["US", 1]), dq.row_count(min=1)]
    suite = run(db, checks)
    assert [r.status for r in suite.results] == ["fail", "pass"]
    assert suite.results[0].observed["vanished"] == ["'US'"]
    assert suite.statements == {"schema": 1, "data": 1, "grouped": 1}
