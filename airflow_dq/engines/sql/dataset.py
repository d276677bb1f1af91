"""``SqlDataset``: one table or query the SQL engine reads, in one place.

What the scalar scan, the GROUP BYs, the histograms, the failure samples and the
reconciliation sources all need of a dataset: its FROM (a table, optionally in a schema,
or a query as a sub-select), its raw SQL ``where`` filter, its catalog reflection (asked
once, cached), and the statement log every statement is counted in. Modules take a
``SqlDataset`` and use only its public methods.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from airflow_dq.engines.sql.dialects import Dialect, dialect_of
from airflow_dq.engines.sql.types import type_family
from airflow_dq.metrics.grouped import Reference


def raw_sql(fragment: str) -> sa.TextClause:
    """User SQL as written (see ``parameters.user_sql``: colons, bound placeholders)."""
    from airflow_dq.engines.sql.parameters import user_sql

    return user_sql(fragment)


class SqlDataset:
    """A table (``table``, ``schema``) or a ``query``, narrowed by ``where``, on ``bind``."""

    def __init__(
        self,
        bind: sa.Engine,
        *,
        table: str | None = None,
        schema: str | None = None,
        query: str | None = None,
        where: str | None = None,
        statements: Counter[str] | None = None,
        dialect: Dialect | None = None,
        alias: str = "dq_source",
        name: str | None = None,
        count_reflection: bool = True,
    ) -> None:
        if (table is None) == (query is None):
            raise ValueError("SqlDataset: give exactly one of 'table' or 'query'")
        self.bind = bind
        self.table, self.schema, self.query = table, schema, query
        self.where = where.strip() if where else None
        self.statements: Counter[str] = statements if statements is not None else Counter()
        self.dialect = dialect or dialect_of(bind)
        self._alias, self._name, self._count_reflection = alias, name, count_reflection
        self._families: dict[str, str] | None = None
        self._sql_types: dict[str, sa.types.TypeEngine[Any]] = {}

    @classmethod
    def of_reference(
        cls,
        bind: sa.Engine,
        reference: Reference,
        statements: Counter[str],
        *,
        alias: str = "dq_reference",
        count_reflection: bool = True,
    ) -> SqlDataset:
        """A reference table or query (segments, drift, reconciliation) as a dataset."""
        return cls(
            bind,
            table=reference.table,
            schema=reference.schema,
            query=reference.query,
            where=reference.where,
            statements=statements,
            alias=alias,
            name=str(reference),
            count_reflection=count_reflection,
        )

    def describe(self) -> str:
        if self._name is not None:
            return self._name
        if self.table is not None:
            what = f"table {self.schema + '.' if self.schema else ''}{self.table}"
        else:
            what = "query"
        return f"{what} where {self.where}" if self.where else what

    # -- statements ------------------------------------------------------------------
    def source(self) -> sa.FromClause | sa.TextClause:
        """The FROM: the table, or the query as a named sub-select."""
        if self.table is not None:
            return sa.table(self.table, schema=self.schema)
        return raw_sql(f"({self.query}) AS {self._alias}")

    def filtered(self, stmt: sa.Select[Any]) -> sa.Select[Any]:
        """``stmt`` narrowed by the dataset's ``where``, in parentheses: SQLAlchemy does not
        group a text clause, so a rule ANDed after it (a sample, a time window) would bind
        to its last OR term only."""
        return stmt.where(raw_sql(f"({self.where})")) if self.where else stmt

    def select(self, *columns: Any) -> sa.Select[Any]:
        """SELECT ``columns`` FROM the dataset WHERE its filter."""
        return self.filtered(sa.select(*columns).select_from(self.source()))

    def execute(self, kind: str, stmt: sa.Executable) -> list[sa.Row[Any]]:
        """Run one statement, counted under ``kind`` in the statement log."""
        self.statements[kind] += 1
        with self.bind.connect() as conn:
            return list(conn.execute(stmt))

    # -- reflection ------------------------------------------------------------------
    def column_types(self) -> dict[str, str]:
        """Column name -> type family, from the catalog once (a query: names, type 'other')."""
        if self._families is None:
            self._families = self._reflect()
        return self._families

    def reflected_type(self, column: str) -> sa.types.TypeEngine[Any] | None:
        """The column's reflected SQL type (tables only; None for a query's columns)."""
        self.column_types()
        return self._sql_types.get(column)

    def _reflect(self) -> dict[str, str]:
        if self._count_reflection:
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
            names = conn.execute(sa.select(sa.literal_column("*")).select_from(self.source()).limit(0)).keys()
        return dict.fromkeys(names, "other")
