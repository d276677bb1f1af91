"""SQL histogram pushdown: the database's counts equal pandas' on the same data, in one query."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq.engines.pandas import PandasEngine
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.metrics.grouped import Reference
from airflow_dq.metrics.profiles import OTHER, Distribution, FrameReference

COLUMNS = ("amount", "qty", "country")


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(11)
    ref = pd.DataFrame(
        {
            "day": ["2026-11-01"] * 400,
            "amount": rng.lognormal(3, 0.5, 400).round(2),
            "qty": rng.integers(0, 5, 400),
            "country": rng.choice(["US", "DE", "FR", "GB", "NL"], 400, p=[0.4, 0.2, 0.2, 0.15, 0.05]),
        }
    )
    cur = pd.DataFrame(
        {
            "day": ["2026-11-02"] * 300,
            "amount": np.concatenate([rng.lognormal(3.3, 0.5, 290).round(2), [np.nan] * 10]),
            "qty": rng.integers(0, 8, 300),
            "country": np.concatenate([rng.choice(["US", "DE", "BR"], 295), [None] * 5]),
        }
    )
    # A value exactly on a reference edge must land in the same bin on every engine.
    cur.loc[0, "amount"] = float(np.quantile(ref["amount"], 0.5, method="inverted_cdf"))
    return ref, cur


@pytest.fixture
def loaded(db: sa.Engine) -> Iterator[tuple[sa.Engine, pd.DataFrame, pd.DataFrame]]:
    ref, cur = _frames()
    ref.to_sql("ref", db, index=False)
    cur.to_sql("cur", db, index=False)
    pd.concat([ref, cur]).to_sql("events", db, index=False)
    yield db, ref, cur


def _metrics(reference) -> list[Distribution]:
    return [Distribution(c, reference) for c in COLUMNS]


def _histogram_statements(bind: sa.Engine) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(bind, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if "count(CASE WHEN" in statement:  # histogram counts (catalog queries have CASE too)
            seen.append(statement)

    return seen


def _same(sql_value, frame_value) -> None:
    assert sql_value.kind == frame_value.kind
    assert sql_value.labels == frame_value.labels
    assert sql_value.edges == pytest.approx(frame_value.edges)
    assert sql_value.reference_counts == frame_value.reference_counts
    assert sql_value.current_counts == frame_value.current_counts
    assert sorted(sql_value.reference_sample) == pytest.approx(sorted(frame_value.reference_sample))
    assert sorted(sql_value.current_sample) == pytest.approx(sorted(frame_value.current_sample))


def test_sql_histograms_equal_pandas_in_one_query_per_table(loaded) -> None:
    bind, ref, cur = loaded
    statements = _histogram_statements(bind)
    sql_values = SqlEngine(bind, table="cur").compute(_metrics(Reference(table="ref")))
    frame_ref = FrameReference(ref)  # compared by identity: one object for the metrics and the lookup
    frame_values = PandasEngine(cur).compute(_metrics(frame_ref))
    for column in COLUMNS:
        _same(sql_values[Distribution(column, Reference(table="ref"))], frame_values[Distribution(column, frame_ref)])
    # One histogram statement for all columns of the reference, one for the batch.
    assert len(statements) == 2
    assert all(s.count("CASE WHEN") >= 3 for s in statements)

    amount = sql_values[Distribution("amount", Reference(table="ref"))]
    assert amount.kind == "numeric" and len(amount.edges) == 9 and sum(amount.reference_counts) == 400
    assert sum(amount.current_counts) == 290  # NULL/NaN are not counted
    country = sql_values[Distribution("country", Reference(table="ref"))]
    assert country.kind == "categorical" and country.labels[-1] == OTHER
    assert country.labels[:2] == ["US", "DE"]  # most common reference categories first
    # BR is new: it lands in '(other)'; the 5 NULLs are not counted.
    assert country.current_counts[-1] == int((cur["country"] == "BR").sum())
    assert sum(country.current_counts) == 295


def test_query_and_where_references_equal_pandas(loaded) -> None:
    bind, ref, cur = loaded
    by_query = Reference(query="SELECT amount, qty, country FROM events WHERE day = '2026-11-01'")
    by_where = Reference(table="events", where="day = '2026-11-01'")
    sql_q = SqlEngine(bind, table="events", where="day = '2026-11-02'").compute(_metrics(by_query))
    sql_w = SqlEngine(bind, table="events", where="day = '2026-11-02'").compute(_metrics(by_where))
    frame_ref = FrameReference(ref)
    frame = PandasEngine(cur).compute(_metrics(frame_ref))
    for column in COLUMNS:
        expected = frame[Distribution(column, frame_ref)]
        _same(sql_q[Distribution(column, by_query)], expected)
        _same(sql_w[Distribution(column, by_where)], expected)


def test_dataframe_reference_for_a_sql_table(loaded) -> None:
    bind, ref, cur = loaded
    reference = FrameReference(ref)
    sql_values = SqlEngine(bind, table="cur").compute(_metrics(reference))
    frame_values = PandasEngine(cur).compute(_metrics(reference))
    for column in COLUMNS:
        _same(sql_values[Distribution(column, reference)], frame_values[Distribution(column, reference)])


def test_samples_are_bounded(loaded) -> None:
    bind, _ref, _ = loaded
    metric = Distribution("amount", Reference(table="ref"), sample_size=50)
    value = SqlEngine(bind, table="cur").compute([metric])[metric]
    assert len(value.reference_sample) == 50 and len(value.current_sample) <= 50
    # The histogram still counts every row: only the KS/Wasserstein samples are bounded.
    assert sum(value.reference_counts) == 400
