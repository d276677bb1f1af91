"""Results are plain data: JSON-serialisable (XCom, store, UI) and rebuilt from their dict."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.report import results_table
from airflow_dq.results import CheckResult, Severity, Status, SuiteResult
from tests.checks.data import create_table, run


def _suite_with_everything(db: sa.Engine) -> SuiteResult:
    rows = [
        (1, dt.date(2026, 11, 27), dt.datetime(2026, 11, 27, 8, 30), 12.5, None),
        (1, dt.date(2026, 11, 26), dt.datetime(2026, 11, 26, 8, 30), -3.25, "x"),
        (2, None, None, None, "y"),
    ]
    create_table(
        db,
        "t",
        {"id": sa.Integer(), "day": sa.Date(), "ts": sa.DateTime(), "price": sa.Numeric(8, 2), "tag": sa.String(3)},
        rows,
    )
    checks = [
        dq.unique("id"),
        dq.not_null("tag", severity="warn"),
        dq.value_range("price", min=0),  # failing rows hold dates, datetimes and decimals
        dq.freshness("ts", max_age=dt.timedelta(hours=1)),  # observed is a datetime
        dq.mean_between("price", min=0),
        dq.schema({"id": "integer", "ghost": "string"}),  # observed is a dict of lists
        dq.custom_sql("SELECT SUM(price) FROM t", min=0, name="total"),  # a Decimal on PostgreSQL
        dq.not_null("missing_col"),  # status error
    ]
    return run(db, checks)


def test_suite_result_is_json_and_round_trips(db: sa.Engine) -> None:
    suite = _suite_with_everything(db)
    data = suite.to_dict()
    text = json.dumps(data)  # no default=: every value must already be JSON

    statuses = {r["name"]: r["status"] for r in json.loads(text)["results"]}
    assert statuses == {
        "unique(id)": "fail",
        "not_null(tag)": "warn",
        "value_range(price)": "fail",
        "freshness(ts)": "fail",
        "mean_between(price)": "pass",
        "schema": "fail",
        "total": "pass",
        "not_null(missing_col)": "error",
    }
    loaded = json.loads(text)
    freshness = next(r for r in loaded["results"] if r["name"] == "freshness(ts)")
    assert freshness["observed"] == "2026-11-27T08:30:00+00:00"
    value_range = next(r for r in loaded["results"] if r["name"] == "value_range(price)")
    assert value_range["failing_rows"] == [
        {"id": 1, "day": "2026-11-26", "ts": "2026-11-26T08:30:00", "price": -3.25, "tag": "x"}
    ]
    assert next(r for r in loaded["results"] if r["name"] == "total")["observed"] == 9.25
    assert loaded["passed"] is False
    assert loaded["summary"] == "8 checks on table t: 2 pass, 1 warn, 4 fail, 1 error"

    rebuilt = SuiteResult.from_dict(loaded)
    assert rebuilt.to_dict() == loaded
    assert rebuilt.passed is False
    assert [r.name for r in rebuilt.blocking] == [
        "unique(id)",
        "value_range(price)",
        "freshness(ts)",
        "schema",
        "not_null(missing_col)",
    ]
    assert rebuilt.results[1].severity is Severity.WARN
    assert rebuilt.results[1].status is Status.WARN
    assert isinstance(rebuilt.started_at, dt.datetime)


def test_check_result_round_trip_keeps_every_field() -> None:
    result = CheckResult(
        name="n",
        check_type="not_null",
        severity=Severity.ERROR,
        status=Status.FAIL,
        expected="all rows have a value in 'a'",
        observed=3,
        message="3 of 10 rows (30.00%) are NULL; expected none",
        columns=["a"],
        metrics={"null_count(a)": 3, "row_count": 10},
        failing_rows=[{"a": None, "b": 1}],
    )
    assert CheckResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_binary_boolean_and_non_finite_values_become_json(db: sa.Engine) -> None:
    create_table(db, "t", {"b": sa.LargeBinary(), "flag": sa.Boolean(), "x": sa.Float()}, [(b"\x00\xff", True, None)])
    result = run(db, [dq.not_null("x")]).results[0]
    row = json.loads(json.dumps(result.to_dict()))["failing_rows"][0]
    # the same JSON on every database: bytes as hex, booleans as booleans
    assert row == {"b": "00ff", "flag": True, "x": None}

    result.observed = float("nan")
    result.metrics = {"mean(x)": float("inf")}
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))  # NaN is not valid JSON
    assert (data["observed"], data["metrics"]) == (None, {"mean(x)": None})


def test_results_table_lists_failures_first_with_their_rows(db: sa.Engine) -> None:
    suite = _suite_with_everything(db)
    table = results_table(suite)
    lines = table.splitlines()
    assert lines[0].startswith("Data quality: 8 checks on table t: 2 pass, 1 warn, 4 fail, 1 error (")
    assert lines[0].endswith("statements: 1 custom, 1 data, 3 samples, 1 schema)")
    statuses = [line.split()[0] for line in lines[3:11]]
    assert statuses == ["ERROR", "FAIL", "FAIL", "FAIL", "FAIL", "WARN", "PASS", "PASS"]
    assert "[FAIL] value_range(price): 1 of 2 non-NULL values" in table
    assert '    {"id": 1, "day": "2026-11-26"' in table
    assert "[ERROR] not_null(missing_col): column(s) ['missing_col'] do not exist" in table


def test_learning_is_its_own_status_in_the_table_the_summary_and_json() -> None:
    def result(name: str, status: Status) -> CheckResult:
        return CheckResult(name, "volume_anomaly", Severity.ERROR, status, "x", 1, f"{name} message")

    suite = SuiteResult(
        "table events",
        [result("a", Status.PASS), result("b", Status.LEARNING), result("c", Status.WARN), result("d", Status.PASS)],
    )
    assert suite.passed and not suite.blocking  # learning never halts the pipeline...
    assert suite.summary() == "4 checks on table events: 2 pass, 1 warn, 1 learning"  # ...nor counts as a pass
    table = results_table(suite).splitlines()
    statuses = [line.split()[0] for line in table[3:7]]
    assert statuses == ["WARN", "LEARNING", "PASS", "PASS"]  # after the warnings, before the passes
    assert "[LEARNING] b: b message" in table
    payload = json.loads(json.dumps(suite.to_dict()))
    assert [r["status"] for r in payload["results"]] == ["pass", "learning", "warn", "pass"]
    assert SuiteResult.from_dict(payload).results[1].status is Status.LEARNING
