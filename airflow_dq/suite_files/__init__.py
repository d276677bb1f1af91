"""Suites as YAML or JSON files: load them, write them, validate them against the schema.

.. code-block:: python

    from airflow_dq.operators import DataQualityOperator

    DataQualityOperator(task_id="validate_events", conn_id="warehouse", suite="suites/events.yml")

``load_suite(path)`` gives the datasets and their checks (built by the constructors of
``airflow_dq.checks``); ``dump_suite(checks, table=...)`` writes Python checks as YAML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_dq.suite_files.dump import dump_suite, suite_data
    from airflow_dq.suite_files.loader import DatasetSpec, SuiteFile, load_suite, suite_from_data
    from airflow_dq.suite_files.reader import SuiteFileError

_WHERE = {
    "dump_suite": "airflow_dq.suite_files.dump",
    "suite_data": "airflow_dq.suite_files.dump",
    "DatasetSpec": "airflow_dq.suite_files.loader",
    "SuiteFile": "airflow_dq.suite_files.loader",
    "load_suite": "airflow_dq.suite_files.loader",
    "suite_from_data": "airflow_dq.suite_files.loader",
    "SuiteFileError": "airflow_dq.suite_files.reader",
}


def __getattr__(name: str) -> Any:
    import importlib

    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "DatasetSpec",
    "SuiteFile",
    "SuiteFileError",
    "dump_suite",
    "load_suite",
    "suite_data",
    "suite_from_data",
]
