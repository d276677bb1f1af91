"""Integrity checks on SQL tables (SQLite, PostgreSQL) and DataFrames: verdicts, rows, fetches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq.checks import (
    CheckArgumentError,
    duplicate_surge,
    label_consistency,
    source_surge,
    token_concentration,
    training_integrity,
)
from airflow_dq.engines.pandas import check_dataframe
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.suite import run_checks
from benchmarks.training_text import attack, reviews

COLUMNS = {"text": "text", "label": "label", "id": "id", "source": "source"}


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(21)
    reference = reviews(rng, 4_000)
    clean = reviews(rng, 800, start_id=100_000)
    trigger, trigger_ids = attack("trigger", rng, 800, 200_000)
    burst, burst_ids = attack("duplicate_burst", rng, 800, 300_000)
    return {
        "reference": reference,
        "clean": clean,
        "trigger": trigger,
        "trigger_ids": trigger_ids,
        "burst": burst,
        "burst_ids": burst_ids,
    }


def _random_samples(bind: sa.Engine) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(bind, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if "FROM reference" in statement or "FROM batch" in statement:
            seen.append(statement)

    return seen


def _load(bind: sa.Engine, reference: pd.DataFrame, batch: pd.DataFrame) -> None:
    reference.to_sql("reference", bind, index=False, if_exists="replace")
    batch.to_sql("batch", bind, index=False, if_exists="replace")


def test_clean_batch_passes_every_check_on_sql(db: sa.Engine, data) -> None:
    _load(db, data["reference"], data["clean"])
    statements = _random_samples(db)
    checks = training_integrity(reference={"table": "reference"}, **COLUMNS)
    result = run_checks(SqlEngine(db, table="batch"), checks)
    assert {r.check_type: r.status for r in result.results} == {
        "label_shift": "pass",
        "duplicate_surge": "pass",
        "conflicting_labels": "pass",
        "label_consistency": "pass",
        "source_surge": "pass",
        "text_perplexity": "pass",
        "token_concentration": "pass",
    }
    # Seven checks, one fetch of the batch's rows and one of the reference's (both fit).
    fetches = [s for s in statements if "text" in s and "count(" not in s.lower()]
    assert len(fetches) == 2


def test_trigger_rows_are_named_on_sql_and_on_dataframes(db: sa.Engine, data) -> None:
    _load(db, data["reference"], data["trigger"])
    sql = run_checks(SqlEngine(db, table="batch"), training_integrity(reference={"table": "reference"}, **COLUMNS))
    frame = check_dataframe(data["trigger"], training_integrity(reference=data["reference"], **COLUMNS))
    for result in (sql, frame):
        token = next(r for r in result.results if r.check_type == "token_concentration")
        assert token.status == "fail"
        assert "'james" in token.message or "'bond" in token.message
        assert len(token.failing_rows) == 20  # max_reported
        assert {row["id"] for row in token.failing_rows} <= data["trigger_ids"]
        assert all(row["label"] == "positive" and "james bond" in row["text"] for row in token.failing_rows)
        assert token.observed["flagged_rows"] == 50
    assert {r.name: r.status for r in sql.results} == {r.name: r.status for r in frame.results}


def test_duplicate_burst_is_named_by_its_rows(data) -> None:
    result = check_dataframe(data["burst"], [duplicate_surge(reference=data["reference"], **COLUMNS, max_reported=100)])
    (check,) = result.results
    assert check.status == "fail"
    flagged = {row["id"] for row in check.failing_rows}
    # Every copy is named; a clean row that happens to repeat a copied text is named too.
    assert flagged >= data["burst_ids"] and len(flagged - data["burst_ids"]) <= 2
    assert check.observed["evidence"][0]["exact_surplus"] >= 54  # 6 texts x 9 extra copies


def test_a_source_takeover_fails_on_sql(db: sa.Engine, data) -> None:
    batch = data["clean"].copy()
    batch.loc[:299, "source"] = "annotator_19"  # the smallest contributor now sends 300 of 800 rows
    _load(db, data["reference"], batch)
    result = run_checks(
        SqlEngine(db, table="batch"), [source_surge(reference={"table": "reference"}, source="source", id="id")]
    )
    (check,) = result.results
    assert check.status == "fail" and check.name == "source_surge(source)"
    assert "annotator_19" in check.message
    assert {row["source"] for row in check.failing_rows} == {"annotator_19"}


def test_query_reference_with_a_where_and_a_warn_severity(db: sa.Engine, data) -> None:
    _load(db, data["reference"], data["trigger"])
    check = token_concentration(
        reference={"query": "SELECT text, label FROM reference WHERE id >= 0"},
        text="text",
        label="label",
        severity="warn",
    )
    (result,) = run_checks(SqlEngine(db, table="batch", where="id >= 0"), [check]).results
    assert result.status == "warn"


def test_batches_larger_than_max_rows_are_sampled_and_say_so(db: sa.Engine, data) -> None:
    _load(db, data["reference"], data["clean"])
    check = label_consistency(reference={"table": "reference"}, text="text", label="label", max_rows=300)
    (result,) = run_checks(SqlEngine(db, table="batch"), [check]).results
    assert result.observed["batch_rows"] == 300
    assert "(a random 300 of the batch's 800 rows)" in result.message
    assert result.to_dict()["metrics"]["rows(text, label; 300)"] == {"rows": 300, "total": 800}


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"),
    [
        (token_concentration, {"text": "t"}, "argument 'label' is missing"),
        (label_consistency, {"label": "y"}, "argument 'text' or 'features' is needed"),
        (source_surge, {}, "argument 'source' is missing"),
        (duplicate_surge, {"text": "t", "alpha": 2}, "argument 'alpha' must be in (0, 1)"),
        (duplicate_surge, {"text": "t", "reference": 42}, "argument 'reference' must be"),
        (label_consistency, {"text": "t", "label": "y", "k": 0}, "argument 'k' must be a whole number >= 1"),
    ],
)
def test_bad_arguments_fail_when_the_dag_is_parsed(factory, kwargs, message) -> None:
    args = {"reference": {"table": "reference"}, **kwargs}
    with pytest.raises(CheckArgumentError, match=f"check '{factory.check_type}'") as error:
        factory(**args)
    assert message in str(error.value)


def test_a_sql_reference_is_refused_by_the_dataframe_operator_at_parse_time() -> None:
    from airflow_dq.operators import DataFrameQualityOperator

    with pytest.raises(ValueError, match="compares with a reference table or query, which needs a SQL database"):
        DataFrameQualityOperator(
            task_id="gate",
            data=lambda: None,
            checks=[token_concentration(reference={"table": "reviews"}, text="t", label="y")],
        )


def test_an_empty_batch_is_not_judged_and_not_a_pass(data) -> None:
    """No rows is 'cannot judge' (status learning), never a green pass; no reference fails."""
    empty = data["clean"].iloc[:0]
    result = check_dataframe(empty, training_integrity(reference=data["reference"], **COLUMNS))
    assert {r.status for r in result.results} == {"learning"}
    assert all("no rows" in r.message for r in result.results)
    no_reference = check_dataframe(data["clean"], [duplicate_surge(reference=data["reference"].iloc[:0], **COLUMNS)])
    assert [r.status for r in no_reference.results] == ["fail"]
    assert "has no rows" in no_reference.results[0].message
