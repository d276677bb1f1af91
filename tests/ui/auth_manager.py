"""The simple auth manager plus one per-DAG rule, for the UI access tests.

Airflow's simple auth manager grants roles (VIEWER, USER, OP, ADMIN) over all DAGs and
cannot hide one DAG from one user. This subclass keeps everything of it (users, password
file, tokens, roles) and denies the users listed in ``DQ_TEST_DENY`` (``user:dag_id,...``)
read access to those DAGs - the way a real auth manager (FAB, Keycloak) restricts a DAG -
and the users in ``DQ_TEST_DENY_XCOM`` (same format) the XComs of those DAGs.
The API server the tests start imports it by class path.
"""

from __future__ import annotations

import os

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager


def _denied(variable: str) -> set[tuple[str, str]]:
    pairs = (item.split(":", 1) for item in os.environ.get(variable, "").split(",") if ":" in item)
    return {(user, dag_id) for user, dag_id in pairs}


class OneDagHiddenAuthManager(SimpleAuthManager):
    def is_authorized_dag(self, *, method, user, access_entity=None, details=None) -> bool:
        # details.id is None for "any DAG" questions (e.g. may this user list DAGs at all).
        if details is not None and details.id is not None:
            asked = (user.get_name(), details.id)
            if asked in _denied("DQ_TEST_DENY"):
                return False
            if access_entity is DagAccessEntity.XCOM and asked in _denied("DQ_TEST_DENY_XCOM"):
                return False
        return super().is_authorized_dag(method=method, user=user, access_entity=access_entity, details=details)
