"""Turn a check's run history into charts: the judged value first, then its metrics."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from airflow_dq.ui.charts import Chart, ChartPoint, build_chart
from airflow_dq.ui.model import RunResult


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _flagged(r: RunResult) -> bool:
    # A run is marked when the detector called it an anomaly or the check did not pass.
    return r.anomaly or r.status in ("fail", "warn")


def _points(history: Sequence[RunResult], values: Sequence[float | None], current_run: str | None, band: bool):
    return [
        ChartPoint(
            at=r.at,
            value=v,
            lower=r.lower if band else None,
            upper=r.upper if band else None,
            status=r.status,
            anomaly=_flagged(r),
            label=r.run_id,
            current=r.run_id == current_run,
        )
        for r, v in zip(history, values, strict=True)
        if r.at is not None
    ]


def observed_chart(history: Sequence[RunResult], *, current_run: str | None = None) -> tuple[str, Chart] | None:
    """The judged (observed) value over time with the expected band; None if not numeric."""
    values = [_number(r.observed) for r in history]
    if not any(v is not None for v in values):
        return None
    return "observed", build_chart(_points(history, values, current_run, band=True), metric="observed")


def history_charts(history: Sequence[RunResult], *, current_run: str | None = None) -> list[tuple[str, Chart]]:
    """The observed value, then each metric whose series differs from it (e.g. the row
    count behind a null rate)."""
    charts = []
    observed = observed_chart(history, current_run=current_run)
    observed_values = [_number(r.observed) for r in history]
    if observed:
        charts.append(observed)
    labels = list(dict.fromkeys(label for r in history for label in r.metrics))
    for label in labels:
        values = [_number(r.metrics.get(label)) for r in history]
        if not any(v is not None for v in values) or (observed and values == observed_values):
            continue
        charts.append((label, build_chart(_points(history, values, current_run, band=False), metric=label)))
    return charts
