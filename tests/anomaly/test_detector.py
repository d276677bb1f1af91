"""The anomaly detector on synthetic series whose right answer is known by construction."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from airflow_dq.stats.anomaly import ELEMENTARY, Outcome, Point, Settings, judge_point, judge_series
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
    assert not judge_point(history, quiet_sunday, seasonal).anomalous
    assert judge_point(history, quiet_sunday, plain).anomalous  # without seasons it looks like a drop
    # ... and a Monday at Sunday's level is a real drop only the seasonal detector sees.
    monday = Point(sunday + dt.timedelta(days=1), 420.0)
    assert judge_point(history, monday, seasonal).anomalous


def test_past_anomalies_are_left_out_of_the_baseline() -> None:
    values = noisy(30)
    incident = {20, 21, 22}
    with_incident = [0.0 if i in incident else v for i, v in enumerate(values)]
    today = Point(MONDAY + dt.timedelta(days=30), 900.0)
    s = Settings(trend=False)
    judged = judge_point(daily(with_incident), today, s)
    clean_history = [p for i, p in enumerate(daily(values)) if i not in incident]
    clean = judge_point(clean_history, today, s)
    # The zeros are excluded: the same baseline (14 clean points) as if they never happened.
    assert judged.points == 14
    assert judged.expected == pytest.approx(clean.expected)
    kept = judge_point(daily(with_incident), today, Settings(trend=False, exclude_anomalies=False))
    assert kept.low < judged.low  # kept in, the zeros widen the band


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
    assert not judge_point(history, drop, ELEMENTARY).anomalous


def test_trend_is_followed() -> None:
    rng = random.Random(5)
    values = [1000 * 1.02**i * (1 + rng.gauss(0, 0.01)) for i in range(21)]  # +2% a day
    history = daily(values)
    on_trend = Point(after(history), 1000 * 1.02**21)
    assert not judge_point(history, on_trend, Settings()).anomalous
    assert judge_point(history, on_trend, Settings(trend=False)).anomalous  # the median lags behind


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
    # 8, 9, 10 rows: Theil-Sen fits them perfectly, but the next value is not known to the row.
    history = daily([8, 9, 10])
    settings = Settings(min_points=3)
    expected_next = judge_point(history, Point(after(history), 11), settings)
    assert expected_next.outcome is Outcome.NORMAL
    assert expected_next.high - expected_next.low > 2  # a band, not the single value 11
    assert expected_next.low == 0.0  # wide with 3 points, but a row count is never negative
    near = judge_point(history, Point(after(history), 10), settings)
    assert near.outcome is Outcome.NORMAL
    # With the default 7 points the band is narrow enough to catch a collapse.
    ramp = daily([8, 9, 10, 11, 12, 13, 14])
    assert judge_point(ramp, Point(after(ramp), 15), Settings()).outcome is Outcome.NORMAL
    assert judge_point(ramp, Point(after(ramp), 16), Settings()).outcome is Outcome.NORMAL
    assert judge_point(ramp, Point(after(ramp), 2), Settings()).outcome is Outcome.ANOMALOUS
