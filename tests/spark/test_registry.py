"""The Spark engine's expressions come from registries (columns.AGGREGATES and
columns.VIOLATIONS), and the engine says what it cannot compute before any job runs."""

from __future__ import annotations

from airflow_dq.engines.spark.columns import AGGREGATES, VIOLATIONS
from airflow_dq.engines.spark.engine import SparkEngine
from airflow_dq.metrics import (
    DuplicateCount,
    Grouped,
    IsNull,
    MissingInParent,
    NullCount,
    RowCount,
    SqlConditionFalse,
    ViolationCount,
)
from airflow_dq.metrics.grouped import BySegments
from tests.unknown_metrics import EvenValue, Kurtosis


def test_missing_consults_the_registries() -> None:
    engine = SparkEngine(None, table="events")  # missing() needs no session: nothing runs
    assert engine.missing(RowCount()) is None
    assert engine.missing(ViolationCount(SqlConditionFalse("a < b"))) is None
    assert engine.missing(DuplicateCount(("a",), ignore_nulls=False)) is None  # a job of its own
    assert engine.missing(Grouped(NullCount("a"), BySegments(("g",)))) is None
    assert Kurtosis not in AGGREGATES and EvenValue not in VIOLATIONS
    assert engine.missing(Kurtosis("a")) == "the Spark engine cannot compute kurtosis of a yet"
    assert engine.missing(Grouped(ViolationCount(EvenValue("a")), BySegments(("g",)))) == (
        "the Spark engine cannot evaluate EvenValue yet"
    )
    assert engine.missing(ViolationCount(MissingInParent("a", "users", "id"))) == (
        "the Spark engine cannot check references to a parent table yet (it needs a join with users)"
    )
    assert IsNull in VIOLATIONS
