"""A Spark Connect session from an Airflow connection (the Spark provider's ``spark_connect`` type).

The connection's host and port give ``sc://host:port``; its login, password (token) and
``use_ssl`` extra become the URL's parameters (``SparkConnectHook.get_connection_url``).
The worker needs only the thin Spark Connect client: the cluster does the work.
"""

from __future__ import annotations

from typing import Any


def connect_url(conn_id: str) -> str:
    """``sc://host:port/;params`` of the Airflow connection ``conn_id``."""
    from airflow.providers.apache.spark.hooks.spark_connect import SparkConnectHook

    return SparkConnectHook(conn_id=conn_id).get_connection_url()


def remote_session(url: str) -> Any:
    """A Spark Connect session on ``url``; an unreachable server raises (the task retries)."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.remote(url).getOrCreate()
