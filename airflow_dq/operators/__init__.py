"""Airflow operators of the data-quality provider."""

from airflow_dq.operators.data_quality import DataQualityOperator

__all__ = ["DataQualityOperator"]
