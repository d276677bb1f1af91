"""Reference detectors that people already use, for side-by-side comparisons (benchmarks).

- ``elementary_zscore``: Elementary's (dbt-data-reliability) default test: the mean and
  sample standard deviation of the last 14 buckets (of the same weekday with
  ``seasonality="day_of_week"``), at least 7 of them, an anomaly when |z| > 3.
- ``OnlineNormal``: Deequ's ``OnlineNormalStrategy`` defaults: a running mean and
  population variance over the whole history, including the current value, bounds at
  3 standard deviations, anomalies left out of the running statistics, and the first
  10% of the series not judged.

Both return ``None`` (not judged) or True/False per point. Pure Python, no I/O.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from airflow_dq.stats.anomaly import Point, season_of


def elementary_zscore(
    history: Sequence[Point],
    current: Point,
    *,
    training_window: int = 14,
    min_points: int = 7,
    sensitivity: float = 3.0,
    seasonality: str | None = None,
) -> bool | None:
    """Elementary's z-score test of ``current`` against ``history`` (oldest first)."""
    if current.value is None:
        return None
    season = season_of(current.at, seasonality)
    past = [p.value for p in history if p.value is not None and season_of(p.at, seasonality) == season]
    past = past[-training_window:]
    if len(past) < min_points:
        return None
    mean, sd = statistics.fmean(past), statistics.stdev(past)
    if sd == 0:
        return current.value != mean
    return abs(current.value - mean) / sd > sensitivity


class OnlineNormal:
    """Deequ's OnlineNormalStrategy, fed one point at a time (as daily runs would)."""

    def __init__(self, deviation: float = 3.0, ignore_start: float = 0.1, expected_length: int = 0) -> None:
        self.deviation = deviation
        # Deequ skips the first 10% of the series it is given; over a replay of
        # ``expected_length`` points that is the first 10% of them.
        self.skip = ignore_start * expected_length
        self.count, self.mean, self.sn = 0, 0.0, 0.0

    def judge(self, value: float | None) -> bool | None:
        if value is None or math.isnan(value):
            return None
        index = self.count
        last = (self.count, self.mean, self.sn)
        mean = value if index == 0 else self.mean + (value - self.mean) / (index + 1)
        sn = self.sn + (value - self.mean) * (value - mean)
        self.count, self.mean, self.sn = index + 1, mean, sn
        sd = math.sqrt(sn / (index + 1))
        if index < self.skip or index == 0:
            return None
        anomalous = abs(value - mean) > self.deviation * sd
        if anomalous:  # ignoreAnomalies: the anomaly does not move the statistics
            self.count, self.mean, self.sn = last
        return anomalous
