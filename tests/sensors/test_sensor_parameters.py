"""Sensors take ``parameters=`` and timeouts like the operator (issue 11): in poke mode and
through the deferrable trigger (plain-kwargs serialisation, bound in the trigger's thread)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from airflow_dq.checks import row_count
from airflow_dq.checks.serde import check_to_spec
from airflow_dq.sensors import DataReadySensor
from airflow_dq.triggers import DataReadyTrigger
from tests.checks.data import create_table

NOW = "2026-11-20T00:00:00+00:00"
ATTACK = "US'; DROP TABLE events; --"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    monkeypatch.setenv("AIRFLOW_CONN_DQ_ISSUE11_SENSOR", url)
    engine = sa.create_engine(url)
    create_table(engine, "events", {"country": sa.String(40)}, [("US",), ("US",), ("DE",)])
    return engine


def _trigger(parameters: dict) -> DataReadyTrigger:
    return DataReadyTrigger(
        conn_id="dq_issue11_sensor",
        dataset={"table": "events", "schema": None, "query": None, "where": "country = :c"},
        checks=[check_to_spec(row_count(min=2))],
        now=NOW,
        deadline=(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat(),
        poke_interval=0.2,
        parameters=parameters,
        statement_timeout=5.0,
    )


async def _first(trigger: DataReadyTrigger):
    return await anext(trigger.run())


def test_the_trigger_binds_parameters_after_a_round_trip(warehouse: sa.Engine) -> None:
    classpath, kwargs = _trigger({"c": "US"}).serialize()
    rebuilt = DataReadyTrigger(**json.loads(json.dumps(kwargs)))
    assert rebuilt.serialize() == (classpath, kwargs)
    event = asyncio.run(_first(rebuilt))
    assert event.payload["status"] == "success"
    assert event.payload["result"]["results"][0]["observed"] == 2

    event = asyncio.run(_first(_trigger({"c": ATTACK})))  # only data: no such country
    assert event.payload["status"] == "timeout"
    with warehouse.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM events").scalar() == 3


def test_sensor_arguments_are_checked_at_parse_time() -> None:
    with pytest.raises(ValueError, match="DataReadySensor 'wait': 'where' uses :c, which 'parameters' does not give"):
        DataReadySensor(task_id="wait", conn_id="w", table="events", where="country = :c", checks=[row_count(min=1)])
    with pytest.raises(ValueError, match="DataReadySensor 'wait': 'statement_timeout' must be a positive number"):
        DataReadySensor(task_id="wait", conn_id="w", table="events", statement_timeout=-1, checks=[row_count(min=1)])
