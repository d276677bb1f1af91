"""Drift of a dataset against a reference, column by column (see ``airflow_dq.stats.drift``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from airflow_dq.checks.base import Check, CheckContext, Verdict
from airflow_dq.checks.reference import ReferenceArgument
from airflow_dq.metrics import Metric
from airflow_dq.metrics.profiles import KINDS, Distribution
from airflow_dq.stats.drift_methods import CATEGORICAL_METHODS, METHODS, NUMERIC_METHODS


class Drift(ReferenceArgument, Check):
    """The batch's columns are distributed as in the reference.

    Numeric columns: ``ks`` (Kolmogorov-Smirnov p-value, on bounded samples), ``psi``
    (population stability index on the reference's deciles) or ``wasserstein`` (normalised
    by the reference's standard deviation). Categorical columns: ``chisquare`` (p-value),
    ``jensenshannon`` (distance) or ``linf`` (largest change of a category's share). By
    default a test while the reference has <= 1,000 rows, a distance above (as Evidently).
    The dataset drifts when at least ``drift_share`` of the columns drifted, or any
    ``critical`` column did. On SQL the histograms of all columns are computed in the
    database, one query per table, on the reference's bin edges.

    .. code-block:: python

        from airflow_dq.checks import drift

        DataQualityOperator(
            task_id="drift_gate",
            conn_id="warehouse",
            table="features",
            where="batch_date = '{{ ds }}'",
            checks=[
                drift(
                    ["age", "income", "country"],
                    reference={"table": "features", "where": "batch_date = '2026-01-01'"},
                    methods={"income": "psi"},
                    critical=["income"],
                )
            ],
        )

    :param columns: the columns to compare.
    :param reference: ``{"table": ..., "where": ...}``, ``{"query": ...}``, a DataFrame, a
        callable returning one, a CSV/Parquet path (see ``airflow_dq.checks.reference``), or
        a pinned earlier run's stored profile: ``stored_profile(run_id=...)`` or
        ``{"profile": {"logical_date": ...}}`` (see ``airflow_dq.checks.pinned``).
    :param method: one method for every column (numeric or categorical methods only apply
        to their kind); ``methods`` overrides it per column.
    :param threshold: drift when a p-value is below it, or a distance at or above it;
        ``thresholds`` per column. Defaults: 0.05 for tests, 0.1 for distances.
    :param kinds: ``{"zip_code": "categorical"}`` to override the type-based choice.
    :param critical: columns whose drift alone fails the check.
    :param drift_share: share of drifted columns that makes the dataset drift (0.5).
    :param bins: numeric bins at the reference's quantiles (10).
    :param max_categories: most common reference categories kept; the rest is '(other)'.
    :param sample_size: bound of each side's sample for KS and Wasserstein (10,000).
    :param record_profile: also measure the batch's own profile (its quantile edges and top
        categories, one more histogram query) and record it in the history store, so later
        runs can pin this one as their reference (True).
    """

    check_type = "drift"

    def __init__(
        self,
        columns: Sequence[str] | str,
        *,
        reference: Any,
        method: str | None = None,
        methods: Mapping[str, str] | None = None,
        threshold: float | None = None,
        thresholds: Mapping[str, float] | None = None,
        kinds: Mapping[str, str] | None = None,
        critical: Sequence[str] = (),
        drift_share: float = 0.5,
        bins: int = 10,
        max_categories: int = 50,
        sample_size: int = 10_000,
        record_profile: bool = True,
        severity: str = "error",
        name: str | None = None,
    ) -> None:
        super().__init__(severity=severity, name=name)
        if isinstance(columns, str):
            columns = [columns]
        if not isinstance(columns, Sequence) or not columns:
            raise self._argument_error("columns", f"must be a non-empty list of column names, got {columns!r}")
        self._columns = tuple(self._column_arg("columns", c) for c in columns)
        self._columns_for_errors = ", ".join(self._columns)
        if len(set(self._columns)) != len(self._columns):
            raise self._argument_error("columns", f"names a column twice: {list(self._columns)}")
        self._set_reference(reference, allow_profile=True)
        if method is not None and method not in METHODS:
            raise self._argument_error("method", f"must be one of {METHODS}, got {method!r}")
        self.method = method
        self.methods = self._per_column("methods", methods, lambda v: v in METHODS, f"one of {METHODS}")
        self.threshold = self._positive("threshold", threshold)
        self.thresholds = {
            c: self._positive("thresholds", v)
            for c, v in self._per_column("thresholds", thresholds, lambda v: True, "a number").items()
        }
        self.kinds = self._per_column("kinds", kinds, lambda v: v in KINDS[1:], "'numeric' or 'categorical'")
        for column, chosen in self.methods.items():
            kind = self.kinds.get(column)
            allowed = NUMERIC_METHODS if kind == "numeric" else CATEGORICAL_METHODS if kind else METHODS
            if chosen not in allowed:
                raise self._argument_error("methods", f"gives {column!r} the {kind} method {chosen!r}")
        if isinstance(critical, str):
            critical = [critical]
        unknown = [c for c in critical if c not in self._columns]
        if unknown:
            raise self._argument_error("critical", f"names {unknown}, which are not among the columns")
        self.critical = tuple(critical)
        self._number_arg("drift_share", drift_share, allow_none=False)
        if not 0 < drift_share <= 1:
            raise self._argument_error("drift_share", f"must be in (0, 1], got {drift_share!r}")
        self.drift_share = float(drift_share)
        for argument, value, low in (
            ("bins", bins, 2),
            ("max_categories", max_categories, 1),
            ("sample_size", sample_size, 10),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise self._argument_error(argument, f"must be a whole number >= {low}, got {value!r}")
        self.bins, self.max_categories, self.sample_size = bins, max_categories, sample_size
        if not isinstance(record_profile, bool):
            raise self._argument_error("record_profile", f"must be True or False, got {record_profile!r}")
        self.record_profile = record_profile

    def _per_column(self, argument: str, value: Any, ok: Any, what: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self._argument_error(argument, f"must be a dict column -> {what}, got {value!r}")
        for column, item in value.items():
            if column not in self._columns:
                raise self._argument_error(argument, f"names {column!r}, which is not among the columns")
            if not ok(item):
                raise self._argument_error(argument, f"gives {column!r} {item!r}; expected {what}")
        return dict(value)

    def _positive(self, argument: str, value: Any) -> float | None:
        self._number_arg(argument, value)
        if value is not None and not value > 0:
            raise self._argument_error(argument, f"must be > 0, got {value!r}")
        return None if value is None else float(value)

    @property
    def columns(self) -> tuple[str, ...]:
        return self._columns

    def _metric(self, column: str) -> Distribution:
        return Distribution(
            column=column,
            reference=self.reference,
            kind=self.kinds.get(column, "auto"),
            bins=self.bins,
            max_categories=self.max_categories,
            sample_size=self.sample_size,
            record_profile=self.record_profile,
        )

    def metrics(self) -> tuple[Metric, ...]:
        return tuple(self._metric(c) for c in self._columns)

    def expectation(self) -> str:
        critical = f", none of {list(self.critical)}" if self.critical else ""
        return f"< {self.drift_share:.0%} of {len(self._columns)} columns drifted vs {self.reference}{critical}"

    def _method_for(self, column: str, kind: str) -> str | None:
        chosen = self.methods.get(column, self.method)
        if chosen is None:
            return None
        allowed = NUMERIC_METHODS if kind == "numeric" else CATEGORICAL_METHODS
        return chosen if chosen in allowed else None  # a global method of the other kind: default

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        from airflow_dq.stats.drift import column_drift, dataset_drift

        results = []
        for column in self._columns:
            measured = values[self._metric(column)]
            if not sum(measured.reference_counts):
                return Verdict(False, None, f"the reference {self.reference} has no non-NULL values in {column!r}")
            results.append(
                column_drift(
                    column,
                    measured.kind,
                    reference_counts=measured.reference_counts,
                    current_counts=measured.current_counts,
                    labels=measured.labels,
                    reference_sample=measured.reference_sample,
                    current_sample=measured.current_sample,
                    method=self._method_for(column, measured.kind),
                    threshold=self.thresholds.get(column, self.threshold),
                )
            )
        drifted = [r for r in results if r.drifted]
        failed = dataset_drift(results, drift_share=self.drift_share, critical=self.critical)
        observed = {
            "drifted_columns": [r.column for r in drifted],
            "drift_share": round(len(drifted) / len(results), 4),
            "columns": [r.to_dict() for r in results],
        }
        details = "; ".join(_describe(r) for r in drifted[:5])
        if failed:
            critical = [r.column for r in drifted if r.column in self.critical]
            why = (
                f"critical column(s) {critical} drifted"
                if critical
                else (f"{len(drifted)} of {len(results)} columns drifted (>= {self.drift_share:.0%})")
            )
            return Verdict(False, observed, f"{why}: {details}")
        if drifted:
            return Verdict(
                True, observed, f"{len(drifted)} of {len(results)} columns drifted, below the share: {details}"
            )
        return Verdict(True, observed, f"no drift in {len(results)} columns")


def _describe(result: Any) -> str:
    comparison = "<" if result.method in ("ks", "chisquare") else ">="
    statistic = f"{result.statistic:.4g}" if math.isfinite(result.statistic) else str(result.statistic)
    text = f"{result.column} ({result.method} {statistic} {comparison} {result.threshold:g}"
    if result.top_moves:
        move = result.top_moves[0]
        text += f"; {move['bucket']}: {move['reference_share']:.1%} -> {move['current_share']:.1%}"
    return text + ")"
