"""DataQualityOperator: run a suite of checks on a table or query and halt on bad data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook, BaseOperator

from airflow_dq.assets import checks_with_asset_rules, declare_outlet, resolve_outlet
from airflow_dq.checks.base import Check
from airflow_dq.lineage import OpenLineageFacets
from airflow_dq.operators.base import (
    RenderChecksOnACopy,
    check_on_failure,
    check_parameters,
    check_rendered_sql_dataset,
    check_sample_size,
    check_sql_dataset,
    check_timeout,
    limits_setting,
)
from airflow_dq.operators.incremental import check_incremental
from airflow_dq.suite import validate_checks
from airflow_dq.suite_files.tasks import SuiteFromTemplate, dataset_for_task, is_templated, merged_checks
from airflow_dq.ui.links import DataQualityResultsLink

if TYPE_CHECKING:
    import sqlalchemy as sa
    from airflow.sdk import Context

    from airflow_dq.suite_files.loader import DatasetSpec


class DataQualityOperator(OpenLineageFacets, SuiteFromTemplate, RenderChecksOnACopy, BaseOperator):
    """Check a table (or a query) and stop the pipeline when the data is bad.

    All checks on the dataset are measured in one aggregate query. A failed check of
    severity ``error`` fails the task without retry (``AirflowFailException``), so
    downstream tasks end ``upstream_failed``; with ``on_failure="skip"`` the task and its
    downstream tasks are skipped instead. ``warn`` checks are logged and returned but never
    halt. Database errors raise normally, so Airflow's retries apply. The results (a dict,
    see ``SuiteResult.to_dict``) are the XCom return value, also when the check fails.

    .. code-block:: python

        from airflow_dq.checks import not_null, row_count, unique, value_range
        from airflow_dq.operators import DataQualityOperator

        validate = DataQualityOperator(
            task_id="validate_events",
            conn_id="warehouse",
            table="events",
            where="event_date = '{{ ds }}'",
            checks=[
                row_count(min=1000),
                not_null("user_id"),
                unique("event_id"),
                value_range("amount", min=0, max=10_000, mostly=0.999),
            ],
        )
        load >> validate >> train_model

    The checks can also come from a YAML or JSON suite file, read when the DAG is parsed
    (a relative path is read from the DAG file's folder); the file may also give the table,
    schema, filter and connection, and arguments given here take precedence:

    .. code-block:: python

        DataQualityOperator(task_id="validate_events", conn_id="warehouse", suite="suites/events.yml")

    :param conn_id: an Airflow connection to a SQL database (any DbApiHook with SQLAlchemy
        support: SQLite, PostgreSQL, ...). Templated.
    :param checks: the checks, built with ``airflow_dq.checks``. SQL inside ``custom_sql``
        and ``row_condition`` is templated.
    :param suite: a suite file (see ``airflow_dq.suite_files``); its checks come first,
        then ``checks``. Templated: a path with Jinja is loaded when the task runs.
    :param dataset: which dataset of a suite file holding several (by name or table).
    :param table: the table to check. Templated. Give ``table`` or ``sql``.
    :param schema: the table's schema (database namespace). Templated.
    :param sql: a query whose result is checked, instead of a table. Templated; a path
        ending in ``.sql`` is read as a template file.
    :param where: a SQL filter (e.g. the run's partition). Raw SQL, templated: never put
        ``dag_run.conf`` or ``params`` values into it; use ``parameters``.
    :param parameters: values for ``:name`` placeholders in ``where``, ``custom_sql`` and
        ``row_condition``, e.g. ``where="country = :c", parameters={"c": "{{ params.c }}"}``.
        Templated per run and sent as bound values, never as SQL text.
    :param statement_timeout: seconds (or a timedelta) each statement may run; default from
        ``[data_quality] statement_timeout`` (600). A timeout errors the task (retried).
    :param connect_timeout: seconds to wait for a connection; default from
        ``[data_quality] connect_timeout`` (30).
    :param on_failure: ``"fail"`` (default) or ``"skip"`` when an ``error`` check fails.
    :param sample_size: offending rows fetched per failed row-level check; default from the
        ``[data_quality] failure_sample_size`` option (5).
    :param incremental_by: for an append-only ``table`` partitioned by this column (a date,
        usually): whole-table counts, min/max, means and standard deviations are merged from
        per-partition states kept in the history store, and only partitions without a state
        are scanned (see docs/incremental.md). Other checks scan the table as usual.
    :param rescan_partitions: with ``incremental_by``, also reread the newest ``n`` stored
        partitions (rows that arrive late).

    .. code-block:: python

        DataQualityOperator(
            task_id="validate_history",
            conn_id="warehouse",
            table="events",
            incremental_by="event_date",  # reads only the new day's partition
            checks=[row_count(min=1_000_000), not_null("user_id", mostly=0.99), mean_between("amount", max=100)],
        )
    :param asset: the outlet ``Asset`` the checked table is declared as; its asset event
        carries the quality summary (see ``airflow_dq.assets``). By default derived from the
        connection and a plain table name (``sql://conn_id/schema/table``); an ``Asset`` or
        URI is used as given; ``False`` declares none. The checks an asset carries
        (``airflow_dq.assets.with_checks``) run with ``checks``.
    """

    template_fields: Sequence[str] = ("conn_id", "table", "schema", "sql", "where", "parameters", "checks")
    template_ext: Sequence[str] = (".sql",)
    template_fields_renderers = {"sql": "sql", "where": "sql"}
    ui_color = "#cdeccf"
    operator_extra_links = (DataQualityResultsLink(),)  # "Data Quality" button: this run's results

    def __init__(
        self,
        *,
        conn_id: str | None = None,
        checks: Sequence[Check] | None = None,
        suite: str | None = None,
        dataset: str | None = None,
        table: str | None = None,
        schema: str | None = None,
        sql: str | None = None,
        where: str | None = None,
        on_failure: str = "fail",
        sample_size: int | None = None,
        incremental_by: str | None = None,
        rescan_partitions: int = 0,
        parameters: dict[str, Any] | None = None,
        statement_timeout: float | dt.timedelta | None = None,
        connect_timeout: float | dt.timedelta | None = None,
        asset: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"DataQualityOperator '{self.task_id}'"
        self.suite, self._suite_dataset, self._python_checks = suite, dataset, checks
        if is_templated(suite):  # loaded once rendered, at run time (SuiteFromTemplate)
            self._suite_template = suite
        elif suite is not None:
            spec = dataset_for_task(owner, suite, self, dataset=dataset, table=table)
            if table is None and sql is None:
                table, sql, schema = spec.table, spec.sql, schema if schema is not None else spec.schema
            conn_id = conn_id if conn_id is not None else spec.conn_id
            where = where if where is not None else spec.where
            checks = merged_checks(spec, checks)
        elif checks is None:
            raise ValueError(f"{owner}: give 'checks' (built with airflow_dq.checks) or a 'suite' file")
        if self._suite_template is None or table is not None or sql is not None:
            check_sql_dataset(owner, conn_id, table=table, sql=sql, schema=schema, where=where)
        elif conn_id is not None and (not isinstance(conn_id, str) or not conn_id):
            raise ValueError(f"{owner}: 'conn_id' must name an Airflow connection, got {conn_id!r}")
        self.incremental_by, self.rescan_partitions = check_incremental(
            owner, incremental_by, rescan_partitions, table=table
        )
        outlet = resolve_outlet(owner, asset, conn_id=conn_id, table=table, schema=schema)
        declare_outlet(self, outlet)
        checks = checks_with_asset_rules(checks, outlet)  # rules that travel with the asset
        self.on_failure = check_on_failure(owner, on_failure)
        self.sample_size = check_sample_size(owner, sample_size)
        self.checks = validate_checks(checks, owner=owner) if checks or self._suite_template is None else []
        self.parameters = check_parameters(owner, parameters, where=where, checks=self.checks)
        self.statement_timeout = check_timeout(owner, "statement_timeout", statement_timeout)
        self.connect_timeout = check_timeout(owner, "connect_timeout", connect_timeout)
        self.conn_id, self.table, self.schema, self.sql, self.where = conn_id, table, schema, sql, where

    def use_suite(self, spec: DatasetSpec) -> None:
        """A templated suite, once rendered: its dataset fills what the task did not give."""
        if self.table is None and self.sql is None:
            self.table, self.sql, self.schema = spec.table, spec.sql, self.schema or spec.schema
        self.conn_id = self.conn_id or spec.conn_id
        self.where = self.where if self.where is not None else spec.where
        owner = f"DataQualityOperator '{self.task_id}'"
        check_sql_dataset(owner, self.conn_id, table=self.table, sql=self.sql, schema=self.schema, where=self.where)
        self.checks = validate_checks(merged_checks(spec, self._python_checks), owner=owner)

    def _sqlalchemy_engine(self) -> sa.Engine:
        hook = BaseHook.get_hook(self.conn_id)
        if not hasattr(hook, "get_sqlalchemy_engine"):
            raise TypeError(
                f"connection '{self.conn_id}' gives a {type(hook).__name__}, which is not a SQL hook "
                "with SQLAlchemy support"
            )
        return hook.get_sqlalchemy_engine()

    def execute(self, context: Context) -> dict[str, Any]:
        # SQLAlchemy and the engine are imported here, not at DAG parse time.
        from airflow_dq.engines.sql import SqlEngine
        from airflow_dq.engines.sql.parameters import bound_parameters
        from airflow_dq.operators.history import TaskHistory

        owner = f"DataQualityOperator '{self.task_id}'"
        check_rendered_sql_dataset(owner, table=self.table, sql=self.sql, schema=self.schema, where=self.where)
        limits = limits_setting(self.statement_timeout, self.connect_timeout)
        history = TaskHistory(context)  # results are recorded there before the verdict
        bind = self._sqlalchemy_engine()

        def make_engine() -> SqlEngine:
            if self.incremental_by is None:
                return SqlEngine(
                    bind, table=self.table, schema=self.schema, query=self.sql, where=self.where, limits=limits
                )
            from airflow_dq.engines.sql.incremental import IncrementalSqlEngine

            return IncrementalSqlEngine(
                bind,
                table=self.table,  # type: ignore[arg-type]
                schema=self.schema,
                where=self.where,
                partition_column=self.incremental_by,
                states=history.partition_states(),
                rescan_partitions=self.rescan_partitions,
                limits=limits,
            )

        try:
            with bound_parameters(check_parameters(owner, self.parameters)):
                result = history.run_checks(make_engine, self.checks, context, sample_size=self.sample_size)
        finally:
            self.dq_default_schema = bind.dialect.default_schema_name  # names the table for OpenLineage
            bind.dispose()
        return history.record_then_verdict(result, context, on_failure=self.on_failure, log=self.log)
