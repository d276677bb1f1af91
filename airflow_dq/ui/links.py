"""Operator extra link: from a check task to the page with that run's results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.sdk import BaseOperatorLink, conf

from airflow_dq.ui.urls import task_run_path

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey


class DataQualityResultsLink(BaseOperatorLink):
    """The "Data Quality" button of a check task: opens the run's results and history.

    The worker computes the link after the task and pushes it to XCom, so the API server
    never imports this class. It is already attached to ``DataQualityOperator``; other
    operators can add it too:

    .. code-block:: python

        class MyCheckOperator(BaseOperator):
            operator_extra_links = (DataQualityResultsLink(),)
    """

    name = "Data Quality"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        # base_url carries the host and any sub-path Airflow is served under; without it
        # a root-relative link works in the browser that shows the Airflow UI.
        base = (conf.get("api", "base_url", fallback="") or "").rstrip("/")
        path = task_run_path(ti_key.dag_id, ti_key.run_id, ti_key.task_id, ti_key.map_index)
        return base + path
