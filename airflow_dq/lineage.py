"""OpenLineage: the checked dataset, with the metrics the scan measured and one assertion per check.

When the OpenLineage provider is installed and configured, its listener asks each
operator for ``get_openlineage_facets_on_complete`` (or ``..._on_failure``) after
``execute``. The data-quality operators answer with their input dataset carrying two
standard facets, built from the results the task already holds (no extra query):

- ``dataQualityMetrics`` (input facet): the row count, and per column the null count,
  distinct count, sum, min and max that the checks measured;
- ``dataQualityAssertions`` (dataset facet): one assertion per check, with its column,
  severity, expected and observed values, and ``success`` true only for ``pass``.

Datasets are named as OpenLineage's naming spec and Airflow's SQL operators name them: a
table through its hook's ``get_openlineage_database_info`` (``postgres://host:5432`` +
``db.schema.table``), a file by its URI (``file`` + absolute path, ``s3://bucket`` + key).
A DataFrame held in memory has no dataset name, so it gets no input dataset.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_dq.results import CheckResult, SuiteResult

# "null_count(amount)", or "complete_count(('amount',))" for the metrics keyed by column tuples
_LABEL = re.compile(r"^(?P<kind>\w+)\((?:\('(?P<tcol>[^']+)',\)|(?P<column>[^,()]+))\)$")
# metric label prefix -> ColumnMetrics field (the labels come from metrics.core class names)
_COLUMN_FIELDS = {
    "null_count": "nullCount",
    "complete_count": "count",
    "distinct_count": "distinctCount",
    "sum": "sum",
    "minimum": "min",
    "maximum": "max",
}


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # a timestamp or text min/max has no place in a numeric facet
    return value


def scan_metrics(result: SuiteResult) -> tuple[int | None, dict[str, dict[str, Any]]]:
    """The row count and per-column metrics found in the values the checks measured."""
    row_count: int | None = None
    columns: dict[str, dict[str, Any]] = {}
    duplicates: dict[str, int] = {}
    for check in result.results:
        for label, value in (check.metrics or {}).items():
            number = _number(value)
            if number is None:
                continue
            if label == "row_count":
                row_count = int(number)
                continue
            match = _LABEL.match(label)
            if match is None:
                continue
            column = (match["tcol"] or match["column"]).strip()
            if match["kind"] == "duplicate_count":
                duplicates[column] = int(number)
            elif (field := _COLUMN_FIELDS.get(match["kind"])) is not None:
                columns.setdefault(column, {})[field] = int(number) if field in ("nullCount", "count") else number
    for column, values in columns.items():
        # Derived from what was measured, not measured again: distinct = non-NULL - surplus
        # duplicates; NULLs = rows - non-NULL.
        if "count" in values and column in duplicates and "distinctCount" not in values:
            values["distinctCount"] = int(values["count"]) - duplicates[column]
        if "count" in values and row_count is not None and "nullCount" not in values:
            values["nullCount"] = row_count - int(values["count"])
    return row_count, columns


def _text(value: Any) -> str | None:
    if value is None:
        return None
    from airflow_dq.results import to_jsonable

    value = to_jsonable(value)
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _assertion(check: CheckResult) -> Any:
    from openlineage.client.facet_v2 import data_quality_assertions_dataset as dqa

    status = str(check.status)
    column = check.columns[0] if len(check.columns) == 1 else None
    params = {"status": status, **({"columns": list(check.columns)} if len(check.columns) > 1 else {})}
    try:
        return dqa.Assertion(
            assertion=check.check_type,
            success=status == "pass",
            column=column,
            severity=str(check.severity),
            name=check.name,
            description=check.message,
            expected=_text(check.expected),
            actual=_text(check.observed),
            params=params,
        )
    except TypeError:  # openlineage-python < 1.47: the three original fields only
        return dqa.Assertion(assertion=check.name, success=status == "pass", column=column)


def input_dataset(namespace: str, name: str, result: SuiteResult) -> Any:
    """The checked dataset as an OpenLineage InputDataset with both data-quality facets."""
    from openlineage.client.event_v2 import InputDataset
    from openlineage.client.facet_v2 import data_quality_assertions_dataset as dqa
    from openlineage.client.facet_v2 import data_quality_metrics_input_dataset as dqm

    row_count, columns = scan_metrics(result)
    metrics = dqm.DataQualityMetricsInputDatasetFacet(
        rowCount=row_count,
        columnMetrics={col: dqm.ColumnMetrics(**values) for col, values in columns.items()},
    )
    assertions = dqa.DataQualityAssertionsDatasetFacet(assertions=[_assertion(r) for r in result.results])
    return InputDataset(
        namespace=namespace,
        name=name,
        facets={"dataQualityAssertions": assertions},
        inputFacets={"dataQualityMetrics": metrics},
    )


def sql_dataset_name(operator: Any) -> tuple[str, str] | None:
    """(namespace, name) of a DataQualityOperator's table, from its hook; None for a query."""
    table = getattr(operator, "table", None)
    if not table:
        return None
    from airflow.sdk import BaseHook

    hook = BaseHook.get_hook(operator.conn_id)
    connection = hook.get_connection(operator.conn_id)
    schema = operator.schema or getattr(operator, "dq_default_schema", None)
    info = None
    with contextlib.suppress(AttributeError, NotImplementedError):  # hooks without OpenLineage naming
        info = hook.get_openlineage_database_info(connection)
    if info is not None:
        from airflow.providers.openlineage.sqlparser import SQLParser

        parts = [info.database, schema, table]
        return SQLParser.create_namespace(info), ".".join(p for p in parts if p)
    # No OpenLineage naming for this database (e.g. SQLite): its type and where it lives.
    where = connection.host or operator.conn_id
    parts = [schema if schema and schema != "main" else None, table]
    return f"{connection.conn_type}://{where}", ".".join(p for p in parts if p)


def file_dataset_name(data: Any) -> tuple[str, str] | None:
    """(namespace, name) of a DataFrame operator's file or URI; None for a DataFrame in memory."""
    if hasattr(data, "protocol") and hasattr(data, "path"):  # ObjectStoragePath
        data = str(data)
    if not isinstance(data, str | os.PathLike):
        return None
    text = os.fspath(data)
    if "://" in text:
        scheme, _, rest = text.partition("://")
        bucket, _, key = rest.partition("/")
        return f"{scheme}://{bucket}", key
    return "file", os.path.abspath(text)


class OpenLineageFacets:
    """Operator mixin: OpenLineage facets from the results ``execute`` kept on the task.

    A table operator (``conn_id`` + ``table``) or a file operator (``data``) names its
    dataset; anything else gets no input dataset.
    """

    def dq_lineage_dataset(self) -> tuple[str, str] | None:
        if getattr(self, "table", None) and getattr(self, "conn_id", None):
            return sql_dataset_name(self)
        if hasattr(self, "data"):
            return file_dataset_name(self.data)
        return None

    def _dq_lineage(self, task_instance: Any) -> Any:
        from airflow.providers.openlineage.extractors import OperatorLineage

        from airflow_dq.operators.publish import result_for

        result = result_for(self, task_instance)
        identity = self.dq_lineage_dataset()
        if identity is None:
            return OperatorLineage()
        if result is None:  # failed before the checks ran (e.g. unreachable database): no facets
            from openlineage.client.event_v2 import InputDataset

            return OperatorLineage(inputs=[InputDataset(namespace=identity[0], name=identity[1])])
        return OperatorLineage(inputs=[input_dataset(*identity, result)])

    def get_openlineage_facets_on_start(self) -> Any:
        from airflow.providers.openlineage.extractors import OperatorLineage
        from openlineage.client.event_v2 import InputDataset

        identity = self.dq_lineage_dataset()
        return OperatorLineage(inputs=[InputDataset(namespace=identity[0], name=identity[1])] if identity else [])

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        return self._dq_lineage(task_instance)

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> Any:
        return self._dq_lineage(task_instance)
