"""The pandas engine's metrics come from a registry (states.STATES), and the engine says
which metrics it cannot compute before the suite measures anything."""

from __future__ import annotations

import pandas as pd
import pytest

import airflow_dq.checks as dq
from airflow_dq.checks.rows import ColumnRowCheck
from airflow_dq.engines.pandas import PandasEngine
from airflow_dq.engines.pandas.masks import MASKS, ChunkView, violation_mask
from airflow_dq.engines.pandas.states import STATES, state_for
from airflow_dq.metrics import (
    Grouped,
    HasValue,
    IsIn,
    IsNull,
    Mean,
    NotIn,
    OutOfRange,
    Predicate,
    RegexMismatch,
    RowCount,
    SqlConditionFalse,
    StdDev,
    ViolationCount,
)
from airflow_dq.metrics.grouped import BySegments
from airflow_dq.suite import run_checks
from tests.unknown_metrics import EvenValue, Kurtosis


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


class EvenRule(ColumnRowCheck):
    """A check whose rule is a predicate without an entry in masks.MASKS."""

    check_type = "even_rule"

    def predicate(self) -> Predicate:
        return EvenValue(self.column)

    def rule(self) -> str:
        return f"have an odd '{self.column}'"


def test_row_rules_come_from_the_mask_registry() -> None:
    assert set(MASKS) >= {IsNull, HasValue, NotIn, IsIn, OutOfRange, RegexMismatch}
    assert EvenValue not in MASKS and SqlConditionFalse not in MASKS
    engine = PandasEngine(pd.DataFrame({"x": [1.0, 2.0, 4.0], "g": ["a", "a", "b"]}))
    assert engine.missing(ViolationCount(IsNull("x"))) is None
    even = ViolationCount(EvenValue("x"))
    assert engine.missing(even) == f"the pandas engine has no row rule for EvenValue ({even.label})"
    grouped_sql = Grouped(ViolationCount(SqlConditionFalse("x > 1")), BySegments(("g",)))
    assert engine.missing(grouped_sql).startswith(
        "the pandas engine cannot evaluate SqlConditionFalse: it needs a SQL database"
    )
    with pytest.raises(TypeError, match="no row rule for EvenValue"):
        violation_mask(ChunkView(pd.DataFrame({"x": [1]})), EvenValue("x"))


def test_a_row_rule_without_a_mask_is_reported_before_the_scan() -> None:
    engine = PandasEngine(pd.DataFrame({"x": [1.0, 2.0, None]}))
    result = run_checks(engine, [EvenRule("x"), dq.not_null("x")])
    by_name = {r.name: r for r in result.results}
    assert by_name["even_rule(x)"].status == "error"
    assert "the pandas engine has no row rule for EvenValue" in by_name["even_rule(x)"].message
    assert by_name["not_null(x)"].status == "fail" and by_name["not_null(x)"].observed == 1
    assert engine.statements["data"] == 1  # the other check was measured in the one pass
