"""A real ``airflow api-server`` on a free loopback port, started and stopped by the tests."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SIMPLE = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ApiServer:
    """``users`` maps user name to simple-auth-manager role; passwords are set by us."""

    def __init__(
        self, workdir: Path, users: dict[str, str], *, auth_manager: str = SIMPLE, env: dict[str, str] | None = None
    ) -> None:
        self.workdir = workdir
        self.users = users
        self.auth_manager = auth_manager
        self.extra_env = env or {}
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.passwords = {user: secrets.token_urlsafe(12) for user in users}
        self.log_path = workdir / "api-server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Launch the server (returns at once; ``wait_ready`` waits for it)."""
        password_file = self.workdir / "passwords.json"
        # The simple auth manager only generates passwords for users missing from the file.
        password_file.write_text(json.dumps(self.passwords))
        env = {
            **os.environ,
            "AIRFLOW__CORE__AUTH_MANAGER": self.auth_manager,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in self.users.items()),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.base_url,
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **self.extra_env,
        }
        command = [sys.executable, "-m", "airflow", "api-server", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", "1"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir
            )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"api-server exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/api/v2/monitor/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise TimeoutError(f"api-server not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Our own process group (start_new_session): the server and any worker it forked.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)  # a graceful stop is not needed: the DBs are throw-away
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def token(self, user: str) -> str:
        """A JWT from the simple auth manager's login endpoint (POST /auth/token)."""
        status, body = self.request(
            "POST", "/auth/token", json_body={"username": user, "password": self.passwords[user]}
        )
        if status != 201:
            raise RuntimeError(f"login of {user!r} failed: {status} {body[:200]!r}")
        return json.loads(body)["access_token"]

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        cookie_token: str | None = None,
        json_body: Any = None,
    ) -> tuple[int, str]:
        headers = {}
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cookie_token:
            headers["Cookie"] = f"_token={cookie_token}"
        req = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
