"""Real asset-triggered DAG runs without a scheduler process.

``dag.test()`` runs a producer in process through Airflow's execution API, which records
the asset events of its outlets and queues the DAGs scheduled on them (AssetDagRunQueue),
exactly as on a worker. What a scheduler would do next is done here with the scheduler's
own code: ``SchedulerJobRunner._create_dagruns_for_dags`` turns the queue into
``asset_triggered`` runs that consume the events; each such run is then executed task by
task like ``dag.test()`` does (``airflow.sdk.definitions.dag._run_task``), so the consumer
tasks see the real ``triggering_asset_events``.
"""

from __future__ import annotations

from typing import Any


def sync_and_unpause(*dag_ids: str) -> None:
    """Write every DAG of the configured bundles to the metadata DB and unpause ``dag_ids``
    (asset events only queue runs of unpaused DAGs)."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    manager = DagBundlesManager()
    with create_session() as session:
        manager.sync_bundles_to_db(session=session)
    for bundle in manager.get_all_dag_bundles():
        if not bundle.is_initialized:
            bundle.initialize()
        bag = BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name)
        sync_bag_to_db(bag, bundle.name, bundle.version)
    with create_session() as session:
        for model in session.query(DagModel).filter(DagModel.dag_id.in_(dag_ids)):
            model.is_paused = False


def schedule_asset_triggered_runs() -> None:
    """One pass of the scheduler's DAG-run creation: queued asset events become runs."""
    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.utils.session import create_session
    from airflow.utils.sqlalchemy import prohibit_commit

    runner = SchedulerJobRunner(job=Job())
    with create_session() as session, prohibit_commit(session) as guard:
        runner._create_dagruns_for_dags(guard, session)


def asset_triggered_runs(dag_id: str) -> list[Any]:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.types import DagRunType

    with create_session() as session:
        runs = (
            session.query(DagRun)
            .filter(DagRun.dag_id == dag_id, DagRun.run_type == DagRunType.ASSET_TRIGGERED)
            .order_by(DagRun.id)
            .all()
        )
        session.expunge_all()
        return runs


def run_queued(dag: Any, run_id: str) -> tuple[Any, dict[str, Any]]:
    """Execute one queued run of ``dag`` to the end, as ``dag.test()`` executes its own run;
    returns the DagRun and {task_id: task instance}."""
    from airflow import settings
    from airflow.models.dagrun import DagRun
    from airflow.sdk.definitions.dag import _run_task
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.state import DagRunState, TaskInstanceState

    scheduler_dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    session = settings.Session()
    dr = session.query(DagRun).filter(DagRun.dag_id == dag.dag_id, DagRun.run_id == run_id).one()
    dr.dag = scheduler_dag
    dr.state = DagRunState.RUNNING
    session.commit()
    for _ in range(100):  # bounded: a consumer DAG has a handful of tasks
        if dr.state != DagRunState.RUNNING:
            break
        session.expire_all()
        schedulable, _ = dr.update_state(session=session)
        for ti in schedulable:
            ti.try_number += 1
            ti.state = TaskInstanceState.SCHEDULED
        session.commit()
        for ti in [t for t in dr.get_task_instances(session=session) if t.state == TaskInstanceState.SCHEDULED]:
            _run_task(ti=ti, task=dag.task_dict[ti.task_id])
    session.expire_all()
    tis = {ti.task_id: ti for ti in dr.get_task_instances(session=session)}
    session.close()
    return dr, tis
