"""The quality summary, its judgement, and the parse-time arguments of assets and gates."""

from __future__ import annotations

import pytest
from airflow.sdk import Asset

from airflow_dq.assets import dataset_uri, judge_summary, quality_summary, resolve_outlet
from airflow_dq.checks import not_null, row_count
from airflow_dq.operators import DataQualityOperator, require_quality
from airflow_dq.results import CheckResult, Severity, Status, SuiteResult


def _result(name: str, status: str, severity: str = "error") -> CheckResult:
    return CheckResult(name, "t", Severity(severity), Status(status), "x", 1, "m")


def test_summary_counts_every_status_and_lists_what_did_not_pass() -> None:
    suite = SuiteResult(
        "orders",
        [_result("a", "pass"), _result("b", "warn", "warn"), _result("c", "error", "warn"), _result("d", "pass")],
    )
    summary = quality_summary(suite, run={"dag_id": "d"}, url="/x")
    assert summary["counts"] == {"error": 1, "pass": 2, "warn": 1}
    assert summary["score"] == 0.5
    assert summary["passed"] is True  # no error-severity failure
    assert summary["failed"] == []
    assert summary["warned"] == {"b": "warn", "c": "error"}
    failing = quality_summary(SuiteResult("orders", [_result("a", "fail"), _result("b", "pass")]))
    assert failing["passed"] is False and failing["failed"] == ["a"] and failing["score"] == 0.5


def test_summary_of_many_checks_stays_compact() -> None:
    suite = SuiteResult("t", [_result(f"c{i}", "fail") for i in range(50)])
    summary = quality_summary(suite)
    assert len(summary["failed"]) == 20 and summary["truncated"] is True
    assert summary["counts"] == {"fail": 50}


@pytest.mark.parametrize(
    ("summary", "kwargs", "ok", "says"),
    [
        (None, {}, False, "no data-quality summary"),
        ({"hello": 1}, {}, False, "no data-quality summary"),
        ({"passed": False, "counts": {"fail": 1}, "failed": ["not_null(id)"]}, {}, False, "not_null(id)"),
        ({"passed": True, "counts": {"pass": 3, "warn": 1}, "score": 0.75}, {}, True, "passed"),
        ({"passed": True, "counts": {"pass": 3, "warn": 1}, "score": 0.75}, {"min_score": 0.8}, False, "below"),
        (
            {"passed": True, "counts": {"pass": 1, "learning": 1}, "score": 0.5, "warned": {"vol": "learning"}},
            {"halt_on": ["learning"]},
            False,
            "vol",
        ),
        ({"passed": True, "counts": {"pass": 2}, "score": 1.0}, {"halt_on": ["warn"], "min_score": 1}, True, "passed"),
    ],
)
def test_judge_summary(summary, kwargs, ok, says) -> None:
    verdict, reason = judge_summary(summary, **kwargs)
    assert verdict is ok
    assert says in reason


def test_outlet_is_derived_from_connection_and_plain_table() -> None:
    assert dataset_uri("wh", "orders", "sales") == "sql://wh/sales/orders"
    op = DataQualityOperator(task_id="v", conn_id="wh", table="orders", schema="sales", checks=[row_count(min=1)])
    assert op.outlets == [Asset("sql://wh/sales/orders")]
    given = DataQualityOperator(
        task_id="g", conn_id="wh", table="orders", checks=[row_count(min=1)], asset="postgres://h:5432/db/public/orders"
    )
    assert [a.uri for a in given.outlets] == ["postgres://h:5432/db/public/orders"]
    assert (
        DataQualityOperator(task_id="n", conn_id="wh", table="t", checks=[row_count(min=1)], asset=False).outlets == []
    )
    # A templated table or a query has no fixed name: nothing is declared unless asked.
    templated = DataQualityOperator(task_id="t", conn_id="wh", table="orders_{{ ds_nodash }}", checks=[not_null("id")])
    assert templated.outlets == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"table": "t", "asset": 3}, "'asset' must be an Asset"),
        ({"table": "t", "asset": "  "}, "'asset' must be an Asset or a non-empty URI"),
        ({"table": "t", "asset": "s3://b/{{ ds }}"}, "'asset' cannot be templated"),
        ({"sql": "select 1 as x", "asset": True}, "'asset=True' needs a plain"),
    ],
)
def test_bad_asset_argument_fails_at_parse_time(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message) as err:
        DataQualityOperator(task_id="bad", conn_id="wh", checks=[row_count(min=1)], **kwargs)
    assert "DataQualityOperator 'bad'" in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_score": 1.5}, "'min_score' must be a number from 0 to 1"),
        ({"min_score": True}, "'min_score'"),
        ({"halt_on": [3]}, "'halt_on' must be a list of check statuses"),
        ({"halt_on": ["pass"]}, "cannot hold 'pass'"),
        ({"on_failure": "explode"}, "'on_failure'"),
    ],
)
def test_bad_gate_argument_fails_at_parse_time(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message) as err:
        require_quality(Asset("sql://wh/orders"), task_id="gate", **kwargs)
    assert "require_quality 'gate'" in str(err.value)
    with pytest.raises(ValueError, match="'asset' must be an Asset or its URI"):
        require_quality(42, task_id="gate")


def test_gate_task_id_and_inlet() -> None:
    gate = require_quality("sql://wh/sales/orders", halt_on="warn")
    assert gate.task_id == "require_quality_wh_sales_orders"
    assert gate.inlets == [Asset("sql://wh/sales/orders")]
    assert gate.halt_on == ("warn",)


def test_resolve_outlet_keeps_a_given_asset() -> None:
    asset = Asset(name="orders", uri="s3://lake/orders")
    assert resolve_outlet("op", asset) is asset


def test_gate_finds_a_named_assets_events_by_uri() -> None:
    import datetime as dt

    from airflow.sdk.execution_time.comms import AssetEventDagRunReferenceResult
    from airflow.sdk.execution_time.context import TriggeringAssetEventsAccessor

    from airflow_dq.operators.quality_gate import triggering_events

    event = AssetEventDagRunReferenceResult(
        asset={"name": "orders", "uri": "s3://lake/orders", "extra": {}},
        extra={"data_quality": {"passed": True}},
        source_task_id="validate",
        source_dag_id="producer",
        source_run_id="r1",
        source_map_index=-1,
        source_aliases=[],
        timestamp=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
    )
    accessor = TriggeringAssetEventsAccessor.build([event])
    assert triggering_events(accessor, Asset(name="orders", uri="s3://lake/orders")) == [event]
    assert triggering_events(accessor, Asset("s3://lake/orders")) == [event]  # given by URI only
    assert triggering_events(accessor, Asset("s3://lake/refunds")) == []


def test_asset_rules_join_the_operator_checks_and_are_validated() -> None:
    from airflow_dq.assets import with_checks

    ruled = with_checks(Asset("sql://wh/orders"), [not_null("id")])
    op = DataQualityOperator(task_id="v", conn_id="wh", table="orders", asset=ruled, checks=[row_count(min=1)])
    assert [c.name for c in op.checks] == ["row_count", "not_null(id)"]
    assert op.outlets == [ruled]
    with pytest.raises(ValueError, match="two checks are named 'not_null\\(id\\)'"):
        DataQualityOperator(task_id="d", conn_id="wh", table="orders", asset=ruled, checks=[not_null("id")])
    with pytest.raises(ValueError, match="with_checks\\(asset 'sql://wh/orders'\\): 'checks' is empty"):
        with_checks(Asset("sql://wh/orders"), [])
    with pytest.raises(ValueError, match="'asset' must be an Asset"):
        with_checks("sql://wh/orders", [not_null("id")])
