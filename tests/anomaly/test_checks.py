"""Anomaly checks end to end without Airflow: a real table (SQLite and PostgreSQL), the SQL
engine, run_checks day after day, and a real SQLite history store in between."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq.checks import freshness_anomaly, metric_anomaly, row_count, segment_anomaly, volume_anomaly
from airflow_dq.checks.anomaly import HistoryUnavailable
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.results import Status, SuiteResult
from airflow_dq.store import MetricStore, RunKey
from airflow_dq.suite import run_checks

START = dt.datetime(2026, 2, 2, tzinfo=dt.UTC)  # a Monday
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("day", sa.String(10)),
    sa.Column("email", sa.String(50)),
    sa.Column("country", sa.String(2)),
    sa.Column("loaded_at", sa.DateTime),
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MetricStore]:
    s = MetricStore.open(f"sqlite:///{tmp_path / 'history.db'}")
    yield s
    s.close()


def load_day(db: sa.Engine, day: int, *, rows: int, null_share: float = 0.02, countries: dict[str, float] | None = None,
             lag_hours: float = 1.0) -> None:  # fmt: skip
    rng = random.Random(day)
    countries = countries or {"DE": 0.5, "FR": 0.3, "US": 0.2}
    names = list(countries)
    date = START + dt.timedelta(days=day)
    # The newest row arrived lag_hours before the end of the day (the run's time).
    newest = (date + dt.timedelta(days=1, hours=-lag_hours)).replace(tzinfo=None)
    records = [
        {
            "day": date.date().isoformat(),
            "email": None if i < round(rows * null_share) else f"u{i}@x.org",
            "country": rng.choices(names, weights=list(countries.values()))[0] if names else "DE",
            "loaded_at": newest - dt.timedelta(minutes=i % 50),
        }
        for i in range(rows)
    ]
    with db.begin() as conn:
        EVENTS.create(conn, checkfirst=True)
        conn.execute(EVENTS.insert(), records)


def run_day(db: sa.Engine, store: MetricStore, day: int, checks: list[Any]) -> SuiteResult:
    """What the operator does for one logical date: judge against history, then record."""
    logical = START + dt.timedelta(days=day)

    def history(check: str, runs: int) -> Any:
        return store.history("dag", "validate", -1, check, before=logical, runs=runs)

    engine = SqlEngine(db, table="events", where=f"day = '{logical.date().isoformat()}'")
    result = run_checks(engine, checks, now=logical + dt.timedelta(days=1), history=history, logical_date=logical)
    store.record(RunKey("dag", "validate", f"scheduled__{day}", logical), result)
    return result


def noisy_rows(day: int) -> int:
    return round(300 * (1 + random.Random(100 + day).gauss(0, 0.03)))


def test_volume_anomaly_learns_then_fails_on_a_drop(db: sa.Engine, store: MetricStore) -> None:
    checks = [volume_anomaly(), row_count(min=1)]
    for day in range(10):
        load_day(db, day, rows=noisy_rows(day))
        result = run_day(db, store, day, checks)
        volume = result.results[0]
        if day < 7:
            # Cannot judge yet: its own status, never a pass, and it does not halt the run.
            assert volume.status is Status.LEARNING, volume.message
            assert not result.blocking
            assert volume.message.startswith(f"learning: {day} of 7 past runs")
            assert volume.expected == "learning (no band yet)"
            assert "1 learning" in result.summary() and "1 pass" in result.summary()
        else:
            assert volume.status is Status.PASS, volume.message
            assert "within the expected band" in volume.message
    load_day(db, 10, rows=120)  # 60% of the rows are missing
    volume = run_day(db, store, 10, checks).results[0]
    assert volume.status is Status.FAIL
    assert volume.observed == 120.0
    assert volume.message.startswith("row count 120 is below the expected band [")
    assert volume.expected.startswith("row count in [")
    low = float(volume.expected.split("[")[1].split(",")[0].replace(",", ""))
    assert 200 < low < 300  # the band sits around the usual ~300 rows
    assert volume.metrics["row_count"] == 120  # recorded for tomorrow
    # Tomorrow is normal again; yesterday's drop is left out of its baseline.
    load_day(db, 11, rows=noisy_rows(11))
    assert run_day(db, store, 11, checks).results[0].status is Status.PASS


def test_null_rate_spike(db: sa.Engine, store: MetricStore) -> None:
    checks = [metric_anomaly("email", "null_rate", direction="spike")]
    rng = random.Random(7)
    for day in range(9):
        load_day(db, day, rows=400, null_share=0.05 + rng.uniform(-0.005, 0.005))
        status = run_day(db, store, day, checks).results[0].status
        assert status is (Status.LEARNING if day < 7 else Status.PASS)
    load_day(db, 9, rows=400, null_share=0.0)  # fewer NULLs: not a spike, not judged
    assert run_day(db, store, 9, checks).results[0].status is Status.PASS
    load_day(db, 10, rows=400, null_share=0.2)
    result = run_day(db, store, 10, checks).results[0]
    assert result.status is Status.FAIL
    assert result.name == "null_rate_anomaly(email)"
    assert result.observed == pytest.approx(0.2)
    assert result.metrics["null_rate(email)"] == pytest.approx(0.2)
    assert result.metrics["null_count(email)"] == 80
    assert "is above the expected band" in result.message


def test_vanished_segment_counts_as_zero(db: sa.Engine, store: MetricStore) -> None:
    checks = [segment_anomaly("country"), segment_anomaly("country", measure="share", severity="warn")]
    for day in range(9):
        load_day(db, day, rows=noisy_rows(day))
        volume, share = run_day(db, store, day, checks).results
        status = Status.LEARNING if day < 7 else Status.PASS
        assert volume.status is status and share.status is status, (volume.message, share.message)
    load_day(db, 9, rows=210, countries={"DE": 0.5, "US": 0.2})  # FR is gone, the others as usual
    volume, share = run_day(db, store, 9, checks).results
    assert volume.status is Status.FAIL and share.status is Status.WARN
    assert volume.metrics["volume[country=FR]"] == 0.0
    assert volume.observed["volume[country=FR]"] == 0.0
    assert volume.message.startswith("1 of 3 series anomalous: volume[country=FR] 0 is below the expected band")
    assert share.observed["share[country=FR]"] == 0.0  # (and DE's share grew: also reported)


def test_freshness_lag_of_a_late_load(db: sa.Engine, store: MetricStore) -> None:
    checks = [freshness_anomaly("loaded_at")]
    rng = random.Random(3)
    for day in range(9):
        load_day(db, day, rows=50, lag_hours=1 + rng.uniform(-0.2, 0.2))
        status = run_day(db, store, day, checks).results[0].status
        assert status is (Status.LEARNING if day < 7 else Status.PASS)
    load_day(db, 9, rows=50, lag_hours=7)
    result = run_day(db, store, 9, checks).results[0]
    assert result.status is Status.FAIL
    assert result.observed == pytest.approx(7 * 3600)
    assert result.message.startswith("freshness lag of 'loaded_at' 7:00:00 is above the expected band [-inf, ")


def test_freshness_band_is_lopsided_so_a_normally_late_day_passes(db: sa.Engine, store: MetricStore) -> None:
    """A lag's noise is skewed (never much early, sometimes much late): the check's band is
    wider on the late side than a symmetric band, and a day inside it passes."""
    from airflow_dq.stats.anomaly import Point, Settings, judge_point

    rng = random.Random(12)
    lags = [1.0 + rng.gammavariate(2.0, 0.15) for _ in range(20)]
    checks = [freshness_anomaly("loaded_at")]
    for day, lag in enumerate(lags):
        load_day(db, day, rows=20, lag_hours=lag)
        assert run_day(db, store, day, checks).results[0].status in (Status.LEARNING, Status.PASS)
    history = [Point(START + dt.timedelta(days=d), lag * 3600) for d, lag in enumerate(lags)]
    probe = Point(START + dt.timedelta(days=20), 3600.0)
    symmetric = judge_point(history, probe, Settings(direction="spike")).high
    lopsided = judge_point(history, probe, Settings(direction="spike", skewed=True)).high
    assert lopsided > symmetric * 1.05
    late = (symmetric + lopsided) / 2  # above the symmetric band, inside the lopsided one
    load_day(db, 20, rows=20, lag_hours=late / 3600)
    result = run_day(db, store, 20, checks).results[0]
    assert result.status is Status.PASS, result.message
    assert result.observed == pytest.approx(late, abs=1)
    # A much later load still fails (the late day 20 is now history and widened the late side).
    load_day(db, 21, rows=20, lag_hours=3 * lopsided / 3600)
    assert run_day(db, store, 21, checks).results[0].status is Status.FAIL


def test_unmeasurable_values_fail_and_non_numeric_columns_error(db: sa.Engine, store: MetricStore) -> None:
    checks = [
        metric_anomaly("loaded_at", "mean"),
        metric_anomaly("email", "null_rate"),
        segment_anomaly("country", measure="share"),
    ]
    load_day(db, 0, rows=20)
    mean, null_rate, share = run_day(db, store, 0, checks).results
    assert mean.status is Status.ERROR  # alone, before the scan: the others are still measured
    assert mean.message == "cannot be measured: 'loaded_at' is timestamp, and this check needs a numeric column"
    assert (null_rate.status, share.status) == (Status.LEARNING, Status.LEARNING)
    with db.begin() as conn:
        conn.execute(EVENTS.delete())  # the next day has no rows at all
    null_rate, share = run_day(db, store, 1, checks[1:]).results
    assert null_rate.status is Status.FAIL and null_rate.observed is None
    assert null_rate.message == "null_rate(email) cannot be measured today (no rows, or only NULL values)"
    assert share.status is Status.FAIL  # the past segments' shares of zero rows do not exist


def test_anomaly_check_without_history_store_is_a_clear_error(db: sa.Engine) -> None:
    load_day(db, 0, rows=10)
    with pytest.raises(RuntimeError, match="check 'volume_anomaly' compares with past runs, but no history store"):
        run_checks(SqlEngine(db, table="events"), [volume_anomaly()])


def test_unreadable_history_errors_the_check_with_the_reason(db: sa.Engine) -> None:
    load_day(db, 0, rows=10)

    def broken(check: str, runs: int) -> Any:
        raise HistoryUnavailable("OperationalError: could not connect to server")

    result = run_checks(SqlEngine(db, table="events"), [volume_anomaly(), row_count(min=1)], history=broken)
    volume, count = result.results
    assert volume.status is Status.ERROR  # a store outage is no data failure (issue 11)
    assert volume.message == "cannot compare with past runs: OperationalError: could not connect to server"
    assert count.status is Status.PASS  # the other checks are judged as usual


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: volume_anomaly(training_window=1), "argument 'training_window'"),
        (lambda: volume_anomaly(direction="up"), "argument 'direction'"),
        (lambda: metric_anomaly("", "mean"), "argument 'column'"),
        (lambda: metric_anomaly("amount", "median"), "argument 'metric'"),
        (lambda: segment_anomaly([]), "argument 'columns'"),
        (lambda: segment_anomaly("country", measure="ratio"), "argument 'measure'"),
        (lambda: freshness_anomaly("loaded_at", timezone="Mars/Base"), "argument 'timezone'"),
        (lambda: volume_anomaly(sensitivity="3"), "argument 'sensitivity'"),
    ],
)
def test_bad_arguments_fail_at_parse_time(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_while_learning_warn_and_fixed_bounds_on_segments(db: sa.Engine, store: MetricStore) -> None:
    checks = [
        volume_anomaly(while_learning="warn"),
        segment_anomaly("country", while_learning={"min": 40}, name="segments"),
    ]
    load_day(db, 0, rows=300, countries={"DE": 0.5, "FR": 0.4, "US": 0.1})
    volume, segments = run_day(db, store, 0, checks).results
    # "warn": visible as a warning while learning, whatever the severity.
    assert volume.status is Status.WARN and volume.message.startswith("learning: 0 of 7 past runs")
    # Fixed bounds: a segment under 40 rows fails the check (its severity) until judged.
    assert segments.status is Status.FAIL
    assert (
        "volume[country=US]" in segments.message and "fixed bounds used while learning [40, +inf]" in segments.message
    )
    assert "volume[country=DE]" not in segments.message.split("(")[0]


def test_share_of_a_segment_does_not_alarm_on_binomial_noise(db: sa.Engine, store: MetricStore) -> None:
    # Eight past days, four of whose FR shares happen to cluster within 0.05 points; today's
    # share is 2.6 binomial sd off. The band is never narrower than the counting noise, so
    # this is no anomaly (it was a z = -9 failure when the band came from the spread alone).
    check = segment_anomaly("country", measure="share")
    rows = 2000
    for day, fr in enumerate([612, 600, 601, 590, 600, 601, 605, 596]):
        write_split(db, day, {"FR": fr, "DE": rows - fr})
        assert run_day(db, store, day, [check]).results[0].status is (Status.LEARNING if day < 7 else Status.PASS)
    sd = (0.3 * 0.7 / rows) ** 0.5
    fr_today = round(rows * (0.3 - 2.6 * sd))
    write_split(db, 8, {"FR": fr_today, "DE": rows - fr_today})
    result = run_day(db, store, 8, [check]).results[0]
    assert result.status is Status.PASS, result.message
    # ...while a real fall of FR's share (a third of it gone) is caught at once.
    write_split(db, 9, {"FR": 400, "DE": rows - 400})
    result = run_day(db, store, 9, [check]).results[0]
    assert result.status is Status.FAIL and "share[country=FR] 0.2 is below the expected band" in result.message


def write_split(db: sa.Engine, day: int, countries: dict[str, int]) -> None:
    date = (START + dt.timedelta(days=day)).date().isoformat()
    loaded = (START + dt.timedelta(days=day, hours=23)).replace(tzinfo=None)
    records = [
        {"day": date, "email": "a@x.org", "country": country, "loaded_at": loaded}
        for country, n in countries.items()
        for _ in range(n)
    ]
    with db.begin() as conn:
        EVENTS.create(conn, checkfirst=True)
        conn.execute(EVENTS.insert(), records)


def test_exclude_dates_and_while_learning_are_validated_at_parse_time() -> None:
    with pytest.raises(ValueError, match="check 'volume_anomaly': argument 'exclude_dates' holds '2026-13-01'"):
        volume_anomaly(exclude_dates=["2026-13-01"])
    with pytest.raises(ValueError, match="argument 'exclude_dates' holds 20261225, which is not a date"):
        volume_anomaly(exclude_dates=[20261225])
    with pytest.raises(ValueError, match="argument 'while_learning' must be 'pass', 'warn' or fixed bounds"):
        volume_anomaly(while_learning="fail")
    with pytest.raises(ValueError, match="argument 'while_learning' takes bounds 'min' and 'max'"):
        volume_anomaly(while_learning={"minimum": 3})
    with pytest.raises(ValueError, match="argument 'while_learning' min \\(10\\) is greater than max \\(5\\)"):
        volume_anomaly(while_learning={"min": 10, "max": 5})
    with pytest.raises(
        ValueError, match="argument 'min_points' must be a whole number in \\[2, training_window \\(28\\)\\]"
    ):
        volume_anomaly(seasonality="day_of_week", min_points=30)
    check = volume_anomaly(exclude_dates=[dt.date(2026, 12, 25), "2027-01-01", dt.datetime(2026, 12, 26)])
    assert check.settings.exclude_dates == {dt.date(2026, 12, 25), dt.date(2026, 12, 26), dt.date(2027, 1, 1)}
