"""``Elsewhere`` metrics: one aggregate SELECT per (connection, source), like the scan.

A reconciliation check's source is another table or query, so it cannot share the
checked dataset's scan; all metrics on one source still share one statement. A source
behind another connection is opened through ``engines.connections`` and disposed after.
A source the database refuses (a table that does not exist, a typo in ``other_sql`` or
``other_where``) is an ``error`` of the checks on it, with the database's message, once a
``SELECT 1`` shows the database still answers (isolation.py); the other checks are judged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa

from airflow_dq.engines.connections import open_connection
from airflow_dq.engines.sql import isolation
from airflow_dq.engines.sql.compiler import aggregation
from airflow_dq.engines.sql.dataset import SqlDataset
from airflow_dq.engines.sql.dialects import dialect_of
from airflow_dq.engines.sql.session import guard, guarded_limits
from airflow_dq.metrics.elsewhere import Elsewhere
from airflow_dq.metrics.grouped import Reference


def _select(bind: sa.Engine, reference: Reference, statements: Counter[str], *columns: Any) -> sa.Select[Any]:
    return SqlDataset.of_reference(bind, reference, statements, alias="dq_source_side").select(*columns)


def _measure(bind: sa.Engine, reference: Reference, batch: Sequence[Any], statements: Counter[str]) -> dict:
    """Every metric of ``batch`` on ``reference`` in ONE SELECT."""
    dialect = dialect_of(bind)
    aggregations = [aggregation(m.metric, dialect, lambda _: "") for m in batch]
    expressions = [e.label(f"m{i}_{j}") for i, agg in enumerate(aggregations) for j, e in enumerate(agg.expressions)]
    statements["source"] += 1
    with bind.connect() as conn:
        row = conn.execute(_select(bind, reference, statements, *expressions)).one()
    return {
        metric: agg.read([row._mapping[f"m{i}_{j}"] for j in range(len(agg.expressions))])
        for i, (metric, agg) in enumerate(zip(batch, aggregations, strict=True))
    }


def _still_answers(bind: sa.Engine, statements: Counter[str]) -> None:
    """Raise when the source's database no longer answers a trivial SELECT (retryable)."""
    statements["isolation"] += 1
    with bind.connect() as conn:
        conn.execute(sa.select(sa.literal(1)))


def compute_elsewhere(
    own_bind: sa.Engine | None, metrics: Sequence[Elsewhere], statements: Counter[str]
) -> dict[Elsewhere, Any]:
    """Every ``Elsewhere`` metric's value; ``own_bind`` serves sources with no conn_id."""
    batches: dict[tuple[str | None, Reference], list[Elsewhere]] = defaultdict(list)
    for metric in dict.fromkeys(metrics):
        batches[(metric.conn_id, metric.source)].append(metric)
    values: dict[Elsewhere, Any] = {}
    for (conn_id, reference), batch in batches.items():
        opened = conn_id is not None
        bind = open_connection(conn_id) if opened else own_bind
        if bind is None:
            raise LookupError(f"the source {reference} has no database: give other_conn_id")
        if opened:  # the source is read-only and time-bounded like the checked database
            bind = guard(bind, guarded_limits(own_bind) if own_bind is not None else None, statements=statements)
        try:
            measure = partial(_measure, bind, reference, statements=statements)
            still_answers = partial(_still_answers, bind, statements)
            # The source is the user's table, query or filter: every metric on it is a suspect.
            values.update(
                isolation.scan_isolating(measure, measure, batch, still_answers, statements, suspect=isolation.always)
            )
        finally:
            if opened:
                getattr(bind, "_dq_base", bind).dispose()
    return values
