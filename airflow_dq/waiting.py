"""One poll of a data sensor: run the checks, say whether the data is there and what is missing.

Shared by the sensors' poke mode and their trigger (which runs it in a thread), so both
wait for exactly the same condition. Imports nothing from Airflow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from airflow_dq.checks.base import Check
from airflow_dq.results import Status, SuiteResult


def probe(
    bind: sa.Engine,
    dataset: Mapping[str, Any],
    checks: Sequence[Check],
    *,
    now: dt.datetime,
    default_timezone: str = "UTC",
    limits: Any = None,
    parameters: Mapping[str, Any] | None = None,
) -> SuiteResult:
    """Run ``checks`` on ``dataset`` (``table``/``schema``/``query``/``where``); no failure samples.

    ``limits`` (``engines.sql.session.Limits``): the statement and connect timeouts; default
    the engine's (600 s / 30 s). ``parameters``: values of ``:name`` placeholders, bound."""
    from airflow_dq.engines.sql import SqlEngine
    from airflow_dq.engines.sql.parameters import bound_parameters
    from airflow_dq.suite import run_checks

    engine = SqlEngine(bind, **{k: v for k, v in dataset.items() if v is not None}, limits=limits)
    with bound_parameters(parameters):  # set in the calling thread (the trigger's worker too)
        return run_checks(engine, checks, now=now, sample_size=0, default_timezone=default_timezone)


def still_missing(result: SuiteResult) -> str:
    """What a waiting sensor still waits for, one clause per unmet check."""
    unmet = [r for r in result.results if r.blocking]
    if not unmet:
        return "nothing"
    return "; ".join(
        f"{r.name}: {r.message}" + (" (check could not run)" if r.status is Status.ERROR else "") for r in unmet
    )
