"""The plugin's URLs, shared by the app, the Airflow navigation entries and the extra link."""

from __future__ import annotations

from urllib.parse import urlencode

from airflow_dq.ui import URL_PREFIX


def task_run_path(dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
    """Path of the page showing one task run's check results."""
    query = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id}
    if map_index is not None and map_index >= 0:
        query["map_index"] = str(map_index)
    return f"{URL_PREFIX}/task?{urlencode(query)}"
