"""A metric and a row rule that no engine's registry has: what each engine's ``missing()``
must name before any scan (tests/pandas, tests/spark, tests/engines)."""

from __future__ import annotations

from dataclasses import dataclass

from airflow_dq.metrics import Metric, Predicate


@dataclass(frozen=True)
class Kurtosis(Metric):  # a metric no engine computes (yet)
    column: str

    @property
    def label(self) -> str:
        return f"kurtosis of {self.column}"


@dataclass(frozen=True)
class EvenValue(Predicate):  # a row rule no engine has an expression or mask for
    column: str
