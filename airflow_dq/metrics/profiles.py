"""Profile metrics: distributions against a reference, and bounded row samples.

Drift and training-data checks compare the dataset with a *reference* (a trusted earlier
table, query or DataFrame). They need more than one number per metric:

- ``Distribution``: a column's histogram on the reference's bin edges (numeric) or its
  counts of the reference's most common categories, for the reference and for the dataset,
  plus bounded samples of numeric values (for the KS test and the Wasserstein distance).
  The SQL engine computes the histograms in the database, ONE query per table for all
  columns; nothing but the counts and the bounded samples reaches Python.
- ``Rows``: up to ``limit`` rows of some columns (the dataset's or the reference's), for
  checks that look at individual rows (nearest neighbours, perplexity, duplicates).

Engines compute both with ``airflow_dq.engines.profiles.compute_profiles``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow_dq.metrics.core import Metric
from airflow_dq.metrics.grouped import Reference
from airflow_dq.metrics.stored import ColumnProfile, StoredProfile

KINDS = ("auto", "numeric", "categorical")
OTHER = "(other)"  # the bucket of categories the reference's top list does not name


@dataclass(frozen=True, eq=False)
class FrameReference:
    """A reference held as a pandas DataFrame, a callable returning one, or a CSV/Parquet path.

    Compared by identity: the frame is not hashed. Pass a callable or a path in a DAG file,
    so nothing is loaded when the DAG is parsed.
    """

    data: Any
    name: str | None = None

    def __str__(self) -> str:
        if self.name:
            return self.name
        if isinstance(self.data, str):
            return f"file {self.data}"
        if callable(self.data) and not hasattr(self.data, "columns"):
            return f"DataFrame from {getattr(self.data, '__name__', 'callable')}()"
        return "reference DataFrame"


ReferenceSource = Reference | FrameReference | StoredProfile


HistogramKey = str | tuple[str, str]  # a column, or (column, tag): the column binned a second way


def column_of(key: HistogramKey) -> str:
    """The column a histogram key counts (one query may bin a column on two sets of edges)."""
    return key if isinstance(key, str) else key[0]


@dataclass(frozen=True)
class ProfileMetric(Metric):
    """Base class: measured by the profile pass, not by the single aggregate scan."""


@dataclass(frozen=True)
class Distribution(ProfileMetric):
    """``column``'s distribution in the dataset and in ``reference``, on the same buckets.

    ``kind="auto"`` makes numeric type families numeric and everything else categorical.
    ``record_profile`` also measures the dataset's own profile (its own quantile edges and
    top categories: one more histogram query) for the history store.
    """

    column: str
    reference: ReferenceSource
    kind: str = "auto"
    bins: int = 10
    max_categories: int = 50
    sample_size: int = 10_000
    record_profile: bool = False

    @property
    def label(self) -> str:
        return f"distribution({self.column}) vs {self.reference}"


@dataclass(frozen=True)
class Rows(ProfileMetric):
    """Up to ``limit`` rows of ``columns``; ``source=None`` is the dataset itself.

    When the data has more rows, a uniform random sample of ``limit`` rows is taken.
    """

    columns: tuple[str, ...]
    limit: int
    source: ReferenceSource | None = None

    @property
    def label(self) -> str:
        where = f" of {self.source}" if self.source is not None else ""
        return f"rows({', '.join(self.columns)}; {self.limit:,}){where}"


@dataclass
class DistributionValue:
    """What an engine measured for a ``Distribution``: counts per bucket on both sides."""

    kind: str  # "numeric" or "categorical" (resolved)
    labels: list[str]  # one per bucket
    reference_counts: list[int]
    current_counts: list[int]
    edges: list[float] = field(default_factory=list)  # numeric only
    reference_sample: list[float] = field(default_factory=list)
    current_sample: list[float] = field(default_factory=list)
    batch_profile: ColumnProfile | None = None  # the dataset's own profile, to be stored

    def to_json(self) -> dict[str, Any]:
        """A small JSON-able view for results (no samples)."""
        return {
            "kind": self.kind,
            "buckets": self.labels,
            "reference_counts": self.reference_counts,
            "current_counts": self.current_counts,
        }


@dataclass
class RowsValue:
    """Rows of a ``Rows`` metric, column by column; ``total`` counts the rows sampled from."""

    columns: dict[str, list[Any]]
    total: int

    @property
    def sampled(self) -> bool:
        return self.total > len(next(iter(self.columns.values()), []))

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def to_json(self) -> dict[str, Any]:
        return {"rows": len(self), "total": self.total}
