"""Spark engine: the SQL engine's metrics, with the same meaning, on a Spark table or files.

Reached through Spark Connect (``sc://host:port``), so an Airflow worker drives a remote
cluster without a JVM of its own. Names load lazily: importing this package does not import
PySpark (the operator module imports it at DAG parse time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_dq.engines.spark.engine import SparkEngine

__all__ = ["SparkEngine"]


def __getattr__(name: str) -> Any:
    if name == "SparkEngine":
        from airflow_dq.engines.spark.engine import SparkEngine

        return SparkEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
