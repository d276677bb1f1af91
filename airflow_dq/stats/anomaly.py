"""Anomaly scores of a metric against its own history: pure functions, no I/O.

The detector is a small regression fitted afresh to a bounded window of past runs, so it
judges early, its bands mean what they say at any history length, and one judgement
costs O(window) whatever the length of the history:

- **one model for all points**: ``log(value) = level + trend * t + season + noise`` (the
  raw value when the series has zeros or negatives). Level and trend come from every
  point of the window, not from the same weekday only; the seasonal factors (weekday,
  hour of day, and the weekday of hourly data) are pooled across seasons and shrunk
  towards 1 as much as the data says (empirical Bayes: a factor seen once counts less
  than one seen four times, and a series with no real rhythm gets none). A weekly rhythm
  is therefore usable after two weeks of daily runs, not after ``min_points`` Tuesdays.
- **predictive bands**: the band is a Student-t prediction interval with the fit's own
  residual degrees of freedom, including the uncertainty of the level, the trend and the
  factor of the judged season; the spread is pooled across all seasons. With few points
  the band is wide, and the default sensitivity 3.1 keeps its nominal 0.19% two-sided
  tail (3 would be 0.27%).
- **a noise floor**: a row count cannot be known better than its Poisson noise (sd
  sqrt(n)), a share or rate of n rows better than its binomial noise sqrt(p(1-p)/n); the
  band is never narrower than that, however clustered a few past values are by chance.
- **lopsided noise** (``skewed``, set by the freshness check): a delay is never much
  early but sometimes much late, so the late half of the band gets the spread of the
  points above the fit, with their share of the degrees of freedom (a two-piece normal).
- **robust to past incidents**: points far off the fit (over 4 robust sd) are left out
  and the fit repeated, so an incident neither drags the level nor widens the band; when
  the newest ``relearn_after`` runs are all off the same way, that is a lasting change
  and the older points are moved to the new level. Dates in ``exclude_dates`` (holidays)
  are never part of a fit and are not judged.

Small absolute changes (``min_change``) and the wrong direction (``direction``) never
alarm. Until ``min_points`` usable past runs exist the verdict is "learning".
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import numpy as np

SEASONALITIES = ("day_of_week", "hour_of_day")
DIRECTIONS = ("both", "drop", "spike")
NOISES = ("count", "share")

# Defaults per seasonality: (past runs in the fit, past runs before judging starts).
# Daily runs with a weekly rhythm: 4 weeks in the fit, judged from 2 weeks on; hourly runs:
# 2 weeks in the fit (so each weekday is seen twice), judged from 2 days on.
WINDOWS = {None: (14, 7), "day_of_week": (28, 14), "hour_of_day": (336, 48)}
_PERIOD = {None: 1, "day_of_week": 7, "hour_of_day": 24}
# A point this many robust standard deviations off the fit is an outlier (a past incident).
_OUTLIER_SD = 4.5
_TRIM_SD = 2.5
# Residual degrees of freedom needed before a band is trusted at all.
_MIN_DOF = 2.0

# How many standard deviations a value may stray by default: a two-sided 0.19% tail. The
# target is at most 0.3% false alarms per judged clean point at every history length; a
# band at exactly 0.3% (or at 3 sd's 0.27%) lands above it in half of all measurements by
# chance alone and has no room for model error. At 3.1 the generated calibration series
# alarm on 0.1-0.3% and the real series less (4.7 instead of 5.6 per 1,000 clean days),
# for the cost of 2 of 90 late loads and 1 of 30 early drops (bench_anomaly_*.py, seed 7/3;
# docs/history-and-anomalies.md).
DEFAULT_SENSITIVITY = 3.1


@dataclass(frozen=True)
class Point:
    """One past (or the current) value of a metric series; ``value`` None = not measured."""

    at: dt.datetime
    value: float | None


@dataclass(frozen=True)
class Settings:
    """How to judge a point (see the module docstring)."""

    sensitivity: float = DEFAULT_SENSITIVITY
    training_window: int | None = None  # past runs in the fit; None = by seasonality (WINDOWS)
    min_points: int | None = None  # past runs before judging; None = by seasonality (WINDOWS)
    seasonality: str | None = None
    direction: str = "both"
    min_change: float = 0.0
    robust: bool = True  # leave points far off the fit out of it
    trend: bool = True  # a linear trend through the window
    exclude_anomalies: bool = True  # kept for the check's argument: the same as robust
    # The newest this-many runs all off the fit the same way are a lasting change: older
    # points are moved to the new level. 0 = never.
    relearn_after: int = 5
    timezone: str = "UTC"  # wall clock for the seasons and the excluded dates
    noise: str | None = None  # the metric's own noise: "count" (Poisson) or "share" (binomial)
    exclude_dates: frozenset[dt.date] = field(default_factory=frozenset)
    # The metric's noise is right-skewed by nature (a freshness lag: a delay is never
    # negative, and late days are later than early days are early): the upper half of the
    # band gets the spread of the points above the fit (see _late_side).
    skewed: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not self.sensitivity > 0:
            problems.append(f"sensitivity must be > 0, got {self.sensitivity!r}")
        if self.seasonality not in (None, *SEASONALITIES):
            problems.append(f"seasonality must be None or one of {SEASONALITIES}, got {self.seasonality!r}")
        window, start = WINDOWS.get(self.seasonality, WINDOWS[None])
        window = self.training_window if self.training_window is not None else window
        if isinstance(window, bool) or not isinstance(window, int) or window < 2:
            problems.append(f"training_window must be a whole number >= 2, got {self.training_window!r}")
        else:
            points = self.min_points if self.min_points is not None else min(start, window)
            if isinstance(points, bool) or not (isinstance(points, int) and 2 <= points <= window):
                problems.append(
                    f"min_points must be a whole number in [2, training_window ({window})], got {self.min_points!r}"
                )
        if self.direction not in DIRECTIONS:
            problems.append(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if not (isinstance(self.relearn_after, int) and self.relearn_after >= 0):
            problems.append(f"relearn_after must be a whole number >= 0, got {self.relearn_after!r}")
        if not self.min_change >= 0:
            problems.append(f"min_change must be >= 0, got {self.min_change!r}")
        if self.noise not in (None, *NOISES):
            problems.append(f"noise must be None or one of {NOISES}, got {self.noise!r}")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def window(self) -> int:
        return self.training_window if self.training_window is not None else WINDOWS[self.seasonality][0]

    @property
    def start(self) -> int:
        return self.min_points if self.min_points is not None else min(WINDOWS[self.seasonality][1], self.window)


class Outcome(StrEnum):
    LEARNING = "learning"
    EXCLUDED = "excluded"  # the point's date is in exclude_dates: not judged
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
    score: float | None = None  # signed z-score against the predictive spread
    base: float | None = None  # the expected value before the weekday factor
    points: int = 0  # past points the fit used (or available, while learning)
    dof: float | None = None  # residual degrees of freedom of the band

    @property
    def anomalous(self) -> bool:
        return self.outcome is Outcome.ANOMALOUS


def _local(at: dt.datetime, timezone: str) -> dt.datetime:
    return at.astimezone(ZoneInfo(timezone)) if at.tzinfo else at


def season_of(at: dt.datetime, seasonality: str | None, timezone: str = "UTC") -> int | None:
    if seasonality is None:
        return None
    local = _local(at, timezone)
    return local.weekday() if seasonality == "day_of_week" else local.hour


@functools.lru_cache(maxsize=65536)
def _season(at: dt.datetime, seasonality: str, timezone: str) -> int:
    # Cached: a window's points are the same from one judgement to the next in a replay.
    return season_of(at, seasonality, timezone)  # type: ignore[return-value]


def _usable(points: Iterable[Point], s: Settings) -> list[Point]:
    """Measured points, oldest first, without the excluded dates."""
    out = [p for p in points if p.value is not None and not math.isnan(p.value)]
    if s.exclude_dates:
        out = [p for p in out if _local(p.at, s.timezone).date() not in s.exclude_dates]
    return sorted(out, key=lambda p: p.at)


# -- the model ------------------------------------------------------------------------
def _groups(s: Settings) -> list[tuple[str, int]]:
    """The seasonal factor groups of the model: (seasonality, number of seasons)."""
    if s.seasonality == "day_of_week":
        return [("day_of_week", 7)]
    if s.seasonality == "hour_of_day":
        return [("hour_of_day", 24), ("day_of_week", 7)]
    return []


def _design(ats: Sequence[dt.datetime], now: dt.datetime, s: Settings) -> np.ndarray:
    """Columns: level, trend (days before ``now``, so the level is the prediction), one
    indicator per season of each group."""
    import numpy as np

    groups = _groups(s)
    width = 1 + int(s.trend) + sum(k for _, k in groups)
    x = np.zeros((len(ats), width))
    x[:, 0] = 1.0
    col = 1
    if s.trend:
        x[:, 1] = [(at - now).total_seconds() / 86400 for at in ats]
        col = 2
    rows = np.arange(len(ats))
    for seasonality, k in groups:
        x[rows, [col + _season(at, seasonality, s.timezone) for at in ats]] = 1.0
        col += k
    return x


@dataclass
class _Fit:
    beta: np.ndarray
    inverse: np.ndarray  # (X'X + penalty)^-1: the coefficients' covariance over sigma^2
    sigma: float
    dof: float
    keep: np.ndarray  # which window points the fit used
    y: np.ndarray  # the window's values as fitted (older ones moved after a lasting change)


def _solve(x: np.ndarray, y: np.ndarray, penalty: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    import numpy as np

    gram = x.T @ x
    try:
        inverse = np.linalg.inv(gram + np.diag(penalty))
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(gram + np.diag(penalty))
    beta = inverse @ (x.T @ y)
    residuals = y - x @ beta
    hat_trace = float((inverse * gram).sum())  # trace of the hat matrix, without forming it
    dof = len(y) - hat_trace
    rss = float(residuals @ residuals)
    return beta, inverse, rss, dof


def _penalties(x: np.ndarray, y: np.ndarray, s: Settings) -> np.ndarray:
    """Empirical-Bayes shrinkage of each group of seasonal factors towards none.

    A nearly unpenalised fit measures the factors and the noise; the factors' true spread
    is what their measured spread has beyond their own estimation noise (sigma^2 / n per
    factor). The penalty sigma^2 / tau^2 is then the Bayesian one: a factor seen a few
    times is shrunk, a strong rhythm seen often is kept.
    """
    import numpy as np

    groups = _groups(s)
    first = 1 + int(s.trend)
    tiny = _unshrunk(x, s)
    beta, _, rss, dof = _solve(x, y, tiny)
    sigma2 = rss / dof if dof > 0.5 else 0.0
    penalty = tiny.copy()
    col = first
    for _, k in groups:
        counts = x[:, col : col + k].sum(axis=0)
        seen = counts > 0
        if seen.sum() >= 2:
            factors = beta[col : col + k][seen]
            spread = float(np.var(factors, ddof=1))
            noise = float(np.mean(sigma2 / counts[seen]))
            tau2 = spread - noise
            penalty[col : col + k] = sigma2 / tau2 if tau2 > 0 else 1e6
            if sigma2 == 0:
                penalty[col : col + k] = 1e-6  # an exact fit: nothing to shrink by
        else:
            penalty[col : col + k] = 1e6  # one season seen: its factor is the level
        col += k
    return penalty


def _unshrunk(x: np.ndarray, s: Settings) -> np.ndarray:
    """Penalties that leave the seasonal factors free (a tiny ridge keeps an unseen season
    solvable, its factor 0 and its uncertainty huge); level and trend are never penalised."""
    import numpy as np

    penalty = np.zeros(x.shape[1])
    penalty[1 + int(s.trend) :] = 1e-6
    return penalty


def _robust_scale(residuals: np.ndarray) -> float:
    """A robust standard deviation of the residuals: Qn on short windows (82% efficient,
    so a chance cluster of small residuals does not make ordinary points look far off),
    the MAD on long ones (stable there, and Qn's pairwise gaps would cost O(n^2))."""
    import numpy as np

    from airflow_dq.stats.robust import qn_factor

    n = len(residuals)
    if n < 2:
        return 0.0
    if n <= 60:
        i, j = np.triu_indices(n, 1)
        h = n // 2 + 1
        kth = h * (h - 1) // 2 - 1
        scale = qn_factor(n) * float(np.partition(np.abs(residuals[i] - residuals[j]), kth)[kth])
        if scale > 0:
            return scale
        return 1.2533 * float(np.mean(np.abs(residuals - np.median(residuals))))
    return 1.4826 * float(np.median(np.abs(residuals - np.median(residuals))))


def _group_medians(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The median of ``values`` within each group (index = group number), in one sort."""
    import numpy as np

    order = np.lexsort((values, group))
    ordered = values[order]
    counts = np.bincount(group)
    starts = np.cumsum(counts) - counts
    low, high = starts + (counts - 1) // 2, starts + counts // 2
    present = counts > 0
    out = np.zeros(len(counts))
    out[present] = (ordered[low[present]] + ordered[high[present]]) / 2
    return out


def _robust_start(x: np.ndarray, y: np.ndarray, s: Settings) -> np.ndarray:
    """Standardised residuals of a fit no few wild points can bend: the trend is the
    median slope between points of the same season (Theil-Sen), the seasonal factors and
    the level medians. A plain least-squares start would tilt towards an incident at the
    window's end and hide it."""
    import numpy as np

    first = 1 + int(s.trend)
    width = 24 if s.seasonality == "hour_of_day" else 7
    season = x[:, first : first + width].argmax(axis=1) if s.seasonality else np.zeros(len(y), dtype=int)
    rest = y.copy()
    if s.trend:
        t = x[:, 1]
        slopes = []
        for k in np.unique(season):
            members = np.flatnonzero(season == k)
            i, j = np.triu_indices(len(members), 1)
            i, j = members[i], members[j]
            slopes.append((y[j] - y[i]) / (t[j] - t[i]))
        pooled = np.concatenate(slopes) if slopes else np.array([])
        if len(pooled) < 3:  # every season seen once: slopes between any two points
            i, j = np.triu_indices(len(y), 1)
            pooled = (y[j] - y[i]) / (t[j] - t[i])
        pooled = pooled[np.isfinite(pooled)]
        slope = float(np.median(pooled)) if len(pooled) else 0.0
        rest = y - slope * t
    # Median polish over the seasonal groups (hour of day, then weekday for hourly data).
    seasons, col = [], first
    for _, k in _groups(s):
        seasons.append(x[:, col : col + k].argmax(axis=1))
        col += k
    leverage = np.zeros(len(y))
    for group in seasons:
        leverage += 1 / np.bincount(group)[group]
    for _ in range(2):
        for group in seasons:
            rest -= _group_medians(rest, group)[group]
    rest -= np.median(rest)
    # A season seen n times leaves residuals shrunk by about sqrt(1 - 1/n); seen once, none.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(leverage < 0.95, rest / np.sqrt(1 - np.clip(leverage, 0, 0.95)), np.nan)


def _standardised(x: np.ndarray, y: np.ndarray, keep: np.ndarray, s: Settings) -> np.ndarray:
    """Residuals of the fit on ``keep`` in units of their own spread: in-sample ones are
    shrunk by their leverage, left-out ones widened by it. NaN where a point pins its own
    fit (a season seen once): it cannot be judged an outlier."""
    import numpy as np

    # The shrinkage is re-estimated without the left-out points: an incident would inflate
    # both the factors' spread and the noise it is weighed against.
    beta, inverse, _, _ = _solve(x[keep], y[keep], _penalties(x[keep], y[keep], s))
    residuals = y - x @ beta
    leverage = ((x @ inverse) * x).sum(axis=1)
    factor = np.where(keep, 1 - leverage, 1 + leverage)
    return np.where(factor > 0.05, residuals / np.sqrt(np.clip(factor, 0.05, None)), np.nan)


def _outliers(x: np.ndarray, y: np.ndarray, s: Settings) -> np.ndarray:
    """Which points are far off the fit (past incidents), found robustly: a fit trimmed
    hard (2.5 robust sd) finds the centre whatever a few wild points do to a plain fit,
    then only points over 4.5 robust sd from it are left out, so clean data keeps
    (almost) every point and the spread is not underestimated."""
    import numpy as np

    none = np.zeros(len(y), dtype=bool)
    keep = ~none
    z = _robust_start(x, y, s)
    for _ in range(3):
        known = ~np.isnan(z)
        scale = _robust_scale(z[known]) if known.sum() >= 3 else 0.0
        if scale <= 0:
            return none
        trimmed = ~(np.abs(np.nan_to_num(z)) > _TRIM_SD * scale)
        if trimmed.sum() < max(3, len(y) // 2) or (trimmed == keep).all():
            break
        keep = trimmed
        z = _standardised(x, y, keep, s)
    z = _standardised(x, y, keep, s)
    known = ~np.isnan(z)
    scale = _robust_scale(z[keep & known]) if (keep & known).sum() >= 3 else 0.0
    if scale <= 0:
        return none
    candidates = np.abs(np.nan_to_num(z)) > _OUTLIER_SD * scale
    if not candidates.any() or (~candidates).sum() < 3:
        return candidates if candidates.any() else none
    # Confirm the candidates against the least-squares spread of the others (externally
    # studentised residuals, Student-t under clean data), at a 0.1% chance per window of
    # dropping a clean point: with few points a robust scale alone can be low by chance,
    # and dropping clean points narrows the band. One at a time, most extreme first, each
    # against every point not yet confirmed (a generalised ESD test, so two incident days
    # do not hide each other): judged against a fit without *all* the candidates, a strong
    # weekend dip or a chance bend of the newest week made clean points look far off in
    # 0.4% of two-week windows, and the judged point then alarmed in 1 of 6 of those.
    # The seasonal factors are not shrunk here: a season seen once more then has a wide
    # residual (its factor rests on one point), and one seen no more cannot be confirmed.
    unshrunk = _unshrunk(x, s)
    order = np.flatnonzero(candidates)[np.argsort(-np.abs(np.nan_to_num(z[candidates])))]
    rest = np.ones(len(y), dtype=bool)
    exceeded = 0
    for step, k in enumerate(order, start=1):
        rest[k] = False
        beta, inverse, rss, dof = _solve(x[rest], y[rest], unshrunk)
        if dof < 1 or rss <= 0:
            break
        leverage = float(x[k] @ inverse @ x[k])
        t = abs(float(y[k] - x[k] @ beta)) / math.sqrt(rss / dof) / math.sqrt(1 + leverage)
        if t > _outlier_t(len(y), round(dof, 1)):
            exceeded = step
    confirmed = np.zeros(len(y), dtype=bool)
    confirmed[order[:exceeded]] = True
    return confirmed


@functools.lru_cache(maxsize=1024)
def _outlier_t(n: int, dof: float) -> float:
    from scipy import stats

    return float(stats.t.isf(0.0005 / n, dof))


def _fit(x: np.ndarray, y: np.ndarray, s: Settings, *, relearned: bool = False) -> _Fit:
    import numpy as np

    keep = np.ones(len(y), dtype=bool)
    if s.robust:
        outlier = _outliers(x, y, s)
        newest = s.relearn_after
        if newest and not relearned and len(y) > newest and outlier[-newest:].all():
            clean = ~outlier
            residuals = y - x @ _solve(x[clean], y[clean], _penalties(x[clean], y[clean], s))[0]
            signs = np.sign(residuals[-newest:])
            if (signs == signs[0]).all():
                # The newest runs all moved the same way: a lasting change. Move the older
                # points by the change and judge against the new level.
                y = y.copy()
                y[:-newest] += float(np.median(residuals[-newest:]))
                return _fit(x, y, s, relearned=True)
        if (~outlier).sum() >= max(3, len(y) // 2):
            keep = ~outlier
    penalty = _penalties(x[keep], y[keep], s)
    beta, inverse, rss, dof = _solve(x[keep], y[keep], penalty)
    sigma = math.sqrt(rss / dof) if dof > 0 else 0.0
    return _Fit(beta, inverse, sigma, dof, keep, y)


def _late_side(x: np.ndarray, fit: _Fit, s: Settings) -> float:
    """How much wider the upper half of the band is for a right-skewed metric (a two-piece
    normal): the late side's spread is estimated from the points above the fit only, with
    their share of the degrees of freedom, so its Student-t quantile reflects that fewer
    points measure it. Never narrower than the symmetric band.

    Why: a delay's variation is lopsided (a load is never much early, sometimes much late),
    so a symmetric band fitted to all points is too short on the late side; measured on
    generated lags (offset + gamma noise) it alarmed on 0.84% of clean points instead of
    the nominal one-sided 0.135%.
    """
    residuals = (fit.y - x @ fit.beta)[fit.keep]
    late = residuals[residuals > 0]
    if len(late) < 2 or fit.sigma <= 0 or fit.dof <= 0:
        return 1.0
    dof = max(fit.dof * len(late) / len(residuals), 1.0)
    sigma = math.sqrt(float(late @ late) / dof)
    return max(1.0, _quantile(s.sensitivity, dof) * sigma / (_quantile(s.sensitivity, fit.dof) * fit.sigma))


def _floor(expected: float, relative: bool, s: Settings, trials: float | None) -> float:
    """The metric's own noise at its expected value (same scale as the fit)."""
    if s.noise == "count" and expected > 0:
        sd = math.sqrt(expected)
    elif s.noise == "share" and trials and 0 < expected < 1:
        sd = math.sqrt(expected * (1 - expected) / trials)
    else:
        return 0.0
    return sd / expected if relative else sd


def _quantile(sensitivity: float, dof: float | None) -> float:
    from airflow_dq.stats.robust import band_width

    return band_width(sensitivity, dof)


def judge_point(
    history: Sequence[Point], current: Point, settings: Settings, *, trials: float | None = None
) -> Judgement:
    """Judge ``current`` against ``history`` (points strictly before it, any order).

    ``trials``: the rows behind a share (``noise="share"``), for its binomial floor.
    """
    s = settings
    if current.value is None or math.isnan(current.value):
        return Judgement(Outcome.LEARNING, None, points=len(history))
    value = float(current.value)
    if s.exclude_dates and _local(current.at, s.timezone).date() in s.exclude_dates:
        return Judgement(Outcome.EXCLUDED, value, points=len(history))
    past = _usable((p for p in history if p.at < current.at), s)[-s.window :]
    if len(past) < s.start:
        return Judgement(Outcome.LEARNING, value, points=len(past))
    return _judge(past, current.at, value, s, trials)


def _judge(past: list[Point], at: dt.datetime, value: float, s: Settings, trials: float | None) -> Judgement:
    import numpy as np

    values = [float(p.value) for p in past]  # type: ignore[arg-type]
    positive = [p for p in past if p.value > 0]  # type: ignore[operator]
    if s.noise == "count" and len(positive) < len(past) and len(positive) >= 0.75 * len(past):
        # A count of 0 among usually positive counts is an outage, not the series' noise:
        # leave it out and keep judging relative changes.
        past, values = positive, [float(p.value) for p in positive]  # type: ignore[arg-type]
    relative = all(v > 0 for v in values)
    y = np.log(values) if relative else np.array(values)
    x = _design([p.at for p in past], at, s)
    fit = _fit(x, y, s)
    if fit.dof < _MIN_DOF:
        return Judgement(Outcome.LEARNING, value, points=len(past), dof=fit.dof)
    x0 = _design([at], at, s)[0]
    centre = float(x0 @ fit.beta)
    leverage = float(x0 @ fit.inverse @ x0)
    weekday_free = x0.copy()
    if s.seasonality is not None:
        first = 1 + int(s.trend) + (24 if s.seasonality == "hour_of_day" else 0)
        weekday_free[first : first + 7] = 0.0
    base_centre = float(weekday_free @ fit.beta)
    expected = math.exp(centre) if relative else centre
    base = math.exp(base_centre) if relative else base_centre
    sigma = fit.sigma
    if sigma == 0 and len(values) > 1:
        # A line can fit a few points exactly (8, 9, 10 rows): that is luck, not certainty.
        # The band then assumes the series may stray by as much as it moves run to run.
        steps = np.abs(np.diff(fit.y[fit.keep]))
        sigma = float(steps.mean()) if len(steps) else 0.0
    spread = sigma * math.sqrt(1 + leverage)
    floor = _floor(expected, relative, s, trials) * math.sqrt(1 + leverage)
    # The fitted spread is uncertain (Student-t with the fit's dof); the floor is not.
    half = max(_quantile(s.sensitivity, fit.dof) * spread, s.sensitivity * floor)
    upper = half * (_late_side(x, fit, s) if s.skewed else 1.0)
    if relative:
        # (capped: a band a few points wide can span more than a float's range)
        low, high = math.exp(max(centre - half, -700.0)), math.exp(min(centre + upper, 700.0))
        deviation = math.log(value) - centre if value > 0 else -math.inf
    else:
        low, high = centre - half, centre + upper
        deviation = value - centre
    # The spread a z-score of `sensitivity` would put at the edge (of the side it is on).
    sd = (upper if deviation > 0 else half) / s.sensitivity
    # min_change is absolute: a change smaller than it never alarms, whatever its z.
    low, high = min(low, expected - s.min_change), max(high, expected + s.min_change)
    if low < 0 <= min(values):
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
    return Judgement(
        Outcome.ANOMALOUS if anomalous else Outcome.NORMAL,
        value,
        expected=expected,
        low=low,
        high=high,
        score=score,
        base=base,
        points=int(fit.keep.sum()),
        dof=round(fit.dof, 1),
    )


def judge_series(
    points: Sequence[Point], settings: Settings, *, trials: Sequence[float | None] | None = None
) -> list[Judgement]:
    """Judge every point of a series (oldest first) against the points before it, exactly
    as daily runs would have seen them. Each judgement reads only the last window."""
    ordered = sorted(range(len(points)), key=lambda i: points[i].at)
    out: list[Judgement | None] = [None] * len(points)
    usable: list[Point] = []
    for i in ordered:
        point = points[i]
        out[i] = judge_point(usable[-settings.window :], point, settings, trials=trials[i] if trials else None)
        usable.extend(_usable([point], settings))
    return out  # type: ignore[return-value]


def history_needed(settings: Settings) -> int:
    """How many past runs to load: the window, plus room for unmeasured and excluded runs."""
    return settings.window + settings.window // 2 + _PERIOD[settings.seasonality]
