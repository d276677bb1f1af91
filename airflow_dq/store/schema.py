"""The history tables as they are after the newest migration (see ``migrations.py``).

One row per check result and one row per metric value of every recorded run, and one row
per column profile a drift check measured (the reference of later pinned runs). A task
instance (dag_id, task_id, run_id, map_index) owns its rows: recording it again (a retry,
a cleared task) replaces them, so the unique keys below never see duplicates.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

VERSIONS = sa.Table(
    "dq_schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


def _run_columns() -> list[sa.Column]:
    # Who measured it: the task instance, its try, and the run's logical date.
    return [
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("task_id", sa.String(250), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("map_index", sa.Integer, nullable=False),
        sa.Column("try_number", sa.Integer, nullable=False),
        sa.Column("logical_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("check_name", sa.String(250), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    ]


RESULTS = sa.Table(
    "dq_check_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_run_columns(),
    sa.Column("check_type", sa.String(100), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("expected", sa.Text, nullable=False),
    sa.Column("observed", sa.Text),  # JSON
    sa.Column("message", sa.Text, nullable=False),
    sa.UniqueConstraint("dag_id", "task_id", "run_id", "map_index", "check_name", name="uq_dq_check_results_run"),
)

METRICS = sa.Table(
    "dq_metric_values",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_run_columns(),
    sa.Column("metric", sa.String(500), nullable=False),
    sa.Column("value", sa.Float),  # numbers (and booleans) only; NULL otherwise
    sa.Column("value_json", sa.Text),  # the value as JSON, whatever its type
    sa.Column("status", sa.String(10), nullable=False),  # the status of the check that measured it
    sa.UniqueConstraint(
        "dag_id", "task_id", "run_id", "map_index", "check_name", "metric", name="uq_dq_metric_values_run"
    ),
)

PROFILES = sa.Table(
    "dq_profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_run_columns(),
    sa.Column("column_name", sa.String(250), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # numeric | categorical
    sa.Column("status", sa.String(10), nullable=False),  # the status of the check that measured it
    sa.Column("profile", sa.Text, nullable=False),  # JSON: edges/categories, counts, bounded sample
    sa.UniqueConstraint(
        "dag_id", "task_id", "run_id", "map_index", "check_name", "column_name", name="uq_dq_profiles_run"
    ),
)

PARTITION_STATES = sa.Table(
    # Mergeable per-partition states of incremental datasets (see airflow_dq.metrics.states).
    # Keyed by hashes: the dataset and metric texts can be longer than an index allows.
    "dq_partition_states",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset_key", sa.String(64), nullable=False),  # sha256 of dataset
    sa.Column("dataset", sa.Text, nullable=False),  # connection, table, filter, partition column
    sa.Column("metric_key", sa.String(64), nullable=False),  # sha256 of metric
    sa.Column("metric", sa.Text, nullable=False),  # versioned state kind + metric label
    sa.Column("partition_key", sa.String(250), nullable=False),  # the partition value as text
    sa.Column("state", sa.Text, nullable=False),  # JSON
    # The task instance that measured it: clearing that task rescans its partitions.
    sa.Column("dag_id", sa.String(250), nullable=False),
    sa.Column("task_id", sa.String(250), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("map_index", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("dataset_key", "metric_key", "partition_key", name="uq_dq_partition_states"),
)
