"""The SQL side of profile metrics: histograms pushed down to the database.

All numeric histograms and categorical counts of one table come from ONE aggregate SELECT:
for a numeric column with interior edges ``e1 < ... < ek`` it counts the non-NULL values
and the values below each edge (cumulative counts), and Python takes differences, so bin
``i`` is ``[e_i, e_i+1)`` with open outer bins; for a categorical column it counts each of
the reference's top categories, and the rest is 'other'. Data larger than a sample's bound
is sampled with ``ORDER BY random() LIMIT n``, which the database answers with a bounded
top-N sort: the table is never pulled into Python.
"""

from __future__ import annotations

import decimal
import itertools
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from airflow_dq.engines.sql import isolation
from airflow_dq.engines.sql.compiler import col
from airflow_dq.engines.sql.dataset import SqlDataset
from airflow_dq.engines.sql.limits import select_list_limit
from airflow_dq.engines.sql.split import split_select_list
from airflow_dq.metrics.grouped import Reference
from airflow_dq.metrics.profiles import HistogramKey, ProfileMetric, RowsValue, column_of

if TYPE_CHECKING:
    from airflow_dq.engines.sql.engine import SqlEngine


def _plain(value: Any) -> Any:
    # NUMERIC columns come back as Decimal; the statistics want floats.
    return float(value) if isinstance(value, decimal.Decimal) else value


class SqlSide:
    """A dataset (``SqlDataset``) as the profile computations see it: samples, top
    categories and histograms measured in the database."""

    def __init__(self, dataset: SqlDataset) -> None:
        self.dataset = dataset
        self.bind = dataset.bind
        self.statements = dataset.statements

    @classmethod
    def of_reference(cls, bind: sa.Engine, reference: Reference, statements: Counter[str]) -> SqlSide:
        # A reference's catalog lookup was never part of the suite's statement log.
        return cls(SqlDataset.of_reference(bind, reference, statements, count_reflection=False))

    def describe(self) -> str:
        return self.dataset.describe()

    def _select(self, *columns: Any) -> sa.Select[Any]:
        return self.dataset.select(*columns)

    def _rows(self, kind: str, stmt: sa.Executable) -> list[sa.Row[Any]]:
        return self.dataset.execute(kind, stmt)

    def column_types(self) -> dict[str, str]:
        return self.dataset.column_types()

    def sample(self, columns: Sequence[str], limit: int) -> RowsValue:
        # First without ordering: data that fits is read whole, in the database's order, so
        # the same data gives the same result run after run. Only when there is more does
        # the database draw a random sample (a bounded top-N sort) and count the rows.
        selected = self._select(*(col(c) for c in columns))
        rows = self._rows("profile", selected.limit(limit + 1))
        total = len(rows)
        if total > limit:
            rows = self._rows("profile", selected.order_by(self.dataset.dialect.random()).limit(limit))
            total = int(self._rows("profile", self._select(sa.func.count()))[0][0])
        data = {c: [_plain(row[i]) for row in rows] for i, c in enumerate(columns)}
        return RowsValue(data, total)

    def top_categories(self, column: str, limit: int) -> list[Any]:
        key = col(column)
        count = sa.func.count()
        stmt = self._select(key).where(key.is_not(None)).group_by(key).order_by(count.desc(), key).limit(limit)
        return [_plain(row[0]) for row in self._rows("profile", stmt)]

    def histograms(
        self, edges: dict[HistogramKey, list[float]], categories: dict[HistogramKey, list[Any]]
    ) -> dict[HistogramKey, list[int]]:
        """Counts for every column in one SELECT (see the module docstring)."""
        expressions: list[sa.ColumnElement[Any]] = []
        layout: list[tuple[HistogramKey, str, int]] = []  # (key, kind, how many expressions)
        for column, column_edges in edges.items():
            value = col(column_of(column))
            expressions.append(sa.func.count(value))
            expressions += [sa.func.count(sa.case((value < float(e), 1))) for e in column_edges]
            layout.append((column, "numeric", 1 + len(column_edges)))
        for column, values in categories.items():
            value = col(column_of(column))
            expressions.append(sa.func.count(value))
            expressions += [sa.func.count(sa.case((value == v, 1))) for v in values]
            layout.append((column, "categorical", 1 + len(values)))
        if not expressions:
            return {}
        labelled = [e.label(f"h{i}") for i, e in enumerate(expressions)]
        # Many columns with many bins can pass the dialect's SELECT-list limit: the fewest
        # statements that fit, concatenated in order (each extra one is one more scan).
        chunks = split_select_list(labelled, select_list_limit(self.bind))
        if len(chunks) > 1:
            self.statements["extra_scans"] += len(chunks) - 1
        row = [value for chunk in chunks for value in self._rows("profile", self._select(*chunk))[0]]
        counts: dict[HistogramKey, list[int]] = {}
        position = 0
        for column, kind, width in layout:
            total, *parts = (int(v or 0) for v in row[position : position + width])
            position += width
            if kind == "numeric":
                cumulative = [*parts, total]
                counts[column] = [cumulative[0]] + [b - a for a, b in itertools.pairwise(cumulative)]
            else:
                counts[column] = [*parts, total - sum(parts)]
        return counts


def compute_sql_profiles(engine: SqlEngine, metrics: Sequence[ProfileMetric]) -> dict[ProfileMetric, Any]:
    """Profile metrics of a SQL engine's dataset; references may be tables, queries or frames.

    A reference table or query is user SQL: one the database refuses fails only the checks
    that read it (isolation.py), and every other check is judged."""
    from airflow_dq.engines.profiles import compute_profiles, frame_side_of

    current = SqlSide(engine.dataset)  # its reflection is the scan's, cached

    def side_of(source: Any) -> Any:
        if isinstance(source, Reference):
            return SqlSide.of_reference(engine.bind, source, engine.statements)
        return frame_side_of(source)

    def measure(some: list[Any]) -> dict[Any, Any]:
        return compute_profiles(current, some, side_of)

    return isolation.scan_isolating(
        measure, measure, list(metrics), engine.still_answers, engine.statements, suspect=_reads_a_reference
    )


def _reads_a_reference(metric: Any) -> bool:
    """Whether a profile metric reads a reference table or query (user SQL)."""
    return isinstance(getattr(metric, "reference", None) or getattr(metric, "source", None), Reference)
