"""Bounds templated per run, and timestamps/dates as bounds, on every engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.pandas import check_dataframe
from tests.airflow_runs import load_dag, run_dag, xcom_value
from tests.checks.data import NOW, by_name, create_table, run

UTC = dt.UTC
STAMPS = [dt.datetime(2026, 11, 20, h) for h in (0, 6, 12, 23)] + [None]


def _timestamp_checks() -> list:
    start = dt.datetime(2026, 11, 20, tzinfo=UTC)
    return [
        # aware bounds (what data_interval_start renders to) on a naive UTC column
        dq.value_range("ts", min=start, max=start + dt.timedelta(days=1), strict_max=True, name="aware_day"),
        dq.value_range("ts", min="2026-11-20T06:00:00+00:00", name="iso_min"),
        dq.value_range("ts", min="2026-11-20T07:00:00+01:00", max="2026-11-20T12:00:00Z", name="offsets"),
        dq.value_range("ts", max=dt.date(2026, 11, 20), strict_max=True, name="date_on_timestamp"),
        dq.value_range("day", min="2026-11-19", max=dt.datetime(2026, 11, 20, tzinfo=UTC), name="day_bounds"),
        dq.value_range("day", min=dt.date(2026, 11, 20), strict_min=True, name="strict_day"),
    ]


EXPECTED = {  # (status, rows out of range)
    "aware_day": ("pass", 0),
    "iso_min": ("fail", 1),  # 00:00
    "offsets": ("fail", 2),  # [06:00, 12:00] UTC: 00:00 and 23:00 are out
    "date_on_timestamp": ("fail", 4),
    "day_bounds": ("fail", 1),  # 2026-11-21
    "strict_day": ("fail", 4),
}


def _records() -> list[dict]:
    days = [dt.date(2026, 11, 20)] * 4 + [dt.date(2026, 11, 21)]
    return [{"ts": ts, "day": day} for ts, day in zip(STAMPS, days, strict=True)]


def test_timestamp_and_date_bounds_on_sql(db: sa.Engine) -> None:
    create_table(db, "t", {"ts": sa.DateTime(), "day": sa.Date()}, _records())
    results = by_name(run(db, _timestamp_checks()))
    assert {n: (str(r.status), r.observed) for n, r in results.items()} == EXPECTED


def test_timestamp_and_date_bounds_on_a_dataframe(tmp_path: Path) -> None:
    df = pd.DataFrame(_records())
    df["ts"] = pd.to_datetime(df["ts"])
    results = by_name(check_dataframe(df, _timestamp_checks(), now=NOW))
    assert {n: (str(r.status), r.observed) for n, r in results.items()} == EXPECTED
    # the same as text columns in a CSV read without parse_dates: compared as ISO text
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    text = by_name(check_dataframe(path, [dq.value_range("day", max="2026-11-20", name="text_day")], now=NOW))
    assert (text["text_day"].status, text["text_day"].observed) == ("fail", 1)


def _write_loads(url: str, day: dt.date, amounts: list[float]) -> None:
    engine = sa.create_engine(url)
    stamps = [dt.datetime(day.year, day.month, day.day, 1 + i) for i in range(len(amounts))]
    create_table(
        engine,
        "loads",
        {"loaded_at": sa.DateTime(), "amount": sa.Float()},
        [{"loaded_at": s, "amount": a} for s, a in zip(stamps, amounts, strict=True)],
    )
    engine.dispose()


@pytest.mark.airflow
def test_bounds_render_per_run_in_a_dag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, airflow_db: str) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TEST_WAREHOUSE", url)
    dag = load_dag("issue13_bounds_dags", "dq_test_templated_bounds")
    day = dt.date(2026, 11, 20)
    _write_loads(url, day, [10.0, 20.0, 30.0])

    good, tis = run_dag(dag, day)
    assert good.state == "success", tis["validate"].state
    payload = {r["name"]: r for r in xcom_value(good, "validate")["results"]}
    assert payload["row_count"]["expected"] == "row count >= 3"
    assert "2026-11-20 00:00:00+00:00, 2026-11-21 00:00:00+00:00)" in payload["value_range(loaded_at)"]["expected"]

    # The next day's run renders its own day: the same rows are now out of range.
    later, tis = run_dag(dag, day + dt.timedelta(days=1))
    assert later.state == "failed" and tis["validate"].state == "failed"
    payload = {r["name"]: r for r in xcom_value(later, "validate")["results"]}
    assert (payload["value_range(loaded_at)"]["status"], payload["value_range(loaded_at)"]["observed"]) == ("fail", 3)
    assert payload["row_count"]["status"] == "pass"
    assert payload["mean_between(amount)"]["status"] == "pass"

    # A DAG-level param that does not fit fails that check with a named argument, not the run.
    bad, tis = run_dag(dag, day, run_conf={"max_mean": "fifty"})
    payload = {r["name"]: r for r in xcom_value(bad, "validate")["results"]}
    assert payload["mean_between(amount)"]["status"] == "error"
    assert "argument 'max'" in payload["mean_between(amount)"]["message"]
    assert payload["row_count"]["status"] == "pass"
