"""The SQL engine: every scalar metric of a suite in ONE aggregate SELECT, pushed down.

Works on any SQLAlchemy database; tested on SQLite and PostgreSQL. The dataset is a table
(optionally in a schema) or a query, narrowed by an optional ``where`` filter (raw SQL,
e.g. a partition).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa

from airflow_dq.engines.sql import isolation, known_groups
from airflow_dq.engines.sql.compiler import (
    Aggregation,
    aggregation,
    col,
    raw_sql,
    violation,
    window_columns,
)
from airflow_dq.engines.sql.dialects import Dialect, dialect_of
from airflow_dq.engines.sql.elsewhere import compute_elsewhere
from airflow_dq.engines.sql.grouped import compute_grouped
from airflow_dq.engines.sql.histograms import compute_sql_profiles
from airflow_dq.engines.sql.limits import select_list_limit
from airflow_dq.engines.sql.session import Limits, StatementLog, StatementTimeout, guard
from airflow_dq.engines.sql.split import split_select_list
from airflow_dq.engines.sql.types import type_family
from airflow_dq.metrics import CustomScalar, DuplicateCount, Maximum, Metric, Minimum, WrongShape
from airflow_dq.metrics.elsewhere import Elsewhere
from airflow_dq.metrics.grouped import Grouped
from airflow_dq.metrics.profiles import ProfileMetric
from airflow_dq.metrics.samples import DuplicateKeys, FailureSample
from airflow_dq.sql_fragments import fragment_problem


class SqlEngine:
    """Measure metrics on a table or query through a SQLAlchemy engine.

    >>> engine = SqlEngine(sa.create_engine("sqlite:///warehouse.db"), table="events",
    ...                    where="event_date = '2026-11-26'")
    """

    def __init__(
        self,
        bind: sa.Engine,
        *,
        table: str | None = None,
        schema: str | None = None,
        query: str | None = None,
        where: str | None = None,
        limits: Limits | None = None,
        dialect: Dialect | None = None,
    ) -> None:
        if (table is None) == (query is None):
            raise ValueError("SqlEngine: give exactly one of 'table' or 'query'")
        self.table, self.schema, self.query = table, schema, query
        for argument, fragment in (("query", query), ("where", where)):
            problem = None if fragment is None else fragment_problem(fragment)
            if problem:  # an empty filter would silently check the whole table
                raise ValueError(f"SqlEngine: '{argument}' {problem}")
        self.where = where.strip() if where else None
        self.statements: Counter[str] = StatementLog()
        # Every statement through this engine is read-only and time-bounded (session.py).
        self.bind = guard(bind, limits, statements=self.statements)
        # The family comes from the SQLAlchemy dialect name; ``dialect=`` overrides it for a
        # database that speaks another's wire protocol with fewer features.
        self._dialect = dialect or dialect_of(self.bind)
        self._column_types: dict[str, str] | None = None
        self._sql_types: dict[str, sa.types.TypeEngine[Any]] = {}  # reflected, tables only
        self._select_list_limit: int | None = None

    # -- the dataset -----------------------------------------------------------------
    @property
    def dialect(self) -> Dialect:
        """The database family (dialects.py): what SQL spells differently there."""
        return self._dialect

    def describe(self) -> str:
        if self.table is not None:
            what = f"table {self.schema + '.' if self.schema else ''}{self.table}"
        else:
            what = "query"
        return f"{what} where {self.where}" if self.where else what

    def _source(self) -> sa.FromClause | sa.TextClause:
        if self.table is not None:
            return sa.table(self.table, schema=self.schema)
        return raw_sql(f"({self.query}) AS dq_source")

    def _filtered(self, stmt: sa.Select[Any]) -> sa.Select[Any]:
        return stmt.where(raw_sql(self.where)) if self.where else stmt

    def _execute(self, kind: str, stmt: sa.Executable) -> list[sa.Row[Any]]:
        self.statements[kind] += 1
        with self.bind.connect() as conn:
            return list(conn.execute(stmt))

    # -- Engine protocol -------------------------------------------------------------
    def column_types(self) -> dict[str, str]:
        if self._column_types is None:
            self._column_types = self._reflect()
        return self._column_types

    def _reflect(self) -> dict[str, str]:
        self.statements["schema"] += 1
        if self.table is not None:
            with self.bind.connect() as conn:
                columns = self.dialect.columns(conn, self.table, self.schema)
            if not columns:
                raise sa.exc.NoSuchTableError(self.describe())
            self._sql_types = columns
            return {name: type_family(sql_type) for name, sql_type in columns.items()}
        # A query has no catalog entry: its column names come from an empty result, and
        # its types are not known ("other"), so the schema check compares names only.
        with self.bind.connect() as conn:
            names = conn.execute(sa.select(sa.literal_column("*")).select_from(self._source()).limit(0)).keys()
        return dict.fromkeys(names, "other")

    def reflected_type(self, column: str) -> sa.types.TypeEngine[Any] | None:
        """The column's reflected SQL type (tables only; None for a query's columns)."""
        self.column_types()
        return self._sql_types.get(column)

    def missing(self, metric: Metric) -> str | None:
        """What the dialect lacks to compute ``metric`` (asked before the scan)."""
        return self.dialect.missing(metric)

    def compute(self, metrics: Collection[Metric]) -> dict[Metric, Any]:
        grouped = [m for m in metrics if isinstance(m, Grouped)]
        # Known segments and time buckets join the scalar scan; the rest need a GROUP BY.
        in_scan, by_group_by = known_groups.plan(self, grouped) if grouped else ({}, [])
        scalar = [m for m in metrics if not isinstance(m, CustomScalar | Grouped | ProfileMetric | Elsewhere)]
        values = self._isolated_scan(scalar, in_scan) if scalar or in_scan else {}
        elsewhere = [m for m in metrics if isinstance(m, Elsewhere)]
        if elsewhere:  # reconciliation: one SELECT per source table/query (see elsewhere.py)
            values.update(compute_elsewhere(self.bind, elsewhere, self.statements))
        profiled = [m for m in metrics if isinstance(m, ProfileMetric)]
        if profiled:  # histograms on a reference's bin edges, row samples: see histograms.py
            values.update(compute_sql_profiles(self, profiled))
        if by_group_by:  # one GROUP BY per grouping, shared by every check on it
            values.update(compute_grouped(self, by_group_by))
        for metric in metrics:
            if isinstance(metric, CustomScalar):
                try:
                    rows = self._execute("custom", raw_sql(metric.sql))
                except StatementTimeout:
                    raise
                except isolation.REFUSED as err:  # the user's query: this check's error only
                    self._still_answers()
                    values[metric] = isolation.refused_by_database(err)
                    continue
                values[metric] = WrongShape.check(rows)  # one row, one column, or the check errors
        return values

    def _isolated_scan(self, metrics: list[Metric], known: Mapping[Metric, Aggregation]) -> dict[Metric, Any]:
        """The one scan; a user SQL fragment the database refuses fails only its check
        (see isolation.py). Known groups carry no user SQL: they stay in every rerun."""
        return isolation.scan_isolating(
            lambda some: self._scan(some, known), self._scan, metrics, self._still_answers, self.statements
        )

    def _still_answers(self) -> None:
        """Raise when the database no longer answers a trivial SELECT (retryable)."""
        self._execute("isolation", sa.select(sa.literal(1)))

    def _scan(self, metrics: list[Metric], known: Mapping[Metric, Aggregation] | None = None) -> dict[Metric, Any]:
        owners, aggregations, statements = self._plan_scan(metrics, known)
        if len(statements) > 1:  # each extra statement reads the table once more: said in the log
            self.statements["extra_scans"] += len(statements) - 1
        row: dict[str, Any] = {}
        for statement in statements:
            (result,) = self._execute("data", statement)
            row.update(result._mapping)
        values: dict[Metric, Any] = {}
        for i, (metric, agg) in enumerate(zip(owners, aggregations, strict=True)):
            values[metric] = agg.read([row[f"m{i}_{j}"] for j in range(len(agg.expressions))])
            if isinstance(metric, Minimum | Maximum) and isinstance(values[metric], str):
                values[metric] = self._as_column_type(metric.column, values[metric])
        return values

    def scan_statements(self, metrics: Collection[Metric]) -> list[sa.Select[Any]]:
        """The scan's SELECT(s) for ``metrics``, unexecuted (to compile them for a dialect)."""
        grouped = [m for m in metrics if isinstance(m, Grouped)]
        in_scan, _ = known_groups.plan(self, grouped) if grouped else ({}, [])
        scalar = [m for m in metrics if not isinstance(m, CustomScalar | Grouped | ProfileMetric | Elsewhere)]
        return self._plan_scan(scalar, in_scan)[2]

    def _plan_scan(
        self, metrics: list[Metric], known: Mapping[Metric, Aggregation] | None
    ) -> tuple[list[Metric], list[Aggregation], list[sa.Select[Any]]]:
        windows = window_columns(metrics)
        labels = {key: f"dq_dup_{i}" for i, key in enumerate(windows)}
        aggregations = [
            aggregation(
                m, self.dialect, labels.__getitem__, self._any_value, number=self._as_number, dataset=self._subselect
            )
            for m in metrics
        ]
        owners = [*metrics, *(known or {})]
        aggregations += list((known or {}).values())
        # Every expression, labelled; a multi-column duplicate count also needs its window.
        expressions: list[tuple[sa.ColumnElement[Any], str | None]] = []
        for i, (metric, agg) in enumerate(zip(owners, aggregations, strict=True)):
            window = labels.get(metric.columns) if isinstance(metric, DuplicateCount) else None
            expressions += [(expr.label(f"m{i}_{j}"), window) for j, expr in enumerate(agg.expressions)]
        chunks = split_select_list(expressions, self.select_list_limit())
        return owners, aggregations, [self._scan_statement(chunk, windows, labels) for chunk in chunks]

    def _scan_statement(
        self,
        chunk: list[tuple[sa.ColumnElement[Any], str | None]],
        windows: list[tuple[str, ...]],
        labels: dict[tuple[str, ...], str],
    ) -> sa.Select[Any]:
        expressions = [expr for expr, _ in chunk]
        needed = {window for _, window in chunk if window}
        windows = [key for key in windows if labels[key] in needed]
        if not windows:
            return self._filtered(sa.select(*expressions).select_from(self._source()))
        # Multi-column duplicates need row_number() per key, so the scan reads from a
        # sub-select that adds those window columns to every row (still one statement).
        numbered = sa.select(
            sa.literal_column("*"),
            *(sa.func.row_number().over(partition_by=[col(c) for c in key]).label(labels[key]) for key in windows),
        ).select_from(self._source())
        return sa.select(*expressions).select_from(self._filtered(numbered).subquery("dq_scan"))

    def select_list_limit(self) -> int:
        if self._select_list_limit is None:
            self._select_list_limit = select_list_limit(self.bind)
        return self._select_list_limit

    def _as_column_type(self, column: str, value: Any) -> Any:
        # Untyped SELECTs (MIN/MAX, SELECT * for samples) return SQLite's storage values: text
        # for DATE/DATETIME, 0/1 for BOOLEAN (MySQL: 0/1 for BOOLEAN). Read them with the column's own type, so values
        # are dates, datetimes and booleans as on PostgreSQL.
        sql_type = self._sql_types.get(column)
        if value is None or sql_type is None or not self.dialect.untyped_results:
            return value  # other drivers already return typed values
        dialect = self.bind.dialect
        process = sql_type.dialect_impl(dialect).result_processor(dialect, None)
        try:
            return process(value) if process else value
        except (ValueError, TypeError):  # not in the dialect's storage format: keep it as is
            return value

    def _as_number(self, column: str) -> sa.ColumnElement[Any]:
        """The column as a number: booleans average and sum as 0/1 (PostgreSQL has no
        AVG(boolean); SQLite stores 0/1 already, the cast costs nothing there)."""
        if self.column_types().get(column) == "boolean":
            return sa.cast(col(column), sa.Integer)
        return col(column)

    def _subselect(self, *columns: Any) -> sa.Select[Any]:
        """A SELECT of the filtered dataset, for sub-selects inside the one scan."""
        return self._filtered(sa.select(*columns).select_from(self._source()))

    def _any_value(self, column: str) -> sa.ColumnElement[Any]:
        """One non-NULL value of ``column`` (from the first rows read): a shift that keeps
        SQLite's sums of squares precise. Any value works; a typical one works best."""
        c = col(column)
        pick = sa.select(c).select_from(self._source()).where(c.is_not(None)).limit(1)
        return pick.correlate(None).scalar_subquery()

    def sample(self, spec: FailureSample, limit: int) -> list[dict[str, Any]]:
        rows = self._execute("samples", self.sample_statement(spec, limit))
        return [{k: self._as_column_type(k, v) for k, v in row._mapping.items()} for row in rows]

    def sample_statement(self, spec: FailureSample, limit: int) -> sa.Select[Any]:
        """The SELECT of up to ``limit`` rows that show why a check failed."""
        if isinstance(spec, DuplicateKeys):
            keys = [col(c) for c in spec.columns]
            count = sa.func.count()
            stmt = (
                self._filtered(sa.select(*keys, count.label("dq_count")).select_from(self._source()))
                .where(*(k.is_not(None) for k in keys))
                .group_by(*keys)
                .having(count > 1)
                .order_by(count.desc(), *keys)
                .limit(limit)
            )
        else:
            stmt = (
                self._filtered(sa.select(sa.literal_column("*")).select_from(self._source()))
                .where(violation(spec, self.dialect))
                .limit(limit)
            )
        return stmt
