"""Versioned schema migrations, applied automatically when a store is opened.

Each migration runs once, in order, inside one transaction that holds the database's write
lock (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock), so parallel tasks opening a
fresh store at the same moment neither race nor apply a step twice. The applied versions
are rows of ``dq_schema_version``. To change the schema, append a migration; never edit
one that has shipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from airflow_dq.store.schema import METRICS, PARTITION_STATES, PROFILES, RESULTS, VERSIONS

# Any constant: the PostgreSQL advisory lock that serialises migrations of this schema.
_PG_LOCK_KEY = 0x44510001


# The store's backends are deliberately not the SQL engine's ``Dialect`` families
# (engines/sql/dialects.py). Those describe how to *read* a warehouse of any family in one
# safe scan; the store *writes* its own tables, on exactly the two backends it is tested on
# (a SQLite file, PostgreSQL), and what differs between them is locking, not SQL: a SQLite
# writer holds the whole file's write lock from ``BEGIN IMMEDIATE`` (store.sqlite_engine),
# PostgreSQL needs an advisory lock. Giving every warehouse family store duties would make
# each new family promise a history store nobody tested. So the one backend difference here
# is one table keyed by the SQLAlchemy dialect name: a new store backend is one entry.
def _pg_advisory_lock(conn: sa.Connection) -> None:
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))


MIGRATION_LOCKS: dict[str, Callable[[sa.Connection], None]] = {
    "postgresql": _pg_advisory_lock,
    # "sqlite": none needed, the transaction began with BEGIN IMMEDIATE (dq_write below).
}


def _create_tables(conn: sa.Connection) -> None:
    # Version 1 is the tables as schema.py defines them, without indexes. A later migration
    # that alters a table must first freeze this shape here (copy the Table definitions).
    frozen = sa.MetaData()
    for table in (RESULTS, METRICS):
        table.to_metadata(frozen).create(conn)


def _add_lookup_indexes(conn: sa.Connection) -> None:
    # History reads (one check's metric over past runs) and retention deletes (by age).
    copy = sa.MetaData()
    results, metrics = RESULTS.to_metadata(copy), METRICS.to_metadata(copy)
    sa.Index(
        "ix_dq_metric_values_history",
        metrics.c.dag_id,
        metrics.c.task_id,
        metrics.c.check_name,
        metrics.c.metric,
        metrics.c.logical_date,
    ).create(conn)
    sa.Index("ix_dq_metric_values_recorded_at", metrics.c.recorded_at).create(conn)
    sa.Index("ix_dq_check_results_recorded_at", results.c.recorded_at).create(conn)


def _add_profiles(conn: sa.Connection) -> None:
    # Column profiles of drift checks, the reference of later runs pinned to this one. A
    # later migration that alters the table must first freeze this shape here.
    frozen = sa.MetaData()
    profiles = PROFILES.to_metadata(frozen)
    profiles.create(conn)
    sa.Index(
        "ix_dq_profiles_pin",
        profiles.c.dag_id,
        profiles.c.task_id,
        profiles.c.check_name,
        profiles.c.logical_date,
    ).create(conn)
    sa.Index("ix_dq_profiles_recorded_at", profiles.c.recorded_at).create(conn)


def _add_partition_states(conn: sa.Connection) -> None:
    # Per-partition mergeable states of incremental datasets. A later migration that alters
    # the table must first freeze this shape here.
    frozen = sa.MetaData()
    states = PARTITION_STATES.to_metadata(frozen)
    states.create(conn)
    sa.Index("ix_dq_partition_states_owner", states.c.dataset_key, states.c.dag_id, states.c.run_id).create(conn)


def _add_window_index(conn: sa.Connection) -> None:
    # Anomaly checks read only the newest runs of one check of one task instance (map
    # index) before a date: an index in that order lets the read walk back over just those
    # runs, so it costs the same with 100 or 10,000 runs of history.
    metrics = METRICS.to_metadata(sa.MetaData())
    sa.Index(
        "ix_dq_metric_values_window",
        metrics.c.dag_id,
        metrics.c.task_id,
        metrics.c.map_index,
        metrics.c.check_name,
        metrics.c.logical_date,
    ).create(conn)


MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "check results and metric values", _create_tables),
    (2, "indexes for history reads and retention", _add_lookup_indexes),
    (3, "column profiles of drift checks", _add_profiles),
    (4, "index for bounded history-window reads of anomaly checks", _add_window_index),
    (5, "per-partition states of incremental datasets", _add_partition_states),
]
LATEST = MIGRATIONS[-1][0]


def current_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table(VERSIONS.name):
        return 0
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(VERSIONS.c.version), 0))).scalar_one()


def migrate(engine: sa.Engine, *, target: int = LATEST) -> list[int]:
    """Apply every migration newer than the database's version (up to ``target``).

    Returns the versions applied (empty when the schema was already current).
    """
    applied = []
    with engine.connect() as conn:
        conn.execution_options(dq_write=True)  # SQLite: BEGIN IMMEDIATE (see store.connect)
        with conn.begin():
            lock = MIGRATION_LOCKS.get(conn.dialect.name)
            if lock is not None:
                lock(conn)
            VERSIONS.create(conn, checkfirst=True)
            version = current_version(conn)
            for number, description, step in MIGRATIONS:
                if version < number <= target:
                    step(conn)
                    conn.execute(
                        VERSIONS.insert().values(
                            version=number, description=description, applied_at=dt.datetime.now(dt.UTC)
                        )
                    )
                    applied.append(number)
    return applied
