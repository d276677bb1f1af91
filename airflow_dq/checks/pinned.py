"""A pinned earlier run's stored profile as the reference of a drift check.

Every drift check run by an operator records the profile it measured on its batch in the
history store (per column: the batch's own bin edges and counts, or its top categories and
counts, and at most 1,000 sample values). A later run compares its batch with that profile:
the batch is binned on the stored edges (in the database for SQL tables) and the stored
counts and sample are the reference side.

.. code-block:: python

    from airflow_dq.checks import drift, stored_profile

    DataQualityOperator(
        task_id="drift_gate",
        conn_id="warehouse",
        table="features",
        where="batch_date = '{{ ds }}'",
        checks=[
            drift(
                ["age", "income", "country"],
                # the profile this check recorded on a known-good day (same DAG and task)
                reference=stored_profile(logical_date="2026-11-01T00:00:00+00:00"),
            )
        ],
    )

The same pin as a dict: ``reference={"profile": {"run_id": "manual__2026-11-01..."}}``.
A pin that is not in the store makes the check's status ``error`` (the message names the
check and the pin); a store that cannot be read makes the task error and be retried.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from airflow_dq.checks.base import Check
from airflow_dq.metrics.profiles import Distribution
from airflow_dq.metrics.stored import ColumnProfile, StoredProfile

# Reads a pin's column profiles from the store; None when that run recorded none.
ProfileReader = Callable[[StoredProfile], Mapping[str, ColumnProfile] | None]


def stored_profile(
    *,
    run_id: str | None = None,
    logical_date: str | dt.datetime | None = None,
    dag_id: str | None = None,
    task_id: str | None = None,
    check: str | None = None,
    map_index: int = -1,
) -> dict[str, dict[str, object]]:
    """The ``reference=`` of a drift check that compares with a pinned run's stored profile.

    Give exactly one of ``run_id`` and ``logical_date`` (both may be Jinja templates).
    ``dag_id`` and ``task_id`` default to the running task, ``check`` to the drift check's
    own name. Invalid pins are rejected by the check when the DAG is parsed.
    """
    pin: dict[str, object] = {"map_index": map_index}
    for key, value in (
        ("run_id", run_id),
        ("logical_date", logical_date),
        ("dag_id", dag_id),
        ("task_id", task_id),
        ("check", check),
    ):
        if value is not None:
            pin[key] = value
    return {"profile": pin}


def load_pinned_profiles(
    checks: Sequence[Check], reader: ProfileReader | None
) -> tuple[dict[StoredProfile, Mapping[str, ColumnProfile]], dict[str, str]]:
    """Load every pinned profile the checks need, before the engine measures anything.

    Returns the loaded profiles and, per check that cannot run, why (the check's status
    becomes ``error``): no store given, the pin is not in the store, a column was not
    profiled in the pinned run, or the store could not be read (``HistoryUnavailable``: the
    operator then also fails the task so that Airflow retries it).
    """
    from airflow_dq.checks.anomaly import HistoryUnavailable

    loaded: dict[StoredProfile, Mapping[str, ColumnProfile]] = {}
    problems: dict[str, str] = {}
    for check in checks:
        needs: dict[StoredProfile, list[Distribution]] = {}
        for metric in check.metrics():
            if isinstance(metric, Distribution) and isinstance(metric.reference, StoredProfile):
                needs.setdefault(metric.reference, []).append(metric)
        for pin, metrics in needs.items():
            problem = _load(pin, metrics, reader, loaded, HistoryUnavailable)
            if problem:
                problems[check.name] = problem
                break
    return loaded, problems


def _load(
    pin: StoredProfile,
    metrics: list[Distribution],
    reader: ProfileReader | None,
    loaded: dict[StoredProfile, Mapping[str, ColumnProfile]],
    unavailable: type[Exception],
) -> str | None:
    if reader is None:
        return (
            f"it compares with the {pin}, but no history store was given (run it with DataQualityOperator "
            "or DataFrameQualityOperator, or pass profiles= to run_checks)"
        )
    if pin not in loaded:
        try:
            found = reader(pin)
        except unavailable as err:
            return f"the {pin} could not be read from the history store: {err}"
        except ValueError as err:  # a rendered logical_date that is not an ISO date
            return f"the {pin} is not a valid pin: {err}"
        if found is None:
            return (
                f"the pinned {pin} is not in the history store (no drift check of that name recorded a "
                "profile in that run, or retention removed it)"
            )
        loaded[pin] = found
    profiles = loaded[pin]
    missing = [m.column for m in metrics if m.column not in profiles]
    if missing:
        return f"the pinned {pin} has no profile of column(s) {missing}; it has {sorted(profiles)}"
    # The stored bins decide the kind; an explicit kinds= that disagrees would be ignored silently.
    clashes = [
        f"{m.column!r} is {profiles[m.column].kind} there, not {m.kind}"
        for m in metrics
        if m.kind != "auto" and m.kind != profiles[m.column].kind
    ]
    if clashes:
        return f"the pinned {pin} does not fit 'kinds': {'; '.join(clashes)}"
    return None
