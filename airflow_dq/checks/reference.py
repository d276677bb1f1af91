"""The ``reference=`` argument of drift and training-data checks.

A reference is the trusted data a batch is compared with. It is one of:

- ``{"table": "reviews", "schema": None, "where": "batch_date < '{{ ds }}'"}`` - a table in
  the checked database (SQL checks only); ``where`` is raw SQL and templated;
- ``{"query": "SELECT ... FROM ..."}`` - a query in the checked database (templated);
- a pandas DataFrame, a callable returning one, or a CSV/Parquet path (``pathlib.Path``, or a
  string ending in .csv/.parquet/...) - for SQL and DataFrame checks alike;
- drift checks only: ``{"profile": {"run_id": "scheduled__2026-11-01T00:00:00+00:00"}}`` (or
  ``"logical_date": ...``; optional ``dag_id``, ``task_id``, ``check``, ``map_index``) or
  ``stored_profile(...)`` - the profile the check recorded in that pinned earlier run
  (``airflow_dq.checks.pinned``); ``run_id`` and ``logical_date`` are templated.

Nothing is read when the DAG is parsed.
"""

from __future__ import annotations

import os
from typing import Any

from airflow_dq.metrics.grouped import Reference
from airflow_dq.metrics.profiles import FrameReference, ReferenceSource
from airflow_dq.metrics.stored import StoredProfile

_FILE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".parq", ".gz", ".bz2", ".zip", ".xz", ".zst")
_SQL_KEYS = {"table", "schema", "query", "where"}
_PIN_KEYS = {"dag_id", "task_id", "run_id", "logical_date", "check", "map_index"}


class ReferenceArgument:
    """Check mixin: holds a reference, with its SQL parts as templated attributes."""

    template_fields = ("reference_query", "reference_where", "reference_run_id", "reference_logical_date")

    def _set_reference(self, value: Any, *, allow_profile: bool = False) -> None:
        self.reference_table: str | None = None
        self.reference_schema: str | None = None
        self.reference_query: str | None = None
        self.reference_where: str | None = None
        self.reference_run_id: str | None = None
        self.reference_logical_date: str | None = None
        self._reference_frame: FrameReference | None = None
        self._reference_pin: StoredProfile | None = None
        if isinstance(value, dict) and "profile" in value and len(value) == 1:
            value = value["profile"]
            if not isinstance(value, dict):
                raise self._argument_error(
                    "reference",
                    f"'profile' must be a dict naming the pinned run (run_id=... or logical_date=...), got {value!r}",
                )
            value = self._pin(value)
        if isinstance(value, StoredProfile):
            if not allow_profile:
                raise self._argument_error("reference", "a stored profile is a reference for drift checks only")
            if (value.run_id is None) == (value.logical_date is None):
                raise self._argument_error(
                    "reference", "a stored profile must name exactly one of run_id or logical_date"
                )
            self._reference_pin = value
            self.reference_run_id, self.reference_logical_date = value.run_id, value.logical_date
            return
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
            f"CSV/Parquet path{', or a stored profile (stored_profile(run_id=...))' if allow_profile else ''}; "
            f"got {value!r}",
        )

    def _pin(self, value: dict[str, Any]) -> StoredProfile:
        unknown = set(value) - _PIN_KEYS
        if unknown:
            raise self._argument_error(
                "reference", f"'profile' has unknown keys {sorted(unknown)}; use {sorted(_PIN_KEYS)}"
            )
        for key in _PIN_KEYS - {"map_index", "logical_date"}:
            part = value.get(key)
            if part is not None and (not isinstance(part, str) or not part.strip()):
                raise self._argument_error(
                    "reference", f"'profile' key {key!r} must be a non-empty string, got {part!r}"
                )
        moment = value.get("logical_date")
        if moment is not None and not isinstance(moment, str):
            if not hasattr(moment, "isoformat") or getattr(moment, "tzinfo", None) is None:
                raise self._argument_error(
                    "reference", f"'profile' logical_date must be an ISO string or an aware datetime, got {moment!r}"
                )
            moment = moment.isoformat()
        elif moment is not None and "{{" not in moment:
            try:
                StoredProfile(logical_date=moment).logical_datetime()
            except ValueError:
                raise self._argument_error(
                    "reference",
                    f"'profile' logical_date {moment!r} is not an ISO date such as 2026-11-01T00:00:00+00:00",
                ) from None
        map_index = value.get("map_index", -1)
        if isinstance(map_index, bool) or not isinstance(map_index, int):
            raise self._argument_error("reference", f"'profile' map_index must be a whole number, got {map_index!r}")
        return StoredProfile(
            dag_id=value.get("dag_id"),
            task_id=value.get("task_id"),
            run_id=value.get("run_id"),
            logical_date=moment,
            check_name=value.get("check"),
            map_index=map_index,
        )

    @property
    def reference_is_sql(self) -> bool:
        """True for a table or query reference, which only a SQL engine can read."""
        return self._reference_frame is None and self._reference_pin is None

    @property
    def reference(self) -> ReferenceSource:
        if self._reference_frame is not None:
            return self._reference_frame
        if self._reference_pin is not None:
            # Rebuilt on each access: run_id / logical_date may have been rendered by Jinja.
            pin = self._reference_pin
            return StoredProfile(
                dag_id=pin.dag_id,
                task_id=pin.task_id,
                run_id=self.reference_run_id,
                logical_date=self.reference_logical_date,
                check_name=pin.check_name or getattr(self, "name", None),
                map_index=pin.map_index,
            )
        return Reference(
            table=self.reference_table,
            schema=self.reference_schema,
            query=self.reference_query,
            where=self.reference_where,
        )
