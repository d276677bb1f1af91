"""Checks only read (issue 11): every statement runs in a read-only transaction, and user SQL
holding more than one statement is refused before anything is sent. A ``canary`` table
proves nothing was written, on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.engines.sql.session import guard
from airflow_dq.sql_fragments import stacked_problem
from airflow_dq.suite import run_checks, validate_checks
from tests.checks.data import create_table

ATTACKS = [
    "US'; UPDATE canary SET secret = 'pwned'; COMMIT; SELECT 1 WHERE '1' = '1",
    "US'; DROP TABLE canary; COMMIT; SELECT 1 WHERE '1' = '1",
    # PostgreSQL reads 'US\' as a whole string (standard strings); a tokenizer that takes the
    # backslash as an escape would see one long string and no ';'.
    "US\\'; UPDATE canary SET secret = 'pwned'; --",
    # '#' is a comment to sqlparse and MySQL, an operator to PostgreSQL.
    "US' AND 1 # 2; UPDATE canary SET secret = 'pwned'; SELECT '",
]


def _load(db: sa.Engine) -> None:
    create_table(db, "canary", {"secret": sa.String(20)}, [("safe",)])
    create_table(db, "events", {"country": sa.String(2), "amount": sa.Float()}, [("US", 1.0), ("DE", 2.0)])


def _canary(db: sa.Engine) -> list[str]:
    with db.connect() as conn:
        return [row[0] for row in conn.execute(sa.text("SELECT secret FROM canary"))]


@pytest.mark.parametrize("value", ATTACKS)
def test_stacked_where_is_refused_before_anything_is_sent(db: sa.Engine, value: str) -> None:
    _load(db)
    with pytest.raises(ValueError, match=r"SqlEngine: 'where' holds .*SQL statement|SqlEngine: 'where' holds a ';'"):
        SqlEngine(db, table="events", where=f"country = '{value}'")
    assert _canary(db) == ["safe"]


@pytest.mark.parametrize("value", ATTACKS)
def test_stacked_custom_sql_and_row_condition_are_refused_at_parse_time(value: str) -> None:
    with pytest.raises(ValueError, match="check 'custom_sql': argument 'sql' holds"):
        dq.custom_sql(f"SELECT COUNT(*) FROM events WHERE country = '{value}'", min=0)
    with pytest.raises(ValueError, match="check 'row_condition': argument 'condition' holds"):
        dq.row_condition(f"country <> '{value}'")
    with pytest.raises(ValueError, match=r"check 'drift' on column 'amount': argument 'reference\['where'\]' holds"):
        validate_checks([dq.drift("amount", reference={"table": "events", "where": f"country = '{value}'"})])


@pytest.mark.parametrize(
    "fragment",
    [
        "note = 'a;b'",  # a ';' inside a quoted string is data
        '"odd;name" = 1',  # ... and inside a quoted identifier
        "day::date = '2026-11-01'",  # no ';' at all: the tokenizer is not even loaded
        "SELECT COUNT(*) FROM t;",  # custom_sql may end with one ';' (see standalone)
    ],
)
def test_single_statements_are_accepted(fragment: str) -> None:
    assert stacked_problem(fragment, standalone=fragment.startswith("SELECT")) is None


def test_a_semicolon_in_a_comment_is_refused_too() -> None:
    problem = stacked_problem("amount > 0 -- ; just a comment")
    assert problem is not None and "comment" in problem


def test_the_guarded_engine_cannot_write(db: sa.Engine) -> None:
    _load(db)
    guarded = guard(db)
    for statement in ("UPDATE canary SET secret = 'pwned'", "DROP TABLE canary", "INSERT INTO canary VALUES ('x')"):
        with pytest.raises(sa.exc.DBAPIError, match=r"read-only|readonly"), guarded.connect() as conn:
            conn.exec_driver_sql(statement)
            conn.commit()
    assert _canary(db) == ["safe"]
    # The pool is shared with the caller's engine: it can still write afterwards.
    with db.begin() as conn:
        conn.exec_driver_sql("UPDATE canary SET secret = 'rotated'")
    assert _canary(db) == ["rotated"]


@pytest.mark.postgres
def test_a_stacked_commit_cannot_escape_the_read_only_transaction(postgres_engine: sa.Engine) -> None:
    # Below the tokenizer: psycopg2 sends all statements of one call. After the stacked
    # COMMIT, the next transaction is read-only too (default_transaction_read_only).
    _load(postgres_engine)
    with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"), guard(postgres_engine).connect() as conn:
        conn.exec_driver_sql("SELECT 1; COMMIT; UPDATE canary SET secret = 'pwned'")
    assert _canary(postgres_engine) == ["safe"]
    with postgres_engine.begin() as conn:  # that connection was discarded, not pooled read-only
        conn.exec_driver_sql("UPDATE canary SET secret = 'rotated'")
    assert _canary(postgres_engine) == ["rotated"]


def test_a_suite_still_runs_and_leaves_the_engine_writable(db: sa.Engine) -> None:
    _load(db)
    suite = run_checks(
        SqlEngine(db, table="events"),
        [dq.row_count(min=2), dq.custom_sql("SELECT COUNT(*) FROM canary;", equals=1, name="one_canary")],
    )
    assert [r.status for r in suite.results] == ["pass", "pass"], suite.summary()
    with db.begin() as conn:
        conn.exec_driver_sql("INSERT INTO events VALUES ('FR', 3.0)")
    assert run_checks(SqlEngine(db, table="events"), [dq.row_count(min=3)]).passed
