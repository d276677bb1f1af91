"""The pandas engine: the SQL engine's metrics, with the same meaning, on a DataFrame.

All metrics of a suite are folded chunk by chunk in ONE pass over the data (one pass over
the frame in memory, or one read of a chunked file), vectorised per chunk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from airflow_dq.engines.pandas.grouped import counts_per_group, grouped_states
from airflow_dq.engines.pandas.masks import ChunkView, evaluates, unevaluable, violation_mask
from airflow_dq.engines.pandas.sources import FileSource, FilteredSource, FrameSource, make_source
from airflow_dq.engines.pandas.states import (
    count_hashes,
    folds,
    key_hashes,
    metric_columns,
    python_value,
    state_for,
)
from airflow_dq.metrics import CustomScalar, Metric, MetricError, ViolationCount
from airflow_dq.metrics.elsewhere import Elsewhere
from airflow_dq.metrics.grouped import Grouped
from airflow_dq.metrics.profiles import ProfileMetric
from airflow_dq.metrics.samples import DuplicateKeys, FailureSample


class PandasEngine:
    """Measure metrics on a pandas DataFrame, a callable returning one, or a CSV/Parquet file.

    >>> engine = PandasEngine(df)                                    # in memory
    >>> engine = PandasEngine("events.csv.gz", chunksize=500_000)    # streamed in chunks
    >>> run_checks(engine, [not_null("user_id"), unique("event_id")])
    >>> engine = PandasEngine(df, where="country == 'US'")           # a pandas query, or a mask callable

    NULL is what pandas calls missing: NaN, None, NaT and pd.NA, exactly as SQL's NULL
    (``pandas.DataFrame.to_sql`` writes all of them as NULL).
    """

    def __init__(
        self,
        data: Any,
        *,
        file_format: str | None = None,
        chunksize: int | None = None,
        read_options: dict[str, Any] | None = None,
        name: str | None = None,
        where: Any = None,
    ) -> None:
        self.source: FrameSource | FileSource | FilteredSource = make_source(
            data, file_format=file_format, chunksize=chunksize, read_options=read_options, name=name, where=where
        )
        self.statements: Counter[str] = Counter()
        self._column_types: dict[str, str] | None = None

    def describe(self) -> str:
        return self.source.describe()

    def column_types(self) -> dict[str, str]:
        if self._column_types is None:
            self.statements["schema"] += 1
            self._column_types = self.source.column_types()
        return self._column_types

    def missing(self, metric: Metric) -> str | None:
        """What this engine lacks to compute ``metric`` (asked by the suite before it
        measures), from its registries: a metric type ``states.STATES`` does not fold, a row
        rule ``masks.MASKS`` has no mask for, or a grouped metric ``grouped.INDICATORS`` does
        not count per group."""
        if isinstance(metric, ProfileMetric | Elsewhere | CustomScalar):
            return None  # custom SQL is refused at parse time (dataframe_support.py)
        if isinstance(metric, Grouped):
            if not counts_per_group(metric.metric):
                return f"the pandas engine cannot compute {metric.metric.label} per group (only counts)"
            metric = metric.metric
        elif not folds(metric):
            return f"the pandas engine has no state for {type(metric).__name__} ({metric.label})"
        if isinstance(metric, ViolationCount) and not evaluates(metric.predicate):
            return f"{unevaluable(metric.predicate)} ({metric.label})"
        return None

    def compute(self, metrics: Collection[Metric]) -> dict[Metric, Any]:
        for metric in metrics:
            if isinstance(metric, CustomScalar):
                raise TypeError("the pandas engine cannot run custom SQL (custom_sql checks need a SQL database)")
        profiled = [m for m in metrics if isinstance(m, ProfileMetric)]
        profiles = self._profiles(profiled) if profiled else {}
        elsewhere = [m for m in metrics if isinstance(m, Elsewhere)]
        if elsewhere:  # a reconciliation check's source is a SQL table behind other_conn_id
            from airflow_dq.engines.sql.elsewhere import compute_elsewhere

            profiles.update(compute_elsewhere(None, elsewhere, self.statements))
        metrics = [m for m in metrics if not isinstance(m, ProfileMetric | Elsewhere)]
        if not metrics:
            return profiles
        # Grouped counts (segments, time buckets) fold in the same pass as the scalar metrics.
        groups = grouped_states([m for m in metrics if isinstance(m, Grouped)])
        states = {m: state_for(m, chunked=self.source.chunked) for m in metrics if not isinstance(m, Grouped)}
        self.statements["data"] += 1
        broken: dict[Metric, MetricError] = {}
        for chunk in self.source.chunks(self._columns(metrics)):
            self.statements["chunks"] += 1
            view = ChunkView(chunk)
            for metric, state in states.items():
                if metric not in broken:
                    _fold(metric, state, view, broken)
            for group in groups:
                group.add(view)
        values: dict[Metric, Any] = {**profiles}
        for metric, state in states.items():
            if metric not in broken:
                _fold(metric, state, None, broken, values)
        values.update(broken)
        for group in groups:
            values.update(group.values())
        return values

    def _profiles(self, metrics: list[ProfileMetric]) -> dict[Metric, Any]:
        """Distributions against a reference and row samples (see engines/profiles.py).

        They read the columns they need into memory (a chunked file is concatenated).
        """
        from airflow_dq.engines.pandas.histograms import FrameSide
        from airflow_dq.engines.profiles import compute_profiles, frame_side_of

        self.statements["profile"] += 1
        chunks = list(self.source.chunks())
        frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
        return compute_profiles(FrameSide(frame, self.describe()), metrics, frame_side_of)

    def _columns(self, metrics: Collection[Metric]) -> list[str]:
        """Columns the metrics read, so a file reader parses only those."""
        wanted = dict.fromkeys(c for m in metrics for c in metric_columns(m))
        if not wanted:  # a bare row count still has to read rows: take the narrowest read
            wanted = dict.fromkeys(list(self.column_types())[:1])
        return list(wanted)

    def sample(self, spec: FailureSample, limit: int) -> list[dict[str, Any]]:
        self.statements["samples"] += 1
        if isinstance(spec, DuplicateKeys):
            if self.source.chunked:
                return self._chunked_duplicate_sample(spec.columns, limit)
            (frame,) = self.source.chunks()
            return _records(_duplicate_keys(frame, spec.columns).head(limit))
        found: list[pd.DataFrame] = []
        wanted = limit
        for chunk in self.source.chunks():
            rows = chunk[violation_mask(ChunkView(chunk), spec)].head(wanted)
            found.append(rows)
            wanted -= len(rows)
            if wanted <= 0:
                break
        return _records(pd.concat(found)) if found else []

    def _chunked_duplicate_sample(self, columns: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
        """Two passes: count each key's hash, then fetch the keys of the most repeated ones.

        Memory is bounded as for the metric (a hash and a count per distinct key). Ties in the
        count are broken by hash, not by key as in SQL: the sample shows *some* of the most
        repeated keys.
        """
        hashes, counts = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        for chunk in self.source.chunks(list(columns)):
            keys = chunk.loc[ChunkView(chunk).complete(columns), list(columns)]
            merged = np.concatenate([hashes, key_hashes(keys, columns)])
            weights = np.concatenate([counts, np.ones(len(keys), dtype=np.int64)])
            hashes, counts = count_hashes(merged, weights)
        repeated = counts > 1
        order = np.argsort(-counts[repeated], kind="stable")[:limit]
        top = dict(zip(hashes[repeated][order].tolist(), counts[repeated][order].tolist(), strict=True))
        rows: dict[int, dict[str, Any]] = {}
        for chunk in self.source.chunks(list(columns)):
            keys = chunk.loc[ChunkView(chunk).complete(columns), list(columns)]
            chunk_hashes = key_hashes(keys, columns)
            for position in np.flatnonzero(np.isin(chunk_hashes, list(top))):
                key = int(chunk_hashes[position])
                if key not in rows:
                    rows[key] = {**_records(keys.iloc[[position]])[0], "dq_count": top[key]}
            if len(rows) == len(top):
                break
        return [rows[h] for h in top if h in rows]


def _fold(
    metric: Metric, state: Any, view: ChunkView | None, broken: dict[Metric, MetricError], out: Any = None
) -> None:
    """Add a chunk to one metric's state (or, without a view, read its value into ``out``).

    A column of mixed Python types (``[1, 2, "abc"]``, dtype object) cannot be compared or
    summed: that one metric becomes a ``MetricError`` (its checks get status ``error``, as on
    SQL) instead of the TypeError sinking every check's result.
    """
    try:
        if view is not None:
            state.add(view)
        else:
            out[metric] = state.value()
    except (TypeError, ValueError) as err:
        broken[metric] = MetricError(f"cannot measure {metric.label} on this data: {err}")


def _duplicate_keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Keys seen more than once with their counts, most repeated first (as the SQL sample)."""
    counts = frame.groupby(list(columns), dropna=True, sort=False).size().reset_index(name="dq_count")
    counts = counts[counts["dq_count"] > 1]
    return counts.sort_values(["dq_count", *columns], ascending=[False, *([True] * len(columns))])


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts with None for every kind of missing value."""
    return [{str(k): python_value(v) for k, v in row.items()} for row in frame.to_dict("records")]
