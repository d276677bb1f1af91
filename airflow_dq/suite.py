"""Run a list of checks on one dataset: one scan for the metrics, then judge each check."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from typing import Any

from airflow_dq.checks.base import CannotJudge, Check, CheckContext, HistoryReader, Verdict
from airflow_dq.engines.base import Engine
from airflow_dq.metrics import Metric, MetricError, RowCount
from airflow_dq.results import CheckResult, Severity, Status, SuiteResult
from airflow_dq.sql_fragments import check_sql_problem


def validate_checks(checks: Any, *, owner: str = "suite") -> list[Check]:
    """Fail fast on a list that is not a list of uniquely named checks."""
    if isinstance(checks, Check):
        checks = [checks]
    if not isinstance(checks, Iterable) or isinstance(checks, str | bytes):
        raise ValueError(f"{owner}: 'checks' must be a list of checks, got {checks!r}")
    checks = list(checks)
    if not checks:
        raise ValueError(f"{owner}: 'checks' is empty; give at least one check")
    seen: dict[str, Check] = {}
    for check in checks:
        if not isinstance(check, Check):
            raise ValueError(
                f"{owner}: 'checks' holds {check!r}, which is not a check "
                "(build checks with airflow_dq.checks, e.g. not_null('id'))"
            )
        if check.name in seen:
            raise ValueError(f"{owner}: two checks are named '{check.name}'; give one of them name='...'")
        stacked = check_sql_problem(check, rendered=False)
        if stacked:
            raise check._argument_error(*stacked)
        seen[check.name] = check
    return checks


def _needed_metrics(checks: Sequence[Check]) -> list[Metric]:
    # dict keeps first-seen order and drops duplicates: each metric is measured once.
    needed: dict[Metric, None] = {RowCount(): None}
    for check in checks:
        needed.update(dict.fromkeys(check.metrics()))
    return list(needed)


def _result(check: Check, verdict: Verdict, values: dict[Metric, Any]) -> CheckResult:
    if verdict.passed:
        status = Status.LEARNING if verdict.learning else Status.PASS
    elif verdict.warn_only:
        status = Status.WARN
    else:
        status = Status.FAIL if check.severity is Severity.ERROR else Status.WARN
    return CheckResult(
        name=check.name,
        check_type=check.check_type,
        severity=check.severity,
        status=status,
        expected=verdict.expected or check.expectation(),
        observed=verdict.observed,
        message=verdict.message,
        columns=list(check.columns),
        metrics={**{m.label: values.get(m) for m in check.metrics()}, **(verdict.metrics or {})},
        failing_rows=list(verdict.rows),
    )


def _error_result(check: Check, message: str) -> CheckResult:
    """A check that cannot be measured on this dataset (it is left out of the scan)."""
    return CheckResult(
        name=check.name,
        check_type=check.check_type,
        severity=check.severity,
        status=Status.ERROR,
        expected=check.expectation(),
        observed=None,
        message=message,
        columns=list(check.columns),
    )


def _unsupported(engine: Engine, check: Check) -> str | None:
    """What the engine lacks to measure one of the check's metrics (e.g. the dialect has no
    time bucketing): that check is an error before the scan, the others run."""
    lacks = getattr(engine, "missing", None)  # engines without gaps need not define it
    if lacks is None:
        return None
    for metric in check.metrics():
        found = lacks(metric)
        if found:
            return found
    return None


def run_checks(
    engine: Engine,
    checks: Sequence[Check],
    *,
    now: dt.datetime | None = None,
    sample_size: int = 5,
    default_timezone: str = "UTC",
    history: HistoryReader | None = None,
    logical_date: dt.datetime | None = None,
    profiles: Any = None,
) -> SuiteResult:
    """Measure every metric the checks need in one pass and judge each check.

    A check whose columns do not exist gets status ``error`` instead of breaking the scan
    for the others. For each failed row-level check, up to ``sample_size`` offending rows
    are fetched (only on failure). ``history`` gives anomaly checks their past values
    (runs before ``logical_date``); see ``airflow_dq.operators.history``. ``profiles`` reads
    the stored profiles that drift checks pinned as their reference
    (``airflow_dq.checks.pinned.ProfileReader``); they are loaded before the scan.
    """
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    now = now or started
    if now.tzinfo is None:
        raise ValueError("run_checks: 'now' must be time-zone aware")
    column_types = engine.column_types()
    runnable, results = [], {}
    for check in checks:
        rendered = check.rendered_problem()  # empty or stacked SQL, a garbage window start
        if rendered:
            results[check.name] = _error_result(check, rendered)
            continue
        missing = [c for c in check.columns if c not in column_types]
        problem = None if missing else check.column_type_problem(column_types) or _unsupported(engine, check)
        if missing:
            results[check.name] = _error_result(
                check, f"column(s) {missing} do not exist; the dataset has {sorted(column_types)}"
            )
        elif problem:
            results[check.name] = _error_result(check, f"cannot be measured: {problem}")
        else:
            runnable.append(check)

    from airflow_dq.checks.pinned import load_pinned_profiles
    from airflow_dq.metrics.stored import use_profiles

    loaded, unpinned = load_pinned_profiles(runnable, profiles)
    for name, problem in unpinned.items():
        check = next(c for c in runnable if c.name == name)
        results[name] = _error_result(check, f"cannot be measured: {problem}")
    runnable = [c for c in runnable if c.name not in unpinned]
    with use_profiles(loaded):
        values = engine.compute(_needed_metrics(runnable))
    store_failures: dict[str, Exception] = {}

    def read_history(name: str, runs: int) -> Any:
        # A store outage makes the check that asked an error, never a data failure.
        try:
            return history(name, runs)  # type: ignore[misc]
        except Exception as err:
            store_failures[name] = err
            raise

    ctx = CheckContext(
        now=now,
        column_types=column_types,
        default_timezone=default_timezone,
        history=read_history if history is not None else None,
        logical_date=logical_date,
    )
    for check in runnable:
        unmeasured = [values[m] for m in check.metrics() if isinstance(values.get(m), MetricError)]
        if unmeasured:  # the engine could not measure this check's metric; the others ran
            results[check.name] = _error_result(check, f"cannot be measured: {unmeasured[0]}")
            continue
        try:
            verdict = check.judge(values, ctx)
        except CannotJudge as err:
            results[check.name] = _error_result(check, f"cannot be judged: {err}")
            continue
        result = _result(check, verdict, values)
        if check.name in store_failures:
            result.status = Status.ERROR
        spec = check.failure_sample()
        if result.status is not Status.PASS and spec is not None and sample_size > 0:
            result.failing_rows = engine.sample(spec, sample_size)
        results[check.name] = result

    return SuiteResult(
        dataset=engine.describe(),
        results=[results[c.name] for c in checks],
        statements=dict(engine.statements),
        started_at=started,
        duration_seconds=time.perf_counter() - clock,
    )
