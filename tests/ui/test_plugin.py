"""The plugin as Airflow loads it: from the ``airflow.plugins`` entry point, lazily."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from airflow_dq.get_provider_info import get_provider_info
from airflow_dq.ui.plugin import DataQualityPlugin

# What a task worker does before running a task: load plugins for their macros.
WORKER = """
import json, sys
from airflow.sdk.plugins_manager import integrate_macros_plugins
integrate_macros_plugins()
print(json.dumps({
    "plugin": "airflow_dq.ui.plugin" in sys.modules,
    "app": "airflow_dq.ui.app" in sys.modules,
    "api_security": "airflow.api_fastapi.core_api.security" in sys.modules,
}))
"""


def test_task_workers_load_the_plugin_but_not_its_web_app() -> None:
    out = subprocess.run(
        [sys.executable, "-c", WORKER], capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == {"plugin": True, "app": False, "api_security": False}


def test_views_and_app_the_api_server_reads() -> None:
    (app,) = DataQualityPlugin.fastapi_apps
    assert app["url_prefix"] == "/data-quality" and app["app"] is DataQualityPlugin().fastapi_apps[0]["app"]
    paths = {route.path for route in app["app"].routes}
    assert {"/", "/check", "/task"} <= paths
    views = {view["destination"]: view for view in DataQualityPlugin.external_views}
    assert views["nav"]["href"] == "/data-quality/"
    assert views["task_instance"]["href"].startswith("/data-quality/task?dag_id={DAG_ID}&run_id={RUN_ID}")
    info = get_provider_info()
    assert info["plugins"] == [{"name": "data_quality", "plugin-class": "airflow_dq.ui.plugin.DataQualityPlugin"}]
    assert info["extra-links"] == ["airflow_dq.ui.links.DataQualityResultsLink"]
