"""SparkQualityOperator: run a suite of checks on a Spark table or lake files through Spark Connect."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_dq.assets import declare_outlet
from airflow_dq.checks.base import Check
from airflow_dq.lineage import OpenLineageFacets, file_dataset_name
from airflow_dq.operators.base import RenderChecksOnACopy, check_on_failure, check_sample_size
from airflow_dq.suite import validate_checks
from airflow_dq.suite_files.tasks import SuiteFromTemplate, dataset_for_task, is_templated, merged_checks
from airflow_dq.ui.links import DataQualityResultsLink

if TYPE_CHECKING:
    from airflow.sdk import Asset, Context

    from airflow_dq.suite_files.loader import DatasetSpec

SPARK_FILE_FORMATS = (None, "parquet", "csv", "json", "orc", "delta")


def check_spark_dataset(owner: str, *, conn_id: Any, remote: Any, table: Any, path: Any, where: Any) -> None:
    """Parse-time validation of where the data is and how Spark is reached."""
    if (conn_id is None) == (remote is None):
        raise ValueError(f"{owner}: give exactly one of 'conn_id' (a Spark Connect connection) or 'remote' (sc://...)")
    if conn_id is not None and (not isinstance(conn_id, str) or not conn_id.strip()):
        raise ValueError(f"{owner}: 'conn_id' must name an Airflow Spark Connect connection, got {conn_id!r}")
    if remote is not None and (not isinstance(remote, str) or not remote.startswith("sc://")):
        raise ValueError(f"{owner}: 'remote' must be a Spark Connect URL such as 'sc://host:15002', got {remote!r}")
    if (table is None) == (path is None):
        raise ValueError(f"{owner}: give exactly one of 'table' or 'path'")
    for arg, value in (("table", table), ("path", path), ("where", where)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"{owner}: '{arg}' must be a non-empty string, got {value!r}")


def reject_checks_spark_cannot_run(checks: Sequence[Check], *, owner: str) -> None:
    """Refuse, when the DAG is parsed, the checks that read another SQL table or query.

    The Spark engine reads one Spark dataset; a ``references`` parent table or a reference
    query in the warehouse's SQL would only fail at run time.
    """
    from airflow_dq.checks import CustomSql, References

    for check in checks:
        if isinstance(check, CustomSql | References):
            raise ValueError(
                f"{owner}: check '{check.name}' ({check.check_type}) is not supported by the Spark engine yet "
                "(it needs a query or join on another table); check that table with DataQualityOperator"
            )


def spark_table_of(owner: str, spec: DatasetSpec) -> str:
    """The Spark table a suite file's dataset names (``schema.table``); a SQL query cannot be read."""
    if spec.table is None:
        raise ValueError(
            f"{owner}: the suite's dataset '{spec.name}' is a SQL query, which the Spark engine does not run; "
            "name a table in the suite, or give 'table' or 'path' to the task"
        )
    return f"{spec.schema}.{spec.table}" if spec.schema else spec.table


def _is_plain(value: Any) -> bool:
    return isinstance(value, str) and "{{" not in value and "{%" not in value


def server_of(url_or_conn_id: str) -> str:
    """``host:port`` of a Spark Connect URL (``sc://host:port/;token=...``); a connection id as is."""
    return url_or_conn_id.removeprefix("sc://").split("/")[0].split(";")[0]


def spark_dataset_uri(*, conn_id: Any, remote: Any, table: Any, path: Any) -> str | None:
    """The asset URI of a Spark dataset, from names only (the same at parse time everywhere):
    lake files by their own URI (a local folder as ``file://``), a catalog table as
    ``spark://<conn_id or host:port>/<db>/<table>``. None when a part is templated."""
    if path is not None:
        if not _is_plain(path):
            return None
        return path if "://" in path else "file://" + os.path.abspath(path)
    if not _is_plain(table):
        return None
    where = conn_id if conn_id is not None else remote
    if not _is_plain(where):
        return None
    return f"spark://{server_of(where)}/" + table.replace(".", "/")


def resolve_spark_outlet(owner: str, asset: Any, **dataset: Any) -> Asset | None:
    """Parse time: the Asset a Spark check task declares (``asset`` as in DataQualityOperator)."""
    from airflow.sdk import Asset

    from airflow_dq.assets import resolve_outlet

    if asset is None or asset is True:
        uri = spark_dataset_uri(**dataset)
        if uri is not None:
            return Asset(uri)
        if asset is True:
            raise ValueError(
                f"{owner}: 'asset=True' needs a plain (not templated) 'table' or 'path' to derive the asset from; "
                "give asset=Asset('...') instead"
            )
        return None
    return resolve_outlet(owner, asset)


class SparkSuite(SuiteFromTemplate):
    """A templated suite of a Spark task, once rendered: its checks, and its table when the
    task names neither a table nor a path."""

    def use_suite(self, spec: DatasetSpec) -> None:
        owner = f"SparkQualityOperator '{self.task_id}'"  # type: ignore[attr-defined]
        if self.table is None and self.path is None:  # type: ignore[attr-defined]
            self.table = spark_table_of(owner, spec)
        if self.conn_id is None and self.remote is None:  # type: ignore[attr-defined]
            self.conn_id = spec.conn_id
        if self.where is None:  # type: ignore[attr-defined]
            self.where = spec.where
        check_spark_dataset(
            owner,
            conn_id=self.conn_id,  # type: ignore[attr-defined]
            remote=self.remote,  # type: ignore[attr-defined]
            table=self.table,
            path=self.path,  # type: ignore[attr-defined]
            where=self.where,
        )
        self.checks = validate_checks(merged_checks(spec, self._python_checks), owner=owner)
        reject_checks_spark_cannot_run(self.checks, owner=owner)


class SparkQualityOperator(OpenLineageFacets, SparkSuite, RenderChecksOnACopy, BaseOperator):
    """Check a Spark table or lake files on a remote cluster, and stop the pipeline when the data is bad.

    The same checks with the same verdicts as ``DataQualityOperator``: all scalar metrics in
    ONE Spark aggregation job, one GROUP BY job per segment or time grouping, one job for
    the histograms of drift checks. The worker drives the cluster through Spark Connect
    (``conn_id``: an Airflow connection of type ``spark_connect`` from
    ``apache-airflow-providers-apache-spark``) and receives only the aggregates.

    .. code-block:: python

        from airflow_dq.checks import not_null, row_count, unique
        from airflow_dq.operators import SparkQualityOperator

        SparkQualityOperator(
            task_id="validate_lake_events",
            conn_id="spark_connect_default",  # host spark-connect, port 15002
            path="s3a://lake/events/date={{ ds }}/",
            checks=[row_count(min=1_000_000), not_null("user_id"), unique("event_id")],
        )

        # or the checks of a YAML suite file (its dataset's table is the Spark table)
        SparkQualityOperator(task_id="validate_orders", conn_id="spark_connect_default", suite="suites/orders.yml")

    :param conn_id: an Airflow Spark Connect connection (or give ``remote="sc://host:port"``). Templated.
    :param table: a table of the cluster's catalog (``db.events``). Templated.
    :param path: files to read instead (a folder or a file); ``file_format`` defaults to the
        file name's (``parquet`` for a folder). Templated.
    :param where: a Spark SQL filter, e.g. ``"event_date = '{{ ds }}'"``. Templated.
    :param read_options: Spark reader options (``{"header": "true"}`` for a CSV). Templated.
    :param suite: a suite file (see ``airflow_dq.suite_files``); its checks come first, then
        ``checks``. Its dataset's ``table`` (``schema.table``), ``where`` and ``conn_id`` fill
        what the task does not give; a dataset defined by ``sql`` is refused. Templated.
    :param dataset: which dataset of a suite file holding several (by name or table).
    :param on_failure: ``"fail"`` (default) or ``"skip"`` when an ``error`` check fails.
    :param sample_size: offending rows fetched per failed row-level check.
    :param asset: the outlet ``Asset`` whose event carries the quality summary (see
        ``airflow_dq.assets``). By default derived from a plain ``path`` (its URI; a local
        folder as ``file://``) or ``table`` (``spark://<conn_id>/<db>/<table>``); ``False``
        declares none.

    OpenLineage: with the OpenLineage provider configured, the task reports its input
    dataset with the ``dataQualityMetrics`` and ``dataQualityAssertions`` facets, the files
    named by their URI and a catalog table as ``spark://host:port`` + the table's name.
    """

    template_fields: Sequence[str] = ("conn_id", "remote", "table", "path", "where", "read_options", "checks")
    template_fields_renderers = {"where": "sql"}
    ui_color = "#f6e1c5"
    operator_extra_links = (DataQualityResultsLink(),)

    def __init__(
        self,
        *,
        checks: Sequence[Check] | None = None,
        suite: str | None = None,
        dataset: str | None = None,
        conn_id: str | None = None,
        remote: str | None = None,
        table: str | None = None,
        path: str | None = None,
        file_format: str | None = None,
        read_options: dict[str, Any] | None = None,
        where: str | None = None,
        on_failure: str = "fail",
        sample_size: int | None = None,
        asset: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"SparkQualityOperator '{self.task_id}'"
        self.suite, self._suite_dataset, self._python_checks = suite, dataset, checks
        if is_templated(suite):  # loaded once rendered, at run time (SparkSuite.use_suite)
            self._suite_template = suite
        elif suite is not None:
            spec = dataset_for_task(owner, suite, self, dataset=dataset, table=table)
            if table is None and path is None:
                table = spark_table_of(owner, spec)
            if conn_id is None and remote is None:
                conn_id = spec.conn_id
            where = where if where is not None else spec.where
            checks = merged_checks(spec, checks)
        elif checks is None:
            raise ValueError(f"{owner}: give 'checks' (built with airflow_dq.checks) or a 'suite' file")
        if self._suite_template is None or table is not None or path is not None:
            check_spark_dataset(owner, conn_id=conn_id, remote=remote, table=table, path=path, where=where)
        if file_format not in SPARK_FILE_FORMATS:
            raise ValueError(
                f"{owner}: 'file_format' must be one of {SPARK_FILE_FORMATS[1:]} or None, got {file_format!r}"
            )
        if read_options is not None and not isinstance(read_options, dict):
            raise ValueError(f"{owner}: 'read_options' must be a dict of Spark reader options, got {read_options!r}")
        self.on_failure = check_on_failure(owner, on_failure)
        self.sample_size = check_sample_size(owner, sample_size)
        self.checks = validate_checks(checks, owner=owner) if checks or self._suite_template is None else []
        reject_checks_spark_cannot_run(self.checks, owner=owner)
        self.conn_id, self.remote, self.table, self.path, self.where = conn_id, remote, table, path, where
        self.file_format, self.read_options = file_format, read_options
        declare_outlet(self, resolve_spark_outlet(owner, asset, conn_id=conn_id, remote=remote, table=table, path=path))

    def dq_lineage_dataset(self) -> tuple[str, str] | None:
        """OpenLineage's (namespace, name): files by their URI, a catalog table under its server."""
        if self.path is not None:
            return file_dataset_name(self.path)
        if not self.table:
            return None
        from airflow_dq.engines.spark.session import connect_url

        url = self.remote or connect_url(self.conn_id)  # type: ignore[arg-type]
        return "spark://" + server_of(url), self.table

    def execute(self, context: Context) -> dict[str, Any]:
        # PySpark comes in here, never at DAG parse time.
        from airflow_dq.engines.spark import SparkEngine
        from airflow_dq.engines.spark.session import connect_url, remote_session
        from airflow_dq.operators.history import TaskHistory

        owner = f"SparkQualityOperator '{self.task_id}'"
        for arg in ("table", "path", "where"):
            value = getattr(self, arg)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"{owner}: '{arg}' rendered to {value!r}, which is not a non-empty string")
        url = self.remote or connect_url(self.conn_id)  # type: ignore[arg-type]
        history = TaskHistory(context)  # results are recorded there before the verdict
        spark = remote_session(url)
        self.log.info("Spark Connect session on %s", url.split(";")[0])
        result = history.run_checks(
            lambda: SparkEngine(
                spark,
                table=self.table,
                path=self.path,
                file_format=self.file_format,
                read_options=self.read_options,
                where=self.where,
            ),
            self.checks,
            context,
            sample_size=self.sample_size,
        )
        return history.record_then_verdict(result, context, on_failure=self.on_failure, log=self.log)
