"""DataQualityOperator: run a suite of checks on a table or query and halt on bad data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook, BaseOperator

from airflow_dq.assets import checks_with_asset_rules, declare_outlet, resolve_outlet
from airflow_dq.checks.base import Check
from airflow_dq.lineage import OpenLineageFacets
from airflow_dq.operators.base import (
    RenderChecksOnACopy,
    check_on_failure,
    check_sample_size,
    check_sql_dataset,
)
from airflow_dq.suite import validate_checks
from airflow_dq.ui.links import DataQualityResultsLink

if TYPE_CHECKING:
    import sqlalchemy as sa
    from airflow.sdk import Context


class DataQualityOperator(OpenLineageFacets, RenderChecksOnACopy, BaseOperator):
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

    :param conn_id: an Airflow connection to a SQL database (any DbApiHook with SQLAlchemy
        support: SQLite, PostgreSQL, ...). Templated.
    :param checks: the checks, built with ``airflow_dq.checks``. SQL inside ``custom_sql``
        and ``row_condition`` is templated.
    :param table: the table to check. Templated. Give ``table`` or ``sql``.
    :param schema: the table's schema (database namespace). Templated.
    :param sql: a query whose result is checked, instead of a table. Templated; a path
        ending in ``.sql`` is read as a template file.
    :param where: a SQL filter (e.g. the run's partition). Raw SQL, templated.
    :param on_failure: ``"fail"`` (default) or ``"skip"`` when an ``error`` check fails.
    :param sample_size: offending rows fetched per failed row-level check; default from the
        ``[data_quality] failure_sample_size`` option (5).
    :param asset: the outlet ``Asset`` the checked table is declared as; its asset event
        carries the quality summary (see ``airflow_dq.assets``). By default derived from the
        connection and a plain table name (``sql://conn_id/schema/table``); an ``Asset`` or
        URI is used as given; ``False`` declares none. The checks an asset carries
        (``airflow_dq.assets.with_checks``) run with ``checks``.
    """

    template_fields: Sequence[str] = ("conn_id", "table", "schema", "sql", "where", "checks")
    template_ext: Sequence[str] = (".sql",)
    template_fields_renderers = {"sql": "sql", "where": "sql"}
    ui_color = "#cdeccf"
    operator_extra_links = (DataQualityResultsLink(),)  # "Data Quality" button: this run's results

    def __init__(
        self,
        *,
        conn_id: str,
        checks: Sequence[Check],
        table: str | None = None,
        schema: str | None = None,
        sql: str | None = None,
        where: str | None = None,
        on_failure: str = "fail",
        sample_size: int | None = None,
        asset: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"DataQualityOperator '{self.task_id}'"
        check_sql_dataset(owner, conn_id, table=table, sql=sql, schema=schema, where=where)
        outlet = resolve_outlet(owner, asset, conn_id=conn_id, table=table, schema=schema)
        declare_outlet(self, outlet)
        self.on_failure = check_on_failure(owner, on_failure)
        self.sample_size = check_sample_size(owner, sample_size)
        self.checks = validate_checks(checks_with_asset_rules(checks, outlet), owner=owner)
        self.conn_id, self.table, self.schema, self.sql, self.where = conn_id, table, schema, sql, where

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
        from airflow_dq.operators.history import TaskHistory

        history = TaskHistory(context)  # results are recorded there before the verdict
        bind = self._sqlalchemy_engine()
        try:
            result = history.run_checks(
                lambda: SqlEngine(bind, table=self.table, schema=self.schema, query=self.sql, where=self.where),
                self.checks,
                context,
                sample_size=self.sample_size,
            )
        finally:
            self.dq_default_schema = bind.dialect.default_schema_name  # names the table for OpenLineage
            bind.dispose()
        return history.record_then_verdict(result, context, on_failure=self.on_failure, log=self.log)
