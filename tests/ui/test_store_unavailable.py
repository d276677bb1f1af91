"""A history store that cannot be opened gives a 503 page, after authentication, without
leaking its details (they go to the server log). In-process app, real auth manager."""

from __future__ import annotations

import logging
import secrets

import pytest

from tests.ui.api_server import SIMPLE

pytestmark = pytest.mark.airflow


@pytest.fixture
def client_and_token(airflow_db: str, monkeypatch: pytest.MonkeyPatch):
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    from airflow_dq.ui import queries
    from airflow_dq.ui.app import create_app

    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER", SIMPLE)
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_hex(32))
    monkeypatch.setenv("AIRFLOW__DATA_QUALITY__STORE_CONN_ID", "dq_issue7_no_such_connection")
    manager = create_auth_manager()
    token = manager.generate_jwt(SimpleAuthManagerUser(username="viewer", role="viewer"))
    queries._store.cache_clear()
    yield TestClient(create_app()), token
    queries._store.cache_clear()


def test_store_outage_is_a_503_page_without_details(client_and_token, caplog: pytest.LogCaptureFixture) -> None:
    client, token = client_and_token
    assert client.get("/").status_code == 401  # still authentication first
    with caplog.at_level(logging.ERROR, logger="airflow_dq.ui.app"):
        response = client.get("/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert "History store unavailable" in response.text
    assert "dq_issue7_no_such_connection" not in response.text
    assert "dq_issue7_no_such_connection" in caplog.text  # the operator finds it in the log
