"""The drift check on SQL tables and DataFrames: verdicts, messages, critical columns, arguments."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq.checks import CheckArgumentError, drift
from airflow_dq.engines.pandas import check_dataframe
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.suite import run_checks


def _data(shift: float, n: int = 600, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.normal(40 + shift * 10, 10, n).round(1),
            "income": rng.lognormal(10, 0.4, n).round(0),
            "plan": rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1] if not shift else [0.3, 0.3, 0.4]),
        }
    )


REFERENCE = _data(0.0, seed=1)


def test_same_distribution_passes_and_shifted_batch_fails_on_sql(db: sa.Engine) -> None:
    REFERENCE.to_sql("ref", db, index=False)
    _data(0.0, seed=2).to_sql("same", db, index=False)
    _data(1.0, seed=3).to_sql("moved", db, index=False)
    check = drift(["age", "income", "plan"], reference={"table": "ref"})
    same = run_checks(SqlEngine(db, table="same"), [check]).results[0]
    assert same.status == "pass", same.message
    assert same.observed["drifted_columns"] == []
    moved = run_checks(SqlEngine(db, table="moved"), [check]).results[0]
    assert moved.status == "fail"
    assert moved.observed["drifted_columns"] == ["age", "plan"]  # income did not move
    by_column = {c["column"]: c for c in moved.observed["columns"]}
    # A reference of 600 rows (<= 1,000): the tests, KS and chi-square, with p < 0.05.
    assert by_column["age"]["method"] == "ks" and by_column["age"]["statistic"] < 0.05
    assert by_column["plan"]["method"] == "chisquare" and by_column["plan"]["threshold"] == 0.05
    assert by_column["plan"]["top_moves"][0]["bucket"] in ("free", "team")
    assert "2 of 3 columns drifted" in moved.message and "age (ks" in moved.message
    json.dumps(moved.to_dict())  # JSON-able for XCom, without the samples
    assert "reference_sample" not in json.dumps(moved.to_dict())


def test_dataframe_batch_with_dataframe_reference_and_method_overrides() -> None:
    batch = _data(1.0, seed=3)
    check = drift(
        ["age", "income", "plan"],
        reference=REFERENCE,
        methods={"age": "psi", "plan": "jensenshannon"},
        thresholds={"plan": 0.5},
    )
    result = check_dataframe(batch, [check]).results[0]
    by_column = {c["column"]: c for c in result.observed["columns"]}
    assert by_column["age"]["method"] == "psi" and by_column["age"]["drifted"]
    assert by_column["plan"]["method"] == "jensenshannon" and not by_column["plan"]["drifted"]  # JS < 0.5
    assert result.observed["drifted_columns"] == ["age"]
    assert result.status == "pass"  # 1 of 3 < 50%
    critical = drift(["age", "income", "plan"], reference=REFERENCE, methods={"age": "psi"}, critical=["age"])
    failed = check_dataframe(batch, [critical]).results[0]
    assert failed.status == "fail" and "critical column(s) ['age'] drifted" in failed.message


def test_large_reference_uses_distances() -> None:
    reference, batch = _data(0.0, n=3_000, seed=1), _data(0.0, n=3_000, seed=2)
    result = check_dataframe(batch, [drift(["age", "plan"], reference=reference)]).results[0]
    methods = {c["column"]: c["method"] for c in result.observed["columns"]}
    assert methods == {"age": "wasserstein", "plan": "jensenshannon"}
    assert result.status == "pass"


def test_query_reference_decides_kinds_from_values(db: sa.Engine) -> None:
    REFERENCE.to_sql("ref", db, index=False)
    _data(1.0, seed=3).to_sql("moved", db, index=False)
    check = drift(["age", "plan"], reference={"query": "SELECT age, plan FROM ref"})
    result = run_checks(SqlEngine(db, query="SELECT age, plan FROM moved"), [check]).results[0]
    kinds = {c["column"]: c["kind"] for c in result.observed["columns"]}
    assert kinds == {"age": "numeric", "plan": "categorical"}  # a query's columns have no catalog type
    assert result.status == "fail"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": []}, "argument 'columns' must be a non-empty list"),
        ({"reference": "ref_table"}, "argument 'reference' must be"),
        ({"reference": {"table": "t", "query": "q"}}, "exactly one of 'table' or 'query'"),
        ({"method": "psx"}, "argument 'method' must be one of"),
        ({"methods": {"nope": "psi"}}, "names 'nope', which is not among the columns"),
        ({"kinds": {"a": "categorical"}, "methods": {"a": "psi"}}, "gives 'a' the categorical method 'psi'"),
        ({"critical": ["zzz"]}, "argument 'critical' names ['zzz']"),
        ({"drift_share": 0}, "argument 'drift_share' must be in (0, 1]"),
        ({"bins": 1}, "argument 'bins' must be a whole number >= 2"),
    ],
)
def test_bad_arguments_fail_when_the_dag_is_parsed(kwargs: dict, message: str) -> None:
    args = {"columns": ["a", "b"], "reference": {"table": "ref"}, **kwargs}
    with pytest.raises(CheckArgumentError, match="check 'drift'") as error:
        drift(args.pop("columns"), **args)
    assert message in str(error.value)
