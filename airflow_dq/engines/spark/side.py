"""The Spark side of profile metrics: histograms as ONE aggregation job per table.

Same meaning as ``airflow_dq.engines.sql.histograms``: for a numeric column with edges
``e1 < ... < ek`` the job counts the non-NULL values and the values below each edge
(cumulative counts) and Python takes differences; a categorical column counts each of the
reference's top categories, the rest is 'other'. A sample larger than its bound is drawn
by Spark (``ORDER BY rand(seed) LIMIT n``): the table never comes to the worker.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from airflow_dq.engines.spark.columns import Columns
from airflow_dq.engines.spark.types import type_family
from airflow_dq.metrics.grouped import Reference
from airflow_dq.metrics.profiles import HistogramKey, RowsValue, column_of

SEED = 20_261_127  # a fixed seed: the same data gives the same sample, run after run


def _plain(value: Any) -> Any:
    import decimal

    if isinstance(value, float) and value != value:
        return None
    return float(value) if isinstance(value, decimal.Decimal) else value


class SparkSide:
    """One Spark DataFrame, measured on the cluster."""

    def __init__(self, df: DataFrame, name: str, statements: Counter[str]) -> None:
        self.df, self.name, self.statements = df, name, statements
        self.columns = Columns(df.schema)

    @classmethod
    def of_reference(cls, spark: SparkSession, reference: Reference, statements: Counter[str]) -> SparkSide:
        """A reference table (``schema.table`` in the Spark catalog) or a Spark SQL query."""
        if reference.table is not None:
            name = f"{reference.schema}.{reference.table}" if reference.schema else reference.table
            df = spark.read.table(name)
        else:
            df = spark.sql(reference.query)
        return cls(df.where(F.expr(reference.where)) if reference.where else df, str(reference), statements)

    def describe(self) -> str:
        return self.name

    def column_types(self) -> dict[str, str]:
        return {f.name: type_family(f.dataType) for f in self.df.schema.fields}

    def _require(self, columns: Sequence[str]) -> None:
        missing = [c for c in columns if c not in self.columns.types]
        if missing:
            raise KeyError(f"{self.name} has no column(s) {missing}; it has {list(self.columns.types)}")

    def _collect(self, df: DataFrame) -> list[Any]:
        self.statements["profile"] += 1
        return df.collect()

    def sample(self, columns: Sequence[str], limit: int) -> RowsValue:
        self._require(columns)
        selected = self.df.select(*(self.columns.value(c).alias(c) for c in columns))
        rows = self._collect(selected.limit(limit + 1))
        total = len(rows)
        if total > limit:  # more than the bound: Spark draws the sample, and counts the rows
            rows = self._collect(selected.orderBy(F.rand(SEED)).limit(limit))
            total = int(self._collect(self.df.agg(F.count(F.lit(1))))[0][0])
        return RowsValue({c: [_plain(row[i]) for row in rows] for i, c in enumerate(columns)}, total)

    def top_categories(self, column: str, limit: int) -> list[Any]:
        self._require([column])
        value = self.columns.value(column).alias("v")
        counts = self.df.where(self.columns.present(column)).groupBy(value).agg(F.count(F.lit(1)).alias("n"))
        return [_plain(r[0]) for r in self._collect(counts.orderBy(F.col("n").desc(), F.col("v")).limit(limit))]

    def histograms(
        self, edges: dict[HistogramKey, list[float]], categories: dict[HistogramKey, list[Any]]
    ) -> dict[HistogramKey, list[int]]:
        self._require([column_of(k) for k in (*edges, *categories)])
        expressions: list[Any] = []
        layout: list[tuple[HistogramKey, str, int]] = []
        for key, column_edges in edges.items():
            value = self.columns.number(column_of(key))
            expressions.append(F.count(value))
            expressions += [F.count(F.when(value < float(e), 1)) for e in column_edges]
            layout.append((key, "numeric", 1 + len(column_edges)))
        for key, values in categories.items():
            value = self.columns.value(column_of(key))
            expressions.append(F.count(value))
            expressions += [F.count(F.when(value == F.lit(v), 1)) for v in values]
            layout.append((key, "categorical", 1 + len(values)))
        if not expressions:
            return {}
        row = self._collect(self.df.agg(*(e.alias(f"h{i}") for i, e in enumerate(expressions))))[0]
        counts: dict[HistogramKey, list[int]] = {}
        position = 0
        for key, kind, width in layout:
            total, *parts = (int(v or 0) for v in row[position : position + width])
            position += width
            if kind == "numeric":
                cumulative = [*parts, total]
                counts[key] = [cumulative[0]] + [b - a for a, b in itertools.pairwise(cumulative)]
            else:
                counts[key] = [*parts, total - sum(parts)]
        return counts
