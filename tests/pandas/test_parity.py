"""SQLite, PostgreSQL and pandas agree: same data, same suite, same verdicts and values.

The pandas side runs three ways: the DataFrame in memory, a CSV read in chunks, and a
Parquet file read in chunks (so merged chunk states are held to the same standard).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq.checks.aggregates import parse_timestamp
from airflow_dq.engines.pandas import check_dataframe
from airflow_dq.results import SuiteResult
from tests.checks.data import NOW, create_table, run
from tests.pandas import parity_data as data


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dt.datetime | dt.date | str) and isinstance(b, dt.datetime | dt.date | str):
        # SQLite hands timestamps back as text; compare them as instants.
        return parse_timestamp(a, dt.UTC) == parse_timestamp(b, dt.UTC)
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _pandas_run(how: str, tmp_path: Path) -> SuiteResult:
    df = data.frame(data.rows())
    if how == "frame":
        return check_dataframe(df, data.suite(), now=NOW)
    if how == "csv_chunks":
        path = tmp_path / "t.csv"
        df.to_csv(path, index=False)
        # A CSV has no types: pin them as a reader of this file would.
        options = {"dtype": {**data.DTYPES, "price": "float64"}, "parse_dates": ["ts"]}
        result = check_dataframe(path, data.suite(), now=NOW, chunksize=37, read_options=options)
        assert result.statements["chunks"] == math.ceil(len(df) / 37)
        return result
    path = tmp_path / "t.parquet"
    df.to_parquet(path)
    result = check_dataframe(path, data.suite(), now=NOW, chunksize=37)
    assert result.statements["chunks"] == math.ceil(len(df) / 37)
    return result


# CSV has no decimal or date type: those columns come back as float and text.
_CSV_TYPE_CHANGES = {"schema"}


@pytest.mark.parametrize("how", ["frame", "csv_chunks", "parquet_chunks"])
def test_pandas_gives_the_sql_engines_results(db: sa.Engine, how: str, tmp_path: Path) -> None:
    create_table(db, "t", data.COLUMNS, data.rows())
    sql = run(db, data.suite(), now=NOW)
    frame = _pandas_run(how, tmp_path)

    assert [r.name for r in frame.results] == [r.name for r in sql.results]
    statuses = {r.name: str(r.status) for r in sql.results}
    # the data has something to find, on both sides of every kind of check
    assert 8 <= sum(s != "pass" for s in statuses.values()) <= len(statuses) - 8, statuses
    skip = _CSV_TYPE_CHANGES if how == "csv_chunks" else set()
    for a, b in zip(sql.results, frame.results, strict=True):
        if a.name in skip:
            continue
        assert (a.name, str(a.status)) == (b.name, str(b.status)), (a.message, b.message)
        assert _same(a.observed, b.observed), (a.name, a.observed, b.observed)
        assert a.metrics.keys() == b.metrics.keys()
        for label in a.metrics:
            assert _same(a.metrics[label], b.metrics[label]), (a.name, label, a.metrics[label], b.metrics[label])
        assert a.expected == b.expected
        assert len(a.failing_rows) == len(b.failing_rows), a.name


def test_in_memory_samples_are_the_sql_samples(db: sa.Engine) -> None:
    """The offending rows shown for a failure are the same rows (by id), in the same order."""
    create_table(db, "t", data.COLUMNS, data.rows())
    sql = {r.name: r for r in run(db, data.suite(), now=NOW, sample_size=4).results}
    frame = {r.name: r for r in check_dataframe(data.frame(data.rows()), data.suite(), now=NOW, sample_size=4).results}
    compared = 0
    for name, result in sql.items():
        if not result.failing_rows:
            continue
        if name.startswith("unique("):  # duplicate keys with their counts, most repeated first
            assert result.to_dict()["failing_rows"] == frame[name].to_dict()["failing_rows"], name
        else:
            assert [r["id"] for r in result.failing_rows] == [r["id"] for r in frame[name].failing_rows], name
        compared += 1
    assert compared >= 8
    assert frame["unique(id)"].failing_rows[0]["dq_count"] == 2


def test_empty_strings_are_values_not_nulls(db: sa.Engine) -> None:
    """'' is not NULL in SQL and not missing in pandas; NaN, None and NaT are NULL."""
    records = [{"s": "", "x": 1.0}, {"s": None, "x": None}, {"s": "ab", "x": float("nan")}, {"s": " ", "x": 2.0}]
    create_table(
        db,
        "t",
        {"s": sa.String(5), "x": sa.Float()},
        [{**r, "x": None if r["x"] != r["x"] else r["x"]} for r in records],
    )
    df = pd.DataFrame(records).astype({"s": "str", "x": "float64"})
    from airflow_dq import checks as dq

    suite = [
        dq.not_null("s"),
        dq.not_null("x"),
        dq.length_between("s", min=1),
        dq.matches_regex("s", "^$", name="empty"),
        dq.unique("s"),
        dq.mean_between("x", min=1.5, max=1.5),
    ]
    sql, frame = run(db, suite, now=NOW), check_dataframe(df, suite, now=NOW)
    got = [(r.name, str(r.status), r.observed) for r in frame.results]
    assert got == [(r.name, str(r.status), r.observed) for r in sql.results]
    assert got[:3] == [("not_null(s)", "fail", 1), ("not_null(x)", "fail", 2), ("length_between(s)", "fail", 1)]
