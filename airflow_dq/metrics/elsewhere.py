"""Metrics measured on another dataset: the source a pipeline copied from.

Reconciliation checks compare a number of the checked dataset (its row count, a column's
sum) with the same number in the source, which may live behind another connection. The
source is a ``Reference`` (a table or a raw SQL query, with an optional raw SQL filter).
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_dq.metrics.core import Metric
from airflow_dq.metrics.grouped import Reference


@dataclass(frozen=True)
class Elsewhere(Metric):
    """``metric`` (a scalar metric such as ``RowCount()``) measured on ``source``, through the
    connection ``conn_id`` (None: the checked dataset's own database)."""

    metric: Metric
    source: Reference
    conn_id: str | None = None

    @property
    def label(self) -> str:
        via = f" via {self.conn_id}" if self.conn_id else ""
        return f"{self.metric.label} in {self.source}{via}"
