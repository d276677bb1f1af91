"""length_between(min=n, max=n) compiles to one length() per row; it must count as before."""

from __future__ import annotations

import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import assert_words, create_table, only, run


def test_exact_length_counts_characters_and_skips_nulls(db: sa.Engine) -> None:
    # "ÅB" is 2 characters but 3 bytes: length() must count characters on both databases.
    create_table(db, "t", {"code": sa.String(10)}, [("US",), ("DEU",), ("X",), ("ÅB",), (None,), ("",)])

    result = only(run(db, dq.length_between("code", min=2, max=2)))

    assert (result.observed, result.status) == (3, "fail")
    assert_words(result.message, "3 of 5 non-NULL values")
    assert sorted(row["code"] for row in result.failing_rows) == ["", "DEU", "X"]


def test_exact_length_passes_when_every_value_has_it(db: sa.Engine) -> None:
    create_table(db, "t", {"code": sa.String(10)}, [("US",), ("ÅB",), (None,)])

    result = only(run(db, dq.length_between("code", min=2, max=2)))

    assert (result.observed, result.status) == (0, "pass")
