"""The Airflow plugin: a "Data Quality" page in the navigation and a task-instance tab.

Registered through the ``airflow.plugins`` entry point (a provider's ``plugins`` key alone
is not loaded by default). Every process that loads plugins imports this module - task
workers too, for macros and listeners - so the FastAPI app is built lazily, only when the
API server reads ``fastapi_apps``.
"""

from __future__ import annotations

from typing import Any

try:  # the Task SDK's class keeps task workers from importing Airflow core's plugin manager
    from airflow.sdk.plugins_manager import AirflowPlugin
except ImportError:  # pragma: no cover - Airflow 3.1
    from airflow.plugins_manager import AirflowPlugin

from airflow_dq.ui import URL_PREFIX


class _LazyFastAPIApps:
    """Class attribute that builds the FastAPI app on first read (API server only)."""

    def __get__(self, instance: object, owner: type) -> list[dict[str, Any]]:
        from airflow_dq.ui.app import get_app

        return [{"app": get_app(), "url_prefix": URL_PREFIX, "name": "Data Quality"}]


class DataQualityPlugin(AirflowPlugin):
    """Data-quality results in the Airflow 3 UI.

    Adds a "Data Quality" navigation entry (every dataset and check, failing first), a
    "Data Quality" tab on task instances (that run's results). Installed with the
    provider; nothing to configure. (The "Data Quality" extra link of check tasks is
    ``airflow_dq.ui.links.DataQualityResultsLink``, attached to the operator itself.)
    """

    name = "data_quality"
    fastapi_apps = _LazyFastAPIApps()  # type: ignore[assignment]
    external_views = [
        {
            "name": "Data Quality",
            "href": f"{URL_PREFIX}/",
            "url_route": "data-quality",
            "destination": "nav",
            "nav_top_level": True,
            "icon": f"{URL_PREFIX}/icon-light.svg",
            "icon_dark_mode": f"{URL_PREFIX}/icon-dark.svg",
        },
        {
            "name": "Data Quality",
            "href": f"{URL_PREFIX}/task?dag_id={{DAG_ID}}&run_id={{RUN_ID}}&task_id={{TASK_ID}}"
            "&map_index={MAP_INDEX}",
            "url_route": "data-quality-task",
            "destination": "task_instance",
        },
    ]
