"""Spark engine vs one hand-written Spark aggregation, and vs the pandas engine, on one Parquet file.

    .venv/bin/python benchmarks/bench_spark_engine.py              # 2M rows (default, ~2 min)
    .venv/bin/python benchmarks/bench_spark_engine.py --rows 10000000

Starts a local Spark Connect server (tests/spark_server.py; local[2]), writes the Parquet
file locally, runs the same suite three ways side by side and prints the times and ratios.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

from airflow_dq import checks as dq  # noqa: E402
from airflow_dq.engines.pandas import PandasEngine  # noqa: E402
from airflow_dq.engines.spark import SparkEngine  # noqa: E402
from airflow_dq.suite import run_checks  # noqa: E402
from tests.spark_server import SparkConnectServer  # noqa: E402

SUITE = [
    dq.row_count(min=1),
    dq.not_null("user_id"),
    dq.not_null("amount", mostly=0.9),
    dq.value_range("amount", min=0, max=1000, mostly=0.9),
    dq.accepted_values("country", ["US", "DE", "FR"]),
    dq.mean_between("amount", min=0, max=1000),
    dq.stddev_between("amount", max=1000),
    dq.length_between("country", min=2, max=2),
]


def _write(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    amount = rng.gamma(2.0, 100.0, rows)
    amount[rng.random(rows) < 0.01] = np.nan
    pd.DataFrame(
        {
            "user_id": pd.array(rng.integers(1, 100_000, rows), dtype="Int64"),
            "amount": amount,
            "country": rng.choice(np.array(["US", "DE", "FR", "XX"]), rows),
        }
    ).to_parquet(path, row_group_size=1_000_000)


def _hand_written(spark, path: str) -> list:
    from pyspark.sql import functions as F

    df = spark.read.parquet(path)
    a = F.when(~F.isnan("amount"), F.col("amount"))
    return df.agg(
        F.count(F.lit(1)),
        F.count(F.when(F.col("user_id").isNull(), 1)),
        F.count(F.when(a.isNull(), 1)),
        F.count(F.when((a < 0) | (a > 1000), 1)),
        F.count(F.when(~F.col("country").isin("US", "DE", "FR"), 1)),
        F.avg(a),
        F.stddev_samp(a),
        F.count(F.when(F.length("country") != 2, 1)),
    ).collect()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        _write(path, rows)
        server = SparkConnectServer(memory="2g")
        try:
            from pyspark.sql import SparkSession

            spark = SparkSession.builder.remote(server.start()).getOrCreate()
            _hand_written(spark, str(path))  # warm the JVM once (both sides then run warm)
            timings = {}
            start = time.perf_counter()
            _hand_written(spark, str(path))
            timings["hand-written Spark aggregation"] = time.perf_counter() - start
            start = time.perf_counter()
            result = run_checks(SparkEngine(spark, path=str(path)), SUITE)
            timings["Spark engine (suite)"] = time.perf_counter() - start
            assert result.statements["data"] == 1
            start = time.perf_counter()
            local = run_checks(PandasEngine(str(path), chunksize=1_000_000), SUITE)
            timings["pandas engine (chunks of 1M)"] = time.perf_counter() - start
            assert [str(r.status) for r in local.results] == [str(r.status) for r in result.results]
        finally:
            server.stop()
    base = timings["hand-written Spark aggregation"]
    print(f"{rows:,} rows, {len(SUITE)} checks, Spark local[2] over Spark Connect")
    for name, seconds in timings.items():
        print(f"  {name:34s} {seconds:7.2f} s   x{seconds / base:5.2f} of hand-written")


if __name__ == "__main__":
    main()
