"""ModelProbeOperator: after training, before publishing - does the batch steer the model?"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

if TYPE_CHECKING:
    from airflow.sdk import Context


class ModelProbeOperator(BaseOperator):
    """Compare the new model's predictions with the previous model's on a probe set.

    The probe set is ``probe_rows`` held-out reference rows (rows neither model trained
    on), as they are and with each of the batch's most over-represented terms/entities
    inserted (``airflow_dq.stats.probe``). A term that moves the new model's predictions
    to one label far more than the models otherwise disagree (``max_swing``, 0.4) while
    base accuracy stays flat is a learned trigger: the task fails without retry and
    publishing ends ``upstream_failed``. The result (every probed term's swing, the base
    accuracy of both models) is the XCom return value, also on failure.

    .. code-block:: python

        probe = ModelProbeOperator(
            task_id="probe",
            predict_new=lambda texts: load_model("candidate").predict(texts),
            predict_previous=lambda texts: load_model("published").predict(texts),
            probe=load_held_out_reference,  # () -> DataFrame with the text and label columns
            batch=load_todays_batch,  # () -> DataFrame: the rows the new model trained on
            text="text",
            label="label",
        )
        train >> probe >> publish

    :param predict_new: ``texts -> labels`` of the newly trained model (called at run time;
        read the version it should load from the context with ``get_current_context()``).
    :param predict_previous: ``texts -> labels`` of the model published so far.
    :param probe: held-out reference rows: a callable returning a DataFrame, or a DataFrame.
    :param batch: the new training rows (a callable or a DataFrame); its over-represented
        terms are probed, measured against ``probe`` as the reference.
    :param terms: probe these terms as well (e.g. a phrase you fear); optional.
    :param max_terms: how many of the batch's entities to probe (10).
    """

    ui_color = "#f3e1d6"

    def __init__(
        self,
        *,
        predict_new: Callable[[list[str]], Sequence[Any]],
        predict_previous: Callable[[list[str]], Sequence[Any]],
        probe: Any,
        batch: Any,
        text: str,
        label: str | None = None,
        terms: Sequence[str] = (),
        max_terms: int = 10,
        probe_rows: int = 500,
        max_swing: float = 0.4,  # stats.probe.DEFAULT_MAX_SWING (a literal: parsing imports no numpy)
        max_accuracy_change: float = 0.05,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"ModelProbeOperator '{self.task_id}'"
        for name, value in (("predict_new", predict_new), ("predict_previous", predict_previous)):
            if not callable(value):
                raise ValueError(f"{owner}: '{name}' must be a callable texts -> labels, got {value!r}")
        for name, value in (("probe", probe), ("batch", batch)):
            if value is None or not (callable(value) or hasattr(value, "columns")):
                raise ValueError(f"{owner}: '{name}' must be a DataFrame or a callable returning one, got {value!r}")
        if not isinstance(text, str) or not text:
            raise ValueError(f"{owner}: 'text' must name the text column, got {text!r}")
        if isinstance(terms, str) or not all(isinstance(t, str) and t for t in terms):
            raise ValueError(f"{owner}: 'terms' must be a list of phrases, got {terms!r}")
        for name, value, low in (("max_terms", max_terms, 0), ("probe_rows", probe_rows, 10)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{owner}: '{name}' must be a whole number >= {low}, got {value!r}")
        for name, value in (("max_swing", max_swing), ("max_accuracy_change", max_accuracy_change)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ValueError(f"{owner}: '{name}' must be a number in (0, 1], got {value!r}")
        self.predict_new, self.predict_previous = predict_new, predict_previous
        self.probe_data, self.batch_data, self.text_column, self.label_column = probe, batch, text, label
        self.terms, self.max_terms, self.probe_rows = list(terms), max_terms, probe_rows
        self.max_swing, self.max_accuracy_change = float(max_swing), float(max_accuracy_change)

    def _frame(self, value: Any, name: str) -> Any:
        frame = value() if callable(value) else value
        missing = [c for c in (self.text_column, self.label_column) if c and c not in getattr(frame, "columns", ())]
        if missing:
            raise ValueError(f"ModelProbeOperator '{self.task_id}': '{name}' has no column(s) {missing}")
        return frame

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from airflow_dq.stats.probe import probe_model, probe_terms

        probe = self._frame(self.probe_data, "probe")
        batch = self._frame(self.batch_data, "batch")
        if len(probe) > self.probe_rows:
            probe = probe.sample(self.probe_rows, random_state=0)
        texts = probe[self.text_column].astype(str).tolist()
        found = probe_terms(texts, batch[self.text_column].astype(str).tolist(), max_terms=self.max_terms)
        terms = list(dict.fromkeys([*self.terms, *found]))
        result = probe_model(
            self.predict_new,
            self.predict_previous,
            texts,
            terms,
            probe_labels=probe[self.label_column].tolist() if self.label_column else None,
            max_swing=self.max_swing,
            max_accuracy_change=self.max_accuracy_change,
        )
        outcome = result.to_dict()
        context["ti"].xcom_push(key="return_value", value=outcome)
        for swing in result.swings[:5]:
            self.log.info("probe '%s': swing %.1f%% towards %s", swing["term"], 100 * swing["swing"], swing["towards"])
        if not result.passed:
            raise AirflowFailException(f"model probe failed: {result.message}")
        self.log.info("model probe passed: %s", result.message)
        return outcome
