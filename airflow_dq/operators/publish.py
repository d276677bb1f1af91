"""Hand a task's results to what reads them after the checks: asset events, OpenLineage, alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_dq.results import SuiteResult

RESULT_ATTRIBUTE = "dq_result"  # on the task object, read in the same worker process


def publish(result: SuiteResult, context: Context) -> None:
    """Keep the result on the task (OpenLineage facets and alert callbacks run after
    ``execute`` in the same process, also when it raised) and put its summary on the
    task's outlet asset events."""
    from airflow_dq.assets import attach_summary

    task = context.get("task")
    if task is not None:
        setattr(task, RESULT_ATTRIBUTE, result)
    attach_summary(result, context)
