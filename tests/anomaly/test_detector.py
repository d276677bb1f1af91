"""The anomaly detector on synthetic series whose right answer is known by construction."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from airflow_dq.stats.anomaly import Outcome, Point, Settings, judge_point, judge_series
from airflow_dq.stats.baselines import elementary_zscore
from airflow_dq.stats.robust import qn_scale, theil_sen

MONDAY = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def daily(values: list[float], start: dt.datetime = MONDAY) -> list[Point]:
    return [Point(start + dt.timedelta(days=i), v) for i, v in enumerate(values)]


def noisy(n: int, level: float = 1000.0, noise: float = 0.03, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [level * (1 + rng.gauss(0, noise)) for _ in range(n)]


def after(points: list[Point], days: int = 1) -> dt.datetime:
    return points[-1].at + dt.timedelta(days=days)


def test_qn_is_a_consistent_standard_deviation_and_theil_sen_ignores_an_outlier() -> None:
    rng = random.Random(3)
    sample = [rng.gauss(0, 2.0) for _ in range(400)]
    assert qn_scale(sample) == pytest.approx(2.0, rel=0.08)
    xs = list(range(10))
    ys = [3 + 2 * x for x in xs]
    ys[4] = 500  # one wild point does not bend the robust line
    intercept, slope = theil_sen(xs, ys)
    assert (intercept, slope) == (pytest.approx(3), pytest.approx(2))


def test_learning_until_min_points_then_judged() -> None:
    history = daily(noisy(6))
    j = judge_point(history, Point(after(history), 10.0), Settings())
    assert j.outcome is Outcome.LEARNING and j.points == 6  # even an absurd value: no false failure
    history = daily(noisy(7))
    j = judge_point(history, Point(after(history), 10.0), Settings())
    assert j.outcome is Outcome.ANOMALOUS and j.points == 7


def test_seasonal_judging_starts_after_two_weeks_daily_and_two_days_hourly() -> None:
    pattern = [1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.55]
    values = [v * pattern[i % 7] for i, v in enumerate(noisy(14, noise=0.03))]
    s = Settings(seasonality="day_of_week")
    assert judge_point(daily(values[:13]), Point(MONDAY + dt.timedelta(days=14), 600.0), s).outcome is (
        Outcome.LEARNING
    )
    # Day 15, a Tuesday 35% low, with only two past Tuesdays: caught.
    tuesday = MONDAY + dt.timedelta(days=15)
    history = daily([*values, 1000.0])
    assert judge_point(history, Point(tuesday, 650.0), s).anomalous
    assert not judge_point(history, Point(tuesday, 990.0), s).anomalous
    hourly = [Point(MONDAY + dt.timedelta(hours=h), 100.0 + h % 24) for h in range(47)]
    hour = Settings(seasonality="hour_of_day")
    assert judge_point(hourly, Point(MONDAY + dt.timedelta(hours=47), 123.0), hour).outcome is Outcome.LEARNING
    assert hour.start == 48 and s.start == 14 and Settings().start == 7


def test_excluded_dates_are_neither_judged_nor_history() -> None:
    values = noisy(20)
    holiday = (MONDAY + dt.timedelta(days=15)).date()
    values[15] = 200.0  # the holiday's volume is far lower
    s = Settings(exclude_dates=frozenset({holiday}))
    history = daily(values)
    on_holiday = judge_point(history[:15], Point(history[15].at, 200.0), s)
    assert on_holiday.outcome is Outcome.EXCLUDED
    after_holiday = judge_point(history, Point(after(history), 1000.0), s)
    assert after_holiday.outcome is Outcome.NORMAL and after_holiday.points == 14  # the 14 runs before, less it
    assert after_holiday.low > 850  # the holiday's low volume is not in the fit


def test_the_band_is_never_narrower_than_the_counting_noise() -> None:
    # Four past shares that happened to cluster within 0.1 point: their spread is tiny, but
    # a share of 2,000 rows is only known to about sqrt(p(1-p)/n) = 1.1 points.
    shares = [0.300, 0.301, 0.300, 0.301, 0.300, 0.301, 0.300]
    history = daily(shares)
    today = Point(after(history), 0.300 - 2.6 * (0.3 * 0.7 / 2000) ** 0.5)  # 2.6 binomial sd low
    assert judge_point(history, today, Settings(trend=False)).anomalous  # without the floor: alarm
    share = judge_point(history, today, Settings(trend=False, noise="share"), trials=2000)
    assert not share.anomalous
    assert share.expected - share.low >= 3 * (0.3 * 0.7 / 2000) ** 0.5 * 0.95
    counts = daily([10_000.0, 10_001.0, 10_000.0, 10_001.0, 10_000.0, 10_001.0, 10_000.0])
    low_count = Point(after(counts), 10_000 - 2.5 * 100)  # 2.5 Poisson sd low
    assert judge_point(counts, low_count, Settings(trend=False)).anomalous
    assert not judge_point(counts, low_count, Settings(trend=False, noise="count")).anomalous


def test_drop_is_flagged_and_normal_value_is_inside_the_band() -> None:
    history = daily(noisy(28))
    s = Settings()
    normal = judge_point(history, Point(after(history), 1010.0), s)
    assert normal.outcome is Outcome.NORMAL
    assert normal.low < 1000 < normal.high
    # 3% noise, 14 points: about +-4.5 sd once widened for the estimate's own uncertainty.
    assert normal.low > 850 and normal.high < 1160
    drop = judge_point(history, Point(after(history), 600.0), s)
    assert drop.anomalous and drop.score < -5 and drop.value == 600.0


def test_direction_and_min_change() -> None:
    history = daily(noisy(28))
    spike = Point(after(history), 1800.0)
    assert judge_point(history, spike, Settings(direction="both")).anomalous
    assert not judge_point(history, spike, Settings(direction="drop")).anomalous
    assert judge_point(history, spike, Settings(direction="spike")).anomalous
    # A never-null column: any change is outside a zero-width band, unless it is small.
    zeros = daily([0.0] * 20)
    tiny = Point(after(zeros), 0.0004)
    assert judge_point(zeros, tiny, Settings()).anomalous
    assert not judge_point(zeros, tiny, Settings(min_change=0.001)).anomalous
    assert judge_point(zeros, Point(after(zeros), 0.02), Settings(min_change=0.001)).anomalous


def test_day_of_week_seasonality_removes_weekend_false_alarms() -> None:
    pattern = [1.0, 1.0, 1.0, 1.0, 1.0, 0.45, 0.4]  # Mon..Sun
    values = [v * p for v, p in zip(noisy(10 * 7, noise=0.02), pattern * 10, strict=True)]
    history = daily(values)
    sunday = MONDAY + dt.timedelta(days=76)
    assert sunday.weekday() == 6 and sunday > history[-1].at
    seasonal = Settings(seasonality="day_of_week")
    plain = Settings()
    quiet_sunday = Point(sunday, 400.0)
    judged = judge_point(history, quiet_sunday, seasonal)
    assert not judged.anomalous and judged.expected == pytest.approx(400, rel=0.05)
    assert judge_point(history, quiet_sunday, plain).anomalous  # without seasons it looks like a drop
    # ... and a Monday at Sunday's level is a real drop the seasonal detector sees.
    monday = Point(sunday + dt.timedelta(days=1), 420.0)
    assert judge_point(history, monday, seasonal).anomalous


def test_past_anomalies_are_left_out_of_the_fit() -> None:
    values = noisy(30)
    incident = {20, 21, 22}
    with_incident = [10.0 if i in incident else v for i, v in enumerate(values)]
    today = Point(MONDAY + dt.timedelta(days=30), 1000.0)
    s = Settings(trend=False)
    judged = judge_point(daily(with_incident), today, s)
    clean_window = [p for i, p in enumerate(daily(values)) if i >= 16 and i not in incident]
    clean = judge_point(clean_window, today, s)
    # The incident is left out: the same fit (11 of the last 14 runs) as if it never happened.
    assert judged.points == 11 and clean.points == 11
    assert judged.expected == pytest.approx(clean.expected)
    assert (judged.low, judged.high) == (pytest.approx(clean.low), pytest.approx(clean.high))
    kept = judge_point(daily(with_incident), today, Settings(trend=False, exclude_anomalies=False, robust=False))
    assert kept.points == 14
    assert kept.high / kept.low > 10 * (judged.high / judged.low)  # kept in, the incident widens the band


def test_a_zero_count_among_positive_ones_is_an_outage_not_noise() -> None:
    values = noisy(14)
    values[9] = 0.0  # one day nothing arrived
    history = daily(values)
    j = judge_point(history, Point(after(history), 600.0), Settings(noise="count"))
    assert j.anomalous and j.points == 13  # judged in relative terms, without the outage


def test_a_lasting_change_becomes_the_new_normal_after_relearn_after_runs() -> None:
    values = noisy(30) + [2 * v for v in noisy(12, seed=9)]
    judged = judge_series(daily(values), Settings(relearn_after=4))
    flags = [j.anomalous for j in judged[30:]]
    assert flags[:4] == [True] * 4  # the change is reported...
    assert not any(flags[4:])  # ...then accepted as the new level


def test_robust_detector_sees_a_drop_that_a_past_spike_hides_from_mean_stddev() -> None:
    values = noisy(20)
    values[15] = 12_000.0  # a one-off duplicated load two weeks ago
    history = daily(values)
    drop = Point(after(history), 700.0)  # -30%
    assert judge_point(history, drop, Settings()).anomalous
    assert elementary_zscore(history, drop) is False


def test_trend_is_followed() -> None:
    rng = random.Random(5)
    values = [1000 * 1.02**i * (1 + rng.gauss(0, 0.01)) for i in range(21)]  # +2% a day
    history = daily(values)
    on_trend = Point(after(history), 1000 * 1.02**21)
    followed = judge_point(history, on_trend, Settings())
    assert not followed.anomalous and followed.expected == pytest.approx(on_trend.value, rel=0.02)
    flat = judge_point(history, on_trend, Settings(trend=False))
    assert flat.expected < 0.9 * on_trend.value  # a flat level lags behind the trend...
    # ...and needs a band far wider (compared in log terms: relative width)
    assert math.log(flat.high / flat.low) > 3 * math.log(followed.high / followed.low)
    assert judge_point(history, Point(after(history), 0.9 * on_trend.value), Settings()).anomalous


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"sensitivity": 0}, "sensitivity"),
        ({"min_points": 20}, "min_points"),
        ({"direction": "down"}, "direction"),
        ({"seasonality": "weekly"}, "seasonality"),
        ({"min_change": -1}, "min_change"),
    ],
)
def test_bad_settings_name_the_argument(kwargs: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        Settings(**kwargs)


def test_hour_of_day_also_learns_the_weekday_level() -> None:
    rng = random.Random(8)
    hourly = [0.2] * 7 + [1.0] * 12 + [0.5] * 5  # midnight..23h
    weekday = [1.0] * 5 + [0.6, 0.55]  # quiet weekends
    start = MONDAY
    saturday_noon = start + dt.timedelta(days=7 * 5 + 5, hours=12)
    hours = int((saturday_noon - start).total_seconds() // 3600)  # every run until Saturday 11:00
    points = [
        Point(start + dt.timedelta(hours=h), 1000 * hourly[h % 24] * weekday[(h // 24) % 7] * (1 + rng.gauss(0, 0.03)))
        for h in range(hours)
    ]
    s = Settings(seasonality="hour_of_day")
    normal = judge_point(points, Point(saturday_noon, 600.0), s)
    assert normal.points == 336  # two weeks of hours, weekends included (not outliers)
    assert normal.outcome is Outcome.NORMAL
    assert normal.base > 800  # noon of any day (mostly weekdays)...
    assert normal.expected == pytest.approx(600, rel=0.1)  # ...scaled to a Saturday
    assert judge_point(points, Point(saturday_noon, 300.0), s).anomalous


def test_skewed_metric_gets_a_band_wider_on_its_long_side() -> None:
    rng = random.Random(2)
    lags = [3600 + rng.expovariate(1 / 600) for _ in range(90)]  # usually ~1 h, sometimes later
    history = daily(lags)
    j = judge_point(history, Point(after(history), 4000.0), Settings())
    assert j.outcome is Outcome.NORMAL
    assert j.high - j.expected > 1.4 * (j.expected - j.low)


def test_a_line_that_fits_a_few_points_exactly_still_gets_a_band() -> None:
    # 8, 9, 10, 11 rows: a line fits them perfectly, but the next value is not known to the row.
    history = daily([8, 9, 10, 11])
    settings = Settings(min_points=4)
    expected_next = judge_point(history, Point(after(history), 12), settings)
    assert expected_next.outcome is Outcome.NORMAL
    assert expected_next.high - expected_next.low > 2  # a band, not the single value 12
    # Three points leave one degree of freedom: too few to trust any band yet.
    assert judge_point(daily([8, 9, 10]), Point(after(history), 11), Settings(min_points=3)).outcome is (
        Outcome.LEARNING
    )
    # With the default 7 points the band is narrow enough to catch a collapse.
    ramp = daily([8, 9, 10, 11, 12, 13, 14])
    assert judge_point(ramp, Point(after(ramp), 15), Settings()).outcome is Outcome.NORMAL
    assert judge_point(ramp, Point(after(ramp), 16), Settings()).outcome is Outcome.NORMAL
    assert judge_point(ramp, Point(after(ramp), 2), Settings()).outcome is Outcome.ANOMALOUS
