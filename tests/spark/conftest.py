"""One local Spark Connect server (one JVM) for every Spark test of the session."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("pyspark.sql.connect", reason="the spark extra is not installed")

from tests.spark_server import SparkConnectServer

# PySpark 4.2 warns that pandas 3 is newer than what it was tested with; the Arrow paths the
# engine uses (collect of aggregates, createDataFrame) are exercised by these tests.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


@pytest.fixture(scope="session")
def spark_remote() -> Iterator[str]:
    server = SparkConnectServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def spark(spark_remote: str) -> Any:
    from pyspark.sql import SparkSession

    session = SparkSession.builder.remote(spark_remote).getOrCreate()
    yield session
    session.stop()
