"""Detection quality of the anomaly checks: recall and false alarms, side by side.

Generates metric series the way they look in production (trend, weekly or daily
seasonality, multiplicative noise), injects incidents, and runs, in order over every point
as the daily task would:

- ``ours``: airflow_dq's detector as the checks build it for the series (the series'
  seasonality, its noise floor: Poisson for volumes, binomial for null rates);
- ``ours, no season``: the same without seasonality;
- ``elementary + season``: a mean/stddev z-score with Elementary's defaults (sensitivity 3,
  training window 14, at least 7 points) and its optional seasonality set like ours (14
  same-weekday / same-hour points), the fair comparison on seasonal data; the window holds
  the 14 points BEFORE the judged one, which favours the baseline (a window that includes
  the point caps |z|);
- ``elementary``: the same without seasonality (its default);
- ``deequ``: Deequ's OnlineNormalStrategy defaults (running mean/variance of all history,
  3 sd, anomalies left out, first 10% not judged). See ``airflow_dq/stats/baselines.py``.

An incident counts as detected when any of its points is flagged in its direction-free
sense (recall per incident); a false alarm is a flagged point outside every incident (and
outside the 3 points after one, where a real pipeline would still be recovering), counted
over clean points after the first 7 weeks.

    .venv/bin/python benchmarks/bench_anomaly_detection.py [--seed 7] [--quick]
    .venv/bin/python benchmarks/bench_anomaly_detection.py --calibration-only [--seed 7] [--quick]

The calibration tables measure the target "false alarms per judged clean point <= 0.3% at
every history length from the first judged point on": clean generated series of each kind
(daily and hourly volumes, a segment's volume and share, null rates, freshness lags)
replayed from their first run, false alarms counted per judged point by history bucket,
each with a Wilson 95% interval, and for ours also an interval resampling whole series
(alarms of one series' neighbouring days are not independent). The default run prints
them at a quarter of the size; ``--calibration-only`` runs them full size (about 12
minutes on a loaded 2-core machine; ``--quick`` a quarter of that). The nominal tail at
the default sensitivity 3.1 is 0.19% for a two-way check and 0.10% for a one-way one; the
sizes are chosen so that a band at its nominal rate can be shown below 0.3% in every row
("met": both intervals below 0.3%); "not excluded" means the points cannot tell the rate
from 0.3%, "MISSED" that it is above 0.3% with 95% confidence.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from airflow_dq.stats.anomaly import Point, Settings, judge_series
from airflow_dq.stats.baselines import OnlineNormal, elementary_zscore

START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)  # a Monday
WEEKLY = np.array([1.08, 1.04, 1.02, 1.0, 0.96, 0.62, 0.5])  # Mon..Sun: quiet weekends
HOURLY = np.array(  # midnight..23h: quiet nights
    [0.18, 0.12, 0.1, 0.1, 0.12, 0.2, 0.35, 0.6, 0.85, 1.0, 1.05, 1.08,
     1.1, 1.08, 1.05, 1.0, 0.98, 1.0, 0.95, 0.85, 0.7, 0.55, 0.4, 0.28]
)  # fmt: skip


@dataclass
class Series:
    kind: str  # what the metric is
    step: dt.timedelta
    values: np.ndarray
    seasonality: str | None
    incidents: list[tuple[str, int, int]] = field(default_factory=list)  # (type, first, last) index
    direction: str = "both"
    learn: int = 49  # points not scored for false alarms (the learning weeks)
    noise: str | None = None  # the metric's counting noise (as the checks set it)
    trials: np.ndarray | None = None  # rows behind each value of a rate
    skewed: bool = False  # right-skewed noise by nature (a lag), as freshness_anomaly sets it


def _times(n: int, step: dt.timedelta) -> list[dt.datetime]:
    return [START + i * step for i in range(n)]


def _slots(rng: np.random.Generator, n: int, first: int, count: int, gap: int) -> list[int]:
    """Incident start indexes after ``first``, at least ``gap`` apart."""
    starts: list[int] = []
    while len(starts) < count:
        s = int(rng.integers(first, n - 5))
        if all(abs(s - o) >= gap for o in starts):
            starts.append(s)
    return sorted(starts)


def daily_volume(rng: np.random.Generator, days: int = 364, incidents: int = 8) -> Series:
    base = rng.uniform(2_000, 200_000)
    trend = rng.uniform(-0.0015, 0.003)  # -0.15% .. +0.3% a day
    noise = rng.uniform(0.03, 0.07)
    t = np.arange(days)
    values = base * (1 + trend) ** t * WEEKLY[t % 7] * np.exp(rng.normal(0, noise, days))
    s = Series("daily volume", dt.timedelta(days=1), np.round(values), "day_of_week", noise="count")
    for kind, start in zip(["drop", "spike"] * 4, _slots(rng, days, 63, incidents, 20), strict=False):
        length = int(rng.integers(1, 3))
        factor = rng.uniform(0.3, 0.6) if kind == "drop" else rng.uniform(1.6, 3.0)
        s.values[start : start + length] *= factor
        s.incidents.append((kind, start, start + length - 1))
    return s


def drifting_volume(rng: np.random.Generator, days: int = 364) -> Series:
    s = daily_volume(rng, days, incidents=0)
    start = int(rng.integers(200, 300))
    length = 21
    s.values[start : start + length] *= np.linspace(1, 0.55, length)  # -45% over 3 weeks
    s.values[start + length :] *= 0.55  # and stays there: a lasting change
    s.incidents.append(("slow drift", start, start + length - 1))
    return s


def hourly_volume(rng: np.random.Generator, hours: int = 24 * 70) -> Series:
    base = rng.uniform(500, 20_000)
    noise = rng.uniform(0.04, 0.08)
    t = np.arange(hours)
    values = base * HOURLY[t % 24] * WEEKLY[(t // 24) % 7] ** 0.5 * np.exp(rng.normal(0, noise, hours))
    s = Series("hourly volume", dt.timedelta(hours=1), np.round(values), "hour_of_day", learn=24 * 8, noise="count")
    for kind, start in zip(["drop", "spike"] * 5, _slots(rng, hours, 24 * 15, 10, 30), strict=True):
        length = int(rng.integers(1, 4))
        factor = rng.uniform(0.3, 0.6) if kind == "drop" else rng.uniform(1.6, 3.0)
        s.values[start : start + length] *= factor
        s.incidents.append((kind, start, start + length - 1))
    return s


def null_rate(rng: np.random.Generator, days: int = 364) -> Series:
    rate = rng.uniform(0.005, 0.05)
    rows = rng.uniform(20_000, 100_000) * WEEKLY[np.arange(days) % 7]
    rates = np.full(days, rate)
    s = Series("null rate", dt.timedelta(days=1), rates, "day_of_week", direction="spike", noise="share")
    for start in _slots(rng, days, 63, 6, 25):
        length = int(rng.integers(1, 3))
        rates[start : start + length] = rate * rng.uniform(2.0, 5.0)
        s.incidents.append(("spike", start, start + length - 1))
    s.values = rng.binomial(rows.astype(int), rates) / rows.astype(int)
    s.trials = rows.astype(int).astype(float)
    return s


def segment_volumes(rng: np.random.Generator, days: int = 364, segments: int = 6) -> list[Series]:
    """Per-segment daily volume of one table; one segment vanishes for a few days."""
    shares = rng.dirichlet(np.full(segments, 2.0))
    total = rng.uniform(20_000, 200_000) * WEEKLY[np.arange(days) % 7] * (1.001 ** np.arange(days))
    out = []
    vanish_at = _slots(rng, days, 63, 3, 40)
    for k in range(segments):
        counts = rng.poisson(total * shares[k] * np.exp(rng.normal(0, 0.04, days))).astype(float)
        s = Series("segment volume", dt.timedelta(days=1), counts, "day_of_week", direction="drop", noise="count")
        if k < len(vanish_at):
            start, length = vanish_at[k], int(rng.integers(1, 4))
            s.values[start : start + length] = 0  # vanished: counted as zero
            s.incidents.append(("vanished segment", start, start + length - 1))
        out.append(s)
    return out


def freshness_lag(rng: np.random.Generator, days: int = 364) -> Series:
    """Hours between the run and the newest row: usually 1-2 h, skewed; late loads add hours."""
    lag = rng.uniform(0.5, 2.0) + rng.gamma(2.0, 0.15, days)
    s = Series("freshness lag (h)", dt.timedelta(days=1), lag, None, direction="spike", skewed=True)
    for start in _slots(rng, days, 63, 6, 25):
        s.values[start] += rng.uniform(4, 12)
        s.incidents.append(("late load", start, start))
    return s


def ours(s: Series, points: list[Point], *, season: bool = True) -> list[bool]:
    settings = Settings(
        seasonality=s.seasonality if season else None,
        direction=s.direction,
        noise=s.noise,
        skewed=s.skewed,
        relearn_after=24 if s.seasonality == "hour_of_day" and season else 5,
    )
    trials = None if s.trials is None else [float(t) for t in s.trials]
    return [j.anomalous for j in judge_series(points, settings, trials=trials)]


def elementary(s: Series, points: list[Point], *, season: bool) -> list[bool]:
    seasonality = s.seasonality if season else None
    span = 14 * {None: 1, "day_of_week": 7, "hour_of_day": 24}[seasonality]  # enough for 14 of the season
    flags = []
    for i, point in enumerate(points):
        verdict = elementary_zscore(points[max(0, i - span) : i], point, seasonality=seasonality)
        flags.append(bool(verdict) and _in_direction(s, point.value, points[max(0, i - span) : i]))
    return flags


def _in_direction(s: Series, value: float | None, past: list[Point]) -> bool:
    """Elementary and Deequ alarm both ways; count only the way the check would alarm."""
    if s.direction == "both" or value is None or not past:
        return True
    mean = float(np.mean([p.value for p in past[-14:]]))
    return value < mean if s.direction == "drop" else value > mean


def deequ(s: Series, points: list[Point]) -> list[bool]:
    detector = OnlineNormal(expected_length=len(points))
    flags = []
    for i, point in enumerate(points):
        verdict = detector.judge(point.value)
        flags.append(bool(verdict) and _in_direction(s, point.value, points[max(0, i - 14) : i]))
    return flags


DETECTORS: dict[str, Callable[[Series, list[Point]], list[bool]]] = {
    "ours": ours,
    "ours, no season": lambda s, p: ours(s, p, season=False),
    "elementary + season": lambda s, p: elementary(s, p, season=True),
    "elementary": lambda s, p: elementary(s, p, season=False),
    "deequ": deequ,
}


def evaluate(series: list[Series]) -> dict[str, dict[str, list[int]]]:
    """detector -> incident type (or 'clean <kind>') -> [hits, total]."""
    tally: dict[str, dict[str, list[int]]] = {d: defaultdict(lambda: [0, 0]) for d in DETECTORS}
    for s in series:
        points = [Point(at, float(v)) for at, v in zip(_times(len(s.values), s.step), s.values, strict=True)]
        dirty = set()
        for _, first, last in s.incidents:
            dirty.update(range(first, last + 4))
        for name, detect in DETECTORS.items():
            flags = detect(s, points)
            for kind, first, last in s.incidents:
                cell = tally[name][kind]
                cell[0] += any(flags[first : last + 1])
                cell[1] += 1
            cell = tally[name][f"clean: {s.kind}"]
            for i in range(s.learn, len(points)):
                if i not in dirty:
                    cell[0] += flags[i]
                    cell[1] += 1
    return tally


def _judged(name: str, s: Series, points: list[Point]) -> list[bool | None]:
    """Per point: flagged (in the check's direction), not flagged, or None = not judged."""
    if name.startswith("ours"):
        settings = Settings(
            seasonality=s.seasonality if name == "ours" else None,
            direction=s.direction,
            noise=s.noise,
            skewed=s.skewed,
            relearn_after=24 if s.seasonality == "hour_of_day" and name == "ours" else 5,
        )
        trials = None if s.trials is None else [float(t) for t in s.trials]
        judged = judge_series(points, settings, trials=trials)
        return [j.anomalous if j.outcome.value in ("normal", "anomalous") else None for j in judged]
    if name.startswith("elementary"):
        seasonality = s.seasonality if name == "elementary + season" else None
        span = 14 * {None: 1, "day_of_week": 7, "hour_of_day": 24}[seasonality]
        out: list[bool | None] = []
        for i, point in enumerate(points):
            past = points[max(0, i - span) : i]
            verdict = elementary_zscore(past, point, seasonality=seasonality)
            out.append(None if verdict is None else verdict and _in_direction(s, point.value, past))
        return out
    detector = OnlineNormal(expected_length=len(points))
    out = []
    for i, point in enumerate(points):
        verdict = detector.judge(point.value)
        out.append(None if verdict is None else verdict and _in_direction(s, point.value, points[max(0, i - 14) : i]))
    return out


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95% by default)."""
    if total == 0:
        return (math.nan, math.nan)
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


def series_interval(per_series: list[tuple[int, int]], rng: np.random.Generator) -> tuple[float, float]:
    """95% bootstrap interval of the pooled rate, resampling whole series: neighbouring
    points of one series share most of their fit, so their alarms come in clumps and a
    Wilson interval over points alone is too narrow."""
    if not per_series:
        return (math.nan, math.nan)
    counts = np.array(per_series, dtype=float)
    picks = rng.integers(0, len(counts), size=(2000, len(counts)))
    hits, totals = counts[picks, 0].sum(axis=1), counts[picks, 1].sum(axis=1)
    rates = hits / np.maximum(totals, 1)
    return (float(np.quantile(rates, 0.025)), float(np.quantile(rates, 0.975)))


def _clean_hourly(rng: np.random.Generator, hours: int) -> Series:
    t = np.arange(hours)
    shape = HOURLY[t % 24] * WEEKLY[(t // 24) % 7] ** 0.5
    values = rng.uniform(500, 20_000) * shape * np.exp(rng.normal(0, rng.uniform(0.04, 0.08), hours))
    return Series("hourly volume", dt.timedelta(hours=1), np.round(values), "hour_of_day", noise="count")


def _clean_null_rate(rng: np.random.Generator, days: int) -> Series:
    rate = rng.uniform(0.005, 0.05)
    rows = (rng.uniform(20_000, 100_000) * WEEKLY[np.arange(days) % 7]).astype(int)
    s = Series("null rate", dt.timedelta(days=1), rng.binomial(rows, rate) / rows, "day_of_week", "spike")
    s.noise, s.trials = "share", rows.astype(float)
    return s


def _clean_share(rng: np.random.Generator, days: int) -> Series:
    """One segment's share of a table's rows (segment_anomaly(measure="share")): binomial."""
    share = rng.uniform(0.02, 0.4)
    rows = rng.poisson(rng.uniform(2_000, 50_000) * WEEKLY[np.arange(days) % 7])
    s = Series("segment share", dt.timedelta(days=1), rng.binomial(rows, share) / rows, "day_of_week")
    s.noise, s.trials = "share", rows.astype(float)
    return s


def _clean_segment(rng: np.random.Generator, days: int) -> Series:
    """One segment's daily volume as segment_volumes makes it, without a vanishing."""
    share = rng.dirichlet(np.full(6, 2.0))[0]
    total = rng.uniform(20_000, 200_000) * WEEKLY[np.arange(days) % 7] * (1.001 ** np.arange(days))
    counts = rng.poisson(total * share * np.exp(rng.normal(0, 0.04, days))).astype(float)
    return Series("segment volume", dt.timedelta(days=1), counts, "day_of_week", direction="drop", noise="count")


def _clean_freshness(rng: np.random.Generator, days: int) -> Series:
    lag = rng.uniform(0.5, 2.0) + rng.gamma(2.0, 0.15, days)
    return Series("freshness lag (h)", dt.timedelta(days=1), lag, None, direction="spike", skewed=True)


# kind -> (clean series generator, length, buckets of history (first, last index), unit, series)
CALIBRATION: dict[str, tuple[Callable[[np.random.Generator, int], Series], int, list[tuple[int, int]], str, int]] = {
    "daily volume (day_of_week)": (
        lambda rng, n: daily_volume(rng, days=n, incidents=0),
        90,
        [(14, 20), (21, 27), (28, 41), (42, 60), (61, 89)],
        "days",
        3000,
    ),
    "hourly volume (hour_of_day)": (_clean_hourly, 24 * 10, [(48, 71), (72, 119), (120, 239)], "hours", 420),
    "segment volume (drop)": (_clean_segment, 61, [(14, 20), (21, 27), (28, 60)], "days", 1500),
    "null rate (spike)": (_clean_null_rate, 61, [(14, 20), (21, 27), (28, 60)], "days", 1500),
    "segment share": (_clean_share, 61, [(14, 20), (21, 27), (28, 60)], "days", 1500),
    "freshness lag (spike)": (_clean_freshness, 61, [(7, 13), (14, 27), (28, 60)], "days", 2000),
}
# (Sizes: a band at the nominal 0.19% needs about 10,000 judged points in a row before
# its 95% intervals, the by-series one included, fall below 0.3%.)


def calibration(rng: np.random.Generator, scale: float) -> None:
    """False alarms per judged clean point by how much history there was, from the first
    judged point on, with Wilson 95% intervals. Target: at most 0.3% in every row (the
    nominal tail at the default sensitivity 3.1 is 0.19% both ways, 0.10% one way)."""
    names = [n for n in DETECTORS if n != "ours, no season"]
    print("\nCalibration: false alarms per JUDGED clean point, by history length (target <= 0.3%)")
    print("cells: rate [Wilson 95%, in %] alarms/judged points; '-' = the detector judges nothing there;")
    print("'by series': ours' 95% interval resampling whole series; 'met' = both intervals below 0.3%,")
    print("'MISSED' = both above it, 'not excluded' = the rate cannot be told from 0.3% with these points")
    for kind, (generate, length, buckets, unit, count) in CALIBRATION.items():
        count = max(2, round(count * scale))
        tally = {n: defaultdict(lambda: [0, 0]) for n in names}
        ours_by_series: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        clock = time.perf_counter()
        for _ in range(count):
            s = generate(rng, length)
            points = [Point(at, float(v)) for at, v in zip(_times(length, s.step), s.values, strict=True)]
            for name in names:
                flags = _judged(name, s, points)
                for low, high in [*buckets, (buckets[0][0], buckets[-1][1])]:
                    cell = tally[name][(low, high)]
                    judged = [f for f in flags[low : high + 1] if f is not None]
                    cell[0] += sum(judged)
                    cell[1] += len(judged)
                    if name == "ours":
                        ours_by_series[(low, high)].append((sum(judged), len(judged)))
        print(f"\n{kind}: {count} clean series of {length} {unit} ({time.perf_counter() - clock:.0f} s)")
        print(f"{unit + ' of history':18}" + "".join(f"{n:>29}" for n in names) + "   ours: by series   vs 0.3%")
        for low, high in [*buckets, (buckets[0][0], buckets[-1][1])]:
            label = f"{low}-{high}" if (low, high) in buckets else f"all {low}-{high}"
            cells = []
            for name in names:
                hits, total = tally[name][(low, high)]
                if not total:
                    cells.append("-")
                    continue
                lo, hi = wilson(hits, total)
                cells.append(f"{hits / total:.2%} [{100 * lo:.2f}-{100 * hi:.2f}] {hits}/{total}")
            hits, total = tally["ours"][(low, high)]
            lo, hi = wilson(hits, total)
            s_lo, s_hi = series_interval(ours_by_series[(low, high)], rng)
            lo, hi = min(lo, s_lo), max(hi, s_hi)  # judged on the wider of the two intervals
            verdict = "met" if hi <= 0.003 else "MISSED" if lo > 0.003 else "not excluded"
            print(
                f"{label:18}"
                + "".join(f"{c:>29}" for c in cells)
                + f"   [{100 * s_lo:.2f}-{100 * s_hi:.2f}]  {verdict}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=int, default=1, help="multiply the number of series")
    parser.add_argument("--calibration-only", action="store_true", help="only the false alarms by history length")
    parser.add_argument("--quick", action="store_true", help="a quarter of the series (a rough look)")
    args = parser.parse_args()
    scale = args.scale * (0.25 if args.quick else 1.0)
    if args.calibration_only:
        calibration(np.random.default_rng(args.seed), scale)
        return
    rng = np.random.default_rng(args.seed)
    series: list[Series] = []
    series += [daily_volume(rng) for _ in range(max(1, round(30 * scale)))]
    series += [drifting_volume(rng) for _ in range(max(1, round(10 * scale)))]
    series += [hourly_volume(rng) for _ in range(max(1, round(6 * scale)))]
    series += [null_rate(rng) for _ in range(max(1, round(15 * scale)))]
    for _ in range(max(1, round(6 * scale))):
        series += segment_volumes(rng)
    series += [freshness_lag(rng) for _ in range(max(1, round(15 * scale)))]

    clock = time.perf_counter()
    tally = evaluate(series)
    elapsed = time.perf_counter() - clock
    names = list(DETECTORS)
    rows = sorted({k for d in tally.values() for k in d}, key=lambda k: (k.startswith("clean"), k))
    print(f"{len(series)} series, {sum(len(s.values) for s in series):,} points, seed {args.seed} ({elapsed:.1f} s)")
    print(f"{'':32}" + "".join(f"{n:>22}" for n in names) + f"{'ours / elementary':>20}")
    for key in rows:
        cells, rates = [], []
        for name in names:
            hits, total = tally[name][key]
            rate = hits / total if total else math.nan
            rates.append(rate)
            cells.append(f"{rate:8.2%} ({hits:>4}/{total:<5})")
        label = ("recall     " if not key.startswith("clean") else "false alarm ") + key.removeprefix("clean: ")
        ratio = rates[0] / rates[3] if rates[3] else math.inf if rates[0] else 1.0
        print(f"{label:32}" + "".join(f"{c:>22}" for c in cells) + f"{ratio:>19.2f}x")
    for name in names:
        hits = sum(tally[name][k][0] for k in rows if k.startswith("clean"))
        total = sum(tally[name][k][1] for k in rows if k.startswith("clean"))
        print(f"all clean points, {name}: {hits}/{total} = {hits / total:.3%} false alarms")
    calibration(rng, scale / 4)  # the full-size calibration: --calibration-only


if __name__ == "__main__":
    main()
