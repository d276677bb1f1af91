"""require_quality: a consumer DAG's gate on the quality summary of its triggering asset event."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, BaseOperator

from airflow_dq.operators.base import AirflowFailException, AirflowSkipException, check_on_failure

if TYPE_CHECKING:
    from airflow.sdk import Context


def _check_gate_args(owner: str, asset: Any, min_score: Any, halt_on: Any) -> tuple[Asset, tuple[str, ...]]:
    if isinstance(asset, str) and asset.strip():
        asset = Asset(asset)
    if not isinstance(asset, Asset):
        raise ValueError(f"{owner}: 'asset' must be an Asset or its URI, got {asset!r}")
    if min_score is not None and (
        isinstance(min_score, bool) or not isinstance(min_score, int | float) or not 0 <= min_score <= 1
    ):
        raise ValueError(f"{owner}: 'min_score' must be a number from 0 to 1, got {min_score!r}")
    if isinstance(halt_on, str):
        halt_on = (halt_on,)
    if not isinstance(halt_on, Collection) or not all(isinstance(s, str) and s for s in halt_on):
        raise ValueError(f"{owner}: 'halt_on' must be a list of check statuses such as ['warn'], got {halt_on!r}")
    if "pass" in halt_on:
        raise ValueError(f"{owner}: 'halt_on' cannot hold 'pass' (every run would halt)")
    return asset, tuple(halt_on)


def triggering_events(triggering: Any, asset: Asset) -> list[Any]:
    """The run's triggering events of ``asset``; an asset given by URI alone (its name then
    defaults to the URI) also finds the events of the named asset with that URI."""
    with contextlib.suppress(KeyError):  # Airflow's accessor answers [] for an unknown asset
        if events := list(triggering[asset]):
            return events
    for key in list(triggering):
        if isinstance(key, Asset) and key.uri == asset.uri:
            return list(triggering[key])
    return []


class QualityGateOperator(BaseOperator):
    """Halt an asset-triggered DAG unless the data behind the triggering event passed its checks.

    Reads the ``data_quality`` summary that a data-quality task attached to the asset
    event (``airflow_dq.assets``) and fails (``on_failure="fail"``, no retry, downstream
    ``upstream_failed``) or skips (``"skip"``) when the run was not triggered by an event of
    ``asset``, when the latest such event carries no summary (e.g. a load task updated the
    asset before it was checked), when the producer's verdict failed, when the score is
    below ``min_score``, or when a check has a status listed in ``halt_on``. The summary is
    the XCom return value. Build it with ``require_quality``.
    """

    template_fields: Sequence[str] = ()
    ui_color = "#cdeccf"

    def __init__(
        self,
        *,
        asset: Asset | str,
        min_score: float | None = None,
        halt_on: Collection[str] = (),
        on_failure: str = "fail",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"require_quality '{self.task_id}'"
        self.asset, self.halt_on = _check_gate_args(owner, asset, min_score, halt_on)
        self.min_score = min_score
        self.on_failure = check_on_failure(owner, on_failure)
        if self.asset not in self.inlets:
            self.inlets.append(self.asset)  # lineage: the gate reads this asset

    def execute(self, context: Context) -> dict[str, Any] | None:
        from airflow_dq.assets import SUMMARY_KEY, judge_summary

        events = triggering_events(context.get("triggering_asset_events") or {}, self.asset)
        if not events:
            self._halt(
                f"this run was not triggered by an event of {self.asset.uri}, so there is no quality "
                "summary to judge (schedule the DAG on the asset)"
            )
        latest = max(events, key=lambda e: e.timestamp)  # the data behind the asset now
        summary = (latest.extra or {}).get(SUMMARY_KEY)
        ok, reason = judge_summary(summary, min_score=self.min_score, halt_on=self.halt_on)
        source = (
            f"latest event of {self.asset.uri} "
            f"(from {latest.source_dag_id}.{latest.source_task_id} in {latest.source_run_id})"
        )
        if not ok:
            self._halt(f"{source}: {reason}")
        self.log.info("Quality gate open: %s: %s", source, reason)
        return summary

    def _halt(self, message: str) -> None:
        if self.on_failure == "skip":
            raise AirflowSkipException(message + " (on_failure='skip': downstream tasks are skipped)")
        raise AirflowFailException(message)


def require_quality(
    asset: Asset | str,
    *,
    task_id: str | None = None,
    min_score: float | None = None,
    halt_on: Collection[str] = (),
    on_failure: str = "fail",
    **kwargs: Any,
) -> QualityGateOperator:
    """A gate task for a DAG scheduled on ``asset``: downstream runs only on checked, passing data.

    .. code-block:: python

        from airflow.sdk import DAG
        from airflow_dq.assets import dataset_asset
        from airflow_dq.operators import require_quality

        orders = dataset_asset("warehouse", "orders")  # what DataQualityOperator(table="orders") declares
        with DAG("train_on_orders", schedule=[orders]):
            require_quality(orders, min_score=0.9, halt_on=["warn"]) >> train()

    :param asset: the asset the DAG is scheduled on (an ``Asset`` or its URI).
    :param min_score: halt when the share of passing checks is below this (0 to 1).
    :param halt_on: also halt when a check has one of these statuses (e.g. ``["warn"]``).
    :param on_failure: ``"fail"`` (default) or ``"skip"`` the gate and its downstream.
    """
    if task_id is None:
        name = asset.name if isinstance(asset, Asset) else str(asset)
        task_id = "require_quality_" + re.sub(r"\W+", "_", name.split("://")[-1]).strip("_")
    return QualityGateOperator(
        task_id=task_id, asset=asset, min_score=min_score, halt_on=halt_on, on_failure=on_failure, **kwargs
    )
