"""A Spark Connect session from an Airflow connection (the Spark provider's ``spark_connect`` type).

The connection's host and port give ``sc://host:port``; its login, password (token) and
``use_ssl`` extra become the URL's parameters (``SparkConnectHook.get_connection_url``).
The worker needs only the thin Spark Connect client: the cluster does the work.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlparse

DEFAULT_PORT = 15002  # Spark Connect's default


def connect_url(conn_id: str) -> str:
    """``sc://host:port/;params`` of the Airflow connection ``conn_id``."""
    from airflow.providers.apache.spark.hooks.spark_connect import SparkConnectHook

    return SparkConnectHook(conn_id=conn_id).get_connection_url()


def remote_session(url: str, connect_timeout: float = 30) -> Any:
    """A Spark Connect session on ``url``.

    The server is reached first with a plain TCP connection bounded by ``connect_timeout``:
    the gRPC client would otherwise retry for minutes. An unreachable server raises
    ``ConnectionError``, so the task fails and Airflow retries it; nothing is judged.
    """
    from pyspark.sql import SparkSession

    where = urlparse(url.split(";")[0].replace("sc://", "http://", 1))
    host, port = where.hostname or "localhost", where.port or DEFAULT_PORT
    try:
        with socket.create_connection((host, port), timeout=connect_timeout):
            pass
    except OSError as err:
        raise ConnectionError(f"cannot reach the Spark Connect server at {host}:{port}: {err}") from err
    return SparkSession.builder.remote(url).getOrCreate()
