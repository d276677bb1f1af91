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
    """Rows of repeated keys.

    By default the surplus rows (complete rows minus distinct keys) among rows whose key has
    no NULL; ``ignore_nulls=False`` makes NULL a value like any other (two rows ``(1, NULL)``
    repeat a key); ``count_all=True`` counts every row of a repeated key (GX's count).
    """

    columns: tuple[str, ...]
    ignore_nulls: bool = True
    count_all: bool = False

    @property
    def label(self) -> str:
        # The default label predates the options: keep it, so history stays keyed the same.
        options = [o for o, on in (("with_nulls", not self.ignore_nulls), ("all_rows", self.count_all)) if on]
        return f"duplicate_count({', '.join([str(self.columns), *options])})"


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
class Sum(Metric):
    """Sum of the non-NULL values (booleans as 0/1); NULL when there are none, as SQL."""

    column: str


@dataclass(frozen=True)
class DistinctCount(Metric):
    """Number of distinct non-NULL values."""

    column: str


@dataclass(frozen=True)
class Quantile(Metric):
    """The ``q`` quantile of the non-NULL values, interpolated linearly between the two
    nearest ranks (SQL's ``percentile_cont``, pandas' default ``quantile``)."""

    column: str
    q: float


@dataclass(frozen=True)
class OrderViolations(Metric):
    """Rows whose ``column`` value breaks the order of the previous row by ``order_by``.

    Only rows where both columns are non-NULL are ordered; ``direction`` is
    ``"increasing"`` or ``"decreasing"``; ``strictly`` makes a repeated value a violation.
    """

    column: str
    order_by: str
    strictly: bool = False
    direction: str = "increasing"


@dataclass(frozen=True)
class MetricError:
    """What an engine gives instead of a value when one metric cannot be measured (a
    column of mixed types, say): the checks that need it get status ``error``, the rest
    of the suite runs."""

    message: str

    def __str__(self) -> str:
        return self.message


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
