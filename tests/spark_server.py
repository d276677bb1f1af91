"""Start a throw-away Spark Connect server on a loopback port, for tests and benchmarks.

The server is the ``SparkConnectServer`` class of the ``spark-connect`` jar that ships inside
the pyspark package from PyPI (no download: ``spark-submit`` runs it from the package's
jars, in local mode on two cores, with Java 17 from the machine). One JVM per test session;
``stop()`` ends it by its process id. Set ``DQ_SPARK_REMOTE`` (``sc://host:port``) to use an
existing server instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_home() -> str:
    import pyspark

    home = os.path.dirname(pyspark.__file__)
    jars = os.listdir(os.path.join(home, "jars"))
    if not any(j.startswith("spark-connect_") for j in jars):
        raise RuntimeError(
            f"the pyspark package at {home} has no spark-connect jar; install pyspark, not only pyspark-client"
        )
    return home


class SparkConnectServer:
    """``start()`` returns the ``sc://`` URL once the server answers; ``stop()`` ends it."""

    def __init__(self, cores: int = 2, memory: str = "1g") -> None:
        self.cores, self.memory = cores, memory
        self.url: str | None = None
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._dir: str | None = None

    def start(self, timeout: float = 240) -> str:
        external = os.environ.get("DQ_SPARK_REMOTE")
        if external:
            self.url = external
            return external
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise RuntimeError(
                "Java is needed for the local Spark Connect server (apt-get install openjdk-17-jre-headless)"
            )
        home = spark_home()
        self.port = _free_port()
        self._dir = tempfile.mkdtemp(prefix="dq-spark-")
        conf = {
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.driver.host": "127.0.0.1",
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "4",  # small test data: few shuffle tasks
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.warehouse.dir": os.path.join(self._dir, "warehouse"),
            "spark.local.dir": os.path.join(self._dir, "local"),
        }
        command = [
            os.path.join(home, "bin", "spark-submit"),
            "--class",
            SERVER_CLASS,
            "--master",
            f"local[{self.cores}]",
        ]
        command += ["--driver-memory", self.memory]
        for key, value in conf.items():
            command += ["--conf", f"{key}={value}"]
        command.append("spark-internal")
        env = {**os.environ, "SPARK_HOME": home, "SPARK_LOCAL_IP": "127.0.0.1"}
        log = open(os.path.join(self._dir, "server.log"), "wb")  # noqa: SIM115 - lives as long as the server
        self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self._dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the Spark Connect server exited; see {log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            self.stop()
            raise RuntimeError(f"the Spark Connect server did not listen within {timeout:.0f}s; see {log.name}")
        self.url = f"sc://127.0.0.1:{self.port}"
        return self.url

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
