"""Column profiles in the history store: written with a run's results, read by a pin.

A drift check's measured values carry the batch's own profile per column
(``DistributionValue.batch_profile``); ``profile_rows`` turns them into ``dq_profiles`` rows
and ``read_profile`` finds the profile of one pinned run (by run_id or logical date).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from airflow_dq.metrics.stored import ColumnProfile
from airflow_dq.results import SuiteResult
from airflow_dq.store.schema import PROFILES


def profile_rows(common: dict[str, Any], suite: SuiteResult) -> list[dict[str, Any]]:
    """One row per (check, column) profile the suite's checks measured on the batch."""
    rows = []
    for result in suite.results:
        seen: set[str] = set()
        for value in result.metrics.values():
            profile = getattr(value, "batch_profile", None)
            if not isinstance(profile, ColumnProfile) or profile.column in seen:
                continue
            seen.add(profile.column)
            rows.append(
                {
                    **common,
                    "check_name": result.name,
                    "column_name": profile.column,
                    "kind": profile.kind,
                    "status": str(result.status),
                    "profile": json.dumps(profile.to_dict()),
                }
            )
    return rows


def read_profile(
    conn: sa.Connection,
    *,
    dag_id: str,
    task_id: str,
    check_name: str,
    run_id: str | None = None,
    logical_date: dt.datetime | None = None,
    map_index: int = -1,
) -> dict[str, ColumnProfile] | None:
    """The columns of the pinned run's profile, or None when that run recorded none.

    Pinned by logical date, several runs may match (a manual rerun): the one recorded last wins.
    """
    where = [
        PROFILES.c.dag_id == dag_id,
        PROFILES.c.task_id == task_id,
        PROFILES.c.check_name == check_name,
        PROFILES.c.map_index == map_index,
    ]
    where.append(PROFILES.c.run_id == run_id if run_id is not None else PROFILES.c.logical_date == logical_date)
    stmt = (
        sa.select(PROFILES.c.run_id, PROFILES.c.column_name, PROFILES.c.profile)
        .where(*where)
        .order_by(PROFILES.c.recorded_at, PROFILES.c.id)
    )
    rows = conn.execute(stmt).all()
    if not rows:
        return None
    newest = rows[-1].run_id
    return {
        row.column_name: ColumnProfile.from_dict(row.column_name, json.loads(row.profile))
        for row in rows
        if row.run_id == newest
    }
