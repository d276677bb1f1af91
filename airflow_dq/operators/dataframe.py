"""DataFrameQualityOperator: run a suite of checks on a DataFrame or a CSV/Parquet file."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_dq.checks.base import Check
from airflow_dq.dataframe_support import reject_sql_only_checks
from airflow_dq.lineage import OpenLineageFacets
from airflow_dq.operators.base import (
    RenderChecksOnACopy,
    check_on_failure,
    check_sample_size,
)
from airflow_dq.suite import validate_checks
from airflow_dq.suite_files.tasks import SuiteFromTemplate, dataset_for_task, is_templated, merged_checks
from airflow_dq.ui.links import DataQualityResultsLink

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_dq.suite_files.loader import DatasetSpec

FILE_FORMATS = (None, "csv", "parquet")


def check_source_args(owner: str, file_format: Any, chunksize: Any, read_options: Any) -> None:
    """Parse-time validation of the file-reading arguments (shared with ``@task.dq``)."""
    if file_format not in FILE_FORMATS:
        raise ValueError(f"{owner}: 'file_format' must be 'csv', 'parquet' or None, got {file_format!r}")
    if chunksize is not None and (isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1):
        raise ValueError(f"{owner}: 'chunksize' must be a whole number >= 1, got {chunksize!r}")
    if read_options is not None and not isinstance(read_options, dict):
        raise ValueError(f"{owner}: 'read_options' must be a dict of pandas reader options, got {read_options!r}")


def check_where(owner: str, where: Any) -> None:
    """``where``: a pandas expression (templated) or a callable ``frame -> boolean mask``."""
    if where is None or callable(where):
        return
    if not isinstance(where, str) or not where.strip():
        raise ValueError(
            f"{owner}: 'where' must be a pandas expression such as \"country == 'US'\" or a callable "
            f"returning a boolean mask, got {where!r}"
        )


def suite_checks(owner: str, task: Any, checks: Any, suite: Any, dataset: str | None) -> Any:
    """The checks of a DataFrame task: from ``suite`` (a file) and/or ``checks`` (shared with
    ``@task.dq``). A templated suite path is kept for run time (``SuiteFromTemplate``)."""
    task.suite, task._suite_dataset, task._python_checks = suite, dataset, checks
    if suite is None:
        if checks is None:
            raise ValueError(f"{owner}: give 'checks' (built with airflow_dq.checks) or a 'suite' file")
        return checks
    if is_templated(suite):
        task._suite_template = suite
        return checks or []
    return merged_checks(dataset_for_task(owner, suite, task, dataset=dataset), checks)


class DataFrameSuite(SuiteFromTemplate):
    """A templated suite of a DataFrame task, once rendered: its checks (DataFrame checks only)."""

    def use_suite(self, spec: DatasetSpec) -> None:
        owner = f"{getattr(self, 'custom_operator_name', type(self).__name__)} '{self.task_id}'"  # type: ignore[attr-defined]
        self.checks = validate_checks(merged_checks(spec, self._python_checks), owner=owner)
        reject_sql_only_checks(self.checks, owner=owner)


def resolve_path(data: Any, conn_id: str | None) -> Any:
    """A URI such as ``s3://bucket/key.parquet`` becomes Airflow's ObjectStoragePath (which
    reads through the connection ``conn_id``); local paths and DataFrames pass through."""
    if isinstance(data, str) and "://" in data:
        from airflow.sdk import ObjectStoragePath

        return ObjectStoragePath(data, conn_id=conn_id)
    return data


class DataFrameQualityOperator(OpenLineageFacets, DataFrameSuite, RenderChecksOnACopy, BaseOperator):
    """Check a pandas DataFrame, or a CSV/Parquet file, and stop the pipeline when it is bad.

    The same checks, with the same meaning, as ``DataQualityOperator`` (NaN, None and NaT
    count as NULL), computed in one pass. ``data`` is a DataFrame from an upstream task
    (its ``XComArg``), a callable returning a DataFrame, or a path/URI (templated; URIs such
    as ``s3://`` are read with Airflow's object storage through ``conn_id``). Large CSV and
    Parquet files can be read in chunks of ``chunksize`` rows, so memory stays bounded.
    A failed ``error`` check fails the task without retry (downstream ``upstream_failed``);
    ``on_failure="skip"`` skips it and its downstream instead; ``warn`` checks never halt.
    The results are the XCom return value, also on failure, and are recorded in the history
    store (anomaly checks, the "Data Quality" results page) like DataQualityOperator's.

    Checks that need SQL (``custom_sql``, ``row_condition``, ``references``) are refused
    when the DAG is parsed.

    .. code-block:: python

        from airflow.sdk import task
        from airflow_dq.checks import not_null, unique, value_range
        from airflow_dq.operators import DataFrameQualityOperator

        @task
        def features():
            return build_features()  # a pandas DataFrame

        validate = DataFrameQualityOperator(
            task_id="validate_features",
            data=(frame := features()),
            checks=[not_null("user_id"), unique("user_id"), value_range("age", min=0, max=120)],
        )
        validate >> train(frame)

        DataFrameQualityOperator(
            task_id="validate_export",
            data="s3://exports/{{ ds }}/events.csv.gz",
            conn_id="aws_default",
            chunksize=500_000,
            checks=[not_null("event_id")],
        )

    :param data: the DataFrame (an ``XComArg``), a callable returning one, or a file
        path/URI. Templated.
    :param checks: the checks, built with ``airflow_dq.checks``.
    :param suite: a YAML or JSON suite file whose checks are used (before ``checks``); a
        relative path is read from the DAG file's folder, when the DAG is parsed.
    :param dataset: which dataset of a suite file holding several.
    :param file_format: ``"csv"`` or ``"parquet"``; by default read from the file name.
    :param chunksize: read a file in chunks of this many rows (bounded memory).
    :param read_options: extra arguments for ``pandas.read_csv`` (e.g. ``dtype``,
        ``parse_dates``) or the Parquet reader. Templated.
    :param conn_id: Airflow connection for object-storage URIs.
    :param where: check only some rows: a pandas expression as in ``DataFrame.query``
        (``"event_date == '{{ ds }}' and amount > 0"``; templated) or a callable
        ``frame -> boolean mask``. Rows where the mask is NA are left out, as in SQL.
    :param on_failure: ``"fail"`` (default) or ``"skip"`` when an ``error`` check fails.
    :param sample_size: offending rows kept per failed row-level check; default from the
        ``[data_quality] failure_sample_size`` option (5).
    :param on_suspicious_rows: ``"fail"`` (default), or ``"drop"``: the rows flagged by the
        failed row-level training-data checks (every flagged ``id``) are removed, the rest
        is written to ``cleaned_path`` (templated; ``.parquet`` or ``.csv``), those checks
        become ``warn`` and the pipeline goes on with the cleaned copy. Whole-batch
        failures (``label_shift``, drift, any other check) still halt.
    """

    # ``checks``: a check's own template fields (e.g. time_bucket_completeness' window) render too.
    template_fields: Sequence[str] = ("data", "read_options", "where", "checks", "cleaned_path")
    ui_color = "#d6ecf3"
    operator_extra_links = (DataQualityResultsLink(),)  # "Data Quality" button: this run's results

    def __init__(
        self,
        *,
        data: Any,
        checks: Sequence[Check] | None = None,
        suite: str | None = None,
        dataset: str | None = None,
        file_format: str | None = None,
        chunksize: int | None = None,
        read_options: dict[str, Any] | None = None,
        conn_id: str | None = None,
        where: str | Any = None,
        on_failure: str = "fail",
        sample_size: int | None = None,
        on_suspicious_rows: str = "fail",
        cleaned_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"DataFrameQualityOperator '{self.task_id}'"
        check_where(owner, where)
        if data is None or (isinstance(data, str) and not data.strip()):
            raise ValueError(f"{owner}: 'data' must be a DataFrame, a callable or a file path, got {data!r}")
        if isinstance(data, int | float | bool | bytes | list | tuple | dict):
            raise ValueError(f"{owner}: 'data' must be a DataFrame, a callable or a file path, got {data!r}")
        check_source_args(owner, file_format, chunksize, read_options)
        self.on_failure = check_on_failure(owner, on_failure)
        self.sample_size = check_sample_size(owner, sample_size)
        checks = suite_checks(owner, self, checks, suite, dataset)
        self.checks = validate_checks(checks, owner=owner) if checks or self._suite_template is None else []
        reject_sql_only_checks(self.checks, owner=owner)
        from airflow_dq.operators.suspicious_rows import check_on_suspicious_rows

        self.on_suspicious_rows = check_on_suspicious_rows(owner, on_suspicious_rows, cleaned_path, self.checks)
        self.cleaned_path = cleaned_path
        # Airflow calls a callable template field with the context; ours is called in execute()
        # with no arguments, so it is kept out of the template field.
        self.data_callable = data if callable(data) and not hasattr(data, "resolve") else None
        self.data = None if self.data_callable is not None else data
        self.file_format, self.chunksize, self.read_options = file_format, chunksize, read_options
        self.conn_id = conn_id
        # A mask callable stays out of the template field (Airflow would call it with the context).
        self.where_callable = where if callable(where) else None
        self.where = None if callable(where) else where

    def execute(self, context: Context) -> dict[str, Any]:
        # pandas comes in here, never at DAG parse time.
        from airflow_dq.engines.pandas import PandasEngine
        from airflow_dq.operators.history import TaskHistory

        data = self.data_callable or resolve_path(self.data, self.conn_id)
        is_file = isinstance(data, str | os.PathLike) or hasattr(data, "open")
        history = TaskHistory(context)  # results are recorded there (anomaly checks, UI) before the verdict
        result = history.run_checks(
            lambda: PandasEngine(
                data,
                file_format=self.file_format,
                chunksize=self.chunksize if is_file else None,
                read_options=self.read_options if is_file else None,
                where=self.where_callable or self.where,
            ),
            self.checks,
            context,
            sample_size=self.sample_size,
        )
        cleaned = None
        if self.on_suspicious_rows == "drop":
            from airflow_dq.operators.suspicious_rows import drop_flagged

            cleaned = drop_flagged(result, self.checks, self._frame(data, is_file), self.cleaned_path)
            self.log.info("on_suspicious_rows='drop': %s", cleaned)
        payload = history.record_then_verdict(result, context, on_failure=self.on_failure, log=self.log)
        if cleaned is not None:
            payload["cleaned"] = cleaned
        return payload

    def _frame(self, data: Any, is_file: bool) -> Any:
        """The whole DataFrame again, for the cleaned copy (a file is read once more)."""
        import pandas as pd

        if callable(data) and not is_file:
            return data()
        if not is_file:
            return data
        name = str(data)
        kind = self.file_format or ("parquet" if ".parquet" in name else "csv")
        reader = pd.read_parquet if kind == "parquet" else pd.read_csv
        return reader(data, **(self.read_options or {})) if not hasattr(data, "open") else reader(data.open("rb"))
