"""Read and write the per-partition states of incremental datasets.

States belong to a dataset (not to a task): two DAGs checking the same table share them.
Each row remembers the task instance that measured it, and that task instance never reads
its own rows: clearing or retrying a task rescans the partitions it measured (the usual
fix after reloading a bad partition).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from airflow_dq.results import to_jsonable
from airflow_dq.store.schema import PARTITION_STATES

if TYPE_CHECKING:
    from airflow_dq.store.store import MetricStore, RunKey


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class LoadedStates:
    """Stored states by metric and partition, and the partitions the reading task measured
    itself (skipped, so they are scanned again)."""

    states: dict[str, dict[str, Any]]
    own_partitions: set[str]


class PartitionStates:
    """The store's partition states as seen by one task instance (``owner``; None outside Airflow)."""

    def __init__(self, store: MetricStore, owner: RunKey | None = None) -> None:
        self.store, self.owner = store, owner

    def load(self, dataset: str, metrics: Collection[str]) -> LoadedStates:
        t = PARTITION_STATES.c
        keys = {digest(m): m for m in metrics}
        stmt = sa.select(t.metric_key, t.partition_key, t.state, t.dag_id, t.task_id, t.run_id, t.map_index).where(
            t.dataset_key == digest(dataset), t.metric_key.in_(list(keys))
        )
        states: dict[str, dict[str, Any]] = defaultdict(dict)
        own: set[str] = set()
        with self.store.engine.connect() as conn:
            for metric_key, partition, state, *who in conn.execute(stmt):
                if self.owner is not None and tuple(who) == (
                    self.owner.dag_id,
                    self.owner.task_id,
                    self.owner.run_id,
                    self.owner.map_index,
                ):
                    own.add(partition)
                else:
                    states[keys[metric_key]][partition] = json.loads(state)
        return LoadedStates({m: dict(states.get(m, {})) for m in metrics}, own)

    def save(
        self,
        dataset: str,
        states: Mapping[str, Mapping[str, Any]],
        *,
        forget: Mapping[str, list[str]] | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """Write the states measured now, replacing any stored row of the same metric and
        partition; ``forget`` names partitions (per metric) that no longer have rows."""
        t = PARTITION_STATES.c
        now = now or dt.datetime.now(dt.UTC)
        owner = self.owner
        who = {
            "dag_id": owner.dag_id if owner else "-",
            "task_id": owner.task_id if owner else "-",
            "run_id": owner.run_id if owner else "-",
            "map_index": owner.map_index if owner else -1,
        }
        rows = [
            {
                "dataset_key": digest(dataset),
                "dataset": dataset,
                "metric_key": digest(metric),
                "metric": metric,
                "partition_key": partition,
                "state": json.dumps(to_jsonable(state)),
                "recorded_at": now,
                **who,
            }
            for metric, by_partition in states.items()
            for partition, state in by_partition.items()
        ]
        with self.store._write() as conn, conn.begin():
            replaced = {m: set(p) for m, p in states.items()}
            for metric, partitions in (forget or {}).items():
                replaced.setdefault(metric, set()).update(partitions)
            for metric, wanted in replaced.items():
                partitions = sorted(wanted)
                for start in range(0, len(partitions), 500):  # bounded IN lists
                    conn.execute(
                        PARTITION_STATES.delete().where(
                            t.dataset_key == digest(dataset),
                            t.metric_key == digest(metric),
                            t.partition_key.in_(partitions[start : start + 500]),
                        )
                    )
            if rows:
                conn.execute(PARTITION_STATES.insert(), rows)
        return len(rows)
