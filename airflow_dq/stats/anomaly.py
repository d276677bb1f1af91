"""Anomaly scores of a metric against its own history: pure functions, no I/O.

The detector starts from what Elementary users know (z-score, sensitivity 3, a training
window of 14 points, at least 7 points before judging) and changes what causes false
alarms or missed incidents:

- **robust statistics**: the expected value is a median (a Theil-Sen line when ``trend``)
  and spreads are robust scales (Qn, or the MAD on long series), so one past incident
  neither drags the centre nor inflates the band;
- **seasonality**: with ``day_of_week`` (``hour_of_day``) a point is compared only with
  points of the same weekday (hour), so a quiet Sunday is not a "drop"; hourly series also
  learn each weekday's level from how far that weekday's hours strayed;
- **a calibrated band**: its width comes from the detector's own recent forecast errors,
  pooled over all seasons (log ratios for positive metrics; each side measured on its own
  once there are enough, for skewed metrics such as lags), widened by Student's t for how
  few points it rests on, so "sensitivity 3" keeps its nominal 0.27% tail;
- **exclusion**: points the detector itself judged anomalous are left out of later
  baselines (re-judged in order from the stored values, so a settings change applies to
  the past too); ``relearn_after`` anomalies in a row, all one way, are a lasting change
  and older points are rescaled to the new level.

Small absolute changes (``min_change``) and the wrong direction (``direction``) never
alarm. Until ``min_points`` baseline points exist, the verdict is "learning".
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from airflow_dq.stats.robust import band_width, sided_spread, spread, theil_sen

SEASONALITIES = ("day_of_week", "hour_of_day")
DIRECTIONS = ("both", "drop", "spike")


@dataclass(frozen=True)
class Point:
    """One past (or the current) value of a metric series; ``value`` None = not measured."""

    at: dt.datetime
    value: float | None


@dataclass(frozen=True)
class Settings:
    """How to judge a point. The defaults are the robust detector; ``ELEMENTARY`` is the baseline."""

    sensitivity: float = 3.0
    training_window: int = 14
    min_points: int = 7
    seasonality: str | None = None
    direction: str = "both"
    min_change: float = 0.0
    robust: bool = True  # median/MAD; False = mean/sample stddev
    trend: bool = True  # Theil-Sen line through the window
    exclude_anomalies: bool = True
    # A run of this many anomalies in a row, all one way, is a lasting change (a client
    # left, a new source): older points are rescaled to the new level, and the alarms stop.
    # 0 = never.
    relearn_after: int = 5
    # Band width from the detector's own recent forecast errors (pooled over all seasons,
    # relative for positive metrics) with a Student's t correction for how few there are:
    # sensitivity 3 then means the nominal 0.27% tail, instead of 3-4% false alarms at 14
    # points. False = the spread of the window itself, as Elementary does.
    calibrate: bool = True
    timezone: str = "UTC"  # wall clock for the seasons

    def __post_init__(self) -> None:
        problems = []
        if not self.sensitivity > 0:
            problems.append(f"sensitivity must be > 0, got {self.sensitivity!r}")
        if not (isinstance(self.training_window, int) and self.training_window >= 2):
            problems.append(f"training_window must be a whole number >= 2, got {self.training_window!r}")
        if not (isinstance(self.min_points, int) and 2 <= self.min_points <= self.training_window):
            problems.append(f"min_points must be a whole number in [2, training_window], got {self.min_points!r}")
        if self.seasonality not in (None, *SEASONALITIES):
            problems.append(f"seasonality must be None or one of {SEASONALITIES}, got {self.seasonality!r}")
        if self.direction not in DIRECTIONS:
            problems.append(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if not (isinstance(self.relearn_after, int) and self.relearn_after >= 0):
            problems.append(f"relearn_after must be a whole number >= 0, got {self.relearn_after!r}")
        if not self.min_change >= 0:
            problems.append(f"min_change must be >= 0, got {self.min_change!r}")
        if problems:
            raise ValueError("; ".join(problems))


# Elementary's defaults: mean/stddev z-score, 14 points, 7 to start, no seasonality.
ELEMENTARY = Settings(robust=False, trend=False, exclude_anomalies=False, calibrate=False, relearn_after=0)


class Outcome(StrEnum):
    LEARNING = "learning"
    NORMAL = "normal"
    ANOMALOUS = "anomalous"


@dataclass(frozen=True)
class Judgement:
    """The verdict on one point: the band it was expected in and how far off it was."""

    outcome: Outcome
    value: float | None
    expected: float | None = None
    low: float | None = None  # -inf / inf when that side is not judged (direction)
    high: float | None = None
    score: float | None = None  # signed z-score
    base: float | None = None  # the expected value before the weekday correction (hour_of_day)
    points: int = 0  # baseline points used (or available, while learning)

    @property
    def anomalous(self) -> bool:
        return self.outcome is Outcome.ANOMALOUS


def season_of(at: dt.datetime, seasonality: str | None, timezone: str = "UTC") -> int | None:
    if seasonality is None:
        return None
    local = at.astimezone(ZoneInfo(timezone)) if at.tzinfo else at
    return local.weekday() if seasonality == "day_of_week" else local.hour


@dataclass
class _Seen:
    """A judged point as later baselines see it (its value rescaled after a lasting change)."""

    at: dt.datetime
    value: float
    anomalous: bool = False
    expected: float | None = None  # None while learning
    base: float | None = None  # expected before the weekday correction
    weekday: int | None = None  # in the detector's time zone (for the hourly weekday level)

    def error(self, relative: bool, *, base: bool = False) -> float | None:
        expected = self.base if base else self.expected
        if expected is None or self.anomalous:
            return None
        if relative:
            return math.log(self.value / expected) if expected > 0 and self.value > 0 else None
        return self.value - expected


def _baseline(past: Sequence[_Seen], s: Settings) -> list[_Seen]:
    """The last ``training_window`` usable points before the current one (same season)."""
    recent = past[-s.training_window :]
    flagged = sum(1 for p in recent if p.anomalous)
    if not s.exclude_anomalies or flagged * 2 > len(recent):
        # A majority of anomalies is no longer an incident but the new level: keep them.
        return list(recent)
    return [p for p in past if not p.anomalous][-s.training_window :]


def _expected(baseline: Sequence[_Seen], at: dt.datetime, s: Settings) -> tuple[float, list[float], float]:
    """The predicted value at ``at``, the window's residuals, and the prediction-interval factor."""
    ys = [p.value for p in baseline]
    n = len(ys)
    if s.trend and n >= 3:
        # Time in days relative to the judged point, so the intercept is the prediction.
        xs = [(p.at - at).total_seconds() / 86400 for p in baseline]
        expected, slope = theil_sen(xs, ys)
        residuals = [y - (expected + slope * x) for x, y in zip(xs, ys, strict=True)]
        mean_x = statistics.fmean(xs)
        sxx = sum((x - mean_x) ** 2 for x in xs)
        # An extrapolated line is less certain than a mean: the usual prediction factor.
        return expected, residuals, math.sqrt(1 + 1 / n + (mean_x**2 / sxx if sxx > 0 else 0.0))
    expected = statistics.median(ys) if s.robust else statistics.fmean(ys)
    return expected, [y - expected for y in ys], math.sqrt(1 + 1 / n) if s.calibrate else 1.0


def _judge(point: Point, baseline: list[_Seen], seen: list[_Seen], s: Settings) -> Judgement:
    value = float(point.value)  # type: ignore[arg-type]
    expected, residuals, widen = _expected(baseline, point.at, s)
    # Prefer the detector's own recent forecast errors: they already include how uncertain
    # the expected value is, and pooled over every season there are many more of them. For
    # a positive metric they are log ratios, so a quiet Sunday's noise and a busy Monday's
    # compare, and skewed metrics (lags) get a band that is wider upwards.
    pool = max(s.training_window * _SEASONS[s.seasonality], _SIDED_POINTS * s.training_window)
    relative = expected > 0 and all(p.value > 0 for p in baseline)
    base = expected
    if s.seasonality == "hour_of_day":
        # Hourly data has a weekly rhythm too: learn each weekday's level from how far the
        # same weekday's hours strayed from their hour-of-day baselines.
        weekday = season_of(point.at, "day_of_week", s.timezone)
        same_day = [e for p in seen[-pool:] if p.weekday == weekday and (e := p.error(relative, base=True)) is not None]
        if len(same_day) >= s.min_points:
            shift = statistics.median(same_day)
            expected = expected * math.exp(shift) if relative else expected + shift
    errors = [e for p in seen[-pool:] if (e := p.error(relative)) is not None] if s.calibrate else []
    if len(errors) >= s.training_window:
        sd, df = spread(errors, robust=s.robust)
        sd_low = sd_high = sd
        if s.robust and len(errors) >= _SIDED_POINTS * s.training_window:
            # Enough errors to measure each side on its own: skewed metrics (a lag is
            # hours late, never hours early) get a band that is wider on their long side.
            below, above, sided_df = sided_spread(errors)
            if below > 0 and above > 0:
                sd_low, sd_high, df = below, above, sided_df
    else:
        relative = False
        sd, df = spread(residuals, robust=s.robust)
        if sd == 0 and s.trend and len(baseline) > 1:
            # A line can fit a few points exactly (8, 9, 10 rows): that is luck, not
            # certainty. The band then assumes the series may stray by as much as it moves
            # from one run to the next.
            sd = statistics.fmean(abs(b.value - a.value) for a, b in itertools.pairwise(baseline))
        sd_low = sd_high = sd * widen
    k = band_width(s.sensitivity, df if s.calibrate else None)
    if relative:
        low, high = expected * math.exp(-k * sd_low), expected * math.exp(k * sd_high)
        deviation = math.log(value / expected) if value > 0 else -math.inf
    else:
        low, high = expected - k * sd_low, expected + k * sd_high
        deviation = value - expected
    sd = sd_high if deviation > 0 else sd_low
    # min_change is absolute: a change smaller than it never alarms, whatever its z.
    low, high = min(low, expected - s.min_change), max(high, expected + s.min_change)
    if low < 0 <= min(p.value for p in baseline):
        low = 0.0  # a count or a rate is never negative: show the band as it can be
    if s.direction == "spike":
        low = -math.inf
    if s.direction == "drop":
        high = math.inf
    if sd > 0:
        score = deviation / sd
    else:
        score = 0.0 if deviation == 0 else math.copysign(math.inf, deviation)
    anomalous = (value < low or value > high) and abs(value - expected) > s.min_change
    outcome = Outcome.ANOMALOUS if anomalous else Outcome.NORMAL
    return Judgement(
        outcome, value, expected=expected, low=low, high=high, score=score, points=len(baseline), base=base
    )


def _relearn(seen: list[_Seen], s: Settings) -> None:
    """After ``relearn_after`` anomalies in a row, all one way, move older points to the new level."""
    streak = seen[-s.relearn_after :]
    if not s.relearn_after or len(streak) < s.relearn_after or not all(p.anomalous for p in streak):
        return
    signs = {p.value > p.expected for p in streak}  # type: ignore[operator]
    if len(signs) > 1:
        return
    older = seen[: -s.relearn_after]
    if all((p.expected or 0) > 0 for p in streak) and all(p.value >= 0 for p in older):
        factor = statistics.median(p.value / p.expected for p in streak)  # type: ignore[operator]
        for p in older:
            p.value *= factor
    else:
        shift = statistics.median(p.value - p.expected for p in streak)  # type: ignore[operator]
        for p in older:
            p.value += shift
    for p in streak:  # no longer incidents, and their errors say nothing about the noise
        p.anomalous, p.expected, p.base = False, None, None


_SEASONS = {None: 1, "day_of_week": 7, "hour_of_day": 24}
# Forecast errors kept for the band: at least this many training windows' worth, and the
# band's two sides are measured separately once there are that many.
_SIDED_POINTS = 4


def judge_series(points: Sequence[Point], settings: Settings) -> list[Judgement]:
    """Judge every point of a series (oldest first) against the points before it.

    Each point's baseline is built from earlier points only, exactly as the runs would
    have seen them; points judged anomalous are left out of later baselines (see module).
    """
    s = settings
    seen: list[_Seen] = []
    by_season: dict[int | None, list[_Seen]] = {}
    out: list[Judgement] = []
    for point in sorted(points, key=lambda p: p.at):
        past = by_season.setdefault(season_of(point.at, s.seasonality, s.timezone), [])
        if point.value is None or math.isnan(point.value):
            out.append(Judgement(Outcome.LEARNING, None, points=len(past)))
            continue
        baseline = _baseline(past, s)
        if len(baseline) < s.min_points:
            judgement = Judgement(Outcome.LEARNING, float(point.value), points=len(baseline))
        else:
            judgement = _judge(point, baseline, seen, s)
        out.append(judgement)
        weekday = season_of(point.at, "day_of_week", s.timezone)
        entry = _Seen(point.at, float(point.value), judgement.anomalous, judgement.expected, judgement.base, weekday)
        seen.append(entry)
        past.append(entry)
        _relearn(seen, s)
    return out


def judge_point(history: Sequence[Point], current: Point, settings: Settings) -> Judgement:
    """Judge ``current`` against ``history`` (points strictly before it, any order)."""
    earlier = [p for p in history if p.at < current.at]
    return judge_series([*earlier, current], settings)[-1]


def history_needed(settings: Settings) -> int:
    """How many past runs to load so the baseline (and the exclusions in it) are complete."""
    # Twice the window: the older half lets the newer half's anomalies be re-judged.
    window = settings.training_window
    return (2 * window + 1) * _SEASONS[settings.seasonality] + _SIDED_POINTS * window
