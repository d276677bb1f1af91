"""The project's bad-input matrix (issue 11): one test per case that used to slip through.

A static bad value fails when the DAG is parsed, naming the check (or task) and the
argument; a templated one that renders wrong fails at run time, still naming both; a value
that cannot be judged makes its check ``error``, never a silent pass or a data ``fail``.
Templates are rendered by the real operator (``render_template_fields``), as in a run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks.anomaly import HistoryUnavailable
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.operators import DataQualityOperator
from airflow_dq.operators.base import AirflowFailException
from airflow_dq.results import Status
from airflow_dq.suite import run_checks
from tests.checks.data import NOW, by_name, create_table, only, run


def _events(db: sa.Engine) -> None:
    create_table(
        db,
        "t",
        {"country": sa.String(10), "amount": sa.Float(), "ts": sa.DateTime()},
        [("US", 1.0, dt.datetime(2026, 11, 27, 12)), ("DE", 2.0, dt.datetime(2026, 11, 27, 13))],
    )


def _rendered(params: dict[str, Any], **operator_kwargs: Any) -> DataQualityOperator:
    """A task as the run sees it: built at parse time, then rendered with the run's params."""
    operator_kwargs.setdefault("table", "t")
    op = DataQualityOperator(task_id="validate", conn_id="warehouse", **operator_kwargs)
    op.render_template_fields({"params": params})
    return op


def _run_rendered(db: sa.Engine, op: DataQualityOperator) -> Any:
    return run_checks(SqlEngine(db, table=op.table, where=op.where), op.checks, now=NOW)


# -- custom_sql must return exactly one row and one column --------------------------------


@pytest.mark.parametrize(
    ("sql", "shape"),
    [
        ("SELECT COUNT(*), MAX(amount) FROM t", "1 row of 2 columns"),
        ("SELECT amount FROM t", "2 rows of 1 column"),
        ("SELECT amount FROM t WHERE amount > 100", "0 rows"),
    ],
)
def test_custom_sql_of_the_wrong_shape_is_an_error(db: sa.Engine, sql: str, shape: str) -> None:
    _events(db)
    result = only(run(db, dq.custom_sql(sql, min=0, name="shaped")))
    assert result.status is Status.ERROR
    assert result.message == (
        f"cannot be judged: check 'shaped': argument 'sql' must return exactly one row with one column, "
        f"and it returned {shape}"
    )


# -- empty rendered where, table, sql, schema ------------------------------------------------


def test_an_empty_rendered_where_is_an_error_not_the_whole_table(db: sa.Engine) -> None:
    op = _rendered({"w": ""}, where="{{ params.w }}", checks=[dq.row_count(min=1)])
    with pytest.raises(AirflowFailException, match="'where' rendered empty \\(''\\), which would check the whole"):
        op.execute({})
    _events(db)  # and below the operator, the engine refuses it too
    with pytest.raises(ValueError, match="SqlEngine: 'where' must be a non-empty SQL string"):
        SqlEngine(db, table="t", where="")


@pytest.mark.parametrize("argument", ["table", "sql", "schema"])
def test_an_empty_rendered_dataset_argument_names_the_task_and_argument(argument: str) -> None:
    kwargs = {"table": "t", argument: "{{ params.x }}"}
    if argument == "sql":
        kwargs.pop("table")
    op = DataQualityOperator(task_id="validate", conn_id="warehouse", checks=[dq.row_count(min=1)], **kwargs)
    op.render_template_fields({"params": {"x": " "}})
    with pytest.raises(AirflowFailException, match=f"DataQualityOperator 'validate': '{argument}' rendered empty"):
        op.execute({})


def test_a_rendered_where_with_a_second_statement_is_refused() -> None:
    op = _rendered({"c": "US'; DELETE FROM t; --"}, where="country = '{{ params.c }}'", checks=[dq.row_count(min=1)])
    with pytest.raises(AirflowFailException, match="'where' holds more than one SQL statement"):
        op.execute({})


# -- empty rendered check SQL -------------------------------------------------------------------


def test_an_empty_rendered_custom_sql_errors_that_check_only(db: sa.Engine) -> None:
    _events(db)
    checks = [dq.custom_sql("{{ params.q }}", min=0, name="q"), dq.row_count(min=1)]
    results = by_name(_run_rendered(db, _rendered({"q": ""}, checks=checks)))
    assert results["q"].status is Status.ERROR
    assert results["q"].message.startswith("check 'custom_sql': argument 'sql' rendered empty ('')")
    assert results["row_count"].status is Status.PASS


def test_an_empty_rendered_row_condition_errors_that_check_only(db: sa.Engine) -> None:
    _events(db)
    op = _rendered({"cond": "   "}, checks=[dq.row_condition("{{ params.cond }}", name="cond")])
    result = only(_run_rendered(db, op))
    assert result.status is Status.ERROR
    assert result.message.startswith("check 'row_condition': argument 'condition' rendered empty ('   ')")


def test_a_stacked_rendered_custom_sql_errors_that_check(db: sa.Engine) -> None:
    _events(db)
    op = _rendered({"q": "SELECT 1; DELETE FROM t"}, checks=[dq.custom_sql("{{ params.q }}", min=0, name="q")])
    result = only(_run_rendered(db, op))
    assert result.status is Status.ERROR
    assert "argument 'sql' holds more than one SQL statement" in result.message
    with db.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM t").scalar() == 2


# -- garbage templated window start -----------------------------------------------------------


def test_a_garbage_rendered_window_start_names_the_check_and_argument(db: sa.Engine) -> None:
    _events(db)
    check = dq.time_bucket_completeness("ts", bucket="hour", start="{{ params.s }}", end="2026-11-28T00:00:00")
    result = only(_run_rendered(db, _rendered({"s": "last tuesday"}, checks=[check])))
    assert result.status is Status.ERROR
    assert result.message == (
        "check 'time_bucket_completeness' on column 'ts': argument 'start' rendered to 'last tuesday', "
        "which is not a datetime or an ISO timestamp"
    )


# -- freshness on a text column -----------------------------------------------------------------


def test_freshness_on_a_text_column_is_a_clear_error(db: sa.Engine) -> None:
    _events(db)
    result = only(run(db, dq.freshness("country", max_age=dt.timedelta(hours=1))))
    assert result.status is Status.ERROR
    assert result.message == (
        "cannot be judged: check 'freshness(country)': column 'country' (string) holds 'US', which is not a "
        "timestamp; freshness needs a timestamp or date column (or ISO timestamps as text)"
    )


# -- duplicate_surge(min_copies) -------------------------------------------------------------


@pytest.mark.parametrize("min_copies", [0, 1, "2", 2.5, True])
def test_duplicate_surge_refuses_a_bad_min_copies_at_parse_time(min_copies: Any) -> None:
    with pytest.raises(ValueError, match=r"check 'duplicate_surge'.*argument 'min_copies' must be a whole number >= 2"):
        dq.duplicate_surge(text="body", reference={"table": "ref"}, min_copies=min_copies)


# -- a history-store outage -------------------------------------------------------------------


def test_a_store_outage_makes_history_checks_error_not_fail(db: sa.Engine) -> None:
    _events(db)

    def unreachable(check: str, runs: int) -> Any:
        raise HistoryUnavailable("OperationalError: connection refused")

    suite = run_checks(
        SqlEngine(db, table="t"),
        [dq.volume_anomaly(), dq.metric_anomaly("amount", "mean"), dq.row_count(min=1)],
        history=unreachable,
        now=NOW,
    )
    statuses = {r.name: r.status for r in suite.results}
    assert statuses == {"volume_anomaly": "error", "mean_anomaly(amount)": "error", "row_count": "pass"}


# -- parse-time arguments of the safety options ---------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"where": "a = 1; DROP TABLE t"}, "'where' holds more than one SQL statement"),
        ({"table": None, "sql": "SELECT 1; SELECT 2"}, "'sql' holds more than one SQL statement"),
        ({"parameters": ["US"]}, "'parameters' must be a dict of placeholder names"),
        ({"parameters": {"a b": 1}}, "'parameters' has the key 'a b'"),
        ({"where": "country = :c AND day::date = '10:00'"}, "'where' uses :c, which 'parameters' does not give"),
        ({"where": ":c = country", "parameters": {"d": "1"}}, "'where' uses :c, which 'parameters' does not give"),
        ({"statement_timeout": 0}, "'statement_timeout' must be a positive number of seconds"),
        ({"connect_timeout": "10"}, "'connect_timeout' must be a positive number of seconds"),
    ],
)
def test_safety_options_are_checked_at_parse_time(kwargs: dict[str, Any], message: str) -> None:
    kwargs = {"table": "t", **kwargs}
    with pytest.raises(ValueError, match=f"DataQualityOperator 'validate': {message}"):
        DataQualityOperator(task_id="validate", conn_id="warehouse", checks=[dq.row_count(min=1)], **kwargs)


def test_a_placeholder_without_a_parameter_names_the_check_at_parse_time() -> None:
    with pytest.raises(
        ValueError, match="check 'custom_sql': argument 'sql' uses :c, which 'parameters' does not give"
    ):
        DataQualityOperator(
            task_id="validate",
            conn_id="warehouse",
            table="t",
            parameters={"country": "US"},
            checks=[dq.custom_sql("SELECT COUNT(*) FROM t WHERE country = :c", min=0)],
        )


def test_a_query_dataset_may_end_with_one_semicolon(db: sa.Engine) -> None:
    _events(db)  # a .sql file usually does; the sub-select it becomes must not
    suite = run_checks(SqlEngine(db, query="SELECT * FROM t WHERE amount > 1;\n"), [dq.row_count(min=1, max=1)])
    assert suite.passed, suite.summary()
    with pytest.raises(ValueError, match="SqlEngine: 'query' holds more than one SQL statement"):
        SqlEngine(db, query="SELECT * FROM t; SELECT 1;")
