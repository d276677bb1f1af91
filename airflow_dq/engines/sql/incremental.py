"""Incremental metrics on an append-only table partitioned by a column (a date, usually).

Whole-table checks on a large table that only grows need not reread its history. For every
metric that merges exactly (``airflow_dq.metrics.states``: counts, min/max, mean and
standard deviation) the engine keeps one state per partition in the history store, scans
only the partitions it has no state for (one ``GROUP BY partition`` over
``partition > newest stored``), and judges the whole table from the merged states. A
30-partition table then costs one partition's scan a day.

Assumptions, stated where a user reads them (README, docs/incremental.md):

- append-only: a partition that has been measured does not change; partitions arrive in
  order (a backfilled older partition is not seen). ``rescan_partitions=n`` rereads the
  ``n`` newest stored partitions too (late rows); clearing the task that measured a
  partition rescans it.
- rows whose partition value is NULL are read every time and never stored.
- listed segments are counted per partition and summed (time buckets are not kept: their
  window moves with every run).
- metrics that cannot merge exactly (``unique``, exact distinct counts, ``references``,
  discovered segments, drift, ``custom_sql``) are measured by the usual full scan, in the
  same run; ``ApproxDistinctCount`` merges HyperLogLog sketches (one more GROUP BY of the
  new partitions per column).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any, Protocol

import sqlalchemy as sa

from airflow_dq.engines.sql import known_groups
from airflow_dq.engines.sql.compiler import Aggregation, aggregation, col, count_where
from airflow_dq.engines.sql.dialects import Dialect
from airflow_dq.engines.sql.engine import SqlEngine
from airflow_dq.engines.sql.session import Limits
from airflow_dq.engines.sql.split import split_select_list
from airflow_dq.metrics import Grouped, Maximum, Mean, Metric, Minimum, StdDev
from airflow_dq.metrics.sketches import ApproxDistinctCount
from airflow_dq.metrics.states import GROUPS, MOMENTS, SKETCH, empty, finish, merge, moments, state_key, state_kind

PARTITION_FAMILIES = ("date", "timestamp", "integer", "string")


class StateStore(Protocol):
    """Where partition states live (``airflow_dq.store.partition_states.PartitionStates``)."""

    def load(self, dataset: str, metrics: Collection[str]) -> Any: ...

    def save(
        self, dataset: str, states: Mapping[str, Mapping[str, Any]], *, forget: Mapping[str, list[str]] = ...
    ) -> int: ...


def _moments_aggregation(metric: Mean | StdDev, dialect: Dialect) -> Aggregation:
    c = col(metric.column)
    variance = dialect.sample_variance(c)
    if variance is not None:
        n = sa.func.count(c)
        m2 = sa.func.coalesce(variance * (n - 1), 0)

        def read(values: list[Any]) -> list[float]:
            count, mean, squares = values
            return [int(count or 0), float(mean or 0.0), float(squares or 0.0)]

        return Aggregation([n, sa.func.avg(c), m2], read)
    real = sa.cast(c, sa.Float)  # no variance: count, sum and sum of squares
    return Aggregation([sa.func.count(c), sa.func.sum(real), sa.func.sum(real * real)], lambda v: moments(*v))


class IncrementalSqlEngine(SqlEngine):
    """A ``SqlEngine`` on a partitioned, append-only table whose mergeable metrics come from
    per-partition states (see the module docstring).

    >>> engine = IncrementalSqlEngine(bind, table="events", partition_column="event_date",
    ...                               states=PartitionStates(MetricStore.open(url)))
    """

    def __init__(
        self,
        bind: sa.Engine,
        *,
        table: str,
        partition_column: str,
        states: StateStore,
        schema: str | None = None,
        where: str | None = None,
        rescan_partitions: int = 0,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(bind, table=table, schema=schema, where=where, limits=limits)
        if isinstance(rescan_partitions, bool) or not isinstance(rescan_partitions, int) or rescan_partitions < 0:
            raise ValueError(f"rescan_partitions must be a whole number >= 0, got {rescan_partitions!r}")
        self.partition_column = partition_column
        self.states = states
        self.rescan_partitions = rescan_partitions

    def dataset_key(self) -> str:
        """What the stored states belong to: database, table, filter and partition column."""
        url = self.bind.url.render_as_string(hide_password=True)
        return f"{url} | {self.describe()} | partitioned by {self.partition_column}"

    def describe(self) -> str:
        return f"{super().describe()} (incremental by {self.partition_column})"

    # -- partition values --------------------------------------------------------------
    def _family(self) -> str:
        family = self.column_types().get(self.partition_column)
        if family is None:
            raise ValueError(
                f"incremental dataset {super().describe()}: partition column {self.partition_column!r} does not exist"
            )
        if family not in PARTITION_FAMILIES:
            raise ValueError(
                f"incremental dataset {super().describe()}: partition column {self.partition_column!r} is {family}; "
                f"it must be one of {PARTITION_FAMILIES}"
            )
        return family

    def _typed(self, text: str, family: str) -> Any:
        if family == "date":
            return dt.date.fromisoformat(text)
        if family == "timestamp":
            return dt.datetime.fromisoformat(text)
        if family == "integer":
            return int(text)
        return text

    def _text(self, value: Any) -> str:
        value = self._as_column_type(self.partition_column, value)
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def _typed_value(self, metric: Metric, value: Any) -> Any:
        """A stored min/max back in the column's type (JSON keeps dates as text)."""
        if isinstance(value, str) and isinstance(metric, Minimum | Maximum):
            family = self.column_types().get(metric.column)
            if family in ("date", "timestamp"):
                return self._typed(value, family)
        return value

    # -- Engine protocol ---------------------------------------------------------------
    def compute(self, metrics: Collection[Metric]) -> dict[Metric, Any]:
        mergeable = [m for m in metrics if state_kind(m) is not None and self._can_state(m)]
        rest = [m for m in metrics if m not in set(mergeable)]
        values = super().compute(rest) if rest else {}  # the usual full scan, only if needed
        if mergeable:
            values.update(self._merged(mergeable))
        return values

    def _can_state(self, metric: Metric) -> bool:
        # Listed segments need conditions this database can evaluate (values of the column's
        # type, not more than the threshold): otherwise the usual GROUP BY.
        return not isinstance(metric, Grouped) or known_groups.conditions(self, metric) is not None

    def _merged(self, metrics: list[Metric]) -> dict[Metric, Any]:
        family = self._family()
        dataset = self.dataset_key()
        keys = {m: state_key(m) for m in metrics}
        loaded = self.states.load(dataset, list(keys.values()))
        stored: dict[str, dict[str, Any]] = loaded.states
        # Everything after the newest partition every metric has, plus the task's own
        # partitions and the newest ``rescan_partitions``: those are read again.
        newest = [
            max(by_partition, key=lambda p: self._typed(p, family), default=None) for by_partition in stored.values()
        ]
        watermark = None if not newest or None in newest else min(newest, key=lambda p: self._typed(p, family))
        known = sorted(
            {p for by_partition in stored.values() for p in by_partition}, key=lambda p: self._typed(p, family)
        )
        known = [p for p in known if watermark is not None and self._typed(p, family) <= self._typed(watermark, family)]
        redo = set(loaded.own_partitions)
        if self.rescan_partitions:
            redo |= set(known[-self.rescan_partitions :])
        # A partition some metric has no state for (a suite that gained a check) is read again.
        redo |= {p for p in known if any(p not in stored[keys[m]] for m in metrics)}
        scanned = self._scan_partitions(metrics, watermark, sorted(redo), family)

        values: dict[Metric, Any] = {}
        fresh: dict[str, dict[str, Any]] = {keys[m]: {} for m in metrics}
        for partition, states in scanned.items():
            for metric, state in states.items():
                if partition is not None:  # NULL partition rows are read each time, never kept
                    fresh[keys[metric]][partition] = state
        from_store = {p for p in known if p not in redo and p not in scanned}
        # For the log line: how much of the table was read, how much merged from the store.
        for kind, count in (
            ("partitions_read", sum(1 for p in scanned if p is not None)),
            ("partitions_from_store", len(from_store)),
        ):
            if count:
                self.statements[kind] += count
        for metric in metrics:
            kind = state_kind(metric)
            assert kind is not None
            state = empty(kind)
            for partition in from_store:
                state = merge(kind, state, self._typed_value(metric, stored[keys[metric]][partition]))
            for states in scanned.values():
                state = merge(kind, state, states[metric])
            values[metric] = finish(metric, state)
        # A reread partition that has no rows any more must not be merged from the store later.
        gone = sorted(p for p in redo if p not in scanned)
        self.states.save(dataset, {k: v for k, v in fresh.items() if v}, forget={k: gone for k in fresh})
        return values

    def _scan_partitions(
        self, metrics: list[Metric], watermark: str | None, redo: list[str], family: str
    ) -> dict[str | None, dict[Metric, Any]]:
        """One GROUP BY over the partitions to (re)read: each metric's state per partition
        (plus one per distinct-count sketch: its registers are groups of their own)."""
        partition = col(self.partition_column)
        wanted = [partition.is_(None)]
        if watermark is not None:
            wanted.append(partition > sa.literal(self._typed(watermark, family)))
        else:
            wanted.append(sa.true())
        if redo:
            wanted.append(partition.in_([self._typed(p, family) for p in redo]))
        sketched = [m for m in metrics if state_kind(m) == SKETCH]
        plain = [m for m in metrics if state_kind(m) != SKETCH]
        scanned: dict[str | None, dict[Metric, Any]] = {}
        if plain:
            for key, states in self._state_rows(plain, partition, sa.or_(*wanted)).items():
                scanned.setdefault(key, {}).update(states)
        for metric in sketched:
            for key, registers in self._sketch_rows(metric, partition, sa.or_(*wanted)).items():
                scanned.setdefault(key, {})[metric] = registers
        for states in scanned.values():  # a partition with no non-NULL value has no registers
            for metric in sketched:
                states.setdefault(metric, {})
        return scanned

    def _state_rows(self, metrics: list[Metric], partition: Any, wanted: Any) -> dict[str | None, dict[Metric, Any]]:
        aggregations = [self._state_aggregation(m) for m in metrics]
        expressions = [
            (e.label(f"m{i}_{j}"), None) for i, agg in enumerate(aggregations) for j, e in enumerate(agg.expressions)
        ]
        rows: dict[Any, dict[str, Any]] = {}
        for chunk in split_select_list(expressions, self.select_list_limit() - 1):
            stmt = self.dataset.filtered(
                sa.select(partition.label("dq_partition"), *(e for e, _ in chunk)).select_from(self.dataset.source())
            )
            stmt = stmt.where(wanted).group_by(partition)
            for row in self.dataset.execute("partition_scan", stmt):
                rows.setdefault(row._mapping["dq_partition"], {}).update(row._mapping)
        scanned: dict[str | None, dict[Metric, Any]] = {}
        for raw, mapping in rows.items():
            key = None if raw is None else self._text(raw)
            scanned[key] = {}
            for i, (metric, agg) in enumerate(zip(metrics, aggregations, strict=True)):
                value = agg.read([mapping[f"m{i}_{j}"] for j in range(len(agg.expressions))])
                if isinstance(metric, Minimum | Maximum) and isinstance(value, str):
                    value = self._as_column_type(metric.column, value)
                scanned[key][metric] = value
        return scanned

    def _state_aggregation(self, metric: Metric) -> Aggregation:
        kind = state_kind(metric)
        if kind == MOMENTS:
            return _moments_aggregation(metric, self.dialect)  # type: ignore[arg-type]
        if kind == GROUPS:  # one conditional count per known group, as in the full scan
            found = known_groups.conditions(self, metric)  # type: ignore[arg-type]
            assert found is not None
            counts = [count_where(condition, self.dialect) for _, condition in found]
            return Aggregation(counts, lambda values: [int(v or 0) for v in values])
        return aggregation(metric, self.dialect, str)

    def _sketch_rows(self, metric: ApproxDistinctCount, partition: Any, wanted: Any) -> dict[str | None, dict]:
        """HyperLogLog registers of one column per partition: ``GROUP BY partition, register``."""
        value = col(metric.column)
        in_database = self.dialect.sketch_cells(value)
        if in_database is None:
            raise TypeError(f"no distinct-count sketch for the {self.dialect.name!r} dialect")
        register, rank = in_database
        inner = self.dataset.filtered(
            sa.select(partition.label("p"), register.label("r"), rank.label("k")).select_from(self.dataset.source())
        ).where(wanted, value.is_not(None))
        cells = inner.subquery("dq_cells")
        stmt = sa.select(cells.c.p, cells.c.r, sa.func.max(cells.c.k)).group_by(cells.c.p, cells.c.r)
        self.statements["partition_scan"] += 1
        with self.bind.connect() as conn:
            self.dialect.prepare_sketches(conn.connection.dbapi_connection)
            rows = list(conn.execute(stmt))
        sketches: dict[str | None, dict[str, int]] = {}
        for raw_partition, register_index, top in rows:
            key = None if raw_partition is None else self._text(raw_partition)
            sketches.setdefault(key, {})[str(int(register_index))] = int(top)
        return sketches
