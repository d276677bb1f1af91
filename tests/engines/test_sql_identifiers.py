"""Identifiers are quoted by the dialect: odd table and column names work everywhere."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import by_name, create_table, run


def test_reserved_mixed_case_and_spaced_names(db: sa.Engine) -> None:
    columns = {"order": sa.Integer(), "User Id": sa.Integer(), "Amount": sa.Float(), "select": sa.DateTime()}
    rows = [
        (1, 10, 5.0, dt.datetime(2026, 11, 27, 15)),
        (2, 10, 7.0, None),
        (2, None, -1.0, dt.datetime(2026, 11, 27, 9)),
    ]
    create_table(db, "Order Lines", {"User Id": sa.Integer()}, [(10,)])
    create_table(db, "My Table", columns, rows)
    checks = [
        dq.unique("order"),
        dq.unique(["order", "User Id"]),
        dq.not_null("User Id"),
        dq.value_range("Amount", min=0),
        dq.stddev_between("Amount", max=100),
        dq.references("User Id", "Order Lines"),
        dq.freshness("select", max_age=dt.timedelta(hours=2)),
        dq.schema({"order": "integer", "User Id": "integer", "Amount": "float", "select": "timestamp"}),
    ]

    results = by_name(run(db, checks, table="My Table"))

    assert results["unique(order)"].failing_rows == [{"order": 2, "dq_count": 2}]
    assert results["unique(order, User Id)"].status == "pass"
    assert results["not_null(User Id)"].observed == 1
    assert results["value_range(Amount)"].failing_rows == [
        {"order": 2, "User Id": None, "Amount": -1.0, "select": dt.datetime(2026, 11, 27, 9)}
    ]
    assert results["stddev_between(Amount)"].observed == pytest.approx(statistics.stdev([5.0, 7.0, -1.0]))
    assert results["references(User Id)"].status == "pass"
    assert results["freshness(select)"].status == "pass"
    assert results["schema"].status == "pass"
