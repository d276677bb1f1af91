"""The FastAPI app the plugin mounts under ``/data-quality``: three HTML pages.

``/``       every dataset and check with its latest status, failing first (``?dag_id=`` filter)
``/check``  one check: metric history charts with the expected band, failure samples, runs
``/task``   one task run's results (the task-instance tab and the operator's extra link)

Each route needs an authenticated Airflow user (see ``access``); results are filtered to
the DAGs that user may read.
"""

from __future__ import annotations

import logging
from collections import Counter
from functools import cache
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from airflow_dq.ui import queries
from airflow_dq.ui.access import (
    GetUserDep,
    ReadableDagIds,
    authenticated,
    can_read_dag_results,
    may_see_samples,
)
from airflow_dq.ui.history import history_charts, observed_chart
from airflow_dq.ui.model import CheckKey, RunResult, status_rank
from airflow_dq.ui.render import icon, page

log = logging.getLogger(__name__)

RECENT_RUNS = 20  # squares in a status sparkline
HISTORY_RUNS = 120  # runs on a check's page
SAMPLE_RUNS = 3  # newest failing runs searched for failure samples

Required = Annotated[str, Query(min_length=1, max_length=2000)]


def _user_name(user: object) -> str:
    return getattr(user, "get_name", lambda: "")() or "?"


def overview(request: Request, user: GetUserDep, readable: ReadableDagIds, dag_id: str | None = None) -> HTMLResponse:
    with_results = queries.dag_ids_with_results(readable)
    scope = {dag_id} & readable if dag_id else readable
    summaries = queries.latest_summaries(scope, recent=RECENT_RUNS) if scope else []
    summaries.sort(key=lambda s: (status_rank(s.latest.status), s.latest.dag_id, s.latest.dataset, s.latest.check))
    return page(
        request,
        "overview.html",
        title="Overview",
        user_name=_user_name(user),
        summaries=summaries,
        counts=Counter(s.latest.status for s in summaries),
        dag_ids=with_results,
        dag_id=dag_id or "",
    )


def _latest_samples(history: list[RunResult]) -> tuple[RunResult | None, list[dict]]:
    """Offending rows of the newest failing runs (a few XCom reads at most)."""
    for r in [r for r in reversed(history) if r.status != "pass"][:SAMPLE_RUNS]:
        rows = queries.failure_samples(r.dag_id, r.run_id, r.task_id, r.map_index).get(r.check)
        if rows:
            return r, rows
    return None, []


def check(
    request: Request,
    user: GetUserDep,
    readable: ReadableDagIds,
    dag_id: Required,
    task_id: Required,
    check: Required,
    map_index: int = -1,
) -> HTMLResponse:
    key = CheckKey(dag_id, task_id, map_index, check)
    history = queries.check_history(key, limit=HISTORY_RUNS) if dag_id in readable else []
    if not history:
        return page(
            request,
            "message.html",
            status_code=404,
            title="No results",
            user_name=_user_name(user),
            message=f"No results are recorded for check {check!r} of task {task_id!r} in DAG {dag_id!r}.",
        )
    samples_allowed = may_see_samples(user, dag_id)
    sample_run, sample_rows = _latest_samples(history) if samples_allowed else (None, [])
    return page(
        request,
        "check.html",
        title=check,
        user_name=_user_name(user),
        key=key,
        latest=history[-1],
        history=history,
        charts=history_charts(history),
        sample_run=sample_run,
        sample_rows=sample_rows,
        samples_allowed=samples_allowed,
    )


def task_run(
    request: Request,
    user: GetUserDep,
    readable: ReadableDagIds,
    dag_id: Required,
    run_id: Required,
    task_id: Required,
    map_index: str = "-1",
) -> HTMLResponse:
    # The Airflow UI leaves "{MAP_INDEX}" in the tab's URL on a task that is not mapped.
    index = int(map_index) if map_index.lstrip("-").isdigit() else -1
    results = queries.task_run_results(dag_id, run_id, task_id, index) if dag_id in readable else []
    results.sort(key=lambda r: (status_rank(r.status), r.dataset, r.check))
    samples: dict[str, list[dict]] = {}
    samples_allowed = bool(results) and may_see_samples(user, dag_id)
    if samples_allowed and any(r.status != "pass" for r in results):
        samples = queries.failure_samples(dag_id, run_id, task_id, index)
    items = []
    for r in results:
        recent = queries.check_history(r.key, limit=RECENT_RUNS)
        chart = observed_chart(recent, current_run=r.run_id) if r.status != "pass" else None
        items.append((r, recent, chart, samples.get(r.check, [])))
    return page(
        request,
        "task.html",
        title=f"{task_id} {run_id}",
        user_name=_user_name(user),
        dag_id=dag_id,
        run_id=run_id,
        task_id=task_id,
        map_index=index,
        try_number=results[0].try_number if results else None,
        results=results,
        items=items,
        datasets=sorted({r.dataset for r in results}),
        samples_allowed=samples_allowed,
        counts=Counter(r.status for r in results),
    )


def store_unavailable(request: Request, error: Exception) -> HTMLResponse:
    # The details (host names, SQL) go to the server log, not to every viewer.
    log.error("Data Quality page: %s", error, exc_info=error.__cause__)
    message = (
        "The data-quality history store could not be read. Check the [data_quality] store settings "
        "of the API server; its log has the details."
    )
    return page(
        request, "message.html", status_code=503, title="History store unavailable", user_name="", message=message
    )


def create_app() -> FastAPI:
    """A fresh app (the plugin uses one shared instance, ``get_app()``)."""
    app = FastAPI(title="Data Quality", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(queries.StoreUnavailable, store_unavailable)
    # Every route: an authenticated user allowed to use the UI. Pages about one DAG also
    # need read access to that DAG's task instances (403 otherwise).
    router = APIRouter(dependencies=[authenticated])
    router.add_api_route("/", overview, methods=["GET"], name="overview", response_class=HTMLResponse)
    router.add_api_route("/icon-{mode}.svg", icon, methods=["GET"], name="icon")
    per_dag = [can_read_dag_results]
    router.add_api_route(
        "/check", check, methods=["GET"], name="check", response_class=HTMLResponse, dependencies=per_dag
    )
    router.add_api_route(
        "/task", task_run, methods=["GET"], name="task_run", response_class=HTMLResponse, dependencies=per_dag
    )
    app.include_router(router)
    return app


@cache
def get_app() -> FastAPI:
    return create_app()
