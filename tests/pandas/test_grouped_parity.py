"""Completeness checks (segments, time buckets) give the SQL engines' results on a DataFrame."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.pandas import PandasEngine, check_dataframe
from airflow_dq.metrics import NullCount, RowCount
from airflow_dq.metrics.grouped import BySegments, ByTimeBucket, Grouped
from tests.checks.data import NOW, create_table, run

START = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def _rows() -> list[dict]:
    rng = random.Random(11)
    rows = []
    for i in range(600):
        hour = rng.choice([h for h in range(-3, 27) if h not in (9, 10)])  # a two-hour gap, rows outside the day
        rows.append(
            {
                "id": i,
                "country": rng.choice(["US", "US", "US", "DE", "FR", None]),
                "platform": rng.choice(["ios", "android"]),
                "event_time": dt.datetime(2026, 11, 26) + dt.timedelta(hours=hour, minutes=rng.randint(0, 59)),
            }
        )
    return rows


COLUMNS = {"id": sa.Integer(), "country": sa.String(3), "platform": sa.String(10), "event_time": sa.DateTime()}


def _suite() -> list[dq.Check]:
    return [
        dq.segment_completeness("country", ["US", "DE", "FR", "GB"]),
        dq.segment_completeness("country", {"US": 0.5, "DE": 0.2, "FR": 0.3}, min_share_ratio=0.8, name="shares"),
        dq.segment_completeness(["country", "platform"], [("US", "ios"), ("DE", "android")], min_count=20),
        dq.time_bucket_completeness("event_time", start=START, end=END),
        dq.time_bucket_completeness("event_time", start=START, end=END, min_fraction=0.5, name="thin_hours"),
        dq.time_bucket_completeness("event_time", bucket="day", start=START, end=END, name="day_bucket"),
        # Naive timestamps read as Berlin wall clock: the gap moves by the zone's offset.
        dq.time_bucket_completeness("event_time", start=START, end=END, timezone="Europe/Berlin", name="berlin"),
        dq.fresh_through("event_time", lag=dt.timedelta(hours=1)),
    ]


def _frame() -> pd.DataFrame:
    df = pd.DataFrame(_rows())
    return df.astype({"country": "str", "platform": "str"})


@pytest.mark.parametrize("how", ["frame", "csv_chunks"])
def test_completeness_checks_match_sql(db: sa.Engine, how: str, tmp_path: Path) -> None:
    create_table(db, "t", COLUMNS, _rows())
    sql = run(db, _suite(), now=NOW)
    if how == "frame":
        frame = check_dataframe(_frame(), _suite(), now=NOW)
    else:
        _frame().to_csv(tmp_path / "t.csv", index=False)
        frame = check_dataframe(tmp_path / "t.csv", _suite(), now=NOW, chunksize=50)
        assert frame.statements["data"] == 1 and frame.statements["chunks"] == 12  # one pass for all checks

    statuses = [(r.name, str(r.status)) for r in sql.results]
    assert [(r.name, str(r.status)) for r in frame.results] == statuses
    assert {s for _, s in statuses} == {"pass", "fail"}
    for a, b in zip(sql.results, frame.results, strict=True):
        assert a.to_dict()["observed"] == b.to_dict()["observed"], a.name
        assert a.message == b.message, a.name


def test_grouped_counts_per_segment_and_bucket() -> None:
    df = pd.DataFrame(
        {
            "k": ["a", "a", None, "b", None],
            "x": [1.0, None, 3.0, None, None],
            "t": pd.to_datetime(["2026-11-26 00:10", "2026-11-26 00:50", "2026-11-26 02:00", None, "2026-11-27 00:00"]),
        }
    )
    by_k = BySegments(("k",))
    hours = ByTimeBucket("t", "hour", "UTC", START, END)
    metrics = [Grouped(RowCount(), by_k), Grouped(NullCount("x"), by_k), Grouped(RowCount(), hours)]
    values = PandasEngine(df).compute(metrics)
    assert values[metrics[0]] == {("a",): 2, (None,): 2, ("b",): 1}  # NULL is a segment of its own
    assert values[metrics[1]] == {("a",): 1, (None,): 1, ("b",): 1}
    # NaT and the row at END (exclusive) are outside the window; empty hours are absent
    assert values[metrics[2]] == {(dt.datetime(2026, 11, 26, 0),): 2, (dt.datetime(2026, 11, 26, 2),): 1}


def test_reference_segments_need_sql_at_parse_time() -> None:
    from airflow_dq.operators import DataFrameQualityOperator

    check = dq.segment_completeness("country", reference_table="events")
    with pytest.raises(ValueError, match=r"check 'segment_completeness\(country\)' .* reference table or query"):
        DataFrameQualityOperator(task_id="v", data="x.csv", checks=[check])
