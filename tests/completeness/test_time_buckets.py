"""Time-bucket completeness on real SQLite and PostgreSQL: gaps, thin buckets, time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from airflow_dq.checks import CheckArgumentError, time_bucket_completeness
from airflow_dq.results import Status
from tests.checks.data import create_table, run

DAY_START = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
DAY_END = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def hourly_rows(start: dt.datetime, hours: int, per_hour: int, skip: set[int] = frozenset(), thin: dict | None = None):
    """``per_hour`` naive rows in each hour after ``start`` (wall clock), minus ``skip``."""
    rows = []
    for h in range(hours):
        if h in skip:
            continue
        for i in range((thin or {}).get(h, per_hour)):
            rows.append({"id": len(rows), "event_time": start + dt.timedelta(hours=h, minutes=i * 5)})
    return rows


def events(bind: sa.Engine, rows: list[dict], timestamp_type: sa.types.TypeEngine | None = None) -> None:
    create_table(bind, "t", {"id": sa.Integer(), "event_time": timestamp_type or sa.DateTime()}, rows)


def check(**kwargs):
    kwargs.setdefault("start", DAY_START)
    kwargs.setdefault("end", DAY_END)
    return time_bucket_completeness("event_time", **kwargs)


def test_two_hour_gap_is_flagged_with_exactly_those_buckets(db: sa.Engine) -> None:
    events(db, hourly_rows(dt.datetime(2026, 11, 26), 24, 10, skip={14, 15}))
    result = run(db, check(bucket="hour")).results[0]
    assert result.status is Status.FAIL
    assert result.observed["missing"] == ["2026-11-26T14:00:00+00:00", "2026-11-26T15:00:00+00:00"]
    assert result.observed["thin"] == {}
    assert result.observed["buckets"] == 24
    assert "no rows for 2026-11-26 14:00\u201316:00 UTC" in result.message


def test_complete_data_passes_and_costs_one_scan(db: sa.Engine) -> None:
    events(db, hourly_rows(dt.datetime(2026, 11, 26), 24, 10))
    suite = run(db, [check(bucket="hour"), check(bucket="hour", min_count=5, name="five_per_hour")])
    assert [r.status for r in suite.results] == [Status.PASS, Status.PASS]
    assert suite.results[0].observed == {"missing": [], "thin": {}, "buckets": 24, "typical": 10}
    # The window's 24 hours are known: both checks count them inside the one scan.
    assert suite.statements == {"schema": 1, "data": 1}


def test_thin_bucket_below_a_fraction_of_the_typical_one(db: sa.Engine) -> None:
    events(db, hourly_rows(dt.datetime(2026, 11, 26), 24, 10, thin={9: 2}))
    assert run(db, check()).results[0].status is Status.PASS  # 2 rows is not empty
    result = run(db, check(min_fraction=0.5)).results[0]
    assert result.status is Status.FAIL
    assert result.observed["missing"] == []
    assert result.observed["thin"] == {"2026-11-26T09:00:00+00:00": 2}
    assert "2026-11-26 09:00\u201310:00 UTC (2 rows)" in result.message


def test_rows_outside_the_window_do_not_fill_its_buckets(db: sa.Engine) -> None:
    # Only yesterday's data: every hour of today's window is missing.
    events(db, hourly_rows(dt.datetime(2026, 11, 25), 24, 3))
    result = run(db, check(bucket="hour")).results[0]
    assert len(result.observed["missing"]) == 24
    assert "no rows for 2026-11-26 00:00\u201324:00 UTC" in result.message


def test_minute_and_day_buckets(db: sa.Engine) -> None:
    start = dt.datetime(2026, 11, 26, 10, 0)
    rows = [{"id": i, "event_time": start + dt.timedelta(minutes=i)} for i in range(60) if i not in (7, 8, 9)]
    events(db, rows)
    minutes = check(bucket="minute", start="2026-11-26T10:00:00+00:00", end="2026-11-26T11:00:00+00:00")
    result = run(db, minutes).results[0]
    assert result.observed["missing"] == [f"2026-11-26T10:0{m}:00+00:00" for m in (7, 8, 9)]
    assert "no rows for 2026-11-26 10:07\u201310:10 UTC" in result.message
    days = check(bucket="day", start="2026-11-24T00:00:00+00:00", end="2026-11-27T00:00:00+00:00")
    result = run(db, days).results[0]
    assert result.observed["missing"] == ["2026-11-24T00:00:00+00:00", "2026-11-25T00:00:00+00:00"]
    assert "no rows for 2026-11-24 to 2026-11-25 UTC" in result.message


def test_buckets_follow_the_wall_clock_of_the_time_zone(db: sa.Engine) -> None:
    # India is UTC+05:30: its hours start at half past in UTC. Naive values are local time.
    zone = "Asia/Kolkata"
    local_midnight = dt.datetime(2026, 11, 26)
    events(db, hourly_rows(local_midnight, 24, 4, skip={10, 11}))
    start = local_midnight.replace(tzinfo=ZoneInfo(zone))
    result = run(db, check(timezone=zone, start=start, end=start + dt.timedelta(days=1))).results[0]
    assert result.observed["missing"] == ["2026-11-26T10:00:00+05:30", "2026-11-26T11:00:00+05:30"]
    assert "no rows for 2026-11-26 10:00\u201312:00 Asia/Kolkata" in result.message


def test_daylight_saving_day_has_23_hours_and_no_phantom_gap(db: sa.Engine) -> None:
    # Berlin skips 02:00-03:00 on 2026-03-29: data for every real hour is complete.
    zone = ZoneInfo("Europe/Berlin")
    hours = [dt.datetime(2026, 3, 29, h) for h in range(24) if h != 2]
    events(db, [{"id": i, "event_time": h} for i, h in enumerate(hours)])
    start = dt.datetime(2026, 3, 29, tzinfo=zone)
    result = run(db, check(timezone="Europe/Berlin", start=start, end=dt.datetime(2026, 3, 30, tzinfo=zone))).results[0]
    assert result.status is Status.PASS, result.message
    assert result.observed["buckets"] == 23


@pytest.mark.postgres
def test_timestamptz_column_is_converted_to_the_zone(postgres_engine: sa.Engine) -> None:
    # Aware instants in UTC, bucketed on India's wall clock: the gap is local 10:00-12:00,
    # which is 04:30-06:30 UTC.
    zone = ZoneInfo("Asia/Kolkata")
    local = [dt.datetime(2026, 11, 26, h, 10, tzinfo=zone) for h in range(24) if h not in (10, 11)]
    rows = [{"id": i, "event_time": t.astimezone(dt.UTC)} for i, t in enumerate(local)]
    events(postgres_engine, rows, sa.DateTime(timezone=True))
    start = dt.datetime(2026, 11, 26, tzinfo=zone)
    c = check(timezone="Asia/Kolkata", start=start, end=start + dt.timedelta(days=1))
    result = run(postgres_engine, c).results[0]
    assert result.observed["missing"] == ["2026-11-26T10:00:00+05:30", "2026-11-26T11:00:00+05:30"]


def test_without_a_window_the_check_fails_with_a_clear_message(sqlite_engine: sa.Engine) -> None:
    events(sqlite_engine, hourly_rows(dt.datetime(2026, 11, 26), 24, 1))
    # Outside Airflow nothing renders the default "{{ data_interval_start }}".
    result = run(sqlite_engine, time_bucket_completeness("event_time")).results[0]
    assert result.status is Status.FAIL
    assert "no time window to check" in result.message


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"bucket": "week"}, "bucket"),
        ({"min_count": 0}, "min_count"),
        ({"min_fraction": 1.5}, "min_fraction"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"start": "yesterday"}, "start"),
        ({"start": "2026-11-27T00:00:00+00:00", "end": "2026-11-26T00:00:00+00:00"}, "start"),
    ],
)
def test_bad_arguments_fail_at_parse_time(kwargs: dict, argument: str) -> None:
    with pytest.raises(CheckArgumentError, match=f"'time_bucket_completeness'.*argument '{argument}'"):
        time_bucket_completeness("event_time", **kwargs)


def test_lookback_sets_the_window_before_the_end(db: sa.Engine) -> None:
    events(db, hourly_rows(dt.datetime(2026, 11, 26), 24, 2, skip={22}))
    # What a "@daily" Airflow 3 run renders into the default templates: an empty interval.
    c = time_bucket_completeness("event_time")
    c.start = c.end = "2026-11-27 00:00:00+00:00"
    assert "the run's data interval is empty" in run(db, c).results[0].message
    c = time_bucket_completeness("event_time", end="2026-11-27T00:00:00+00:00", lookback=dt.timedelta(days=1))
    result = run(db, c).results[0]
    assert result.observed["missing"] == ["2026-11-26T22:00:00+00:00"]
    assert "no rows for 2026-11-26 22:00\u201323:00 UTC" in result.message
