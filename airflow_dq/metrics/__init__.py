"""Metrics (what to measure) and row predicates, shared by every engine."""

from airflow_dq.metrics.core import (
    CompleteCount,
    CustomScalar,
    DuplicateCount,
    Maximum,
    Mean,
    Metric,
    Minimum,
    NullCount,
    RowCount,
    StdDev,
    ViolationCount,
)
from airflow_dq.metrics.grouped import BySegments, ByTimeBucket, Grouped, Grouping, Reference
from airflow_dq.metrics.predicates import (
    IsNull,
    LengthOutOfRange,
    MissingInParent,
    NotIn,
    OutOfRange,
    Predicate,
    RegexMismatch,
    SqlConditionFalse,
)

__all__ = [
    "BySegments",
    "ByTimeBucket",
    "CompleteCount",
    "CustomScalar",
    "DuplicateCount",
    "Grouped",
    "Grouping",
    "IsNull",
    "LengthOutOfRange",
    "Maximum",
    "Mean",
    "Metric",
    "Minimum",
    "MissingInParent",
    "NotIn",
    "NullCount",
    "OutOfRange",
    "Predicate",
    "Reference",
    "RegexMismatch",
    "RowCount",
    "SqlConditionFalse",
    "StdDev",
    "ViolationCount",
]
