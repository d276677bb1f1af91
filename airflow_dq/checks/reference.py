"""The ``reference=`` argument of drift and training-data checks.

A reference is the trusted data a batch is compared with. It is one of:

- ``{"table": "reviews", "schema": None, "where": "batch_date < '{{ ds }}'"}`` - a table in
  the checked database (SQL checks only); ``where`` is raw SQL and templated;
- ``{"query": "SELECT ... FROM ..."}`` - a query in the checked database (templated);
- a pandas DataFrame, a callable returning one, or a CSV/Parquet path (``pathlib.Path``, or a
  string ending in .csv/.parquet/...) - for SQL and DataFrame checks alike.

Nothing is read when the DAG is parsed.
"""

from __future__ import annotations

import os
from typing import Any

from airflow_dq.metrics.grouped import Reference
from airflow_dq.metrics.profiles import FrameReference, ReferenceSource

_FILE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".parq", ".gz", ".bz2", ".zip", ".xz", ".zst")
_SQL_KEYS = {"table", "schema", "query", "where"}


class ReferenceArgument:
    """Check mixin: holds a reference, with its SQL parts as templated attributes."""

    template_fields = ("reference_query", "reference_where")

    def _set_reference(self, value: Any) -> None:
        self.reference_table: str | None = None
        self.reference_schema: str | None = None
        self.reference_query: str | None = None
        self.reference_where: str | None = None
        self._reference_frame: FrameReference | None = None
        if isinstance(value, Reference):
            value = {k: getattr(value, k) for k in _SQL_KEYS if getattr(value, k) is not None}
        if isinstance(value, dict):
            unknown = set(value) - _SQL_KEYS
            if unknown:
                raise self._argument_error("reference", f"has unknown keys {sorted(unknown)}; use {sorted(_SQL_KEYS)}")
            if ("table" in value) == ("query" in value):
                raise self._argument_error("reference", "must give exactly one of 'table' or 'query'")
            for key, part in value.items():
                if part is not None and (not isinstance(part, str) or not part.strip()):
                    raise self._argument_error("reference", f"key {key!r} must be a non-empty string, got {part!r}")
            self.reference_table = value.get("table")
            self.reference_schema = value.get("schema")
            self.reference_query = value.get("query")
            self.reference_where = value.get("where")
            return
        if isinstance(value, FrameReference):
            self._reference_frame = value
            return
        if hasattr(value, "columns") and hasattr(value, "iloc"):  # a DataFrame, without importing pandas
            self._reference_frame = FrameReference(value)
            return
        if isinstance(value, os.PathLike) or (
            isinstance(value, str) and ("://" in value or value.lower().endswith(_FILE_SUFFIXES))
        ):
            self._reference_frame = FrameReference(value)
            return
        if callable(value) and not isinstance(value, str):
            self._reference_frame = FrameReference(value)
            return
        raise self._argument_error(
            "reference",
            f"must be {{'table': ...}}, {{'query': ...}}, a DataFrame, a callable returning one, or a "
            f"CSV/Parquet path; got {value!r}",
        )

    @property
    def reference_is_sql(self) -> bool:
        """True for a table or query reference, which only a SQL engine can read."""
        return self._reference_frame is None

    @property
    def reference(self) -> ReferenceSource:
        if self._reference_frame is not None:
            return self._reference_frame
        return Reference(
            table=self.reference_table,
            schema=self.reference_schema,
            query=self.reference_query,
            where=self.reference_where,
        )
