"""Which checks a DataFrame can take (pandas-free, so operators can ask at DAG parse time)."""

from __future__ import annotations

from collections.abc import Sequence

from airflow_dq.checks import Check, CustomSql, References, RowCondition, SegmentCompleteness
from airflow_dq.checks.reference import ReferenceArgument

# These checks are SQL by nature: a query, a SQL boolean, a join with another table.
SQL_ONLY_CHECKS: tuple[type[Check], ...] = (CustomSql, RowCondition, References)

_ALTERNATIVES = {
    CustomSql: "compute the value in the task that builds the DataFrame, or check the table with DataQualityOperator",
    RowCondition: "add a boolean column for the rule and check it with accepted_values(col, [True])",
    References: "check the parent table with DataQualityOperator, or merge the parent keys in and use not_null",
}


def reject_sql_only_checks(checks: Sequence[Check], *, owner: str) -> None:
    """Raise ``ValueError`` naming the first check that needs a SQL database."""
    from airflow_dq.checks.reconcile import Reconciliation

    for check in checks:
        if isinstance(check, Reconciliation) and check.other_conn_id is None:
            raise ValueError(
                f"{owner}: check '{check.name}' ({check.check_type}) compares with a source table or query, "
                "which a DataFrame does not have: give other_conn_id (the source's Airflow connection)"
            )
        if isinstance(check, SegmentCompleteness) and check.expected_segments is None:
            raise ValueError(
                f"{owner}: check '{check.name}' ({check.check_type}) reads its expected segments from a "
                "reference table or query, which needs a SQL database; on a DataFrame give 'expected' "
                "(a list of segments or a dict of shares)"
            )
        if isinstance(check, ReferenceArgument) and check.reference_is_sql:
            raise ValueError(
                f"{owner}: check '{check.name}' ({check.check_type}) compares with a reference table or "
                "query, which needs a SQL database; on a DataFrame give the reference as a DataFrame, a "
                "callable returning one, or a CSV/Parquet path"
            )
        for kind in SQL_ONLY_CHECKS:
            if isinstance(check, kind):
                raise ValueError(
                    f"{owner}: check '{check.name}' ({check.check_type}) needs a SQL database and cannot "
                    f"run on a DataFrame; {_ALTERNATIVES[kind]}"
                )
