"""PostgreSQL time bucketing reads text and date columns as well as timestamps."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from airflow_dq.checks import time_bucket_completeness
from airflow_dq.results import Status
from tests.checks.data import create_table, run

pytestmark = pytest.mark.postgres


def test_text_timestamps_are_bucketed(postgres_engine: sa.Engine) -> None:
    rows = [{"event_time": f"2026-11-26 {h:02d}:30:00"} for h in range(24) if h != 7]
    create_table(postgres_engine, "t", {"event_time": sa.String(32)}, rows)
    check = time_bucket_completeness("event_time", start="2026-11-26T00:00:00+00:00", end="2026-11-27T00:00:00+00:00")
    assert run(postgres_engine, check).results[0].observed["missing"] == ["2026-11-26T07:00:00+00:00"]


def test_date_column_with_day_buckets_in_a_local_zone(postgres_engine: sa.Engine) -> None:
    days = [dt.date(2026, 11, d) for d in (20, 21, 23, 24)]
    create_table(postgres_engine, "t", {"event_time": sa.Date()}, [{"event_time": d} for d in days])
    check = time_bucket_completeness(
        "event_time",
        bucket="day",
        timezone="America/New_York",
        start="2026-11-20T00:00:00-05:00",
        end="2026-11-25T00:00:00-05:00",
    )
    result = run(postgres_engine, check).results[0]
    assert result.status is Status.FAIL
    assert result.observed["missing"] == ["2026-11-22T00:00:00-05:00"]
    assert "no rows for 2026-11-22 America/New_York" in result.message
