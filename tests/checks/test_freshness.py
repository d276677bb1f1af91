"""Freshness: the newest timestamp against the run's time, with time zones done right."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import NOW, assert_words, create_table, only, run

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def naive_stamps(db: sa.Engine) -> sa.Engine:
    # Wall-clock times without a zone; the newest is 10:00 (NOW is 16:00 UTC).
    create_table(
        db,
        "t",
        {"ts": sa.DateTime()},
        [(dt.datetime(2026, 11, 27, 9, 0),), (dt.datetime(2026, 11, 27, 10, 0),), (None,)],
    )
    return db


def test_naive_timestamps_are_read_in_the_timezone_argument(naive_stamps: sa.Engine) -> None:
    # 10:00 in New York (EST, UTC-5) is 15:00 UTC: one hour before the run's time.
    result = only(run(naive_stamps, dq.freshness("ts", max_age=2 * HOUR, timezone="America/New_York")))

    assert result.status == "pass", result.message
    assert result.observed == dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert_words(result.message, "2026-11-27 15:00:00 UTC", "1:00:00 old", "within the allowed 2:00:00")


def test_naive_timestamps_default_to_utc_and_can_be_stale(naive_stamps: sa.Engine) -> None:
    result = only(run(naive_stamps, dq.freshness("ts", max_age=2 * HOUR)))

    assert result.status == "fail"
    assert result.observed == dt.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert_words(result.message, "6:00:00 old", "older than the allowed 2:00:00", "at 2026-11-27 16:00:00 UTC")


def test_suite_default_timezone_applies_when_the_check_has_none(naive_stamps: sa.Engine) -> None:
    result = only(run(naive_stamps, dq.freshness("ts", max_age=2 * HOUR), default_timezone="America/New_York"))
    assert result.status == "pass"
    # the check's own timezone wins over the suite's default
    result = only(
        run(naive_stamps, dq.freshness("ts", max_age=2 * HOUR, timezone="UTC"), default_timezone="America/New_York")
    )
    assert result.status == "fail"


@pytest.mark.parametrize(
    ("now", "status", "words"),
    [
        # a backfill judges the data by its own run time, not by the clock
        (dt.datetime(2026, 11, 27, 11, 0, tzinfo=UTC), "pass", "1:00:00 old"),
        (dt.datetime(2026, 11, 27, 12, 0, tzinfo=UTC), "pass", "2:00:00 old"),  # age == max_age is fresh
        (dt.datetime(2026, 11, 27, 12, 0, 1, tzinfo=UTC), "fail", "2:00:01 old"),
        (dt.datetime(2026, 11, 28, 10, 0, tzinfo=UTC), "fail", "1 day, 0:00:00 old"),
        (dt.datetime(2026, 11, 27, 9, 30, tzinfo=UTC), "pass", "0:30:00 ahead of the run's time"),
        # the same instant written in another zone
        (dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "pass", "2:00:00 old"),
    ],
)
def test_stale_or_fresh_against_the_run_time(
    naive_stamps: sa.Engine, now: dt.datetime, status: str, words: str
) -> None:
    result = only(run(naive_stamps, dq.freshness("ts", max_age=2 * HOUR), now=now))
    assert result.status == status, result.message
    assert_words(result.message, words)


def test_date_column_counts_from_midnight(db: sa.Engine) -> None:
    create_table(db, "t", {"day": sa.Date()}, [(dt.date(2026, 11, 26),), (dt.date(2026, 11, 27),)])
    fresh = only(run(db, dq.freshness("day", max_age=dt.timedelta(hours=16))))
    stale = only(run(db, dq.freshness("day", max_age=dt.timedelta(hours=15))))
    assert (fresh.status, stale.status) == ("pass", "fail")
    assert fresh.observed == dt.datetime(2026, 11, 27, tzinfo=UTC)


def test_iso_text_timestamps_with_offsets(db: sa.Engine) -> None:
    # Timestamps kept as ISO text (e.g. loaded from JSON), with a 'Z' suffix.
    create_table(db, "t", {"ts": sa.String(30)}, [("2026-11-27T13:00:00Z",), ("2026-11-27T15:30:00Z",)])
    result = only(run(db, dq.freshness("ts", max_age=HOUR)))
    assert result.status == "pass"
    assert result.observed == dt.datetime(2026, 11, 27, 15, 30, tzinfo=UTC)


@pytest.mark.postgres
def test_timestamptz_is_not_shifted_by_the_timezone_argument(postgres_engine: sa.Engine) -> None:
    plus5 = dt.timezone(dt.timedelta(hours=5))
    create_table(
        postgres_engine,
        "t",
        {"ts": sa.DateTime(timezone=True)},
        [(dt.datetime(2026, 11, 27, 19, 0, tzinfo=plus5),), (dt.datetime(2026, 11, 27, 12, 0, tzinfo=UTC),)],
    )
    # 19:00+05:00 is 14:00 UTC, the newest instant; the zone argument only applies to naive values.
    result = only(run(postgres_engine, dq.freshness("ts", max_age=2 * HOUR, timezone="America/New_York")))

    assert result.status == "pass", result.message
    assert result.observed == dt.datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert_words(result.message, "2026-11-27 14:00:00 UTC", "2:00:00 old")
    stale = only(run(postgres_engine, dq.freshness("ts", max_age=HOUR), now=NOW))
    assert stale.status == "fail"


def test_run_time_must_be_timezone_aware(naive_stamps: sa.Engine) -> None:
    with pytest.raises(ValueError, match="'now' must be time-zone aware"):
        run(naive_stamps, dq.freshness("ts", max_age=HOUR), now=dt.datetime(2026, 11, 27, 16))
