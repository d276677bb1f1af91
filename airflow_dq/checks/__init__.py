"""Declarative checks. Build them with the snake_case names, the way the rule reads.

    from airflow_dq.checks import row_count, not_null, unique, value_range

    checks = [row_count(min=1000), not_null("user_id"), unique("event_id"),
              value_range("amount", min=0, max=10_000, mostly=0.999)]

Every check takes ``severity="error" | "warn"`` and an optional ``name``; row-level checks
also take ``mostly`` (the fraction of rows that must pass).
"""

from airflow_dq.checks.aggregates import (
    CustomSql,
    Freshness,
    MeanBetween,
    RowCountCheck,
    StdDevBetween,
)
from airflow_dq.checks.anomaly import (
    AnomalyCheck,
    FreshnessAnomaly,
    MetricAnomaly,
    VolumeAnomaly,
)
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
from airflow_dq.checks.schema import TYPE_FAMILIES, Schema
from airflow_dq.checks.segments import SegmentCompleteness

# The public spelling: lower-case names that read like the rule.
row_count = RowCountCheck
not_null = NotNull
unique = Unique
accepted_values = AcceptedValues
value_range = ValueRange
matches_regex = MatchesRegex
length_between = LengthBetween
mean_between = MeanBetween
stddev_between = StdDevBetween
schema = Schema
references = References
freshness = Freshness
custom_sql = CustomSql
row_condition = RowCondition
time_bucket_completeness = TimeBucketCompleteness
segment_completeness = SegmentCompleteness
fresh_through = FreshThrough
# Anomalies against the history store.
volume_anomaly = VolumeAnomaly
metric_anomaly = MetricAnomaly
segment_anomaly = SegmentAnomaly
freshness_anomaly = FreshnessAnomaly
# Drift against a reference, and training-data integrity (ML gates).
drift = Drift
label_shift = LabelShift
duplicate_surge = DuplicateSurge
conflicting_labels = ConflictingLabels
source_surge = SourceSurge
label_consistency = LabelConsistency
text_perplexity = TextPerplexity
token_concentration = TokenConcentration

__all__ = [
    "TYPE_FAMILIES",
    "AcceptedValues",
    "AnomalyCheck",
    "Check",
    "CheckArgumentError",
    "CheckContext",
    "ConflictingLabels",
    "CustomSql",
    "Drift",
    "DuplicateSurge",
    "FreshThrough",
    "Freshness",
    "FreshnessAnomaly",
    "LabelConsistency",
    "LabelShift",
    "LengthBetween",
    "MatchesRegex",
    "MeanBetween",
    "MetricAnomaly",
    "NotNull",
    "References",
    "RowCondition",
    "RowCountCheck",
    "RowLevelCheck",
    "Schema",
    "SegmentAnomaly",
    "SegmentCompleteness",
    "SourceSurge",
    "StdDevBetween",
    "TextPerplexity",
    "TimeBucketCompleteness",
    "TokenConcentration",
    "TrainingDataCheck",
    "Unique",
    "ValueRange",
    "Verdict",
    "VolumeAnomaly",
    "accepted_values",
    "conflicting_labels",
    "custom_sql",
    "drift",
    "duplicate_surge",
    "fresh_through",
    "freshness",
    "freshness_anomaly",
    "label_consistency",
    "label_shift",
    "length_between",
    "matches_regex",
    "mean_between",
    "metric_anomaly",
    "not_null",
    "references",
    "row_condition",
    "row_count",
    "schema",
    "segment_anomaly",
    "segment_completeness",
    "source_surge",
    "stddev_between",
    "text_perplexity",
    "time_bucket_completeness",
    "token_concentration",
    "training_integrity",
    "unique",
    "value_range",
    "volume_anomaly",
]
