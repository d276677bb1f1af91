"""Schema check: read from the catalog; missing, extra and retyped columns."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from tests.checks.data import assert_words, create_table, only, run

COLUMNS = {
    "id": sa.Integer(),
    "big": sa.BigInteger(),
    "name": sa.String(20),
    "notes": sa.Text(),
    "amount": sa.Numeric(10, 2),
    "score": sa.Float(),
    "created": sa.DateTime(),
    "day": sa.Date(),
    "flag": sa.Boolean(),
}
FAMILIES = {
    "id": "integer",
    "big": "integer",
    "name": "string",
    "notes": "string",
    "amount": "decimal",
    "score": "float",
    "created": "timestamp",
    "day": "date",
    "flag": "boolean",
}


@pytest.fixture
def table(db: sa.Engine) -> sa.Engine:
    create_table(db, "t", COLUMNS)  # the catalog is read, so no rows are needed
    return db


def test_matching_schema_passes(table: sa.Engine) -> None:
    result = only(run(table, dq.schema(FAMILIES)))
    assert result.status == "pass", result.message
    assert result.observed == {"missing": [], "retyped": {}, "extra": []}
    assert_words(result.message, "all 9 expected columns present")


def test_number_and_none_are_wildcards(table: sa.Engine) -> None:
    loose = {**FAMILIES, "id": "number", "amount": "number", "score": "number", "name": None}
    assert only(run(table, dq.schema(loose))).status == "pass"


def test_missing_column_fails(table: sa.Engine) -> None:
    result = only(run(table, dq.schema({**FAMILIES, "ghost": "string"})))
    assert result.status == "fail"
    assert result.observed["missing"] == ["ghost"]
    assert_words(result.message, "schema differs", "missing columns ['ghost']")


def test_extra_column_fails_unless_allowed(table: sa.Engine) -> None:
    expected = {c: f for c, f in FAMILIES.items() if c not in ("flag", "notes")}
    strict = only(run(table, dq.schema(expected)))
    assert strict.status == "fail"
    assert sorted(strict.observed["extra"]) == ["flag", "notes"]
    assert_words(strict.message, "unexpected extra columns")

    allowed = only(run(table, dq.schema(expected, allow_extra=True)))
    assert allowed.status == "pass", allowed.message
    assert_words(allowed.message, "extra columns allowed", "'flag'", "'notes'")


def test_retyped_column_fails(table: sa.Engine) -> None:
    result = only(run(table, dq.schema({**FAMILIES, "amount": "string", "day": "timestamp"})))
    assert result.status == "fail"
    assert result.observed["retyped"] == {
        "amount": {"expected": "string", "actual": "decimal"},
        "day": {"expected": "timestamp", "actual": "date"},
    }
    assert_words(result.message, "'amount' is decimal (expected string)", "'day' is date (expected timestamp)")


def test_all_problems_in_one_message(table: sa.Engine) -> None:
    expected = {"id": "string", "ghost": "integer"}
    result = only(run(table, dq.schema(expected)))
    assert result.status == "fail"
    assert_words(result.message, "missing columns ['ghost']", "'id' is integer", "unexpected extra columns")


def test_query_dataset_compares_names_only(table: sa.Engine) -> None:
    # A query has no catalog entry: its types are unknown, so only names are compared.
    query = "SELECT id, name FROM t"
    assert only(run(table, dq.schema({"id": None, "name": None}), query=query)).status == "pass"
    result = only(run(table, dq.schema({"id": None, "score": None}), query=query))
    assert result.status == "fail"
    assert result.observed["missing"] == ["score"]
    assert result.observed["extra"] == ["name"]
