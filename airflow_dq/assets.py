"""Quality on Airflow Assets: the checked dataset as an outlet, its summary on the asset event.

A data-quality task declares the dataset it checked as an outlet ``Asset``. When the task
succeeds, Airflow emits an asset event for it, and the task attaches a compact summary of
its results to that event's ``extra`` (under ``"data_quality"``). A consumer DAG scheduled
on the asset reads the summary back with ``require_quality`` (``airflow_dq.operators``)
and halts when it is failing or missing. A failing ``error`` check fails the task, so it
emits no event at all: a consumer is never triggered by data that failed its checks.

The summary and its judgement are plain data (no Airflow import) so the CLI, the alerts
and the tests share them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow.sdk import Asset, Context

    from airflow_dq.checks.base import Check
    from airflow_dq.results import SuiteResult

SUMMARY_KEY = "data_quality"  # the key of the summary in an asset event's extra
CHECKS_KEY = "data_quality_checks"  # the key of the rules in an asset definition's extra
SUMMARY_VERSION = 1
URI_SCHEME = "sql"  # sql://<conn_id>/<schema>/<table>: derived without opening the connection
_MAX_NAMES = 20  # the extra stays compact on a suite of hundreds of checks


def dataset_uri(conn_id: str, table: str, schema: str | None = None) -> str:
    """The asset URI of a table behind an Airflow connection: ``sql://conn_id/schema/table``.

    Derived from names only, so it is the same at DAG parse time (no connection is opened)
    in the producer and in any consumer that schedules on it.
    """
    parts = [p for p in (schema, table) if p]
    return f"{URI_SCHEME}://{conn_id}/" + "/".join(parts)


def dataset_asset(conn_id: str, table: str, schema: str | None = None) -> Asset:
    """The ``Asset`` a ``DataQualityOperator`` on this table declares as its outlet.

    .. code-block:: python

        from airflow.sdk import DAG
        from airflow_dq.assets import dataset_asset

        orders = dataset_asset("warehouse", "orders", schema="sales")
        with DAG("train_on_orders", schedule=[orders]): ...
    """
    from airflow.sdk import Asset

    return Asset(dataset_uri(conn_id, table, schema))


def _is_templated(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def resolve_outlet(
    owner: str, asset: Any, *, conn_id: Any = None, table: Any = None, schema: Any = None
) -> Asset | None:
    """Parse-time: the Asset a check task declares, from its ``asset`` argument.

    ``None`` derives one from the connection and table when both are plain names (a
    templated table or a query has no fixed name: then nothing is declared); ``True`` insists
    on deriving it; ``False`` declares none; an ``Asset`` or a URI string is used as given.
    """
    from airflow.sdk import Asset

    if asset is False:
        return None
    if isinstance(asset, Asset):
        return asset
    if isinstance(asset, str):
        if not asset.strip():
            raise ValueError(f"{owner}: 'asset' must be an Asset or a non-empty URI, got {asset!r}")
        if _is_templated(asset):
            raise ValueError(f"{owner}: 'asset' cannot be templated (Airflow reads outlets at parse time): {asset!r}")
        return Asset(asset)
    if asset is None or asset is True:
        derivable = (
            isinstance(conn_id, str)
            and isinstance(table, str)
            and not any(_is_templated(v) for v in (conn_id, table, schema))
        )
        if derivable:
            return dataset_asset(conn_id, table, schema)
        if asset is True:
            raise ValueError(
                f"{owner}: 'asset=True' needs a plain (not templated) 'table' to derive the asset from; "
                "give asset=Asset('...') instead"
            )
        return None
    raise ValueError(f"{owner}: 'asset' must be an Asset, a URI string, True or False, got {asset!r}")


def quality_summary(result: SuiteResult, *, run: Mapping[str, Any] | None = None, url: str | None = None) -> dict:
    """The compact summary attached to an asset event: counts per status (every status the
    results hold, whatever new ones are added), a score, the failing and other non-passing
    check names, the run, and the link to its results page."""
    statuses = Counter(str(r.status) for r in result.results)
    failed = [r.name for r in result.results if r.blocking]
    others = {r.name: str(r.status) for r in result.results if not r.blocking and str(r.status) != "pass"}
    total = len(result.results)
    summary: dict[str, Any] = {
        "version": SUMMARY_VERSION,
        "passed": result.passed,
        "dataset": result.dataset,
        "checks": total,
        "counts": dict(sorted(statuses.items())),
        "score": round(statuses.get("pass", 0) / total, 4) if total else 0.0,
        "failed": failed[:_MAX_NAMES],
        "warned": dict(list(others.items())[:_MAX_NAMES]),
    }
    if len(failed) > _MAX_NAMES or len(others) > _MAX_NAMES:
        summary["truncated"] = True
    if run:
        summary["run"] = dict(run)
    if url:
        summary["url"] = url
    return summary


def judge_summary(summary: Any, *, min_score: float | None = None, halt_on: Collection[str] = ()) -> tuple[bool, str]:
    """Whether a consumer may go on, and why (one sentence for the task log).

    It halts on no summary, on a summary whose producer verdict failed, on a score below
    ``min_score``, and on any check whose status is listed in ``halt_on`` (e.g. ``"warn"``).
    """
    if not isinstance(summary, Mapping) or "passed" not in summary or "counts" not in summary:
        return False, "the asset event carries no data-quality summary: nothing says this data was checked"
    where = str(summary.get("dataset", "the dataset"))
    if not summary["passed"]:
        return False, f"the data failed {len(summary.get('failed', []))} check(s) on {where}: " + ", ".join(
            summary.get("failed", [])
        )
    score = summary.get("score")
    if min_score is not None and (not isinstance(score, int | float) or score < min_score):
        return False, f"the quality score {score} of {where} is below min_score={min_score}"
    counts = summary.get("counts") or {}
    halting = {s: n for s, n in counts.items() if s in halt_on and n}
    if halting:
        names = [n for n, s in (summary.get("warned") or {}).items() if s in halting]
        listed = ", ".join(f"{n} {s}" for s, n in sorted(halting.items()))
        return False, f"{where} has {listed} (halt_on={sorted(halt_on)}): " + ", ".join(names)
    counted = ", ".join(f"{n} {s}" for s, n in counts.items())
    return True, f"{where} passed its checks ({counted}; score {score})"


def task_run(context: Context) -> dict[str, Any]:
    """The task run a summary or an alert is about: dag, task, run and map index."""
    ti = context["ti"]
    map_index = getattr(ti, "map_index", None)
    return {
        "dag_id": ti.dag_id,
        "task_id": ti.task_id,
        "run_id": ti.run_id,
        "map_index": -1 if map_index is None else int(map_index),
    }


def results_url(run: Mapping[str, Any]) -> str:
    """The task run's "Data Quality" page (the same URL as the operator's extra link)."""
    from airflow.sdk import conf

    from airflow_dq.ui.urls import task_run_path

    base = (conf.get("api", "base_url", fallback="") or "").rstrip("/")
    return base + task_run_path(run["dag_id"], run["run_id"], run["task_id"], run["map_index"])


def attach_summary(result: SuiteResult, context: Context) -> dict[str, Any] | None:
    """Run time: put the summary on the asset event of every Asset the task declares as an
    outlet. Airflow emits the events only if the task then succeeds."""
    from airflow.sdk import Asset

    task = context.get("task")
    assets = [o for o in (getattr(task, "outlets", None) or []) if isinstance(o, Asset)]
    if not assets:
        return None
    run = task_run(context)
    summary = quality_summary(result, run=run, url=results_url(run))
    events = context["outlet_events"]
    for asset in assets:
        events[asset].extra[SUMMARY_KEY] = summary
    return summary


def declare_outlet(task: Any, asset: Asset | None) -> None:
    """Add the checked dataset's asset to a task's outlets (once)."""
    if asset is not None and asset not in task.outlets:
        task.add_outlets([asset])


def with_checks(asset: Asset, checks: Sequence[Check]) -> Asset:
    """The asset with its quality rules in its definition, so they travel with it.

    The checks are stored (as plain data) in the asset's ``extra``, where the Airflow UI
    shows them, and every ``DataQualityOperator`` that declares the asset runs them, on top
    of its own ``checks``. Define the asset once, in a module the producer and consumer DAGs
    both import, so every DAG declares the same definition.

    .. code-block:: python

        ORDERS = with_checks(dataset_asset("warehouse", "orders"), [not_null("order_id"), row_count(min=1)])

        DataQualityOperator(task_id="validate", conn_id="warehouse", table="orders", asset=ORDERS, checks=[])
    """
    from airflow.sdk import Asset

    from airflow_dq.checks.serde import check_to_spec
    from airflow_dq.suite import validate_checks

    if not isinstance(asset, Asset):
        raise ValueError(f"with_checks: 'asset' must be an Asset, got {asset!r}")
    owner = f"with_checks(asset '{asset.name}')"
    specs = []
    for check in validate_checks(checks, owner=owner):
        try:
            specs.append(check_to_spec(check))
        except TypeError as err:  # e.g. a drift reference DataFrame: not plain data
            raise ValueError(f"{owner}: {err}") from None
    extra = {**(asset.extra or {}), CHECKS_KEY: specs}
    return Asset(name=asset.name, uri=asset.uri, group=asset.group, extra=extra, watchers=list(asset.watchers))


def checks_with_asset_rules(checks: Any, asset: Asset | None) -> Any:
    """A task's checks plus the rules its outlet asset carries (``with_checks``)."""
    specs = ((asset.extra or {}).get(CHECKS_KEY) if asset is not None else None) or []
    if not specs:
        return checks  # unchanged, so the operator's own validation sees exactly what it was given
    from airflow_dq.checks.base import Check
    from airflow_dq.checks.serde import check_from_spec

    own = [checks] if isinstance(checks, Check) else list(checks or [])
    return [*own, *(check_from_spec(spec) for spec in specs)]
