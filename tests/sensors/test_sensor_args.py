"""Sensor arguments are checked when the DAG is parsed, naming the task and the argument."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_dq.checks import Check, CheckArgumentError, row_count, segment_completeness
from airflow_dq.sensors import CompletenessSensor, FreshnessSensor


class _HoldsAnObject(Check):
    check_type = "holds_an_object"

    def __init__(self) -> None:
        super().__init__()
        self.thing = object()

    def expectation(self) -> str:
        return "anything"


def test_dataset_must_be_a_table_or_a_query() -> None:
    with pytest.raises(ValueError, match="CompletenessSensor 'wait': give exactly one of 'table' or 'sql'"):
        CompletenessSensor(task_id="wait", conn_id="w", checks=[row_count(min=1)])


def test_checks_are_validated() -> None:
    with pytest.raises(ValueError, match="CompletenessSensor 'wait': 'checks' is empty"):
        CompletenessSensor(task_id="wait", conn_id="w", table="t", checks=[])
    with pytest.raises(CheckArgumentError, match=r"'segment_completeness'.*argument 'expected'"):
        CompletenessSensor(task_id="wait", conn_id="w", table="t", checks=[segment_completeness("country")])


def test_freshness_lag_must_be_a_timedelta() -> None:
    with pytest.raises(CheckArgumentError, match="'fresh_through' on column 'loaded_at': argument 'lag'"):
        FreshnessSensor(task_id="wait", conn_id="w", table="t", column="loaded_at", lag=dt.timedelta(hours=-1))
    with pytest.raises(ValueError, match="FreshnessSensor 'wait': 'column' must name a column"):
        FreshnessSensor(task_id="wait", conn_id="w", table="t", column="")


def test_a_check_that_cannot_reach_the_triggerer_is_refused_unless_poking() -> None:
    with pytest.raises(ValueError, match=r"cannot defer: check 'holds_an_object' .*'thing'.*use deferrable=False"):
        CompletenessSensor(task_id="wait", conn_id="w", table="t", checks=[_HoldsAnObject()])
    sensor = CompletenessSensor(task_id="wait", conn_id="w", table="t", checks=[_HoldsAnObject()], deferrable=False)
    assert sensor.deferrable is False


def test_defaults_are_deferrable_with_the_freshness_check_first() -> None:
    sensor = FreshnessSensor(task_id="wait", conn_id="w", table="t", column="loaded_at", checks=[row_count(min=1)])
    assert sensor.deferrable is True
    assert [c.name for c in sensor.checks] == ["fresh_through(loaded_at)", "row_count"]
