"""What the suite runner needs from an engine (SQL today, pandas next)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any, Protocol

from airflow_dq.metrics import Metric
from airflow_dq.metrics.samples import FailureSample


class Engine(Protocol):
    """Measures metrics on one dataset.

    ``statements`` counts what the engine sent, by kind: ``data`` (the shared scan),
    ``schema`` (catalog reflection), ``samples`` (failure rows) and ``custom`` (user queries).
    """

    statements: Counter[str]

    def describe(self) -> str:
        """The dataset in a few words, for logs and results (``table events where ...``)."""
        ...

    def column_types(self) -> dict[str, str]:
        """Column name -> type family (see ``airflow_dq.checks.schema.TYPE_FAMILIES``)."""
        ...

    def compute(self, metrics: Collection[Metric]) -> dict[Metric, Any]:
        """Every metric's value; all scalar metrics in a single pass."""
        ...

    def missing(self, metric: Metric) -> str | None:
        """What this engine lacks to compute ``metric`` (None when it can). Optional: the
        suite asks before the scan, and a check with such a metric is an ``error``."""
        ...

    def sample(self, spec: FailureSample, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` rows that show why a check failed."""
        ...
