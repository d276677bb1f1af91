"""The checks of issue 13 travel to a deferrable sensor's triggerer as plain JSON and judge
the same after the trip (templated bounds included, once rendered)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from airflow_dq.checks.serde import check_from_spec, check_to_spec
from tests.checks.data import NOW, create_table, run
from tests.pandas import test_new_checks_parity as new


def test_every_new_check_survives_the_trip(sqlite_engine: sa.Engine) -> None:
    create_table(sqlite_engine, "t", new.COLUMNS, new.rows())
    checks = new.suite()
    travelled = [check_from_spec(json.loads(json.dumps(check_to_spec(c)))) for c in checks]
    before = run(sqlite_engine, checks, now=NOW)
    after = run(sqlite_engine, travelled, now=NOW)
    assert [(r.name, r.status, r.observed, r.expected) for r in after.results] == [
        (r.name, r.status, r.observed, r.expected) for r in before.results
    ]
