"""Compute profile metrics (``Distribution``, ``Rows``) on any pair of data sides.

A *side* is one dataset seen through an engine: the SQL side pushes its work down to the
database (``airflow_dq.engines.sql.histograms``), the frame side uses pandas/numpy
(``airflow_dq.engines.pandas.histograms``). The reference and the checked dataset may be
different kinds of side (a reference DataFrame for a SQL table, say).

For every reference, the distributions are measured in this order:

1. a bounded random sample of the reference's numeric columns (one query): its quantiles
   give the bin edges (deciles by default), and it is the reference half of the KS test;
2. the reference's most common categories of each categorical column;
3. the reference's histograms on those edges and categories: ONE query for all columns;
4. the dataset's histograms on the same edges and categories: ONE query for all columns;
5. a bounded sample of the dataset's numeric columns (one query), for KS/Wasserstein.

A reference that is a stored profile (``StoredProfile``, loaded before the engine runs)
skips steps 1-3: its edges, categories, counts and sample were recorded by the earlier run.
When a metric asks to ``record_profile``, the dataset's own profile is measured too for the
history store: its own quantile edges (from the sample of step 5) and top categories (one
query per categorical column), counted in the same histogram query as step 4.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from airflow_dq.metrics.profiles import (
    OTHER,
    Distribution,
    DistributionValue,
    HistogramKey,
    ProfileMetric,
    ReferenceSource,
    Rows,
    RowsValue,
)
from airflow_dq.metrics.stored import PROFILE_SAMPLE, ColumnProfile, StoredProfile, loaded_profile

NUMERIC_FAMILIES = ("integer", "float", "decimal", "number")
_OWN = "own"  # the tag of the dataset's own buckets in a histogram query (see _own_buckets)


class Side(Protocol):
    """One dataset, measured by one engine."""

    def describe(self) -> str: ...

    def column_types(self) -> dict[str, str]: ...

    def sample(self, columns: Sequence[str], limit: int) -> RowsValue:
        """Up to ``limit`` rows of ``columns`` (a uniform random sample when there are more)."""
        ...

    def top_categories(self, column: str, limit: int) -> list[Any]:
        """The ``limit`` most common non-NULL values of ``column``, most common first."""
        ...

    def histograms(
        self, edges: dict[HistogramKey, list[float]], categories: dict[HistogramKey, list[Any]]
    ) -> dict[HistogramKey, list[int]]:
        """Counts per bin (numeric) or per category plus 'other' (categorical), all columns at once.

        A key is a column or ``(column, tag)``: one column may be binned two ways at once."""
        ...


def _resolve_kinds(current: Side, reference: Side, metrics: list[Distribution]) -> dict[Distribution, str]:
    """``auto`` kinds from the dataset's column types, else the reference's, else the values.

    A query's columns have no catalog type ("other"): a small reference sample decides
    (numbers that are not booleans make a numeric column).
    """
    kinds: dict[Distribution, str] = {}
    unknown: list[Distribution] = []
    types, ref_types = current.column_types(), None
    for metric in metrics:
        family = types.get(metric.column, "other")
        if family == "other":
            ref_types = reference.column_types() if ref_types is None else ref_types
            family = ref_types.get(metric.column, "other")
        if metric.kind != "auto":
            kinds[metric] = metric.kind
        elif family == "other":
            unknown.append(metric)
        else:
            kinds[metric] = "numeric" if family in NUMERIC_FAMILIES else "categorical"
    if unknown:
        columns = list(dict.fromkeys(m.column for m in unknown))
        peek = reference.sample(columns, 200).columns
        for metric in unknown:
            seen = [v for v in peek[metric.column] if v is not None]
            numeric = seen and all(isinstance(v, int | float) and not isinstance(v, bool) for v in seen)
            kinds[metric] = "numeric" if numeric else "categorical"
    return kinds


def _distributions(current: Side, reference: Side, metrics: list[Distribution]) -> dict[Distribution, Any]:
    from airflow_dq.stats.drift import bin_labels, quantile_edges

    kinds = _resolve_kinds(current, reference, metrics)
    numeric = list(dict.fromkeys(m.column for m in metrics if kinds[m] == "numeric"))
    size = max((m.sample_size for m in metrics), default=0)

    ref_sample = reference.sample(numeric, size).columns if numeric else {}
    cur_sample = current.sample(numeric, size).columns if numeric else {}
    edges: dict[str, list[float]] = {}
    categories: dict[str, list[Any]] = {}
    for metric in metrics:
        if kinds[metric] == "numeric":
            edges[metric.column] = quantile_edges(_numbers(ref_sample[metric.column]), metric.bins)
        else:
            categories[metric.column] = reference.top_categories(metric.column, metric.max_categories)
    ref_counts = reference.histograms(edges, categories)
    own_edges, own_categories = _own_buckets(current, metrics, kinds, cur_sample)
    # The batch on the reference's buckets and on its own, in the same single query.
    cur_counts = current.histograms({**edges, **own_edges}, {**categories, **own_categories})
    own = _own_profiles(metrics, kinds, cur_counts, own_edges, own_categories, cur_sample)

    values: dict[Distribution, Any] = {}
    for metric in metrics:
        column = metric.column
        if kinds[metric] == "numeric":
            values[metric] = DistributionValue(
                kind="numeric",
                labels=bin_labels(edges[column]),
                reference_counts=ref_counts[column],
                current_counts=cur_counts[column],
                edges=edges[column],
                reference_sample=_numbers(ref_sample[column]),
                current_sample=_numbers(cur_sample[column]),
                batch_profile=own.get(metric),
            )
        else:
            values[metric] = DistributionValue(
                kind="categorical",
                labels=[*(str(v) for v in categories[column]), OTHER],
                reference_counts=ref_counts[column],
                current_counts=cur_counts[column],
                batch_profile=own.get(metric),
            )
    return values


def _stored_distributions(current: Side, pin: StoredProfile, metrics: list[Distribution]) -> dict[Distribution, Any]:
    """The dataset binned on a stored profile's edges and categories (ONE histogram query)."""
    profile = loaded_profile(pin)
    stored = {m: profile[m.column] for m in metrics}
    edges = {p.column: p.edges for p in stored.values() if p.kind == "numeric"}
    categories = {p.column: p.categories for p in stored.values() if p.kind != "numeric"}
    size = max((m.sample_size for m in metrics), default=0)
    cur_sample = current.sample(list(edges), size).columns if edges else {}
    kinds = {m: p.kind for m, p in stored.items()}
    own_edges, own_categories = _own_buckets(current, metrics, kinds, cur_sample)
    cur_counts = current.histograms({**edges, **own_edges}, {**categories, **own_categories})
    own = _own_profiles(metrics, kinds, cur_counts, own_edges, own_categories, cur_sample)
    return {
        metric: DistributionValue(
            kind=p.kind,
            labels=p.labels,
            reference_counts=list(p.counts),
            current_counts=cur_counts[p.column],
            edges=list(p.edges),
            reference_sample=list(p.sample),
            current_sample=_numbers(cur_sample[p.column]) if p.kind == "numeric" else [],
            batch_profile=own.get(metric),
        )
        for metric, p in stored.items()
    }


def _own_buckets(
    current: Side, metrics: list[Distribution], kinds: dict[Distribution, str], cur_sample: dict[str, list[Any]]
) -> tuple[dict[HistogramKey, list[float]], dict[HistogramKey, list[Any]]]:
    """The dataset's own buckets, for the metrics that record a profile: edges at the
    quantiles of its sample, its own top categories. Keyed ``(column, "own")``, so they are
    counted in the same query as the reference's buckets."""
    from airflow_dq.stats.drift import quantile_edges

    edges: dict[HistogramKey, list[float]] = {}
    categories: dict[HistogramKey, list[Any]] = {}
    for metric in metrics:
        if not metric.record_profile or (metric.column, _OWN) in edges or (metric.column, _OWN) in categories:
            continue
        if kinds[metric] == "numeric":
            edges[(metric.column, _OWN)] = quantile_edges(_numbers(cur_sample[metric.column]), metric.bins)
        else:
            categories[(metric.column, _OWN)] = current.top_categories(metric.column, metric.max_categories)
    return edges, categories


def _own_profiles(
    metrics: list[Distribution],
    kinds: dict[Distribution, str],
    counts: dict[HistogramKey, list[int]],
    edges: dict[HistogramKey, list[float]],
    categories: dict[HistogramKey, list[Any]],
    cur_sample: dict[str, list[Any]],
) -> dict[Distribution, ColumnProfile]:
    profiles = {}
    for metric in metrics:
        key = (metric.column, _OWN)
        if not metric.record_profile or key not in counts:
            continue
        numeric = kinds[metric] == "numeric"
        profiles[metric] = ColumnProfile(
            column=metric.column,
            kind="numeric" if numeric else "categorical",
            counts=counts[key],
            edges=edges.get(key, []),
            categories=categories.get(key, []),
            sample=_bounded(_numbers(cur_sample[metric.column])) if numeric else [],
            rows=int(sum(counts[key])),
        )
    return profiles


def _bounded(values: list[float]) -> list[float]:
    """At most ``PROFILE_SAMPLE`` values: a seeded uniform subsample, so reruns store the same."""
    if len(values) <= PROFILE_SAMPLE:
        return values
    import numpy as np

    chosen = np.random.default_rng(PROFILE_SAMPLE).choice(len(values), PROFILE_SAMPLE, replace=False)
    return [values[i] for i in sorted(chosen)]


def _numbers(values: Sequence[Any]) -> list[float]:
    """Non-NULL values as floats (NaN counts as NULL, as everywhere in the provider)."""
    out = []
    for value in values:
        if value is None:
            continue
        number = float(value)
        if number == number:
            out.append(number)
    return out


def compute_profiles(
    current: Side,
    metrics: Sequence[ProfileMetric],
    side_of: Callable[[ReferenceSource], Side],
) -> dict[ProfileMetric, Any]:
    """Every profile metric's value. ``side_of`` turns a reference into a side."""
    sides: dict[ReferenceSource, Side] = {}

    def side(source: ReferenceSource | None) -> Side:
        if source is None:
            return current
        if source not in sides:
            sides[source] = side_of(source)
        return sides[source]

    values: dict[ProfileMetric, Any] = {}
    by_reference: dict[ReferenceSource, list[Distribution]] = defaultdict(list)
    for metric in dict.fromkeys(metrics):
        if isinstance(metric, Distribution):
            by_reference[metric.reference].append(metric)
        elif isinstance(metric, Rows):
            values[metric] = side(metric.source).sample(metric.columns, metric.limit)
        else:
            raise TypeError(f"no engine can compute profile metric {metric!r}")
    for reference, batch in by_reference.items():
        if isinstance(reference, StoredProfile):
            values.update(_stored_distributions(current, reference, batch))
        else:
            values.update(_distributions(current, side(reference), batch))
    return values


def frame_side_of(source: ReferenceSource) -> Side:
    """The side of a reference for engines without a database (the pandas engine)."""
    from airflow_dq.engines.pandas.histograms import FrameSide
    from airflow_dq.metrics.profiles import FrameReference

    if isinstance(source, FrameReference):
        return FrameSide.from_data(source.data, name=str(source))
    raise TypeError(
        f"the reference {source} is a SQL table or query, which a DataFrame check cannot read; "
        "pass the reference as a DataFrame, a callable returning one, or a file path"
    )
