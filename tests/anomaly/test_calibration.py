"""The detector's bands at small history: exact where the textbook interval is known, and
calibrated (alarm rate = nominal tail) where it is not. Real computations on generated
series with a fixed seed; the benchmark (benchmarks/bench_anomaly_detection.py
--calibration-only) measures the same over many more series."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from airflow_dq.stats.anomaly import Outcome, Point, Settings, judge_point, judge_series

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)  # a Monday
WEEKLY = np.array([1.08, 1.04, 1.02, 1.0, 0.96, 0.62, 0.5])


def _points(values: np.ndarray) -> list[Point]:
    return [Point(START + dt.timedelta(days=i), float(v)) for i, v in enumerate(values)]


def test_band_without_seasons_is_the_textbook_prediction_interval() -> None:
    """Level + trend on 8 points: the band is exactly the least-squares prediction
    interval on the log scale, t(n - 2) quantile, leverage term sqrt(1 + x0'(X'X)^-1 x0)."""
    rng = np.random.default_rng(4)
    values = 1000 * np.exp(0.01 * np.arange(8) + rng.normal(0, 0.05, 8))
    history, today = _points(values), Point(START + dt.timedelta(days=8), 1000.0)
    j = judge_point(history, today, Settings(robust=False, min_points=8, training_window=8))

    t = np.arange(8) - 8.0  # days before the judged point
    x = np.column_stack([np.ones(8), t])
    y = np.log(values)
    beta, rss, *_ = np.linalg.lstsq(x, y, rcond=None)
    s = math.sqrt(float(rss[0]) / 6)
    leverage = float(np.array([1.0, 0.0]) @ np.linalg.inv(x.T @ x) @ np.array([1.0, 0.0]))
    assert leverage > 0.4  # the level at the window's end is far from certain with 8 points
    q = stats.t.isf(stats.norm.sf(3.1), 6)  # the default's 0.19% tail (3.1 sd), for 6 dof
    half = q * s * math.sqrt(1 + leverage)
    assert j.dof == pytest.approx(6.0)
    assert j.expected == pytest.approx(math.exp(beta[0]), rel=1e-9)
    assert j.low == pytest.approx(math.exp(beta[0] - half), rel=1e-6)
    assert j.high == pytest.approx(math.exp(beta[0] + half), rel=1e-6)
    # Without the leverage term or the t quantile the band would be far narrower.
    assert math.log(j.high / j.expected) > 1.5 * 3.1 * s


@pytest.mark.parametrize(("sensitivity", "tail"), [(1.645, 0.10), (2.326, 0.02)])
def test_weekly_band_in_the_first_judged_week_alarms_at_its_nominal_rate(sensitivity: float, tail: float) -> None:
    """Days 14-20 of new daily series with a strong weekly rhythm (two of each weekday
    seen): the pooled, shrunk fit's band is neither too narrow nor too wide. At a
    sensitivity whose nominal two-way tail is 10% (2%) the alarm rate on clean points is
    within sampling error of 10% (2%). Without the parameter uncertainty (the leverage
    term) the same band alarmed on 22% of these points instead of 10%."""
    rng = np.random.default_rng(21)
    alarms = judged = 0
    for _ in range(250):
        base, trend, noise = rng.uniform(2_000, 200_000), rng.uniform(-0.0015, 0.003), rng.uniform(0.03, 0.07)
        t = np.arange(21)
        values = np.round(base * (1 + trend) ** t * WEEKLY[t % 7] * np.exp(rng.normal(0, noise, 21)))
        settings = Settings(seasonality="day_of_week", noise="count", sensitivity=sensitivity)
        for j in judge_series(_points(values), settings)[14:]:
            assert j.outcome in (Outcome.NORMAL, Outcome.ANOMALOUS)
            alarms += j.anomalous
            judged += 1
    rate = alarms / judged
    sd = math.sqrt(tail * (1 - tail) / judged)
    assert judged == 250 * 7
    assert abs(rate - tail) < 3.5 * sd, rate


def _lags(rng: np.random.Generator, days: int) -> np.ndarray:
    """A freshness lag in hours: a fixed offset plus a right-skewed delay."""
    return rng.uniform(0.5, 2.0) + rng.gamma(2.0, 0.15, days)


def test_a_skewed_metric_gets_a_lopsided_band_that_keeps_its_false_alarms_low() -> None:
    rng = np.random.default_rng(8)
    symmetric = lopsided = judged = 0
    for _ in range(150):
        points = _points(_lags(rng, 40))
        plain = judge_series(points, Settings(direction="spike"))
        skewed = judge_series(points, Settings(direction="spike", skewed=True))
        for a, b in zip(plain[7:], skewed[7:], strict=True):
            symmetric += a.anomalous
            lopsided += b.anomalous
            judged += 1
            assert b.high >= a.high  # the late side is never narrower
            assert b.low == a.low == -math.inf  # spikes only
    assert judged == 150 * 33
    # The symmetric band alarms on several times the nominal one-way 0.135%; the lopsided
    # one stays under the 0.3% target.
    assert symmetric / judged > 0.005
    assert lopsided / judged < 0.003
    assert lopsided < symmetric / 2


def test_a_skewed_metric_still_catches_late_loads() -> None:
    rng = np.random.default_rng(9)
    caught = 0
    for _ in range(60):
        lags = _lags(rng, 30)
        lags[29] += rng.uniform(4, 12)  # a load 4-12 hours late on a 1-2.5 hour lag
        points = _points(lags)
        j = judge_point(points[:29], points[29], Settings(direction="spike", skewed=True))
        caught += j.anomalous
    assert caught >= 54  # at least 90%


def test_the_lopsided_band_is_wider_on_the_late_side_only() -> None:
    rng = np.random.default_rng(10)
    points = _points(_lags(rng, 21))
    both = judge_point(points[:20], points[20], Settings(skewed=False))
    skewed = judge_point(points[:20], points[20], Settings(skewed=True))
    assert skewed.low == pytest.approx(both.low)
    assert skewed.high > both.high
    assert skewed.expected == pytest.approx(both.expected)


def test_clean_points_are_rarely_left_out_of_a_two_week_weekly_fit() -> None:
    """The leave-out of past incidents is meant to drop a clean point in about 0.1% of
    windows. On two to four weeks of clean weekly data with a strong weekend dip, testing
    each candidate against a fit without *all* candidates dropped clean weekend points in
    0.4-1% of windows (no weekend factor was left to compare them with), and those windows
    then alarmed on 1 in 6 judged points. One at a time, most extreme first, it is rare."""
    rng = np.random.default_rng(21)
    settings = Settings(seasonality="day_of_week", noise="count")
    windows = dropped = 0
    for _ in range(150):
        noise = rng.uniform(0.03, 0.07)
        t = np.arange(28)
        values = np.round(rng.uniform(2e3, 2e5) * WEEKLY[t % 7] * np.exp(rng.normal(0, noise, 28)))
        points = _points(values)
        for i in range(14, 28):
            judged = judge_point(points[:i], points[i], settings)
            windows += 1
            dropped += judged.points < i
    assert windows == 2100
    assert dropped <= 4, f"{dropped} of {windows} windows left a clean point out"


def test_a_two_day_incident_in_weekly_history_is_still_left_out() -> None:
    """One at a time does not let two incident days hide each other (most extreme first,
    each against every point not yet confirmed): both are left out and the band stays as
    narrow as the clean history's."""
    rng = np.random.default_rng(5)
    t = np.arange(21)
    clean = np.round(50_000 * WEEKLY[t % 7] * np.exp(rng.normal(0, 0.04, 21)))
    hit = clean.copy()
    hit[[9, 10]] *= 0.5  # a Wednesday and a Thursday at half volume
    today = Point(START + dt.timedelta(days=21), 50_000.0)
    settings = Settings(seasonality="day_of_week", noise="count")
    with_incident = judge_point(_points(hit), today, settings)
    without = judge_point(_points(clean), today, settings)
    assert with_incident.points == 19 and without.points == 21
    width = with_incident.high / with_incident.low
    assert width < 1.25 * (without.high / without.low)
    kept = judge_point(_points(hit), today, Settings(seasonality="day_of_week", noise="count", robust=False))
    assert kept.high / kept.low > 1.5 * width  # kept in, the incident widens the band
