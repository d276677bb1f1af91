"""Start a throw-away PostgreSQL server on a loopback port, for tests and benchmarks.

Uses the Debian ``postgresql`` package's binaries (installed by ``scripts/setup.sh``). The
server refuses to run as root, so as root it runs as the ``postgres`` user. Set
``DQ_POSTGRES_URL`` to use an existing server instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import sqlalchemy as sa


def _bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql; "
            "run `make setup` (apt-get install postgresql) first"
        )
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder: ``start()``, use ``url``, ``stop()``."""

    def __init__(self, database: str = "dq") -> None:
        self.database = database
        self.url: str | None = None
        self._dir: str | None = None
        self._bin = ""
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def start(self) -> str:
        external = os.environ.get("DQ_POSTGRES_URL")
        if external:
            self.url = external
            return external
        self._bin = _bin_dir()
        self._dir = tempfile.mkdtemp(prefix="dq-pg-")
        os.chmod(self._dir, 0o755)
        if self._as_root:
            shutil.chown(self._dir, "postgres", "postgres")
        data = os.path.join(self._dir, "data")
        port = _free_port()
        self._run(f"{self._bin}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        # Durability is pointless for a throw-away test server; turning it off is much faster.
        options = (
            f"-p {port} -k {self._dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(f"{self._bin}/pg_ctl", "-D", data, "-o", options, "-l", f"{self._dir}/server.log", "-w", "start")
        admin = sa.create_engine(
            f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'CREATE DATABASE "{self.database}"')
                break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        admin.dispose()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{self.database}"
        return self.url

    def stop(self) -> None:
        if self._dir is None:
            return
        data = os.path.join(self._dir, "data")
        try:
            self._run(f"{self._bin}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
