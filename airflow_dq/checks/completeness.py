"""Completeness over time: no missing or thin time buckets, and data that has arrived.

Partial loss hides from row counts: the table is still updated, but two hours of events
never landed. ``time_bucket_completeness`` groups the window's rows by minute, hour or day
in the database (one GROUP BY) and names every empty or thin bucket; ``fresh_through``
says whether the newest timestamp has reached the run's point (what the freshness sensor
waits for).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from airflow_dq.checks.aggregates import parse_timestamp
from airflow_dq.checks.base import Check, CheckContext, Verdict, fmt_number
from airflow_dq.metrics import Maximum, Metric, RowCount
from airflow_dq.metrics.grouped import STEP as _STEP
from airflow_dq.metrics.grouped import TIME_UNITS, ByTimeBucket, Grouped, expected_buckets, floor_to

_DASH = "\u2013"  # en dash between the ends of a time range
DEFAULT_START = "{{ data_interval_start }}"
DEFAULT_END = "{{ data_interval_end }}"


def _zone_arg(check: Check, value: Any) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as err:
        raise check._argument_error("timezone", f"is not a known time zone: {value!r}") from err
    return value


def resolve_moment(value: Any, zone: str) -> dt.datetime | None:
    """A window bound as an aware datetime; None while it is an unrendered template or empty.

    Naive values are wall-clock time in ``zone``; dates mean midnight.
    """
    if value is None or (isinstance(value, str) and ("{{" in value or value.strip() in ("", "None"))):
        return None
    if isinstance(value, dt.datetime | dt.date | str):
        return parse_timestamp(value, ZoneInfo(zone))
    raise TypeError(f"cannot read {value!r} as a point in time")


def describe_ranges(buckets: list[dt.datetime], unit: str, zone: str) -> list[str]:
    """Consecutive buckets merged into readable ranges: ``2026-11-26 14:00-16:00 UTC`` (with an en dash)."""
    runs: list[list[dt.datetime]] = []
    for bucket in sorted(buckets):
        if runs and bucket - runs[-1][-1] == _STEP[unit]:
            runs[-1].append(bucket)
        else:
            runs.append([bucket])
    shown = []
    for run in runs:
        first, last = run[0], run[-1]
        if unit == "day":
            text = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
        else:
            end = last + _STEP[unit]
            if end.date() == first.date():
                tail = f"{end:%H:%M}"
            elif end == floor_to(first, "day") + _STEP["day"]:
                tail = "24:00"
            else:
                tail = f"{end:%Y-%m-%d %H:%M}"
            text = f"{first:%Y-%m-%d %H:%M}{_DASH}{tail}"
        shown.append(f"{text} {zone}")
    return shown


class TimeBucketCompleteness(Check):
    """Every minute/hour/day bucket of a window has rows (at least ``min_count``, or a
    fraction of the typical bucket).

    The window defaults to the run's data interval (``start``/``end`` are templated);
    buckets are cut on the wall clock of ``timezone`` (default UTC), which is also the zone
    of timestamps stored without one. One GROUP BY in the database per check.

    .. code-block:: python

        time_bucket_completeness("event_time", bucket="hour", min_fraction=0.2)
        # fails with: no rows for 2026-11-26 14:00-16:00 UTC

    :param column: the timestamp column.
    :param bucket: ``"minute"``, ``"hour"`` (default) or ``"day"``.
    :param start: window start (inclusive): a datetime, an ISO string or a template;
        default ``{{ data_interval_start }}``.
    :param end: window end (exclusive); default ``{{ data_interval_end }}``.
    :param min_count: rows a bucket needs (default 1: no empty bucket).
    :param lookback: the window is the ``lookback`` before ``end`` (instead of ``start``),
        e.g. ``timedelta(days=1)`` on Airflow 3 cron schedules, whose runs have an empty
        data interval.
    :param min_fraction: a bucket also needs this fraction of the typical bucket (the
        median of the non-empty buckets), e.g. 0.2 flags an hour with a fifth of the usual rows.
    """

    check_type = "time_bucket_completeness"
    template_fields = ("start", "end")

    def __init__(
        self,
        column: str,
        bucket: str = "hour",
        *,
        start: dt.datetime | str = DEFAULT_START,
        end: dt.datetime | str = DEFAULT_END,
        min_count: int = 1,
        min_fraction: float | None = None,
        lookback: dt.timedelta | None = None,
        timezone: str = "UTC",
        **kwargs: Any,
    ) -> None:
        self._columns_for_errors = column
        super().__init__(**kwargs)
        self.column = self._column_arg("column", column)
        if bucket not in TIME_UNITS:
            raise self._argument_error("bucket", f"must be one of {TIME_UNITS}, got {bucket!r}")
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise self._argument_error("min_count", f"must be a whole number >= 1, got {min_count!r}")
        if min_fraction is not None:
            self._number_arg("min_fraction", min_fraction)
            if not 0 < min_fraction <= 1:
                raise self._argument_error("min_fraction", f"must be a fraction in (0, 1], got {min_fraction!r}")
        self.timezone = _zone_arg(self, timezone)
        for arg, value in (("start", start), ("end", end)):
            try:
                resolve_moment(value, timezone)
            except (TypeError, ValueError) as err:
                raise self._argument_error(
                    arg, f"must be a datetime, an ISO timestamp or a template, got {value!r}"
                ) from err
        if lookback is not None:
            if not isinstance(lookback, dt.timedelta) or lookback <= dt.timedelta(0):
                raise self._argument_error("lookback", f"must be a positive timedelta, got {lookback!r}")
            if start != DEFAULT_START:
                raise self._argument_error("lookback", "and 'start' both set the window's start: give one")
        self.lookback = lookback
        both = resolve_moment(start, timezone), resolve_moment(end, timezone)
        if None not in both and both[0] >= both[1]:
            raise self._argument_error("start", f"({start!r}) must be before end ({end!r})")
        self.bucket, self.start, self.end = bucket, start, end
        self.min_count, self.min_fraction = min_count, min_fraction

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def rendered_problem(self) -> str | None:
        for arg in ("start", "end"):
            value = getattr(self, arg)
            try:
                resolve_moment(value, self.timezone)
            except (TypeError, ValueError):
                return str(
                    self._argument_error(arg, f"rendered to {value!r}, which is not a datetime or an ISO timestamp")
                )
        return super().rendered_problem()

    def window(self) -> tuple[dt.datetime, dt.datetime] | None:
        end = resolve_moment(self.end, self.timezone)
        if self.lookback is not None:
            start = None if end is None else end - self.lookback
        else:
            start = resolve_moment(self.start, self.timezone)
        return (start, end) if start is not None and end is not None and start < end else None

    def grouped_metric(self) -> Grouped | None:
        window = self.window()
        if window is None:
            return None
        return Grouped(RowCount(), ByTimeBucket(self.column, self.bucket, self.timezone, *window))

    def metrics(self) -> tuple[Metric, ...]:
        metric = self.grouped_metric()
        return (metric,) if metric else ()

    def expectation(self) -> str:
        need = f">= {self.min_count} row{'s' if self.min_count > 1 else ''}"
        if self.min_fraction is not None:
            need += f" and >= {self.min_fraction:.0%} of the typical {self.bucket}"
        return f"every {self.bucket} of '{self.column}' has {need}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        metric = self.grouped_metric()
        if metric is None:
            if self.start == self.end and self.lookback is None:
                why = (
                    "the run's data interval is empty (Airflow 3 cron schedules give runs a zero-length "
                    "interval): give lookback=timedelta(days=1), start/end, or a CronDataIntervalTimetable schedule"
                )
            else:
                why = "the run has no data interval and no start/end was given, or start is not before end"
            return Verdict(False, None, f"no time window to check ({self.start!r} to {self.end!r}): {why}")
        counts = {key[0]: int(n) for key, n in values[metric].items()}
        start, end = metric.grouping.start, metric.grouping.end
        buckets = expected_buckets(start, end, self.bucket, self.timezone)
        observed = [counts.get(b, 0) for b in buckets]
        nonzero = [n for n in observed if n]
        typical = statistics.median(nonzero) if nonzero else 0
        need = self.min_count
        if self.min_fraction is not None:
            need = max(need, self.min_fraction * typical)
        missing = [b for b, n in zip(buckets, observed, strict=True) if n == 0]
        thin = {b: n for b, n in zip(buckets, observed, strict=True) if 0 < n < need}
        zone = ZoneInfo(self.timezone)
        stamp = lambda b: b.replace(tzinfo=zone).isoformat()  # noqa: E731
        result = {
            "missing": [stamp(b) for b in missing],
            "thin": {stamp(b): n for b, n in thin.items()},
            "buckets": len(buckets),
            "typical": typical,
        }
        span = f"{len(buckets)} {self.bucket} buckets from {start.astimezone(zone):%Y-%m-%d %H:%M} to {end.astimezone(zone):%Y-%m-%d %H:%M} {self.timezone}"
        if not missing and not thin:
            return Verdict(True, result, f"all {span} have >= {fmt_number(need)} rows (typical {fmt_number(typical)})")
        problems = []
        if missing:
            problems.append("no rows for " + ", ".join(describe_ranges(missing, self.bucket, self.timezone)))
        if thin:
            problems.append(
                "too few rows for "
                + ", ".join(
                    f"{r} ({fmt_number(n)} rows)"
                    for b, n in thin.items()
                    for r in describe_ranges([b], self.bucket, self.timezone)
                )
                + f", expected >= {fmt_number(need)} (typical {fmt_number(typical)})"
            )
        return Verdict(False, result, f"{len(missing) + len(thin)} of {span} incomplete: " + "; ".join(problems))


class FreshThrough(Check):
    """The newest ``column`` value has reached the run's point (end of its data interval)
    minus ``lag``: the data for the run has arrived.

    .. code-block:: python

        fresh_through("loaded_at", lag=timedelta(minutes=15))
    """

    check_type = "fresh_through"

    def __init__(
        self, column: str, *, lag: dt.timedelta = dt.timedelta(0), timezone: str | None = None, **kwargs: Any
    ) -> None:
        self._columns_for_errors = column
        super().__init__(**kwargs)
        self.column = self._column_arg("column", column)
        if not isinstance(lag, dt.timedelta) or lag < dt.timedelta(0):
            raise self._argument_error("lag", f"must be a timedelta >= 0, got {lag!r}")
        self.timezone = None if timezone is None else _zone_arg(self, timezone)
        self.lag = lag

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def metrics(self) -> tuple[Metric, ...]:
        return (Maximum(self.column),)

    def expectation(self) -> str:
        lag = f" minus {self.lag}" if self.lag else ""
        return f"newest '{self.column}' >= the run's end{lag}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        target = (ctx.now - self.lag).astimezone(dt.UTC)
        raw = values[Maximum(self.column)]
        if raw is None:
            return Verdict(
                False, None, f"'{self.column}' has no rows yet; waiting for data up to {target:%Y-%m-%d %H:%M:%S} UTC"
            )
        newest = parse_timestamp(raw, ZoneInfo(self.timezone or ctx.default_timezone)).astimezone(dt.UTC)
        if newest >= target:
            return Verdict(
                True,
                newest,
                f"newest '{self.column}' is {newest:%Y-%m-%d %H:%M:%S} UTC, at or after {target:%Y-%m-%d %H:%M:%S} UTC",
            )
        return Verdict(
            False,
            newest,
            f"newest '{self.column}' is {newest:%Y-%m-%d %H:%M:%S} UTC, {target - newest} short of "
            f"{target:%Y-%m-%d %H:%M:%S} UTC (the run's end{' minus ' + str(self.lag) if self.lag else ''})",
        )
