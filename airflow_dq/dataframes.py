"""Check a DataFrame (or a file) from plain Python: a notebook, a script, a test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from airflow_dq.checks import Check
from airflow_dq.dataframe_support import reject_sql_only_checks
from airflow_dq.engines.pandas.engine import PandasEngine
from airflow_dq.results import SuiteResult
from airflow_dq.suite import run_checks, validate_checks


def check_dataframe(
    data: Any,
    checks: Check | Sequence[Check],
    *,
    now: dt.datetime | None = None,
    sample_size: int = 5,
    default_timezone: str = "UTC",
    **source: Any,
) -> SuiteResult:
    """Run ``checks`` on a DataFrame, a callable returning one, or a CSV/Parquet path.

    ``source`` takes ``file_format``, ``chunksize``, ``read_options`` and ``name`` (see
    ``PandasEngine``).

    >>> result = check_dataframe(df, [not_null("user_id"), unique("event_id")])
    >>> result.passed, result.summary()
    """
    owner = "check_dataframe"
    checks = validate_checks(checks, owner=owner)
    reject_sql_only_checks(checks, owner=owner)
    engine = PandasEngine(data, **source)
    return run_checks(engine, checks, now=now, sample_size=sample_size, default_timezone=default_timezone)
