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
    compiles,
    raw_sql,
    violation,
    window_columns,
)
from airflow_dq.engines.sql.dataset import SqlDataset
from airflow_dq.engines.sql.dialects import Dialect
from airflow_dq.engines.sql.elsewhere import compute_elsewhere
from airflow_dq.engines.sql.grouped import compute_grouped
from airflow_dq.engines.sql.histograms import compute_sql_profiles
from airflow_dq.engines.sql.limits import select_list_limit
from airflow_dq.engines.sql.session import Limits, StatementLog, StatementTimeout, guard
from airflow_dq.engines.sql.split import split_select_list
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
        for argument, fragment in (("query", query), ("where", where)):
            problem = None if fragment is None else fragment_problem(fragment, standalone=argument == "query")
            if problem:  # an empty filter would silently check the whole table
                raise ValueError(f"SqlEngine: '{argument}' {problem}")
        if query is not None:  # the query becomes a sub-select: its own final ';' must go
            query = query.rstrip().removesuffix(";")
        self.statements: Counter[str] = StatementLog()
        # Every statement through this engine is read-only and time-bounded (session.py).
        self.bind = guard(bind, limits, statements=self.statements)
        # The family comes from the SQLAlchemy dialect name; ``dialect=`` overrides it for a
        # database that speaks another's wire protocol with fewer features.
        self.dataset = SqlDataset(
            self.bind, table=table, schema=schema, query=query, where=where, statements=self.statements, dialect=dialect
        )
        self._select_list_limit: int | None = None

    # -- the dataset (dataset.py) ----------------------------------------------------------
    @property
    def dialect(self) -> Dialect:
        """The database family (dialects.py): what SQL spells differently there."""
        return self.dataset.dialect

    table = property(lambda self: self.dataset.table)
    schema = property(lambda self: self.dataset.schema)
    query = property(lambda self: self.dataset.query)
    where = property(lambda self: self.dataset.where)

    def describe(self) -> str:
        return self.dataset.describe()

    # -- Engine protocol -------------------------------------------------------------
    def column_types(self) -> dict[str, str]:
        return self.dataset.column_types()

    def reflected_type(self, column: str) -> sa.types.TypeEngine[Any] | None:
        """The column's reflected SQL type (tables only; None for a query's columns)."""
        return self.dataset.reflected_type(column)

    def missing(self, metric: Metric) -> str | None:
        """What this engine or its dialect lacks to compute ``metric`` (asked before the
        scan): a metric type the compiler's registry does not know, or a dialect gap."""
        if not isinstance(metric, CustomScalar | ProfileMetric | Elsewhere):
            inner = metric.metric if isinstance(metric, Grouped) else metric
            if not compiles(inner):
                return f"the SQL engine has no compiler for {type(inner).__name__} ({inner.label})"
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
                    rows = self.dataset.execute("custom", raw_sql(metric.sql))
                except StatementTimeout:
                    raise
                except isolation.REFUSED as err:  # the user's query: this check's error only
                    self.still_answers()
                    values[metric] = isolation.refused_by_database(err)
                    continue
                values[metric] = WrongShape.check(rows)  # one row, one column, or the check errors
        return values

    def _isolated_scan(self, metrics: list[Metric], known: Mapping[Metric, Aggregation]) -> dict[Metric, Any]:
        """The one scan; a user SQL fragment the database refuses fails only its check
        (see isolation.py). Known groups carry no user SQL: they stay in every rerun."""
        return isolation.scan_isolating(
            lambda some: self._scan(some, known), self._scan, metrics, self.still_answers, self.statements
        )

    def still_answers(self) -> None:
        """Raise when the database no longer answers a trivial SELECT (retryable)."""
        self.dataset.execute("isolation", sa.select(sa.literal(1)))

    def _scan(self, metrics: list[Metric], known: Mapping[Metric, Aggregation] | None = None) -> dict[Metric, Any]:
        owners, aggregations, statements = self._plan_scan(metrics, known)
        if len(statements) > 1:  # each extra statement reads the table once more: said in the log
            self.statements["extra_scans"] += len(statements) - 1
        row: dict[str, Any] = {}
        for statement in statements:
            (result,) = self.dataset.execute("data", statement)
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
            return self.dataset.filtered(sa.select(*expressions).select_from(self.dataset.source()))
        # Multi-column duplicates need row_number() per key, so the scan reads from a
        # sub-select that adds those window columns to every row (still one statement).
        # Which row of a key gets 1 does not matter, but Spark/Databricks, SQL Server and
        # Snowflake refuse row_number() without ORDER BY: order by the key itself.
        numbered = sa.select(
            sa.literal_column("*"),
            *(
                sa.func.row_number()
                .over(partition_by=[col(c) for c in key], order_by=[col(c) for c in key])
                .label(labels[key])
                for key in windows
            ),
        ).select_from(self.dataset.source())
        return sa.select(*expressions).select_from(self.dataset.filtered(numbered).subquery("dq_scan"))

    def select_list_limit(self) -> int:
        if self._select_list_limit is None:
            self._select_list_limit = select_list_limit(self.bind)
        return self._select_list_limit

    def _as_column_type(self, column: str, value: Any) -> Any:
        # Untyped SELECTs (MIN/MAX, SELECT * for samples) return SQLite's storage values: text
        # for DATE/DATETIME, 0/1 for BOOLEAN (MySQL: 0/1 for BOOLEAN). Read them with the column's own type, so values
        # are dates, datetimes and booleans as on PostgreSQL.
        sql_type = self.dataset.reflected_type(column)
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
        return self.dataset.filtered(sa.select(*columns).select_from(self.dataset.source()))

    def _any_value(self, column: str) -> sa.ColumnElement[Any]:
        """One non-NULL value of ``column`` (from the first rows read): a shift that keeps
        SQLite's sums of squares precise. Any value works; a typical one works best."""
        c = col(column)
        pick = sa.select(c).select_from(self.dataset.source()).where(c.is_not(None)).limit(1)
        return pick.correlate(None).scalar_subquery()

    def sample(self, spec: FailureSample, limit: int) -> list[dict[str, Any]]:
        rows = self.dataset.execute("samples", self.sample_statement(spec, limit))
        return [{k: self._as_column_type(k, v) for k, v in row._mapping.items()} for row in rows]

    def sample_statement(self, spec: FailureSample, limit: int) -> sa.Select[Any]:
        """The SELECT of up to ``limit`` rows that show why a check failed."""
        if isinstance(spec, DuplicateKeys):
            keys = [col(c) for c in spec.columns]
            count = sa.func.count()
            stmt = (
                self.dataset.filtered(sa.select(*keys, count.label("dq_count")).select_from(self.dataset.source()))
                .where(*(k.is_not(None) for k in keys))
                .group_by(*keys)
                .having(count > 1)
                .order_by(count.desc(), *keys)
                .limit(limit)
            )
        else:
            stmt = (
                self.dataset.filtered(sa.select(sa.literal_column("*")).select_from(self.dataset.source()))
                .where(violation(spec, self.dialect))
                .limit(limit)
            )
        return stmt
