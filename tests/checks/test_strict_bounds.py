"""strict_min / strict_max on every check that takes min / max: a value equal to the bound
passes inclusive bounds and fails strict ones, on SQLite, PostgreSQL and pandas."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.pandas import check_dataframe
from tests.checks.data import NOW, by_name, create_table, run

# x: 1, 2, 3, 4 (mean 2.5, median 2.5, sum 10, 4 distinct); s: lengths 1..4; 4 rows, 2 columns
RECORDS = [{"x": x, "s": "a" * x} for x in (1, 2, 3, 4)]


def _pairs() -> list[tuple[str, object, object]]:
    """(name, check with the bound at the value, the same bound strict)."""
    return [
        ("row_count", dq.row_count(min=4, name="a1"), dq.row_count(min=4, strict_min=True, name="b1")),
        ("row_count max", dq.row_count(max=4, name="a2"), dq.row_count(max=4, strict_max=True, name="b2")),
        ("value_range", dq.value_range("x", min=1, name="a3"), dq.value_range("x", min=1, strict_min=True, name="b3")),
        (
            "length_between",
            dq.length_between("s", max=4, name="a4"),
            dq.length_between("s", max=4, strict_max=True, name="b4"),
        ),
        (
            "mean_between",
            dq.mean_between("x", min=2.5, name="a5"),
            dq.mean_between("x", min=2.5, strict_min=True, name="b5"),
        ),
        (
            "stddev_between",
            dq.stddev_between("x", max=(5 / 3) ** 0.5, name="a6"),
            dq.stddev_between("x", max=(5 / 3) ** 0.5, strict_max=True, name="b6"),
        ),
        (
            "sum_between",
            dq.sum_between("x", max=10, name="a7"),
            dq.sum_between("x", max=10, strict_max=True, name="b7"),
        ),
        (
            "median_between",
            dq.median_between("x", min=2.5, name="a8"),
            dq.median_between("x", min=2.5, strict_min=True, name="b8"),
        ),
        (
            "quantile_between",
            dq.quantile_between("x", 0.25, max=1.75, name="a9"),
            dq.quantile_between("x", 0.25, max=1.75, strict_max=True, name="b9"),
        ),
        (
            "distinct_count_between",
            dq.distinct_count_between("x", min=4, name="a10"),
            dq.distinct_count_between("x", min=4, strict_min=True, name="b10"),
        ),
        (
            "distinct_ratio_between",
            dq.distinct_ratio_between("x", max=1, name="a11"),
            dq.distinct_ratio_between("x", max=1, strict_max=True, name="b11"),
        ),
        ("column_count", dq.column_count(max=2, name="a12"), dq.column_count(max=2, strict_max=True, name="b12")),
    ]


@pytest.mark.parametrize("engine", ["sql", "pandas"])
def test_strict_bounds_exclude_the_bound(db: sa.Engine, engine: str) -> None:
    pairs = _pairs()
    checks = [c for _, inclusive, strict in pairs for c in (inclusive, strict)]
    if engine == "sql":
        create_table(db, "t", {"x": sa.Integer(), "s": sa.String(5)}, RECORDS)
        results = by_name(run(db, checks))
    else:
        results = by_name(check_dataframe(pd.DataFrame(RECORDS), checks, now=NOW))
    for what, inclusive, strict in pairs:
        assert results[inclusive.name].status == "pass", (what, results[inclusive.name].message)
        assert results[strict.name].status == "fail", (what, results[strict.name].message)
        # the expectation says which: "> 4" / "< 4" instead of ">= 4" / "<= 4"
        shown = results[strict.name].expected
        assert shown == results[inclusive.name].expected.replace(">=", ">").replace("<=", "<"), (what, shown)
