"""Start a throw-away MariaDB server on a loopback port, for tests.

Uses Debian's ``mariadb-server`` binaries (installed by ``scripts/setup.sh --test``), a data
directory in a temporary folder and a free port, so parallel test sessions never share a
server. The server refuses to run as root, so as root it runs as the ``mysql`` user. Set
``DQ_MARIADB_URL`` to use an existing server instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time

import sqlalchemy as sa

from tests.pg_server import _free_port

SERVER = "/usr/sbin/mariadbd"
INSTALL = "/usr/bin/mariadb-install-db"


def available() -> bool:
    return bool(os.environ.get("DQ_MARIADB_URL")) or (os.access(SERVER, os.X_OK) and os.access(INSTALL, os.X_OK))


class MariaDBServer:
    """A MariaDB server in a temporary folder: ``start()``, use ``url``, ``stop()``."""

    def __init__(self, database: str = "dq") -> None:
        self.database = database
        self.url: str | None = None
        self._dir: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._as_root = os.geteuid() == 0

    def _command(self, *args: str) -> list[str]:
        return ["runuser", "-u", "mysql", "--", *args] if self._as_root else list(args)

    def start(self) -> str:
        external = os.environ.get("DQ_MARIADB_URL")
        if external:
            self.url = external
            return external
        if not available():
            raise RuntimeError(
                "MariaDB server binaries not found; run `make setup-test` (apt-get install mariadb-server)"
            )
        self._dir = tempfile.mkdtemp(prefix="dq-mariadb-")
        os.chmod(self._dir, 0o755)
        if self._as_root:
            shutil.chown(self._dir, "mysql", "mysql")
        data, sock = os.path.join(self._dir, "data"), os.path.join(self._dir, "server.sock")
        port = _free_port()
        subprocess.run(
            self._command(
                INSTALL,
                "--no-defaults",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ),
            check=True,
            capture_output=True,
        )
        # Durability and the performance schema are pointless for a throw-away server.
        self._process = subprocess.Popen(
            self._command(
                SERVER,
                "--no-defaults",
                f"--datadir={data}",
                f"--socket={sock}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-buffer-pool-size=64M",
                "--performance-schema=OFF",
                "--skip-log-bin",
                f"--pid-file={self._dir}/server.pid",
                f"--log-error={self._dir}/server.log",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        admin = sa.create_engine(f"mysql+pymysql://root@127.0.0.1:{port}/", isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + 60
        while True:
            try:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f"CREATE DATABASE `{self.database}`")
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
            # runuser forwards the signal to the server; a throw-away server needs no shutdown.
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

    def __enter__(self) -> MariaDBServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
