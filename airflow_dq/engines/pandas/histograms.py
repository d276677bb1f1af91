"""The frame side of profile metrics: histograms, top categories and samples with pandas.

Bins and 'other' buckets mean exactly what they mean in SQL
(``airflow_dq.engines.sql.histograms``); the parity tests prove it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from airflow_dq.engines.pandas.types import frame_types
from airflow_dq.metrics.profiles import HistogramKey, RowsValue, column_of

SEED = 20_261_127  # a fixed seed: the same data gives the same sample, run after run


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def _values(series: pd.Series) -> list[Any]:
    """Plain Python values with None for every kind of missing value (vectorised)."""
    values = series.tolist()  # numpy scalars become Python scalars
    if series.hasnans:
        missing = series.isna().tolist()
        values = [None if gone else v for v, gone in zip(values, missing, strict=True)]
    return [_plain(v) for v in values] if series.dtype == object else values


class FrameSide:
    """A DataFrame in memory, measured with pandas."""

    def __init__(self, frame: pd.DataFrame, name: str = "DataFrame") -> None:
        self.frame = frame
        self.name = name

    @classmethod
    def from_data(cls, data: Any, name: str = "reference DataFrame") -> FrameSide:
        """A DataFrame, a callable returning one, or a CSV/Parquet path (read whole)."""
        from airflow_dq.engines.pandas.sources import make_source

        source = make_source(data, name=name) if not isinstance(data, str) else make_source(data)
        chunks = list(source.chunks())
        frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
        return cls(frame, name)

    def describe(self) -> str:
        return self.name

    def column_types(self) -> dict[str, str]:
        return frame_types(self.frame)

    def _require(self, columns: Sequence[str]) -> None:
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise KeyError(f"{self.name} has no column(s) {missing}; it has {list(self.frame.columns)}")

    def sample(self, columns: Sequence[str], limit: int) -> RowsValue:
        self._require(columns)
        total = len(self.frame)
        if total > limit:
            chosen = np.sort(np.random.default_rng(SEED).choice(total, size=limit, replace=False))
            part = self.frame.iloc[chosen]
        else:
            part = self.frame
        return RowsValue({c: _values(part[c]) for c in columns}, total)

    def top_categories(self, column: str, limit: int) -> list[Any]:
        self._require([column])
        counts = self.frame[column].value_counts(dropna=True, sort=False)
        # Most common first, ties by value (as the SQL side's ORDER BY count DESC, value).
        try:
            order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        except TypeError:  # mixed types in one column: order ties by their text
            order = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        return [_plain(value) for value, _ in order[:limit]]

    def histograms(
        self, edges: dict[HistogramKey, list[float]], categories: dict[HistogramKey, list[Any]]
    ) -> dict[HistogramKey, list[int]]:
        from airflow_dq.stats.drift import histogram

        self._require([column_of(k) for k in (*edges, *categories)])
        counts: dict[HistogramKey, list[int]] = {}
        for column, column_edges in edges.items():
            series = self.frame[column_of(column)]
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            counts[column] = histogram(values, column_edges)
        for column, values in categories.items():
            present = self.frame[column_of(column)].dropna()
            found = present.value_counts(dropna=True)
            named = [int(found.get(v, 0)) for v in values]
            counts[column] = [*named, int(len(present) - sum(named))]
        return counts
