"""A suite wider than the database's SELECT list: split into the fewest statements, never failing.

PostgreSQL refuses more than 1,664 entries in a target list; SQLite more than 2,000. A
suite of 2,100 range checks (2,102 aggregates) needs two statements on
both, and the log line says the table was read once more.
"""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql.limits import select_list_limit
from airflow_dq.engines.sql.split import split_select_list
from airflow_dq.report import results_table
from tests.checks.data import create_table, run, statement_log

WIDTH = 2_100


def test_a_suite_over_the_select_list_limit_is_split_and_judged_the_same(db: sa.Engine) -> None:
    create_table(db, "t", {"id": sa.Integer(), "amount": sa.Integer()}, [(i, i % 100) for i in range(500)])
    limit = select_list_limit(db)
    assert limit == (1664 if db.dialect.name == "postgresql" else 2000)
    checks = [dq.value_range("amount", max=i, name=f"at_most_{i}") for i in range(WIDTH)]

    with statement_log(db) as log:
        wide = run(db, checks, sample_size=0)

    expressions = WIDTH + 2  # and the row count, and count(amount): the checked rows
    assert log.counts()["data"] == math.ceil(expressions / limit) == 2
    assert all(width <= limit for width in log.data_columns)
    assert sum(log.data_columns) == expressions
    assert wide.statements == {"schema": 1, "data": 2, "extra_scans": 1}
    assert "1 extra scan: the aggregate was split to fit the SELECT-list limit" in results_table(wide)

    # The same verdicts as each check run in a narrow suite of its own.
    for i in (0, 50, 98, 99, 1500, WIDTH - 1):
        (alone,) = run(db, [checks[i]], sample_size=0).results
        assert wide.results[i].to_dict() == alone.to_dict() | {"name": f"at_most_{i}"}
    statuses = [r.status for r in wide.results]
    assert statuses.count("fail") == 99  # max=0..98 leave values above; 99 and up hold all


def test_split_is_the_fewest_chunks_under_the_limit() -> None:
    for n, limit in ((1, 1664), (1664, 1664), (1665, 1664), (5000, 1664), (7, 2)):
        chunks = split_select_list(list(range(n)), limit)
        assert len(chunks) == math.ceil(n / limit)
        assert [x for chunk in chunks for x in chunk] == list(range(n))
        assert max(len(c) for c in chunks) <= limit


@pytest.mark.postgres
def test_the_limit_is_real_on_postgres(postgres_engine: sa.Engine) -> None:
    # What the split avoids: one SELECT of 1,665 aggregates is refused by the server.
    create_table(postgres_engine, "t", {"id": sa.Integer()}, [(1,)])
    too_wide = sa.select(*(sa.func.count().label(f"c{i}") for i in range(1665))).select_from(sa.table("t"))
    with postgres_engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="at most 1664 entries"):
        conn.execute(too_wide)


def test_histograms_over_the_limit_are_split_too(db: sa.Engine) -> None:
    # 210 numeric columns binned on 9 reference edges: 2,100 counts per table, one SELECT
    # would be refused on both databases.
    from airflow_dq.engines.sql import SqlEngine
    from airflow_dq.metrics.grouped import Reference
    from airflow_dq.metrics.profiles import Distribution

    names = [f"x{i}" for i in range(210)]
    for table, shift in (("ref", 0), ("cur", 3)):
        rows = [tuple((r * 7 + c + shift) % 50 for c in range(len(names))) for r in range(60)]
        create_table(db, table, dict.fromkeys(names, sa.Integer()), rows)
    metrics = [Distribution(name, Reference(table="ref"), kind="numeric", bins=10) for name in names]
    engine = SqlEngine(db, table="cur")
    wide = engine.compute(metrics)
    assert engine.statements["extra_scans"] == 2  # one more per table (reference and batch)
    for name in ("x0", "x105", "x209"):
        alone = SqlEngine(db, table="cur").compute(
            [Distribution(name, Reference(table="ref"), kind="numeric", bins=10)]
        )
        metric = Distribution(name, Reference(table="ref"), kind="numeric", bins=10)
        assert wide[metric].reference_counts == alone[metric].reference_counts
        assert wide[metric].current_counts == alone[metric].current_counts
        assert sum(wide[metric].current_counts) == 60
