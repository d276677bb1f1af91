"""What to measure. Metrics are hashable values, so a suite computes each one only once.

Scalar metrics (everything here but ``CustomScalar``) are gathered by an engine into a
single pass over the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from airflow_dq.metrics.predicates import Predicate


@dataclass(frozen=True)
class Metric:
    """Base class of all metrics."""

    @property
    def label(self) -> str:
        """A readable name, used as the key of the metric in results."""
        fields = [str(v) for v in self.__dict__.values()]
        name = type(self).__name__
        snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
        return f"{snake}({', '.join(fields)})" if fields else snake


@dataclass(frozen=True)
class RowCount(Metric):
    pass


@dataclass(frozen=True)
class NullCount(Metric):
    column: str


@dataclass(frozen=True)
class CompleteCount(Metric):
    """Rows where every one of ``columns`` is non-NULL."""

    columns: tuple[str, ...]


@dataclass(frozen=True)
class DuplicateCount(Metric):
    """Surplus rows: complete rows minus distinct keys, among rows whose key has no NULL."""

    columns: tuple[str, ...]


@dataclass(frozen=True)
class Minimum(Metric):
    column: str


@dataclass(frozen=True)
class Maximum(Metric):
    column: str


@dataclass(frozen=True)
class Mean(Metric):
    column: str


@dataclass(frozen=True)
class StdDev(Metric):
    """Sample standard deviation (n - 1), as SQL's STDDEV_SAMP and pandas' std()."""

    column: str


@dataclass(frozen=True)
class ViolationCount(Metric):
    """Number of rows for which ``predicate`` holds."""

    predicate: Predicate

    @property
    def label(self) -> str:
        return f"violations({self.predicate})"


@dataclass(frozen=True)
class CustomScalar(Metric):
    """The single value returned by a user's SQL query; runs as its own statement."""

    sql: str

    @property
    def label(self) -> str:
        return "custom_scalar"


@dataclass(frozen=True)
class WrongShape:
    """What a ``CustomScalar`` query returned instead of exactly one row with one column."""

    rows: int
    columns: int | None  # None when there was no row to count columns in

    @classmethod
    def check(cls, rows: list) -> object:
        """The single value of ``rows``, or a ``WrongShape`` describing them."""
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return cls(len(rows), len(rows[0]) if rows else None)

    def __str__(self) -> str:
        columns = "" if self.columns is None else f" of {self.columns} column{'s' if self.columns != 1 else ''}"
        return f"{self.rows} row{'s' if self.rows != 1 else ''}{columns}"
