"""unique(ignore_nulls=, count=): NULL as a key value, and every row of a repeated key
counted (GX's way) besides the surplus rows; the same on SQLite, PostgreSQL and pandas."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.pandas import check_dataframe
from tests.checks.data import NOW, by_name, create_table, run

# a: 1 x4, 2 x1, NULL x2      (a, b): (1, x) x2, (1, NULL) x2, (NULL, NULL) x2, (2, y) x1
ROWS = [{"a": a, "b": b} for a, b in [(1, "x"), (1, "x"), (1, None), (None, None), (2, "y"), (None, None), (1, None)]]

CHECKS = [
    dq.unique("a"),
    dq.unique("a", count="all", name="a_all"),
    dq.unique("a", ignore_nulls=False, name="a_nulls"),
    dq.unique("a", ignore_nulls=False, count="all", name="a_nulls_all"),
    dq.unique(["a", "b"]),
    dq.unique(["a", "b"], count="all", name="ab_all"),
    dq.unique(["a", "b"], ignore_nulls=False, name="ab_nulls"),
    dq.unique(["a", "b"], ignore_nulls=False, count="all", name="ab_nulls_all"),
    dq.unique("a", count="all", mostly=0.2, name="a_all_mostly"),
]

# (rows counted, rows checked) worked out by hand
EXPECTED = {
    "unique(a)": (3, 5),  # 1 x4 -> 3 surplus; NULLs ignored; 5 non-NULL values
    "a_all": (4, 5),
    "a_nulls": (4, 7),  # + the second NULL
    "a_nulls_all": (6, 7),
    "unique(a, b)": (1, 3),  # complete keys: (1,x) x2, (2,y)
    "ab_all": (2, 3),
    "ab_nulls": (3, 7),  # (1,x), (1,NULL), (NULL,NULL) each repeat once
    "ab_nulls_all": (6, 7),
    "a_all_mostly": (4, 5),  # 1/5 = 20% pass: exactly mostly
}


def _frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS).astype({"a": "Int64", "b": "str"})


@pytest.mark.parametrize("how", ["sql", "frame", "csv_chunks"])
def test_unique_options(db: sa.Engine, how: str, tmp_path) -> None:
    if how == "sql":
        create_table(db, "t", {"a": sa.Integer(), "b": sa.String(3)}, ROWS)
        results = by_name(run(db, CHECKS))
    elif how == "frame":
        results = by_name(check_dataframe(_frame(), CHECKS, now=NOW))
    else:
        path = tmp_path / "t.csv"
        _frame().to_csv(path, index=False)
        results = by_name(check_dataframe(path, CHECKS, now=NOW, chunksize=2, read_options={"dtype": {"a": "Int64"}}))
    got = {
        name: (r.observed, int(r.metrics[next(m for m in r.metrics if not m.startswith("dup"))]))
        for name, r in results.items()
    }
    assert got == EXPECTED
    assert results["a_all_mostly"].status == "pass"
    assert all(results[n].status == "fail" for n in EXPECTED if n != "a_all_mostly")


def test_the_default_metric_label_is_unchanged() -> None:
    """History is keyed by metric labels: the options must not rename the default one."""
    violations, _ = dq.unique("a").metrics()
    assert violations.label == "duplicate_count(('a',))"
    assert dq.unique("a", count="all").metrics()[0].label == "duplicate_count(('a',), all_rows)"


@pytest.mark.parametrize(
    ("build", "argument"),
    [(lambda: dq.unique("a", ignore_nulls="no"), "ignore_nulls"), (lambda: dq.unique("a", count="rows"), "count")],
)
def test_bad_options(build, argument: str) -> None:
    with pytest.raises(dq.CheckArgumentError, match=f"argument '{argument}'"):
        build()
