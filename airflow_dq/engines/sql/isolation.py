"""One bad user-written SQL fragment never sinks the suite.

A ``row_condition`` with a typo, a ``references`` check naming a parent table that does not
exist, or a ``custom_sql`` the database rejects makes the database refuse the statement it
is in; in the shared scan that would be every check's statement. When the scan fails, the
engine reruns it without the metrics that carry user SQL: if that succeeds, the failure
was theirs, and each of them runs alone, so the culprit gets status ``error`` with the
database's own message and every other check is judged normally (a few more statements,
only on this path; counted as ``isolation`` in the statement log).

The same holds for the statements outside the scan that carry user SQL: a reconciliation
source (``other_table``/``other_sql``/``other_where``, one SELECT per source; see
elsewhere.py) and a GROUP BY over a reference table or query (grouped.py), whose metrics
are all suspects, and a GROUP BY of the dataset itself with a ``row_condition`` in it.

A lost connection or a timeout is no check's fault: a ``StatementTimeout`` is raised at
once, a scan that fails again without the user SQL raises its first error, and a fragment
that fails alone only becomes a per-check error once a trivial ``SELECT 1`` shows the
database still answers. Either way the task fails and Airflow retries it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from airflow_dq.engines.sql.session import StatementTimeout
from airflow_dq.metrics import Grouped, Metric, MetricError, MissingInParent, SqlConditionFalse, ViolationCount

# What the database may refuse because of a user's SQL; anything else (a Python error in
# the engine, say) is a bug and propagates.
REFUSED = sa.exc.DBAPIError


def carries_user_sql(metric: Metric) -> bool:
    """Whether ``metric`` puts user-written SQL (or a user-named table) into the scan."""
    inner = metric.metric if isinstance(metric, Grouped) else metric
    return isinstance(inner, ViolationCount) and isinstance(inner.predicate, SqlConditionFalse | MissingInParent)


def database_message(err: BaseException) -> str:
    """The database's own words, first line (without SQLAlchemy's statement dump)."""
    original = getattr(err, "orig", None) or err
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__


def refused_by_database(err: BaseException) -> MetricError:
    return MetricError(f"the database refused this check's SQL: {database_message(err)}")


def always(metric: Metric) -> bool:
    """Every metric of a statement on a user-given source is a suspect: the source itself
    (a reconciliation's ``other_sql``/``other_where``, a segment check's reference query)
    is user SQL."""
    return True


def scan_isolating(
    scan: Callable[[list[Metric]], dict[Metric, Any]],
    scan_alone: Callable[[list[Metric]], dict[Metric, Any]],
    metrics: Sequence[Metric],
    still_answers: Callable[[], None],
    statements: Any,
    suspect: Callable[[Metric], bool] = carries_user_sql,
) -> dict[Metric, Any]:
    """``scan(metrics)``; on a refusal caused by user SQL, the culprits as ``MetricError``s.
    ``scan_alone`` measures one suspect by itself (without what else the scan carries);
    ``suspect`` says which metrics may have brought the user SQL in."""
    try:
        return scan(list(metrics))
    except StatementTimeout:
        raise
    except REFUSED as first:
        suspects = [m for m in metrics if suspect(m)]
        if not suspects:
            raise
        clean = [m for m in metrics if m not in suspects]
        statements["isolation"] += 1
        try:
            values = scan(clean) if clean else {}
        except REFUSED:
            raise first from None  # not the fragments: the dataset or the connection
        for suspect in suspects:
            statements["isolation"] += 1
            try:
                values.update(scan_alone([suspect]))
            except StatementTimeout:
                raise
            except REFUSED as own:
                still_answers()  # a lost connection is retryable, not this check's fault
                values[suspect] = refused_by_database(own)
        return values
