"""Chart geometry for the UI: history of one metric as inline SVG, computed in Python.

No JavaScript and no chart library: the page ships the drawing itself, so it works offline
and under a Content-Security-Policy that forbids scripts. This module only computes
coordinates; the template ``_chart.html`` writes the SVG with Jinja2 autoescaping, so a
run id or a metric name in a tooltip can never become markup.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 30
INSET = 10  # keeps the first and last dots off the frame


@dataclass(frozen=True)
class ChartPoint:
    """One run's value of a metric, the band it was expected in, and its verdict."""

    at: dt.datetime
    value: float | None
    lower: float | None = None
    upper: float | None = None
    status: str = "pass"
    anomaly: bool = False
    label: str = ""  # shown in the tooltip, e.g. the run id
    current: bool = False  # the run the page is about


@dataclass
class Dot:
    x: float
    y: float
    status: str
    anomaly: bool
    current: bool
    tooltip: str


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class Chart:
    """Everything the template needs to draw one chart, in SVG user units."""

    width: int
    height: int
    plot: tuple[float, float, float, float]  # x0, y0, x1, y1 of the plotting area
    line: str  # polyline points "x,y x,y ..." of the observed values
    bands: list[str]  # polygon points of the expected band, one per contiguous stretch
    dots: list[Dot]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    anomalies: int
    points: int
    empty: bool = False
    notes: list[str] = field(default_factory=list)


def format_number(value: float | int | None) -> str:
    """Short, readable numbers: integers as they are, others to 4 significant digits."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.4g}"


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _y_range(points: Sequence[ChartPoint]) -> tuple[float, float]:
    values = [v for p in points for v in (p.value, p.lower, p.upper) if v is not None and math.isfinite(v)]
    low, high = min(values), max(values)
    if low == high:  # a flat series still needs a visible scale
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def _timestamp(at: dt.datetime) -> float:
    if at.tzinfo is None:  # stored naive means UTC in the store
        at = at.replace(tzinfo=dt.UTC)
    return at.timestamp()


def _tooltip(point: ChartPoint, metric: str) -> str:
    parts = [point.at.strftime("%Y-%m-%d %H:%M"), f"{metric} = {format_number(point.value)}"]
    if point.lower is not None or point.upper is not None:
        parts.append(f"expected {format_number(point.lower)} to {format_number(point.upper)}")
    parts.append(point.status + (" (anomaly)" if point.anomaly else ""))
    if point.label:
        parts.append(point.label)
    return " | ".join(parts)


def build_chart(points: Sequence[ChartPoint], *, metric: str = "value") -> Chart:
    """Lay out a time series: values as a line and dots, the expected band shaded behind."""
    x0, y0, x1, y1 = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    points = sorted(points, key=lambda p: _timestamp(p.at))
    drawable = [p for p in points if any(v is not None for v in (p.value, p.lower, p.upper))]
    if not drawable:
        return Chart(WIDTH, HEIGHT, (x0, y0, x1, y1), "", [], [], [], [], 0, 0, empty=True)

    low, high = _y_range(drawable)
    t_min, t_max = _timestamp(drawable[0].at), _timestamp(drawable[-1].at)

    def sx(p: ChartPoint) -> float:
        if t_max == t_min:
            return (x0 + x1) / 2
        return x0 + INSET + (_timestamp(p.at) - t_min) / (t_max - t_min) * (x1 - x0 - 2 * INSET)

    def sy(value: float) -> float:
        return y1 - (value - low) / (high - low) * (y1 - y0)

    dots = [
        Dot(round(sx(p), 1), round(sy(p.value), 1), p.status, p.anomaly, p.current, _tooltip(p, metric))
        for p in drawable
        if p.value is not None
    ]
    line = " ".join(f"{d.x},{d.y}" for d in dots)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot=(x0, y0, x1, y1),
        line=line,
        bands=_bands(drawable, sx, sy, low, high),
        dots=dots,
        y_ticks=_y_ticks(low, high, sy),
        x_ticks=_x_ticks(drawable, sx),
        anomalies=sum(1 for p in drawable if p.anomaly),
        points=len(dots),
    )


def _bands(points: Sequence[ChartPoint], sx, sy, low: float, high: float) -> list[str]:
    """One polygon per stretch of consecutive runs that had an expected band.

    A one-sided expectation (``>= 1000``) shades to the edge of the plot on its open side.
    """
    stretches: list[list[ChartPoint]] = [[]]
    for p in points:
        if p.lower is None and p.upper is None:
            if stretches[-1]:
                stretches.append([])
            continue
        stretches[-1].append(p)
    polygons = []
    for stretch in (s for s in stretches if s):
        if len(stretch) == 1:  # a lone point still gets a visible sliver
            only = stretch[0]
            stretch = [only, only]
            offsets = (-4.0, 4.0)
        else:
            offsets = (0.0,) * len(stretch)
        top = [
            (sx(p) + off, sy(p.upper if p.upper is not None else high)) for p, off in zip(stretch, offsets, strict=True)
        ]
        bottom = [
            (sx(p) + off, sy(p.lower if p.lower is not None else low)) for p, off in zip(stretch, offsets, strict=True)
        ]
        polygons.append(" ".join(f"{round(x, 1)},{round(y, 1)}" for x, y in [*top, *reversed(bottom)]))
    return polygons


def _y_ticks(low: float, high: float, sy) -> list[Tick]:
    step = _nice_step(high - low, 4)
    first = math.ceil(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(Tick(round(sy(value), 1), format_number(round(value, 10))))
        value += step
    return ticks


def _x_ticks(points: Sequence[ChartPoint], sx) -> list[Tick]:
    chosen = [points[0]] if len(points) == 1 else [points[0], points[len(points) // 2], points[-1]]
    seen, ticks = set(), []
    for p in chosen:
        label = p.at.strftime("%Y-%m-%d")
        if label not in seen:
            seen.add(label)
            ticks.append(Tick(round(sx(p), 1), label))
    return ticks
