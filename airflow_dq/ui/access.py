"""Who may see what: Airflow's own auth manager decides, on every request.

A plugin's FastAPI app is not protected by Airflow by default. Every route of ours depends
on ``requires_access_view`` (an authenticated user - bearer token or the UI's ``_token``
cookie - allowed to use the web UI), and results are filtered to the DAGs the auth manager
lets that user read. A page about one DAG answers 403 when the user may not read its task
instances.
"""

from __future__ import annotations

from typing import Annotated

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import AccessView, DagAccessEntity
from airflow.api_fastapi.core_api.security import GetUserDep, requires_access_dag, requires_access_view
from fastapi import Depends

# Router-level: 401 without a valid token, 403 for a user who may not use the UI at all.
authenticated = Depends(requires_access_view(AccessView.WEBSITE))

# Route-level for pages about one DAG (``dag_id`` is a required query parameter there, so
# the check is never made against "any DAG").
can_read_dag_results = Depends(requires_access_dag("GET", DagAccessEntity.TASK_INSTANCE))


def readable_dag_ids(user: GetUserDep) -> set[str]:
    """DAG ids whose results this user may see (as Airflow's own DAG list filters them)."""
    return set(get_auth_manager().get_authorized_dag_ids(user=user, method="GET"))


ReadableDagIds = Annotated[set[str], Depends(readable_dag_ids)]


def may_see_samples(user: BaseUser, dag_id: str) -> bool:
    """Failure samples are rows of the user's data, kept in XCom: show them only to users
    who may read the DAG's XComs."""
    from airflow.api_fastapi.auth.managers.models.resource_details import DagDetails
    from airflow.models.dag import DagModel

    details = DagDetails(id=dag_id, team_name=DagModel.get_team_name(dag_id))
    return get_auth_manager().is_authorized_dag(
        method="GET", access_entity=DagAccessEntity.XCOM, details=details, user=user
    )


__all__ = ["BaseUser", "GetUserDep", "ReadableDagIds", "authenticated", "can_read_dag_results", "may_see_samples"]
