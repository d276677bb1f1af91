"""One bad user SQL fragment never sinks the suite (issue 15, point 4): a typo in a
row_condition, a references check on a parent table that does not exist, a custom_sql the
database rejects get status error with the database's message; every other check of the
same suite is judged normally. A timeout stays a retryable task error."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.engines.sql.session import Limits, StatementTimeout
from airflow_dq.results import Status
from airflow_dq.suite import run_checks
from tests.checks.data import NOW, create_table

COLUMNS = {"id": sa.Integer(), "price": sa.Float(), "country": sa.String(3)}
ROWS = [{"id": i, "price": float(i), "country": None if i % 10 == 0 else "US"} for i in range(1, 51)]


def _suite() -> list:
    return [
        dq.row_count(min=10),
        dq.not_null("country"),  # 5 NULLs: a real failure that must survive
        dq.value_range("price", min=0, max=100),
        dq.row_condition("pricee > 0", name="typo"),
        dq.references("id", "no_such_parent", "id", name="bad_parent"),
        dq.row_condition("price >= 1", name="good_condition"),
        dq.custom_sql("SELECT COUNT(*) FROM no_such_table", max=0, name="bad_custom"),
    ]


def test_the_culprits_get_the_database_message_and_the_rest_is_judged(db: sa.Engine) -> None:
    create_table(db, "t", COLUMNS, ROWS)
    engine = SqlEngine(db, table="t")
    result = run_checks(engine, _suite(), now=NOW)
    by_name = {r.name: r for r in result.results}
    assert {name: r.status for name, r in by_name.items()} == {
        "row_count": Status.PASS,
        "not_null(country)": Status.FAIL,
        "value_range(price)": Status.PASS,
        "typo": Status.ERROR,
        "bad_parent": Status.ERROR,
        "good_condition": Status.PASS,
        "bad_custom": Status.ERROR,
    }
    assert by_name["not_null(country)"].observed == 5
    assert by_name["not_null(country)"].failing_rows  # its sample is still fetched
    # The database's own words name what is wrong.
    assert "pricee" in by_name["typo"].message
    assert "the database refused this check's SQL" in by_name["typo"].message
    assert "no_such_parent" in by_name["bad_parent"].message
    assert "no_such_table" in by_name["bad_custom"].message
    # The shared scan, one rerun without the three fragments, each fragment alone (the good
    # one too); in the log: the rerun, the three solo scans, and a SELECT 1 after each of the
    # three refusals (the database still answers, so they are the checks' errors).
    assert result.statements["data"] == 5
    assert result.statements["isolation"] == 1 + 3 + 3


def test_a_good_suite_costs_no_extra_statement(db: sa.Engine) -> None:
    create_table(db, "t", COLUMNS, ROWS)
    suite = [c for c in _suite() if c.name not in {"typo", "bad_parent", "bad_custom"}]
    result = run_checks(SqlEngine(db, table="t"), suite, now=NOW)
    assert "isolation" not in result.statements
    assert result.statements["data"] == 1


def test_a_bad_dataset_filter_is_still_a_task_error(db: sa.Engine) -> None:
    # Not a check's fragment: the rerun without them fails too, so the first error is raised.
    create_table(db, "t", COLUMNS, ROWS)
    with pytest.raises(sa.exc.DBAPIError):
        run_checks(SqlEngine(db, table="t", where="no_such_column = 1"), _suite(), now=NOW)


@pytest.mark.postgres
def test_a_fragment_that_times_out_stays_a_retryable_error(postgres_engine: sa.Engine) -> None:
    create_table(postgres_engine, "t", COLUMNS, ROWS)
    engine = SqlEngine(postgres_engine, table="t", limits=Limits(statement_timeout=0.5))
    slow = dq.row_condition("pg_sleep(0.1) IS NOT NULL", name="slow")  # 50 rows x 0.1 s
    with pytest.raises(StatementTimeout):
        run_checks(engine, [dq.row_count(min=1), slow], now=NOW)


def _with_source(db: sa.Engine) -> None:
    create_table(db, "t", COLUMNS, ROWS)
    create_table(db, "src", COLUMNS, ROWS[:40])


def test_a_bad_reconciliation_source_errors_that_check_alone(db: sa.Engine) -> None:
    """Reconciliation sources are user SQL too (other_table, other_sql, other_where): the
    SELECT on a source the database refuses fails only the checks on that source."""
    _with_source(db)
    checks = [
        dq.not_null("country"),
        dq.row_count_matches("no_such_source", name="missing_table"),
        dq.row_count_matches(other_sql="SELECT id FROM src WHERE pricee > 0", name="sql_typo"),
        dq.row_count_matches("src", other_where="countryy = 'US'", name="where_typo"),
        dq.row_count_matches("src", other_where="country = 'US'", name="good_source"),
        dq.sum_matches("price", "src", name="good_sum"),
    ]
    result = run_checks(SqlEngine(db, table="t"), checks, now=NOW)
    by_name = {r.name: r for r in result.results}
    assert {name: r.status for name, r in by_name.items()} == {
        "not_null(country)": Status.FAIL,
        "missing_table": Status.ERROR,
        "sql_typo": Status.ERROR,
        "where_typo": Status.ERROR,
        "good_source": Status.FAIL,  # 50 rows here, 36 US rows in the source: judged
        "good_sum": Status.FAIL,
    }
    assert by_name["not_null(country)"].observed == 5
    assert by_name["good_source"].metrics["difference"] == 50 - 36
    for name, word in (("missing_table", "no_such_source"), ("sql_typo", "pricee"), ("where_typo", "countryy")):
        assert "the database refused this check's SQL" in by_name[name].message, name
        assert word in by_name[name].message, name


def test_a_bad_reference_query_of_a_group_by_errors_that_check_alone(db: sa.Engine) -> None:
    """The GROUP BY over a segment check's reference table or query carries user SQL."""
    _with_source(db)
    checks = [
        dq.row_count(min=10),
        dq.segment_completeness("country", reference_sql="SELECT countryy FROM src", name="ref_typo"),
        dq.segment_completeness("country", reference_table="src", reference_where="pricee > 0", name="where_typo"),
        dq.segment_completeness("country", reference_table="no_such_reference", name="missing_reference"),
        dq.segment_completeness("country", reference_table="src", name="good_reference"),
    ]
    result = run_checks(SqlEngine(db, table="t"), checks, now=NOW)
    by_name = {r.name: r for r in result.results}
    assert {name: r.status for name, r in by_name.items()} == {
        "row_count": Status.PASS,
        "ref_typo": Status.ERROR,
        "where_typo": Status.ERROR,
        "missing_reference": Status.ERROR,
        "good_reference": Status.PASS,
    }, result.summary()
    for name, word in (("ref_typo", "countryy"), ("where_typo", "pricee"), ("missing_reference", "no_such_reference")):
        assert "the database refused this check's SQL" in by_name[name].message, name
        assert word in by_name[name].message, name


def test_an_unreachable_source_stays_a_retryable_task_error(db: sa.Engine, tmp_path) -> None:
    """A source whose database does not answer is no check's fault: the task fails."""
    from airflow_dq.engines.connections import use_connections

    _with_source(db)
    gone = sa.create_engine(f"sqlite:///{tmp_path / 'nowhere' / 'source.db'}")
    checks = [dq.row_count(min=1), dq.row_count_matches("src", other_conn_id="oltp")]
    with use_connections({"oltp": gone}), pytest.raises(sa.exc.OperationalError, match="unable to open"):
        run_checks(SqlEngine(db, table="t"), checks, now=NOW)


def test_a_bad_drift_reference_query_errors_that_check_alone(db: sa.Engine) -> None:
    """A drift check's reference table or query is user SQL: the histogram SELECT over it."""
    _with_source(db)
    checks = [
        dq.not_null("country"),
        dq.drift("price", reference={"query": "SELECT pricee AS price FROM src"}, name="ref_typo"),
        dq.drift("price", reference={"table": "no_such_reference"}, name="missing_reference"),
        dq.drift("price", reference={"table": "src"}, name="good_reference"),
    ]
    result = run_checks(SqlEngine(db, table="t"), checks, now=NOW)
    by_name = {r.name: r for r in result.results}
    assert by_name["not_null(country)"].status == Status.FAIL and by_name["not_null(country)"].observed == 5
    assert by_name["ref_typo"].status == Status.ERROR and "pricee" in by_name["ref_typo"].message
    assert by_name["missing_reference"].status == Status.ERROR
    assert "no_such_reference" in by_name["missing_reference"].message
    good = by_name["good_reference"]  # judged on its histograms: 40 reference rows, 50 here
    assert good.status == Status.PASS
    assert (good.observed["columns"][0]["reference_rows"], good.observed["columns"][0]["current_rows"]) == (40, 50)
