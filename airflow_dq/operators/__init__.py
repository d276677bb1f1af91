"""Airflow operators of the data-quality provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_dq.operators.data_quality import DataQualityOperator

if TYPE_CHECKING:
    from airflow_dq.operators.dataframe import DataFrameQualityOperator
    from airflow_dq.operators.probe import ModelProbeOperator
    from airflow_dq.operators.quality_gate import QualityGateOperator, require_quality
    from airflow_dq.operators.spark import SparkQualityOperator


def __getattr__(name: str) -> Any:
    # The DataFrame operator is loaded on first use: a DAG that only checks SQL tables
    # does not pay for its imports at parse time.
    if name == "DataFrameQualityOperator":
        from airflow_dq.operators.dataframe import DataFrameQualityOperator

        return DataFrameQualityOperator
    if name == "ModelProbeOperator":
        from airflow_dq.operators.probe import ModelProbeOperator

        return ModelProbeOperator
    if name == "SparkQualityOperator":  # Spark Connect; PySpark itself loads only in execute()
        from airflow_dq.operators.spark import SparkQualityOperator

        return SparkQualityOperator
    if name in ("QualityGateOperator", "require_quality"):  # consumer-side gate on asset events
        from airflow_dq.operators import quality_gate

        return getattr(quality_gate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DataFrameQualityOperator",
    "DataQualityOperator",
    "ModelProbeOperator",
    "QualityGateOperator",
    "SparkQualityOperator",
    "require_quality",
]
