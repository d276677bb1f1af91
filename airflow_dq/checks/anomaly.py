"""Anomaly checks: today's value against the same check's history, not a fixed threshold.

Each check measures one or more series (the row count; a column's null rate; every
segment's volume or share; the freshness lag), judges today's value of each against its
past runs in the history store (``airflow_dq.stats.anomaly``), and records today's value
so tomorrow's run can compare. Until a series has ``min_points`` past runs the check is
``learning``: a status of its own (never a pass) that does not halt the pipeline unless
``while_learning`` says otherwise. The message states the expected band and the value.

    from airflow_dq.checks import volume_anomaly, metric_anomaly, segment_anomaly

    checks = [
        volume_anomaly(seasonality="day_of_week"),
        metric_anomaly("email", "null_rate", direction="spike", min_change=0.01),
        segment_anomaly("country", measure="share", direction="drop"),
        freshness_anomaly("loaded_at"),
    ]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from airflow_dq.checks.aggregates import parse_timestamp
from airflow_dq.checks.base import Check, CheckArgumentError, CheckContext, Verdict, fmt_number, needs_number, within
from airflow_dq.metrics import (
    CompleteCount,
    DuplicateCount,
    Maximum,
    Mean,
    Metric,
    Minimum,
    NullCount,
    RowCount,
    StdDev,
)
from airflow_dq.stats.anomaly import (
    DEFAULT_SENSITIVITY,
    Judgement,
    Outcome,
    Point,
    Settings,
    history_needed,
    judge_point,
)


class HistoryUnavailable(RuntimeError):
    """The history store could not be read or written: an infrastructure failure (retryable)."""


def _band(j: Judgement, show: Any = fmt_number) -> str:
    low = "-inf" if j.low is None or math.isinf(j.low) else show(j.low)
    high = "+inf" if j.high is None or math.isinf(j.high) else show(j.high)
    return f"[{low}, {high}]"


def _dates_arg(check: Check, value: Any) -> frozenset[dt.date]:
    """``exclude_dates``: dates (or ISO strings, or datetimes) whose runs are never judged."""
    if value is None:
        return frozenset()
    if isinstance(value, str | dt.date):
        value = [value]
    out = set()
    try:
        items = list(value)
    except TypeError as err:
        raise check._argument_error("exclude_dates", f"must be a list of dates, got {value!r}") from err
    for item in items:
        if isinstance(item, dt.datetime):
            out.add(item.date())
        elif isinstance(item, dt.date):
            out.add(item)
        elif isinstance(item, str):
            try:
                out.add(dt.date.fromisoformat(item.strip()))
            except ValueError as err:
                raise check._argument_error("exclude_dates", f"holds {item!r}, which is not a YYYY-MM-DD date") from err
        else:
            raise check._argument_error("exclude_dates", f"holds {item!r}, which is not a date")
    return frozenset(out)


def _fallback_arg(check: Check, value: Any) -> str | tuple[float | None, float | None]:
    """``while_learning``: "pass", "warn", or fixed bounds ({"min": ..., "max": ...} or a
    check with ``min``/``max``, such as ``row_count(min=1000)``)."""
    if value in ("pass", "warn"):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"min", "max"}
        if unknown:
            raise check._argument_error("while_learning", f"takes bounds 'min' and 'max', got {sorted(unknown)}")
        low, high = value.get("min"), value.get("max")
    elif isinstance(value, Check) and (hasattr(value, "min") or hasattr(value, "max")):
        low, high = getattr(value, "min", None), getattr(value, "max", None)
    else:
        raise check._argument_error(
            "while_learning", f"must be 'pass', 'warn' or fixed bounds such as {{'min': 1000}}, got {value!r}"
        )
    for bound in (low, high):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float)):
            raise check._argument_error("while_learning", f"bounds must be numbers, got {bound!r}")
    if low is None and high is None:
        raise check._argument_error("while_learning", "bounds are both missing: give 'min' and/or 'max'")
    if low is not None and high is not None and low > high:
        raise check._argument_error("while_learning", f"min ({low!r}) is greater than max ({high!r})")
    return (low, high)


class AnomalyCheck(Check):
    """Base of the anomaly checks: the detector settings and the judging of series.

    :param sensitivity: how many standard deviations a value may stray (default 3.1: a
        two-sided 0.19% tail, under the 0.3% false-alarm target with room for error).
    :param training_window: past runs in the fit (default 14; 28 with ``day_of_week``,
        336 with ``hour_of_day``).
    :param min_points: past runs needed before judging (default 7; 14 with
        ``day_of_week``, 48 with ``hour_of_day``); until then the status is ``learning``.
    :param seasonality: ``"day_of_week"`` or ``"hour_of_day"`` (which also learns the
        weekday's level): seasonal factors pooled over all past runs. Default None.
    :param direction: ``"both"`` (default), ``"drop"`` or ``"spike"``: which way alarms.
    :param min_change: changes smaller than this (absolute, in the series' unit) never alarm.
    :param exclude_anomalies: leave past runs far off the fit out of it (default True).
    :param relearn_after: after this many anomalous runs in a row, all one way, accept the
        new level (default 5 runs, 24 with ``hour_of_day``; 0 = never).
    :param exclude_dates: dates (a holiday calendar; ``date`` objects or ``"YYYY-MM-DD"``)
        whose runs are neither judged (status ``learning``) nor used as history.
    :param while_learning: what a run that cannot be judged yet does: ``"pass"`` (default:
        status ``learning``, does not halt), ``"warn"`` (status ``warn``) or fixed bounds on
        the judged value, ``{"min": 1000}`` or ``row_count(min=1000)``, that fail the check
        (by its severity) until there is history enough.
    :param timezone: wall clock of the seasons (default: the provider's default time zone).
    """

    default_direction = "both"
    multi = False  # several series (segments) instead of one
    noise: str | None = None  # the series' own noise: "count" (Poisson) or "share" (binomial)
    skewed = False  # the series' noise is right-skewed by nature (a lag): a lopsided band

    def __init__(
        self,
        *,
        sensitivity: float = DEFAULT_SENSITIVITY,
        training_window: int | None = None,
        min_points: int | None = None,
        seasonality: str | None = None,
        direction: str | None = None,
        min_change: float = 0.0,
        exclude_anomalies: bool = True,
        relearn_after: int | None = None,
        exclude_dates: Any = None,
        while_learning: Any = "pass",
        timezone: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for argument, value in (("sensitivity", sensitivity), ("min_change", min_change)):
            self._number_arg(argument, value, allow_none=False)
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError, TypeError) as err:
                raise self._argument_error("timezone", f"is not a known time zone: {timezone!r}") from err
        try:
            self.settings = Settings(
                sensitivity=float(sensitivity),
                training_window=training_window,
                min_points=min_points,
                seasonality=seasonality,
                direction=direction or self.default_direction,
                min_change=float(min_change),
                robust=bool(exclude_anomalies),
                exclude_anomalies=bool(exclude_anomalies),
                # Counted in runs: hourly runs need a day before an outage looks permanent.
                relearn_after=relearn_after if relearn_after is not None else 24 if seasonality == "hour_of_day" else 5,
                exclude_dates=_dates_arg(self, exclude_dates),
            )
        except ValueError as err:
            if isinstance(err, CheckArgumentError):
                raise
            argument = str(err).split(" ", 1)[0]
            raise self._argument_error(argument, str(err).split(" ", 1)[1]) from err
        self.while_learning = _fallback_arg(self, while_learning)
        self.timezone = timezone

    # -- what subclasses define ------------------------------------------------------
    what = "value"  # the series in a few words, for messages

    def series(self, values: Mapping[Metric, Any], ctx: CheckContext) -> dict[str, float | None]:
        """Today's value of each series, keyed by the label it is recorded under."""
        raise NotImplementedError

    def trials(self, values: Mapping[Metric, Any]) -> float | None:
        """The rows behind a share (its binomial noise floor); None when not a share."""
        return None

    def complete(self, today: dict[str, float | None], history: Mapping[str, Sequence[Point]]) -> None:
        """Add today's value of series that have history but no value today (segments)."""

    def fill(self, label: str, history: Mapping[str, Sequence[Point]], dates: list[dt.datetime]) -> list[Point]:
        """The past points of one series (segments fill the runs where they were absent)."""
        return list(history.get(label, []))

    def show(self, value: float | None) -> str:
        return fmt_number(value)

    # -- judging ---------------------------------------------------------------------
    def expectation(self) -> str:
        s = self.settings
        season = f", {s.seasonality.replace('_', ' ')} factors" if s.seasonality else ""
        way = {"both": "", "drop": " (drops only)", "spike": " (spikes only)"}[s.direction]
        return f"{self.what} within {s.sensitivity:g} sd of its last {s.window} runs{season}{way}"

    def _settings(self, ctx: CheckContext) -> Settings:
        from dataclasses import replace

        return replace(
            self.settings, timezone=self.timezone or ctx.default_timezone, noise=self.noise, skewed=self.skewed
        )

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        if ctx.history is None:
            raise RuntimeError(
                f"check '{self.name}' compares with past runs, but no history store was given "
                "(run it with DataQualityOperator, or pass history= to run_checks)"
            )
        settings = self._settings(ctx)
        today = self.series(values, ctx)
        try:
            history = ctx.history(self.name, history_needed(settings))
        except HistoryUnavailable as err:
            # Judged without history it would be a guess; the operator retries the task.
            return Verdict(False, None, f"cannot compare with past runs: {err}", metrics=today)
        self.complete(today, history)
        dates = sorted({p.at for points in history.values() for p in points})
        at = ctx.logical_date or ctx.now
        trials = self.trials(values)
        judged = {
            label: judge_point(self.fill(label, history, dates), Point(at, value), settings, trials=trials)
            for label, value in today.items()
        }
        return self._verdict(today, judged, settings)

    def _waiting(self, j: Judgement, s: Settings) -> str:
        """Why a series is not judged (learning or an excluded date), in a few words."""
        if j.outcome is Outcome.EXCLUDED:
            return "not judged: the date is in exclude_dates"
        if j.points >= s.start:
            return f"learning: {j.points} past runs do not pin the band down yet"
        return f"learning: {j.points} of {s.start} past runs needed before judging"

    def _fallback(self, label: str, value: float | None) -> str | None:
        """The fixed-bounds rule while learning: why ``value`` breaks it, or None."""
        if not isinstance(self.while_learning, tuple):
            return None
        low, high = self.while_learning
        if value is None or within(value, low, high):
            return None
        return f"{label} {self.show(value)} is outside the fixed bounds used while learning {_fixed(low, high)}"

    def _unjudged_verdict(self, observed: Any, message: str, broken: list[str], today: dict) -> Verdict:
        """Learning (or excluded): visible as ``learning``, ``warn``, or failing its fixed bounds."""
        if broken:
            return Verdict(False, observed, "; ".join(broken) + f" ({message})", metrics=today)
        expected = "learning (no band yet)"
        if isinstance(self.while_learning, tuple):
            expected = f"learning; meanwhile {self.what} in {_fixed(*self.while_learning)}"
        if self.while_learning == "warn":
            return Verdict(False, observed, message, expected=expected, metrics=today, warn_only=True)
        return Verdict(True, observed, message, expected=expected, metrics=today, learning=True)

    def _verdict(self, today: dict[str, float | None], judged: dict[str, Judgement], s: Settings) -> Verdict:
        unmeasured = sorted(k for k, j in judged.items() if j.value is None)
        if unmeasured:
            # No rows, or only NULLs: nothing to compare, and the history had values.
            return Verdict(
                False,
                None,
                f"{', '.join(unmeasured)} cannot be measured today (no rows, or only NULL values)",
                metrics=today,
            )
        anomalous = {k: j for k, j in judged.items() if j.anomalous}
        waiting = {k: j for k, j in judged.items() if j.outcome in (Outcome.LEARNING, Outcome.EXCLUDED)}
        broken = [
            b for k, j in sorted(waiting.items()) if (b := self._fallback(k if self.multi else self.what, j.value))
        ]
        if not self.multi:
            (j,) = judged.values()
            observed: Any = j.value
            if waiting:
                message = f"{self._waiting(j, s)} ({self.what} {self.show(j.value)} recorded)"
                return self._unjudged_verdict(observed, message, broken, today)
            return Verdict(
                not anomalous,
                observed,
                self._sentence(self.what, j),
                expected=f"{self.what} in {_band(j, self.show)}",
                metrics=today,
            )
        # Several series (segments): fail on any anomalous one, name them all.
        parts = [self._sentence(label, j) for label, j in sorted(anomalous.items())]
        judged_count = len(judged) - len(waiting)
        if not judged_count:
            first = next(iter(waiting.values()), None)
            reason = self._waiting(first, s).split(":")[0] if first else "learning"
            message = f"{reason}: no series has enough past runs yet ({len(judged)} recorded)"
            if first is not None and first.outcome is Outcome.EXCLUDED:
                message = f"not judged: the date is in exclude_dates ({len(judged)} series recorded)"
            return self._unjudged_verdict(len(judged), message, broken, today)
        if anomalous:
            message = f"{len(anomalous)} of {len(judged)} series anomalous: " + "; ".join(parts)
        else:
            message = f"all {judged_count} judged series within their bands"
        if waiting:
            message += f" ({len(waiting)} still learning)"
        if broken:
            message += "; " + "; ".join(broken)
        observed = {k: j.value for k, j in sorted(anomalous.items())} or len(judged)
        return Verdict(
            not anomalous and not broken, observed, message, expected="every series within its band", metrics=today
        )

    def _sentence(self, label: str, j: Judgement) -> str:
        where = "within"
        if j.anomalous:
            where = "below" if j.value is not None and j.expected is not None and j.value < j.expected else "above"
        change = ""
        if j.expected:
            change = f", {(j.value - j.expected) / abs(j.expected):+.0%} vs expected"  # type: ignore[operator]
        score = "" if j.score is None or math.isinf(j.score) else f", z = {j.score:+.1f}"
        return (
            f"{label} {self.show(j.value)} is {where} the expected band {_band(j, self.show)} "
            f"(expected {self.show(j.expected)} from {j.points} past runs{change}{score})"
        )


def _fixed(low: float | None, high: float | None) -> str:
    return f"[{'-inf' if low is None else fmt_number(low)}, {'+inf' if high is None else fmt_number(high)}]"


class VolumeAnomaly(AnomalyCheck):
    """The row count against its history: a partial load, a duplicated load, a lost source.

    ``volume_anomaly(seasonality="day_of_week", direction="drop")``
    """

    check_type = "volume_anomaly"
    what = "row count"
    noise = "count"

    def metrics(self) -> tuple[Metric, ...]:
        return (RowCount(),)

    def series(self, values: Mapping[Metric, Any], ctx: CheckContext) -> dict[str, float | None]:
        return {"row_count": float(values[RowCount()])}


# name -> (metrics, how today's value is derived from them)
def _column_metric(name: str, column: str) -> tuple[tuple[Metric, ...], Any]:
    n, rows, dup, complete = NullCount(column), RowCount(), DuplicateCount((column,)), CompleteCount((column,))
    table: dict[str, tuple[tuple[Metric, ...], Any]] = {
        "null_rate": ((n, rows), lambda v: v[n] / v[rows] if v[rows] else None),
        "null_count": ((n,), lambda v: v[n]),
        "distinct_count": ((complete, dup), lambda v: v[complete] - v[dup]),
        "duplicate_count": ((dup,), lambda v: v[dup]),
        "mean": ((Mean(column),), lambda v: v[Mean(column)]),
        "stddev": ((StdDev(column),), lambda v: v[StdDev(column)]),
        "min": ((Minimum(column),), lambda v: v[Minimum(column)]),
        "max": ((Maximum(column),), lambda v: v[Maximum(column)]),
    }
    return table[name]


COLUMN_METRICS = ("null_rate", "null_count", "distinct_count", "duplicate_count", "mean", "stddev", "min", "max")


class MetricAnomaly(AnomalyCheck):
    """A scalar metric of a column against its history.

    ``metric`` is one of ``null_rate`` (NULLs / rows), ``null_count``, ``distinct_count``,
    ``duplicate_count``, ``mean``, ``stddev``, ``min``, ``max`` (numbers only).

    ``metric_anomaly("email", "null_rate", direction="spike", min_change=0.005)``
    """

    check_type = "metric_anomaly"

    def __init__(self, column: str, metric: str, **kwargs: Any) -> None:
        self._columns_for_errors = column
        self.column = self._column_arg("column", column)
        if metric not in COLUMN_METRICS:
            raise self._argument_error("metric", f"must be one of {COLUMN_METRICS}, got {metric!r}")
        self.metric = metric
        super().__init__(**kwargs)
        self._needs, self._derive = _column_metric(metric, column)
        # A null rate of n rows is a share (binomial noise); a null count a count.
        self.noise = {"null_rate": "share", "null_count": "count"}.get(metric)

    def trials(self, values: Mapping[Metric, Any]) -> float | None:
        return float(values.get(RowCount()) or 0) or None if self.metric == "null_rate" else None

    @property
    def name(self) -> str:
        return self._name or f"{self.metric}_anomaly({self.column})"

    @property
    def what(self) -> str:  # type: ignore[override]
        return f"{self.metric}({self.column})"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def metrics(self) -> tuple[Metric, ...]:
        return self._needs

    def column_type_problem(self, column_types: Mapping[str, str]) -> str | None:
        if self.metric in ("mean", "stddev", "min", "max"):
            return needs_number(self.column, column_types)
        return None

    def series(self, values: Mapping[Metric, Any], ctx: CheckContext) -> dict[str, float | None]:
        value = self._derive(values)
        if value is not None and not isinstance(value, int | float):
            try:
                value = float(value)
            except (TypeError, ValueError) as err:
                raise TypeError(
                    f"check '{self.name}': {self.metric} of '{self.column}' is {value!r}, not a number"
                ) from err
        return {self.what: None if value is None else float(value)}


class FreshnessAnomaly(AnomalyCheck):
    """The freshness lag (the run's time minus the newest ``column`` timestamp) against its
    history: a load that is later than usual. Judges spikes only by default.

    ``freshness_anomaly("loaded_at", min_change=1800)``  (seconds)
    """

    check_type = "freshness_anomaly"
    default_direction = "spike"
    skewed = True  # a load is never much early but sometimes much late

    def __init__(self, column: str, **kwargs: Any) -> None:
        self._columns_for_errors = column
        self.column = self._column_arg("column", column)
        super().__init__(**kwargs)

    @property
    def what(self) -> str:  # type: ignore[override]
        return f"freshness lag of '{self.column}'"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def metrics(self) -> tuple[Metric, ...]:
        return (Maximum(self.column),)

    def series(self, values: Mapping[Metric, Any], ctx: CheckContext) -> dict[str, float | None]:
        raw = values[Maximum(self.column)]
        if raw is None:
            return {f"freshness_lag_seconds({self.column})": None}
        newest = parse_timestamp(raw, ZoneInfo(self.timezone or ctx.default_timezone))
        return {f"freshness_lag_seconds({self.column})": (ctx.now - newest).total_seconds()}

    def show(self, value: float | None) -> str:
        if value is None or math.isinf(value):
            return str(value)
        return str(dt.timedelta(seconds=round(value)))
