"""Start a throw-away MariaDB server on a loopback port, for the MySQL-dialect safety tests.

Uses the Debian ``mariadb-server`` package's binaries (installed by ``scripts/setup.sh``).
The server runs with ``--skip-grant-tables`` (any user, no password): it lives in a
temporary folder, listens on 127.0.0.1 only, and is stopped by the test that started it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import sqlalchemy as sa


def binaries() -> tuple[str, str] | None:
    """(server, install_db) from the Debian package, or None when it is not installed."""
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin")
    install = shutil.which("mariadb-install-db")
    return (server, install) if server and install else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MariaDbServer:
    def __init__(self, database: str = "dq") -> None:
        self.database = database
        self.url: str | None = None
        self._dir: str | None = None
        self._process: subprocess.Popen | None = None

    def start(self) -> str:
        found = binaries()
        if found is None:
            raise RuntimeError("MariaDB server binaries not found; run `make setup` (apt-get install mariadb-server)")
        server, install = found
        self._dir = tempfile.mkdtemp(prefix="dq-mariadb-")
        data = os.path.join(self._dir, "data")
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            [install, f"--datadir={data}", "--auth-root-authentication-method=normal", "--skip-test-db", *user],
            check=True,
            capture_output=True,
        )
        port = _free_port()
        self._process = subprocess.Popen(
            [
                server,
                "--no-defaults",
                f"--datadir={data}",
                f"--socket={self._dir}/mysqld.sock",
                f"--pid-file={self._dir}/mysqld.pid",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=16M",
                *user,
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self._dir, "server.log"), "w"),  # noqa: SIM115 - closed with the server
        )
        admin = sa.create_engine(f"mysql+pymysql://root@127.0.0.1:{port}/")
        deadline = time.monotonic() + 60
        while True:
            try:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS `{self.database}`")
                break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.3)
        admin.dispose()
        self.url = f"mysql+pymysql://root@127.0.0.1:{port}/{self.database}"
        return self.url

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
