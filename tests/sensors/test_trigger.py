"""DataReadyTrigger: plain-kwargs serialisation, a non-blocking event loop, clear events."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa

from airflow_dq.checks import custom_sql, fresh_through, row_count, segment_completeness, time_bucket_completeness
from airflow_dq.checks.serde import check_from_spec, check_to_spec
from airflow_dq.triggers import DataReadyTrigger
from tests.checks.data import create_table, run

NOW = "2026-11-20T00:00:00+00:00"


def _events(bind: sa.Engine) -> None:
    rows = [
        {"event_time": dt.datetime(2026, 11, 19, h, 5), "country": c}
        for h in range(24)
        if h not in (3, 4)
        for c in ("US", "DE")
    ]
    create_table(bind, "events", {"event_time": sa.DateTime(), "country": sa.String(2)}, rows)


def _checks() -> list:
    return [
        time_bucket_completeness("event_time", start=dt.datetime(2026, 11, 19, tzinfo=dt.UTC), end=NOW),
        segment_completeness(["country"], {("US",): 0.5, ("DE",): 0.3, ("FR",): 0.2}, min_share_ratio=0.5),
        segment_completeness("country", reference_sql="SELECT 'FR' AS country", name="fr_reference"),
        fresh_through("event_time", lag=dt.timedelta(minutes=55)),
        row_count(min=10, severity="warn"),
    ]


def _first_event(trigger: DataReadyTrigger, *tasks):
    async def main():
        background = [asyncio.ensure_future(t) for t in tasks]
        try:
            return await anext(trigger.run())
        finally:
            for t in background:
                t.cancel()

    return asyncio.run(main())


def _trigger(conn_id: str, checks: list, *, deadline_in: float = 30, poke_interval: float = 0.2) -> DataReadyTrigger:
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=deadline_in)
    return DataReadyTrigger(
        conn_id=conn_id,
        dataset={"table": "events", "schema": None, "query": None, "where": None},
        checks=[check_to_spec(c) for c in checks],
        now=NOW,
        deadline=deadline.isoformat(),
        poke_interval=poke_interval,
    )


def test_serialises_to_plain_json_and_rebuilt_checks_judge_the_same(db: sa.Engine) -> None:
    from airflow.sdk.serde import deserialize, serialize

    _events(db)
    trigger = _trigger("warehouse", _checks())
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_dq.triggers.data_ready.DataReadyTrigger"
    # Plain JSON, and through Airflow's own serde (what dag.test() and the triggerer do).
    rebuilt = DataReadyTrigger(**deserialize(serialize(json.loads(json.dumps(kwargs)))))
    assert rebuilt.serialize() == (classpath, kwargs)
    now = dt.datetime.fromisoformat(NOW)
    original = run(db, _checks(), table="events", now=now).to_dict()
    again = run(db, [check_from_spec(s) for s in rebuilt.checks], table="events", now=now).to_dict()
    strip = lambda d: [{k: v for k, v in r.items()} for r in d["results"]]  # noqa: E731
    assert strip(again) == strip(original)
    statuses = {r["name"]: r["status"] for r in original["results"]}
    assert statuses["time_bucket_completeness(event_time)"] == "fail"
    assert statuses["segment_completeness(country)"] == "fail"  # FR vanished
    assert statuses["fr_reference"] == "fail"


@pytest.mark.postgres
def test_polls_without_blocking_the_event_loop(postgres_url: str, postgres_engine: sa.Engine) -> None:
    _events(postgres_engine)
    # Airflow's connection type is "postgresql" (SQLAlchemy's driver suffix is not a type).
    os.environ["AIRFLOW_CONN_DQ_TRIGGER_PG"] = postgres_url.replace("postgresql+psycopg2://", "postgresql://")
    in_flight = threading.Event()
    ticks_during_query: list[float] = []

    def before(*args) -> None:
        if "pg_sleep" in args[2]:
            in_flight.set()

    def after(*args) -> None:
        if "pg_sleep" in args[2]:
            in_flight.clear()

    async def ticker() -> None:
        while True:
            if in_flight.is_set():
                ticks_during_query.append(asyncio.get_running_loop().time())
            await asyncio.sleep(0.01)

    slow = custom_sql("SELECT COUNT(*) FROM (SELECT pg_sleep(0.4)) s", equals=1)
    sa.event.listen(sa.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.Engine, "after_cursor_execute", after)
    try:
        event = _first_event(_trigger("dq_trigger_pg", [slow, row_count(min=1)]), ticker())
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", before)
        sa.event.remove(sa.Engine, "after_cursor_execute", after)
        del os.environ["AIRFLOW_CONN_DQ_TRIGGER_PG"]
    assert event.payload["status"] == "success", event.payload["message"]
    assert event.payload["result"]["passed"] is True
    # The loop kept running while the 0.4 s query was in flight in a worker thread.
    assert len(ticks_during_query) >= 5


def test_times_out_with_what_is_still_missing(sqlite_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _events(sqlite_engine)
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TRIGGER_LITE", str(sqlite_engine.url))
    event = _first_event(_trigger("dq_trigger_lite", _checks()[:1], deadline_in=0.5))
    assert event.payload["status"] == "timeout"
    assert event.payload["polls"] >= 2
    assert "no rows for 2026-11-19 03:00\u201305:00 UTC" in event.payload["message"]


def test_database_error_is_an_error_event(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_DQ_TRIGGER_BROKEN", f"sqlite:///{tmp_path}/missing/dir/x.db")
    event = _first_event(_trigger("dq_trigger_broken", [row_count(min=1)]))
    assert event.payload["status"] == "error"
    assert "poll 1 failed" in event.payload["message"]


def test_provider_registers_the_sensors_and_trigger(airflow_db: str) -> None:
    import importlib

    from airflow_dq.get_provider_info import get_provider_info

    listed = subprocess.run(
        [sys.executable, "-m", "airflow", "providers", "triggers"], capture_output=True, text=True, check=True
    ).stdout
    assert "airflow_dq.triggers.data_ready" in listed
    (sensors,) = get_provider_info()["sensors"]
    modules = [importlib.import_module(m) for m in sensors["python-modules"]]
    assert {"FreshnessSensor", "CompletenessSensor"} <= {n for m in modules for n in vars(m)}
