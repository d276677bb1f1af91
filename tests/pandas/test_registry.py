"""The pandas engine's metrics come from a registry (states.STATES), and the engine says
which metrics it cannot compute before the suite measures anything."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from airflow_dq.engines.pandas import PandasEngine
from airflow_dq.engines.pandas.states import STATES, state_for
from airflow_dq.metrics import Grouped, Mean, Metric, RowCount, StdDev
from airflow_dq.metrics.grouped import BySegments


@dataclass(frozen=True)
class Kurtosis(Metric):  # a metric no engine folds (yet)
    column: str

    @property
    def label(self) -> str:
        return f"kurtosis of {self.column}"


def test_missing_names_what_the_registry_lacks() -> None:
    engine = PandasEngine(pd.DataFrame({"x": [1.0, 2.0, 4.0], "g": ["a", "a", "b"]}))
    assert engine.missing(RowCount()) is None
    assert engine.missing(Grouped(RowCount(), BySegments(("g",)))) is None
    assert engine.missing(Kurtosis("x")) == "the pandas engine has no state for Kurtosis (kurtosis of x)"
    assert engine.missing(Grouped(Mean("x"), BySegments(("g",)))) == (
        "the pandas engine cannot compute mean(x) per group (only counts)"
    )


def test_the_registry_builds_the_state_that_folds_the_value() -> None:
    assert Kurtosis not in STATES
    engine = PandasEngine(pd.DataFrame({"x": [1.0, 2.0, 4.0]}))
    values = engine.compute([StdDev("x"), Mean("x")])
    assert values[Mean("x")] == 7 / 3
    assert abs(values[StdDev("x")] - 1.5275252316519468) < 1e-12
    assert type(state_for(Mean("x"), chunked=True)).__name__ == "Moments"
