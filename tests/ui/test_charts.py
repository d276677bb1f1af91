"""Chart geometry: values, expected band and anomalies land where they should."""

from __future__ import annotations

import datetime as dt

from airflow_dq.ui.charts import HEIGHT, ChartPoint, build_chart, format_number

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _poly(points: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in points.split()]


def test_values_band_and_anomaly_positions() -> None:
    points = [
        ChartPoint(T0 + i * DAY, value=v, lower=90, upper=110, status="pass" if 90 <= v <= 110 else "fail")
        for i, v in enumerate([100, 102, 98, 101, 40])
    ]
    points[-1] = ChartPoint(T0 + 4 * DAY, value=40, lower=90, upper=110, status="fail", anomaly=True)
    chart = build_chart(points, metric="row_count")

    assert chart.points == 5 and chart.anomalies == 1
    xs = [d.x for d in chart.dots]
    assert xs == sorted(xs) and chart.plot[0] < xs[0] < xs[1] and xs[-1] < chart.plot[2]
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.2  # a day is a day
    # SVG y grows downwards: the 40-row drop is the lowest dot, far below the band.
    band = _poly(chart.bands[0])
    band_bottom = max(y for _, y in band)
    band_top = min(y for _, y in band)
    drop = chart.dots[-1]
    assert drop.anomaly and drop.status == "fail" and drop.y > band_bottom
    assert all(band_top <= d.y <= band_bottom for d in chart.dots[:-1])
    assert "expected 90 to 110" in drop.tooltip and "fail (anomaly)" in drop.tooltip


def test_one_sided_band_reaches_the_plot_edge_and_gaps_split_it() -> None:
    points = [
        ChartPoint(T0, value=5, lower=1),
        ChartPoint(T0 + DAY, value=6, lower=1),
        ChartPoint(T0 + 2 * DAY, value=7),  # no expectation that run
        ChartPoint(T0 + 3 * DAY, value=8, upper=10),
    ]
    chart = build_chart(points)
    assert len(chart.bands) == 2
    first, second = (_poly(b) for b in chart.bands)
    assert min(y for _, y in first) == chart.plot[1]  # open upper side: to the top edge
    assert max(y for _, y in second) == chart.plot[3]  # open lower side: to the bottom edge


def test_flat_and_empty_series() -> None:
    flat = build_chart([ChartPoint(T0 + i * DAY, value=0) for i in range(3)])
    assert {d.y for d in flat.dots} == {flat.dots[0].y} and 0 < flat.dots[0].y < HEIGHT
    assert any(t.label == "0" for t in flat.y_ticks)
    empty = build_chart([ChartPoint(T0, value=None)])
    assert empty.empty and empty.points == 0
    single = build_chart([ChartPoint(T0, value=3, lower=1, upper=5)])
    assert single.points == 1 and single.dots[0].x == (single.plot[0] + single.plot[2]) / 2
    assert len(_poly(single.bands[0])) == 4  # a lone run's band is still drawn


def test_points_are_ordered_by_time_whatever_the_input_order() -> None:
    chart = build_chart([ChartPoint(T0 + 2 * DAY, value=3), ChartPoint(T0, value=1), ChartPoint(T0 + DAY, value=2)])
    ys = [d.y for d in chart.dots]
    assert ys == sorted(ys, reverse=True)  # rising values: y falls left to right
    assert [t.label for t in chart.x_ticks] == ["2026-11-01", "2026-11-02", "2026-11-03"]


def test_number_format() -> None:
    assert [format_number(v) for v in (None, 1234567, 2.0, 0.123456, 1e-7)] == [
        "-",
        "1,234,567",
        "2",
        "0.1235",
        "1e-07",
    ]
