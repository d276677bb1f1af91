"""Alerts that say what failed: a plain summary of a check task's results for any Airflow notifier.

``DataQualityNotifier`` wraps any notifier (e-mail, Slack, PagerDuty, ...). When its task
fails, or passes with warnings and ``alert_on_warn=True``, it builds the summary and hands
the wrapped notifier a context holding it as ``data_quality``, so the notifier's templates
can use ``{{ data_quality.subject }}``, ``{{ data_quality.text }}`` (plain text) or
``{{ data_quality.html }}`` (the same, escaped in a ``<pre>``). A task that passed cleanly
sends nothing.

.. code-block:: python

    from airflow.providers.smtp.notifications.smtp import SmtpNotifier
    from airflow_dq.alerts import alert_callbacks

    email = SmtpNotifier(
        to="oncall@example.com",
        subject="{{ data_quality.subject }}",
        html_content="{{ data_quality.html }}",
    )
    DataQualityOperator(..., **alert_callbacks(email, alert_on_warn=True))
"""

from __future__ import annotations

import copy
import html
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseNotifier

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_dq.results import CheckResult, SuiteResult

CONTEXT_KEY = "data_quality"
_MAX_LINES = 10  # an alert is read on a phone: the rest is one click away
_MAX_CELL = 80


def _short(value: Any) -> str:
    from airflow_dq.results import to_jsonable

    value = to_jsonable(value)
    text = " ".join(str(value).split())
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def _line(check: CheckResult) -> str:
    return (
        f"- {check.name} [{check.status}]: {_short(check.message)}\n"
        f"    expected: {_short(check.expected)}; observed: {_short(check.observed)}"
    )


def alert_summary(
    result: SuiteResult | None,
    *,
    run: dict[str, Any],
    url: str | None = None,
    error: BaseException | str | None = None,
    dataset: str | None = None,
) -> dict[str, Any]:
    """The alert for one task run: subject, plain text, HTML, and the parts as data.

    ``result`` is None when the task failed before its checks ran (then ``dataset`` names
    what it was to check); ``error`` is the exception the task raised, if any (e.g. an
    unreachable database or history store).
    """
    task = f"{run['dag_id']}.{run['task_id']}"
    if result is None:
        failed: list[CheckResult] = []
        dataset, verdict = dataset or task, "COULD NOT RUN"
        counts = ""
    else:
        failed = [r for r in result.results if str(r.status) != "pass"]
        failed.sort(key=lambda r: (not r.blocking, r.name))  # blocking failures first
        blocking = any(r.blocking for r in failed)
        dataset = result.dataset
        verdict = "FAILED" if blocking or error else "WARNING"
        counts = f"{len(failed)} of {len(result.results)} checks did not pass"
    subject = f"Data quality {verdict}: {dataset} ({task})"
    lines = [f"Data quality {verdict} on {dataset}", f"Task {task}, run {run['run_id']}"]
    if counts:
        lines.append(counts + ":")
    lines.extend(_line(r) for r in failed[:_MAX_LINES])
    if len(failed) > _MAX_LINES:
        lines.append(f"... and {len(failed) - _MAX_LINES} more")
    if error is not None:
        lines.append(f"Error: {_short(error)}")
    if url:
        lines.append(f"Results: {url}")
    text = "\n".join(lines)
    return {
        "subject": subject,
        "text": text,
        "html": f"<pre>{html.escape(text)}</pre>",
        "verdict": verdict.lower(),
        "dataset": dataset,
        "failed": [
            {"name": r.name, "status": str(r.status), "expected": r.expected, "observed": _short(r.observed)}
            for r in failed
        ],
        "url": url,
        "run": dict(run),
    }


def _task_result(context: Context) -> SuiteResult | None:
    from airflow_dq.operators.publish import result_for

    return result_for(context.get("task"), context.get("ti"))


class DataQualityNotifier(BaseNotifier):
    """Wrap any Airflow notifier so its message can say which checks failed and why.

    Use it as the task's ``on_failure_callback`` (and ``on_success_callback`` for warnings
    with ``alert_on_warn=True``); ``alert_callbacks`` sets both. The wrapped notifier is
    copied for each alert (notifiers render their templates in place).

    .. code-block:: python

        from airflow.providers.slack.notifications.slack import SlackNotifier

        slack = DataQualityNotifier(
            SlackNotifier(slack_conn_id="slack", channel="#data-alerts", text="{{ data_quality.text }}"),
            alert_on_warn=False,
        )
        DataQualityOperator(..., on_failure_callback=slack)

    :param notifier: the notifier that sends the alert; its templates see ``data_quality``.
    :param alert_on_warn: also alert when the task passed but some check warned.
    """

    template_fields = ()

    def __init__(self, notifier: BaseNotifier, *, alert_on_warn: bool = False) -> None:
        super().__init__()
        if not isinstance(notifier, BaseNotifier):
            raise ValueError(f"DataQualityNotifier: 'notifier' must be an Airflow notifier, got {notifier!r}")
        if not isinstance(alert_on_warn, bool):
            raise ValueError(f"DataQualityNotifier: 'alert_on_warn' must be True or False, got {alert_on_warn!r}")
        self.notifier = notifier
        self.alert_on_warn = alert_on_warn

    def alert_for(self, context: Context) -> dict[str, Any] | None:
        """The alert this task run deserves, or None (clean pass, or a warning not asked for)."""
        from airflow_dq.assets import results_url, task_run

        result = _task_result(context)
        error = context.get("exception")
        failed_task = error is not None or str(getattr(context.get("ti"), "state", "")) == "failed"
        if not failed_task:
            warned = result is not None and any(str(r.status) != "pass" for r in result.results)
            if not (warned and self.alert_on_warn):
                return None
        run = task_run(context)
        table = getattr(context.get("task"), "table", None)
        dataset = f"table {table}" if isinstance(table, str) else None
        return alert_summary(result, run=run, url=results_url(run), error=error, dataset=dataset)

    def notify(self, context: Context) -> None:
        alert = self.alert_for(context)
        if alert is None:
            return
        try:
            sender = copy.deepcopy(self.notifier)
        except Exception:  # a notifier holding an unpicklable client: a shallow copy still renders apart
            sender = copy.copy(self.notifier)
        sender({**context, CONTEXT_KEY: alert})


def alert_callbacks(notifier: BaseNotifier, *, alert_on_warn: bool = False) -> dict[str, Any]:
    """``on_failure_callback`` and ``on_success_callback`` for a check task (or ``default_args``)."""
    wrapped = DataQualityNotifier(notifier, alert_on_warn=alert_on_warn)
    return {"on_failure_callback": wrapped, "on_success_callback": wrapped}
