"""What every data-quality task shares: the run's time, settings, and the verdict.

The verdict is the one place that turns a ``SuiteResult`` into Airflow semantics: the
results become the XCom return value (also on failure), a blocking failure raises
``AirflowFailException`` (no retry; downstream ``upstream_failed``) or, with
``on_failure="skip"``, ``AirflowSkipException`` (downstream skipped).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from airflow.sdk import conf

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_dq.results import SuiteResult

try:  # Airflow >= 3.2 exports these from the SDK; importing them from airflow.exceptions warns.
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
except ImportError:  # pragma: no cover - Airflow 3.1
    from airflow.exceptions import AirflowFailException, AirflowSkipException

ON_FAILURE = ("fail", "skip")


def run_time(context: Context) -> dt.datetime:
    """The run's reference time: end of the data interval, else logical date, else now."""
    for key in ("data_interval_end", "logical_date"):
        value = context.get(key)
        if value is not None:
            return value
    return dt.datetime.now(dt.UTC)


class RenderChecksOnACopy:
    """Operator mixin: render the Jinja SQL inside checks on a private copy.

    Airflow renders nested ``template_fields`` in place, and the check objects are shared by
    every copy of the task in a process (``dag.test()``, mapped tasks), so rendering the
    originals would freeze the first run's dates into every later run.
    """

    checks: list[Any]

    def render_template_fields(self, context: Context, jinja_env: Any = None) -> None:
        self.checks = copy.deepcopy(self.checks)
        super().render_template_fields(context, jinja_env)  # type: ignore[misc]


def sqlalchemy_engine_for(conn_id: str) -> Any:
    """The SQLAlchemy engine of an Airflow connection (a reconciliation check's source)."""
    from airflow.sdk import BaseHook

    hook = BaseHook.get_hook(conn_id)
    if not hasattr(hook, "get_sqlalchemy_engine"):
        raise TypeError(
            f"connection '{conn_id}' gives a {type(hook).__name__}, which is not a SQL hook with SQLAlchemy support"
        )
    return hook.get_sqlalchemy_engine()


def check_sql_dataset(owner: str, conn_id: Any, *, table: Any, sql: Any, schema: Any = None, where: Any = None) -> None:
    """Fail at parse time on a SQL dataset that cannot be right (operator and sensors)."""
    if not isinstance(conn_id, str) or not conn_id:
        raise ValueError(f"{owner}: 'conn_id' must name an Airflow connection, got {conn_id!r}")
    if (table is None) == (sql is None):
        raise ValueError(f"{owner}: give exactly one of 'table' or 'sql'")
    for arg, value in (("table", table), ("sql", sql), ("schema", schema), ("where", where)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"{owner}: '{arg}' must be a non-empty string, got {value!r}")
    _refuse_stacked(owner, sql=sql, where=where)


def _refuse_stacked(owner: str, **fragments: Any) -> None:
    from airflow_dq.sql_fragments import stacked_problem

    for arg, value in fragments.items():
        # A query (often a .sql file) may end with one ';': the engine drops it.
        problem = stacked_problem(value, standalone=arg == "sql") if isinstance(value, str) else None
        if problem:
            raise ValueError(f"{owner}: '{arg}' {problem}")


def check_rendered_sql_dataset(owner: str, **values: Any) -> None:
    """At run time, after Jinja: a SQL dataset argument that rendered empty or into several
    statements fails the task (without retry: the same run renders the same text)."""
    for arg, value in values.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            what = "would check the whole table" if arg == "where" else "names nothing to check"
            raise AirflowFailException(f"{owner}: '{arg}' rendered empty ({value!r}), which {what}")
    try:
        _refuse_stacked(owner, sql=values.get("sql"), where=values.get("where"))
    except ValueError as err:
        raise AirflowFailException(str(err)) from err


def check_parameters(owner: str, parameters: Any, *, where: Any = None, checks: Any = ()) -> Any:
    """``parameters`` is a dict of placeholder names, and gives every ``:name`` that
    ``where``, ``custom_sql`` and ``row_condition`` use (else that SQL would fail later)."""
    from airflow_dq.sql_fragments import parameters_problem, unbound_problem

    problem = parameters_problem(parameters)
    if problem:
        raise ValueError(f"{owner}: 'parameters' {problem}")
    problem = unbound_problem(where, parameters)
    if problem:
        raise ValueError(f"{owner}: 'where' {problem}")
    for check in checks:
        for argument in ("sql", "condition"):
            problem = unbound_problem(getattr(check, argument, None), parameters)
            if problem:
                raise check._argument_error(argument, problem)
    return parameters


def check_timeout(owner: str, argument: str, value: Any) -> float | None:
    """A timeout argument (seconds or a timedelta) as seconds; fails at parse time naming it."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{owner}: '{argument}' must be a positive number of seconds or a timedelta, got {value!r}")
    return float(value)


def limits_setting(statement_timeout: float | None = None, connect_timeout: float | None = None) -> Any:
    """Statement and connect timeouts: the task's own, else the ``[data_quality]`` options."""
    from airflow_dq.engines.sql.session import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, Limits

    if statement_timeout is None:
        statement_timeout = check_timeout(
            "[data_quality]",
            "statement_timeout",
            conf.getfloat("data_quality", "statement_timeout", fallback=DEFAULT_STATEMENT_TIMEOUT),
        )
    if connect_timeout is None:
        connect_timeout = check_timeout(
            "[data_quality]",
            "connect_timeout",
            conf.getfloat("data_quality", "connect_timeout", fallback=DEFAULT_CONNECT_TIMEOUT),
        )
    return Limits(statement_timeout=statement_timeout, connect_timeout=connect_timeout)


def check_on_failure(owner: str, on_failure: str) -> str:
    if on_failure not in ON_FAILURE:
        raise ValueError(f"{owner}: 'on_failure' must be one of {ON_FAILURE}, got {on_failure!r}")
    return on_failure


def check_sample_size(owner: str, sample_size: int | None) -> int | None:
    if sample_size is not None and (
        isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 0
    ):
        raise ValueError(f"{owner}: 'sample_size' must be a whole number >= 0, got {sample_size!r}")
    return sample_size


def sample_size_setting(sample_size: int | None) -> int:
    if sample_size is not None:
        return sample_size
    return conf.getint("data_quality", "failure_sample_size", fallback=5)


def default_timezone_setting() -> str:
    return conf.get("data_quality", "default_timezone", fallback="UTC")


def verdict(result: SuiteResult, context: Context, *, on_failure: str, log: Any) -> dict[str, Any]:
    """Log the results table and return the XCom payload, or raise on a blocking failure."""
    from airflow_dq.report import results_table

    log.info("%s", results_table(result))
    payload = result.to_dict()
    if result.passed:
        return payload
    # Raising means no return value, so push the results first: a failed check keeps them.
    context["ti"].xcom_push(key="return_value", value=payload)
    failed = ", ".join(r.name for r in result.blocking)
    message = f"{len(result.blocking)} data-quality check(s) failed on {result.dataset}: {failed}"
    if on_failure == "skip":
        raise AirflowSkipException(message + " (on_failure='skip': downstream tasks are skipped)")
    raise AirflowFailException(message)
