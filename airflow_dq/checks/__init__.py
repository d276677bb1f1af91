"""Declarative checks. Build them with the snake_case names, the way the rule reads.

    from airflow_dq.checks import row_count, not_null, unique, value_range

    checks = [row_count(min=1000), not_null("user_id"), unique("event_id"),
              value_range("amount", min=0, max=10_000, mostly=0.999)]

Every check takes ``severity="error" | "warn"`` and an optional ``name``; row-level checks
also take ``mostly`` (the fraction of rows that must pass).
"""

# Loaded lazily (PEP 562): a DAG file that imports two checks, or the operators that import
# ``checks.base``, should not pay for every check family (anomaly, drift, integrity, ...).
from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

_CLASSES: dict[str, str] = {
    "CustomSql": "airflow_dq.checks.aggregates",
    "Freshness": "airflow_dq.checks.aggregates",
    "MeanBetween": "airflow_dq.checks.aggregates",
    "RowCountCheck": "airflow_dq.checks.aggregates",
    "StdDevBetween": "airflow_dq.checks.aggregates",
    "AnomalyCheck": "airflow_dq.checks.anomaly",
    "FreshnessAnomaly": "airflow_dq.checks.anomaly",
    "MetricAnomaly": "airflow_dq.checks.anomaly",
    "VolumeAnomaly": "airflow_dq.checks.anomaly",
    "SegmentAnomaly": "airflow_dq.checks.anomaly_segments",
    "Check": "airflow_dq.checks.base",
    "CheckArgumentError": "airflow_dq.checks.base",
    "CheckContext": "airflow_dq.checks.base",
    "Verdict": "airflow_dq.checks.base",
    "FreshThrough": "airflow_dq.checks.completeness",
    "TimeBucketCompleteness": "airflow_dq.checks.completeness",
    "Drift": "airflow_dq.checks.drift",
    "ConflictingLabels": "airflow_dq.checks.integrity",
    "DuplicateSurge": "airflow_dq.checks.integrity",
    "LabelConsistency": "airflow_dq.checks.integrity",
    "LabelShift": "airflow_dq.checks.integrity",
    "SourceSurge": "airflow_dq.checks.integrity",
    "TextPerplexity": "airflow_dq.checks.integrity",
    "TokenConcentration": "airflow_dq.checks.integrity",
    "TrainingDataCheck": "airflow_dq.checks.integrity",
    "training_integrity": "airflow_dq.checks.integrity",
    "AcceptedValues": "airflow_dq.checks.rows",
    "LengthBetween": "airflow_dq.checks.rows",
    "MatchesRegex": "airflow_dq.checks.rows",
    "NotNull": "airflow_dq.checks.rows",
    "References": "airflow_dq.checks.rows",
    "RowCondition": "airflow_dq.checks.rows",
    "RowLevelCheck": "airflow_dq.checks.rows",
    "Unique": "airflow_dq.checks.rows",
    "ValueRange": "airflow_dq.checks.rows",
    "TYPE_FAMILIES": "airflow_dq.checks.schema",
    "Schema": "airflow_dq.checks.schema",
    "SegmentCompleteness": "airflow_dq.checks.segments",
    "stored_profile": "airflow_dq.checks.pinned",
    "SumBetween": "airflow_dq.checks.statistics",
    "QuantileBetween": "airflow_dq.checks.statistics",
    "MedianBetween": "airflow_dq.checks.statistics",
    "DistinctCountBetween": "airflow_dq.checks.statistics",
    "DistinctRatioBetween": "airflow_dq.checks.statistics",
    "ColumnPair": "airflow_dq.checks.row_rules",
    "ForbiddenValues": "airflow_dq.checks.row_rules",
    "IsNullCheck": "airflow_dq.checks.row_rules",
    "Monotonic": "airflow_dq.checks.row_rules",
    "ColumnCount": "airflow_dq.checks.schema",
    "StatisticBetween": "airflow_dq.checks.aggregates",
    "Reconciliation": "airflow_dq.checks.reconcile",
    "RowCountMatches": "airflow_dq.checks.reconcile",
    "SumMatches": "airflow_dq.checks.reconcile",
}

# The public spelling: lower-case names that read like the rule.
_ALIASES: dict[str, str] = {
    "row_count": "RowCountCheck",
    "not_null": "NotNull",
    "unique": "Unique",
    "accepted_values": "AcceptedValues",
    "value_range": "ValueRange",
    "matches_regex": "MatchesRegex",
    "length_between": "LengthBetween",
    "mean_between": "MeanBetween",
    "stddev_between": "StdDevBetween",
    "schema": "Schema",
    "references": "References",
    "freshness": "Freshness",
    "custom_sql": "CustomSql",
    "row_condition": "RowCondition",
    "time_bucket_completeness": "TimeBucketCompleteness",
    "segment_completeness": "SegmentCompleteness",
    "fresh_through": "FreshThrough",
    "volume_anomaly": "VolumeAnomaly",
    "metric_anomaly": "MetricAnomaly",
    "segment_anomaly": "SegmentAnomaly",
    "freshness_anomaly": "FreshnessAnomaly",
    "drift": "Drift",
    "label_shift": "LabelShift",
    "duplicate_surge": "DuplicateSurge",
    "conflicting_labels": "ConflictingLabels",
    "source_surge": "SourceSurge",
    "label_consistency": "LabelConsistency",
    "text_perplexity": "TextPerplexity",
    "token_concentration": "TokenConcentration",
    "sum_between": "SumBetween",
    "quantile_between": "QuantileBetween",
    "median_between": "MedianBetween",
    "distinct_count_between": "DistinctCountBetween",
    "distinct_ratio_between": "DistinctRatioBetween",
    "column_pair": "ColumnPair",
    "monotonic": "Monotonic",
    "forbidden_values": "ForbiddenValues",
    "is_null": "IsNullCheck",
    "column_count": "ColumnCount",
    "row_count_matches": "RowCountMatches",
    "sum_matches": "SumMatches",
}


def __getattr__(name: str) -> Any:
    target = _ALIASES.get(name, name)
    module = _CLASSES.get(target)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _ChecksPackage(types.ModuleType):
    """Two aliases share their name with a submodule (``drift``, ``schema``); importing the
    submodule binds it as a package attribute, which would hide the alias. The binding is
    refused instead, so the alias stays lazy: a DAG file that uses neither does not load the
    drift family (profiles, stored profiles, references) while it is parsed."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("drift", "schema") and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _ChecksPackage


if TYPE_CHECKING:
    from airflow_dq.checks.aggregates import (
        CustomSql,
        Freshness,
        MeanBetween,
        RowCountCheck,
        StatisticBetween,
        StdDevBetween,
    )
    from airflow_dq.checks.anomaly import AnomalyCheck, FreshnessAnomaly, MetricAnomaly, VolumeAnomaly
    from airflow_dq.checks.anomaly_segments import SegmentAnomaly
    from airflow_dq.checks.base import Check, CheckArgumentError, CheckContext, Verdict
    from airflow_dq.checks.completeness import FreshThrough, TimeBucketCompleteness
    from airflow_dq.checks.drift import Drift
    from airflow_dq.checks.integrity import (
        ConflictingLabels,
        DuplicateSurge,
        LabelConsistency,
        LabelShift,
        SourceSurge,
        TextPerplexity,
        TokenConcentration,
        TrainingDataCheck,
        training_integrity,
    )
    from airflow_dq.checks.pinned import stored_profile
    from airflow_dq.checks.reconcile import Reconciliation, RowCountMatches, SumMatches
    from airflow_dq.checks.row_rules import ColumnPair, ForbiddenValues, IsNullCheck, Monotonic
    from airflow_dq.checks.rows import (
        AcceptedValues,
        LengthBetween,
        MatchesRegex,
        NotNull,
        References,
        RowCondition,
        RowLevelCheck,
        Unique,
        ValueRange,
    )
    from airflow_dq.checks.schema import TYPE_FAMILIES, ColumnCount, Schema
    from airflow_dq.checks.segments import SegmentCompleteness
    from airflow_dq.checks.statistics import (
        DistinctCountBetween,
        DistinctRatioBetween,
        MedianBetween,
        QuantileBetween,
        SumBetween,
    )

    row_count = RowCountCheck
    not_null = NotNull
    unique = Unique
    accepted_values = AcceptedValues
    value_range = ValueRange
    matches_regex = MatchesRegex
    length_between = LengthBetween
    mean_between = MeanBetween
    stddev_between = StdDevBetween
    references = References
    freshness = Freshness
    custom_sql = CustomSql
    row_condition = RowCondition
    time_bucket_completeness = TimeBucketCompleteness
    segment_completeness = SegmentCompleteness
    fresh_through = FreshThrough
    volume_anomaly = VolumeAnomaly
    metric_anomaly = MetricAnomaly
    segment_anomaly = SegmentAnomaly
    freshness_anomaly = FreshnessAnomaly
    label_shift = LabelShift
    duplicate_surge = DuplicateSurge
    conflicting_labels = ConflictingLabels
    source_surge = SourceSurge
    label_consistency = LabelConsistency
    text_perplexity = TextPerplexity
    token_concentration = TokenConcentration
    sum_between = SumBetween
    quantile_between = QuantileBetween
    median_between = MedianBetween
    distinct_count_between = DistinctCountBetween
    distinct_ratio_between = DistinctRatioBetween
    column_pair = ColumnPair
    monotonic = Monotonic
    forbidden_values = ForbiddenValues
    is_null = IsNullCheck
    column_count = ColumnCount
    row_count_matches = RowCountMatches
    sum_matches = SumMatches

__all__ = [
    "TYPE_FAMILIES",
    "AcceptedValues",
    "AnomalyCheck",
    "Check",
    "CheckArgumentError",
    "CheckContext",
    "ColumnCount",
    "ColumnPair",
    "ConflictingLabels",
    "CustomSql",
    "DistinctCountBetween",
    "DistinctRatioBetween",
    "Drift",
    "DuplicateSurge",
    "ForbiddenValues",
    "FreshThrough",
    "Freshness",
    "FreshnessAnomaly",
    "IsNullCheck",
    "LabelConsistency",
    "LabelShift",
    "LengthBetween",
    "MatchesRegex",
    "MeanBetween",
    "MedianBetween",
    "MetricAnomaly",
    "Monotonic",
    "NotNull",
    "QuantileBetween",
    "Reconciliation",
    "References",
    "RowCondition",
    "RowCountCheck",
    "RowCountMatches",
    "RowLevelCheck",
    "Schema",
    "SegmentAnomaly",
    "SegmentCompleteness",
    "SourceSurge",
    "StatisticBetween",
    "StdDevBetween",
    "SumBetween",
    "SumMatches",
    "TextPerplexity",
    "TimeBucketCompleteness",
    "TokenConcentration",
    "TrainingDataCheck",
    "Unique",
    "ValueRange",
    "Verdict",
    "VolumeAnomaly",
    "accepted_values",
    "column_count",
    "column_pair",
    "conflicting_labels",
    "custom_sql",
    "distinct_count_between",
    "distinct_ratio_between",
    "drift",
    "duplicate_surge",
    "forbidden_values",
    "fresh_through",
    "freshness",
    "freshness_anomaly",
    "is_null",
    "label_consistency",
    "label_shift",
    "length_between",
    "matches_regex",
    "mean_between",
    "median_between",
    "metric_anomaly",
    "monotonic",
    "not_null",
    "quantile_between",
    "references",
    "row_condition",
    "row_count",
    "row_count_matches",
    "schema",
    "segment_anomaly",
    "segment_completeness",
    "source_surge",
    "stddev_between",
    "stored_profile",
    "sum_between",
    "sum_matches",
    "text_perplexity",
    "time_bucket_completeness",
    "token_concentration",
    "training_integrity",
    "unique",
    "value_range",
    "volume_anomaly",
]
