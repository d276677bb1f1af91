"""Airflow operators of the data-quality provider."""

from airflow_dq.operators.data_quality import DataQualityOperator
from airflow_dq.operators.dataframe import DataFrameQualityOperator

__all__ = ["DataFrameQualityOperator", "DataQualityOperator"]
