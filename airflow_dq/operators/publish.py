"""Hand a task's results to what reads them after the checks: asset events, OpenLineage, alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_dq.results import SuiteResult

RESULT_ATTRIBUTE = "dq_result"  # on the task object, read in the same worker process


def _ti_key(ti: Any) -> tuple[Any, ...]:
    return tuple(getattr(ti, a, None) for a in ("dag_id", "run_id", "task_id", "map_index", "try_number"))


def publish(result: SuiteResult, context: Context) -> None:
    """Keep the result on the task (OpenLineage facets and alert callbacks run after
    ``execute`` in the same process, also when it raised) and put its summary on the
    task's outlet asset events."""
    from airflow_dq.assets import attach_summary

    task = context.get("task")
    if task is not None:
        # Keyed by the task instance: one operator object may run several times in one
        # process (dag.test()), and a later try that fails early must not report this result.
        setattr(task, RESULT_ATTRIBUTE, (_ti_key(context["ti"]), result))
    attach_summary(result, context)


def result_for(task: Any, ti: Any) -> SuiteResult | None:
    """The result ``task`` published for this task instance, if it got that far."""
    kept = getattr(task, RESULT_ATTRIBUTE, None)
    if not kept or ti is None or kept[0] != _ti_key(ti):
        return None
    return kept[1]
