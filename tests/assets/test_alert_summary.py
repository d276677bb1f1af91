"""The alert text a notifier gets: short, failures first, expected vs observed, a link."""

from __future__ import annotations

import pytest

from airflow_dq.alerts import DataQualityNotifier, alert_summary
from airflow_dq.results import CheckResult, Severity, Status, SuiteResult

RUN = {"dag_id": "sales", "task_id": "validate", "run_id": "r1", "map_index": -1}


def _check(name: str, status: str, severity: str = "error") -> CheckResult:
    return CheckResult(name, "t", Severity(severity), Status(status), f"{name} ok", 7, f"{name} is off")


def test_blocking_failures_come_first_and_passes_are_left_out() -> None:
    suite = SuiteResult(
        "table orders",
        [_check("a_warned", "warn", "warn"), _check("b_ok", "pass"), _check("c_failed", "fail")],
    )
    alert = alert_summary(suite, run=RUN, url="http://x/dq")
    assert alert["subject"] == "Data quality FAILED: table orders (sales.validate)"
    lines = alert["text"].splitlines()
    assert lines[2] == "2 of 3 checks did not pass:"
    assert lines[3] == "- c_failed [fail]: c_failed is off"
    assert lines[4] == "    expected: c_failed ok; observed: 7"
    assert lines[5] == "- a_warned [warn]: a_warned is off"
    assert lines[-1] == "Results: http://x/dq"
    assert "b_ok" not in alert["text"]
    assert [f["name"] for f in alert["failed"]] == ["c_failed", "a_warned"]
    assert alert["verdict"] == "failed"


def test_warning_only_and_long_suites() -> None:
    suite = SuiteResult("t", [_check(f"w{i:02}", "warn", "warn") for i in range(15)])
    alert = alert_summary(suite, run=RUN)
    assert alert["subject"].startswith("Data quality WARNING: t")
    assert "... and 5 more" in alert["text"]
    assert alert["text"].count("\n- ") == 10


def test_a_task_that_could_not_run_still_alerts_with_its_error() -> None:
    alert = alert_summary(None, run=RUN, error=ConnectionError("could not connect to server"))
    assert alert["subject"] == "Data quality COULD NOT RUN: sales.validate (sales.validate)"
    assert "Error: could not connect to server" in alert["text"]


def test_html_is_escaped() -> None:
    suite = SuiteResult("t", [CheckResult("x", "t", Severity.ERROR, Status.FAIL, "< 5", "<b>", "bad")])
    assert "&lt;b&gt;" in alert_summary(suite, run=RUN)["html"]


def test_notifier_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="'notifier' must be an Airflow notifier"):
        DataQualityNotifier("smtp")
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    with pytest.raises(ValueError, match="'alert_on_warn' must be True or False"):
        DataQualityNotifier(SmtpNotifier(to="a@b.c"), alert_on_warn="yes")
