"""``@task.dq``: a TaskFlow task whose returned DataFrame is checked before it flows on.

Registered through the provider's ``task-decorators`` entry, so ``from airflow.sdk import
task`` then ``@task.dq(checks=[...])`` works once the provider is installed;
``from airflow_dq.decorators import dq_task`` is the same decorator, imported directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.standard.decorators.python import _PythonDecoratedOperator
from airflow.sdk.bases.decorator import task_decorator_factory

from airflow_dq.checks.base import Check
from airflow_dq.dataframe_support import reject_sql_only_checks
from airflow_dq.operators.base import (
    RenderChecksOnACopy,
    check_on_failure,
    check_sample_size,
)
from airflow_dq.operators.dataframe import DataFrameSuite, check_where, suite_checks
from airflow_dq.suite import validate_checks
from airflow_dq.ui.links import DataQualityResultsLink

if TYPE_CHECKING:
    from airflow.sdk import Context
    from airflow.sdk.bases.decorator import TaskDecorator

RESULTS_KEY = "dq_results"


class _DataFrameCheckedOperator(DataFrameSuite, RenderChecksOnACopy, _PythonDecoratedOperator):
    """Runs the task's function, then checks the DataFrame it returned.

    Passing: the DataFrame is the return value (it flows on to downstream tasks) and the
    results are pushed under the XCom key ``dq_results``. A blocking failure: the results
    are pushed (``dq_results`` and, as for the operators, ``return_value``) and the task
    fails without retry, or is skipped with ``on_failure="skip"``; the DataFrame does not
    flow on.
    """

    custom_operator_name = "@task.dq"
    operator_extra_links = (DataQualityResultsLink(),)
    template_fields: Sequence[str] = (*_PythonDecoratedOperator.template_fields, "checks", "dq_where")

    def __init__(
        self,
        *,
        checks: Sequence[Check] | None = None,
        suite: str | None = None,
        dataset: str | None = None,
        on_failure: str = "fail",
        sample_size: int | None = None,
        where: str | Callable[[Any], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"@task.dq '{self.task_id}'"
        check_where(owner, where)
        # A pandas expression (templated) or a mask callable, kept out of the template field
        # (Airflow would call it with the context), as in DataFrameQualityOperator.
        self.dq_where_callable = where if callable(where) else None
        self.dq_where = None if callable(where) else where
        if self.multiple_outputs:
            raise ValueError(f"{owner}: 'multiple_outputs' cannot be used; the task must return one DataFrame")
        self.on_failure = check_on_failure(owner, on_failure)
        self.sample_size = check_sample_size(owner, sample_size)
        checks = suite_checks(owner, self, checks, suite, dataset)
        self.checks = validate_checks(checks, owner=owner) if checks or self._suite_template is None else []
        reject_sql_only_checks(self.checks, owner=owner)

    def execute(self, context: Context) -> Any:
        frame = super().execute(context)
        # pandas comes in here, never at DAG parse time.
        from airflow_dq.engines.pandas import PandasEngine
        from airflow_dq.operators.history import TaskHistory

        history = TaskHistory(context)
        result = history.run_checks(
            lambda: PandasEngine(
                frame, name=f"DataFrame returned by {self.task_id}", where=self.dq_where_callable or self.dq_where
            ),
            self.checks,
            context,
            sample_size=self.sample_size,
        )
        context["ti"].xcom_push(key=RESULTS_KEY, value=result.to_dict())
        # Records the results in the history store, then raises on a blocking failure.
        history.record_then_verdict(result, context, on_failure=self.on_failure, log=self.log)
        return frame


def dq_task(
    python_callable: Callable[..., Any] | None = None,
    *,
    checks: Sequence[Check] | None = None,
    suite: str | None = None,
    dataset: str | None = None,
    on_failure: str = "fail",
    sample_size: int | None = None,
    **kwargs: Any,
) -> TaskDecorator:
    """Decorate a function returning a DataFrame: the DataFrame is checked before it flows on.

    .. code-block:: python

        from airflow.sdk import dag, task
        from airflow_dq.checks import not_null, row_count, unique


        @task.dq(checks=[row_count(min=1), not_null("user_id"), unique("user_id")])
        def features():
            return build_features()  # a pandas DataFrame


        @task
        def train(frame): ...


        train(features())  # train never sees a DataFrame that failed its checks

    Same halting semantics as the operators: ``error`` checks fail the task (no retry,
    downstream ``upstream_failed``), ``on_failure="skip"`` skips instead, ``warn`` checks
    only log. The results are in XCom under ``dq_results``. ``suite="suites/features.yml"``
    takes the checks from a YAML or JSON suite file instead (read when the DAG is parsed,
    relative to the DAG file), with ``dataset=`` naming one of several datasets.
    """
    return task_decorator_factory(
        python_callable=python_callable,
        multiple_outputs=False,
        decorated_operator_class=_DataFrameCheckedOperator,
        checks=checks,
        suite=suite,
        dataset=dataset,
        on_failure=on_failure,
        sample_size=sample_size,
        **kwargs,
    )
