"""Training-data integrity checks: is a labelled batch safe to train on?

Each check compares the batch with a trusted reference (see ``airflow_dq.checks.reference``)
and, when it fails, names the suspicious rows (up to ``max_reported``, with their ids) and
the statistic behind the verdict. The tests themselves are pure functions in
``airflow_dq.stats.integrity`` and ``airflow_dq.stats.text``.

All checks built with the same columns share ONE fetch of the batch's rows and ONE of the
reference's (``training_integrity`` builds them that way):

.. code-block:: python

    from airflow_dq.checks import drift, training_integrity

    DataFrameQualityOperator(
        task_id="integrity_gate",
        data=new_reviews,  # an XComArg: the upstream task's DataFrame
        checks=training_integrity(
            reference="s3://bucket/trusted_reviews.parquet",
            text="text",
            label="label",
            id="review_id",
            source="annotator",
        ),
    )
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from airflow_dq.checks.base import Check, CheckContext, Verdict
from airflow_dq.checks.reference import ReferenceArgument
from airflow_dq.metrics import Metric
from airflow_dq.metrics.profiles import Rows, RowsValue


class TrainingDataCheck(ReferenceArgument, Check):
    """Base of the integrity checks: the columns of a labelled dataset and the two fetches.

    :param reference: the trusted data (``{"table": ...}``, ``{"query": ...}``, a DataFrame,
        a callable or a file path).
    :param label: the label column. ``text``: a text column; ``features``: numeric feature
        columns (instead of, or besides, text). ``id``: the row id shown for flagged rows.
        ``source``: who contributed the row. ``segment``: a column to test label shift within.
    :param max_rows: rows of the batch examined (a random sample beyond that).
    :param reference_rows: rows of the reference examined (a random sample beyond that).
    :param alpha: false-alarm level of the batch-level test (after multiple-testing correction).
    :param max_reported: suspicious rows shown in full in the result (most suspicious first);
        every flagged row id is in ``observed["flagged_ids"]`` whatever this is.
    """

    needs: ClassVar[tuple[str, ...]] = ()  # which of label/text/source must be given

    def __init__(
        self,
        *,
        reference: Any,
        label: str | None = None,
        text: str | None = None,
        features: Sequence[str] | None = None,
        id: str | None = None,  # noqa: A002 - the name users expect
        source: str | None = None,
        segment: str | None = None,
        max_rows: int = 100_000,
        reference_rows: int = 20_000,
        alpha: float = 0.001,
        max_reported: int = 20,
        severity: str = "error",
        name: str | None = None,
    ) -> None:
        super().__init__(severity=severity, name=name)
        given = {"label": label, "text": text, "id": id, "source": source, "segment": segment}
        for argument, value in given.items():
            if value is not None:
                self._column_arg(argument, value)
        self.label, self.text, self.id, self.source, self.segment = label, text, id, source, segment
        if isinstance(features, str):
            features = [features]
        self.features = tuple(self._column_arg("features", f) for f in features or ())
        self._columns_for_errors = ", ".join(c for c in (text, *self.features, label, source) if c)
        for needed in self.needs:
            if needed == "input":
                if text is None and not self.features:
                    raise self._argument_error("text", "or 'features' is needed: the input the label belongs to")
            elif given[needed] is None:
                raise self._argument_error(needed, "is missing: name the column")
        self._set_reference(reference)
        for argument, value, low in (
            ("max_rows", max_rows, 10),
            ("reference_rows", reference_rows, 10),
            ("max_reported", max_reported, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise self._argument_error(argument, f"must be a whole number >= {low}, got {value!r}")
        self._number_arg("alpha", alpha, allow_none=False)
        if not 0 < alpha < 1:
            raise self._argument_error("alpha", f"must be in (0, 1), got {alpha!r}")
        self.max_rows, self.reference_rows, self.alpha, self.max_reported = (
            max_rows,
            reference_rows,
            alpha,
            max_reported,
        )

    @property
    def name(self) -> str:
        if self._name:
            return self._name
        subject = (self.source,) if self.check_type == "source_surge" else (self.text, *self.features, self.label)
        return f"{self.check_type}({', '.join(c for c in subject if c)})"

    # -- data ----------------------------------------------------------------------------
    @property
    def columns(self) -> tuple[str, ...]:
        wanted = (self.id, self.text, *self.features, self.label, self.source, self.segment)
        return tuple(dict.fromkeys(c for c in wanted if c))

    def _reference_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c != self.id)

    def metrics(self) -> tuple[Metric, ...]:
        return (
            Rows(self.columns, self.max_rows),
            Rows(self._reference_columns(), self.reference_rows, self.reference),
        )

    def _data(self, values: Mapping[Metric, Any]) -> tuple[RowsValue, RowsValue]:
        batch, reference = (values[m] for m in self.metrics())
        return batch, reference

    def _keys(self, rows: RowsValue, normalize: bool) -> list[Any]:
        """The input of each row: its (normalised) text, or its feature values."""
        from airflow_dq.stats.integrity import normalize_text, normalized_texts

        if self.text is not None and not self.features:
            texts = rows.columns[self.text]
            return list(normalized_texts(tuple(texts))) if normalize else [str(t) for t in texts]
        parts = [rows.columns[c] for c in ((self.text,) if self.text else ()) + self.features]
        return [
            tuple(normalize_text(v) if normalize and isinstance(v, str) else v for v in row)
            for row in zip(*parts, strict=True)
        ]

    def _features(self, rows: RowsValue) -> Any:
        import numpy as np

        return np.array([[float("nan") if v is None else float(v) for v in rows.columns[c]] for c in self.features]).T

    # -- verdict -------------------------------------------------------------------------
    def _verdict(self, finding: Any, batch: RowsValue, reference: RowsValue, review: bool = False) -> Verdict:
        observed = finding.to_dict()
        observed["batch_rows"], observed["reference_rows"] = len(batch), len(reference)
        note = ""
        if batch.sampled:
            note = f" (a random {len(batch):,} of the batch's {batch.total:,} rows)"
        if not len(reference):
            return Verdict(False, observed, f"the reference {self.reference} has no rows")
        if finding.suspicious:
            # Every flagged row, most suspicious first: ids when an ``id`` column is given,
            # else positions in the (fetched) batch. The XCom, the store and
            # ``on_suspicious_rows="drop"`` read them from here; ``max_reported`` only
            # bounds the rows shown in full.
            ids = batch.columns[self.id] if self.id else None
            observed["flagged_ids" if ids is not None else "flagged_positions"] = [
                ids[p] if ids is not None else int(p) for p in finding.rows
            ]
            shown = []
            for position in finding.rows[: self.max_reported]:
                shown.append({c: batch.columns[c][position] for c in self.columns})
            return Verdict(False, observed, f"{finding.summary}{note}", rows=shown, warn_only=review)
        return Verdict(True, observed, f"{finding.summary}{note}")

    def expectation(self) -> str:
        return f"{self.check_type.replace('_', ' ')} not significant at {self.alpha:g} vs {self.reference}"

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        batch, reference = self._data(values)
        if not len(reference):
            from airflow_dq.stats.integrity import Finding

            return self._verdict(Finding(False, 0.0, None), batch, reference)  # fails: no reference
        if not len(batch):
            # Nothing to judge is not a pass: reported as ``learning`` ("cannot judge"), which
            # never halts and is never counted as a pass (a row_count check halts on it).
            observed = {"batch_rows": 0, "reference_rows": len(reference)}
            return Verdict(True, observed, "the batch has no rows: nothing to judge", learning=True)
        return self._verdict(self.test(batch, reference), batch, reference)

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        raise NotImplementedError


class LabelShift(TrainingDataCheck):
    """The label mix of the batch is the reference's (chi-square), overall and per ``segment``.

    ``min_change``: the smallest change of a label's share that counts (0.02).
    """

    check_type = "label_shift"
    needs = ("label",)

    def __init__(self, *, min_change: float = 0.02, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.min_change = self._number_arg("min_change", min_change, allow_none=False)

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        from airflow_dq.stats.integrity import label_shift

        seg = self.segment
        return label_shift(
            reference.columns[self.label],
            batch.columns[self.label],
            reference_segments=reference.columns[seg] if seg else None,
            current_segments=batch.columns[seg] if seg else None,
            alpha=self.alpha,
            min_change=self.min_change,
        )


# Texts of at most this many words count as copies only when identical: short phrases
# ("brad pitt", "brad pitt .") recur naturally with other punctuation, while a longer text
# that differs from another only in punctuation or case is the same input to a bag-of-words
# model - a re-post - and is counted as a copy.
SHORT_TEXT_WORDS = 3


class DuplicateSurge(TrainingDataCheck):
    """Rows repeated far more than the reference predicts (normalised text by default;
    texts of at most ``SHORT_TEXT_WORDS`` words only when identical)."""

    check_type = "duplicate_surge"
    needs = ("input",)

    def __init__(self, *, normalize: bool = True, min_copies: int = 3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(min_copies, bool) or not isinstance(min_copies, int) or min_copies < 2:
            # One copy is no duplicate; "2" (a string) would only fail deep in the statistics.
            raise self._argument_error("min_copies", f"must be a whole number >= 2, got {min_copies!r}")
        self.normalize, self.min_copies = bool(normalize), min_copies

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        from airflow_dq.stats.integrity import duplicate_surge

        finding = duplicate_surge(
            self._copy_keys(reference),
            self._copy_keys(batch),
            alpha=self.alpha,
            min_copies=self.min_copies,
        )
        exact = self._keys(batch, False)
        finding.evidence.insert(
            0, {"exact_surplus": len(exact) - len(set(exact)), "normalized_surplus": int(finding.statistic)}
        )
        return finding

    def _copy_keys(self, rows: RowsValue) -> list[Any]:
        keys = self._keys(rows, self.normalize)
        if not self.normalize or self.text is None or self.features:
            return keys
        exact = self._keys(rows, False)
        return [k if k.count(" ") >= SHORT_TEXT_WORDS else ("exact", e) for k, e in zip(keys, exact, strict=True)]


class ConflictingLabels(TrainingDataCheck):
    """Identical inputs (normalised) with different labels, beyond the reference's own rate."""

    check_type = "conflicting_labels"
    needs = ("input", "label")

    def __init__(self, *, normalize: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.normalize = bool(normalize)

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        from airflow_dq.stats.integrity import conflicting_labels

        return conflicting_labels(
            self._keys(reference, self.normalize),
            reference.columns[self.label],
            self._keys(batch, self.normalize),
            batch.columns[self.label],
            alpha=self.alpha,
        )


class SourceSurge(TrainingDataCheck):
    """No source (contributor, annotator, feed) supplies an unusual share of the batch.

    ``min_increase``: how much a source's share must grow to count (0.05).
    """

    check_type = "source_surge"
    needs = ("source",)

    def __init__(self, *, min_increase: float = 0.05, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.min_increase = self._number_arg("min_increase", min_increase, allow_none=False)

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        from airflow_dq.stats.integrity import source_surge

        return source_surge(
            reference.columns[self.source], batch.columns[self.source], alpha=self.alpha, min_increase=self.min_increase
        )


class LabelConsistency(TrainingDataCheck):
    """Rows whose text contradicts their label, beyond the reference's own rate.

    ``method="model"`` (the default on text when scikit-learn is installed, the ``ml``
    extra): the margin of a cross-fitted TF-IDF + logistic regression model of the
    reference; a likelihood-ratio test of "some rows carry wrong labels", for the batch and
    per entity group, against the reference's own out-of-fold margins
    (``airflow_dq.stats.contradiction``). ``method="neighbours"`` (the
    default without scikit-learn, and on ``features``): the ``k`` nearest reference rows
    mostly carry another label (``min_disagreement``), against the leave-one-out rate.

    .. code-block:: python

        label_consistency(reference=load_trusted, text="text", label="label", id="review_id")
    """

    check_type = "label_consistency"
    needs = ("input", "label")

    def __init__(self, *, k: int = 10, min_disagreement: float = 0.7, method: str = "auto", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from airflow_dq.stats import label_model

        if method not in ("auto", "model", "neighbours"):
            raise self._argument_error("method", f"must be 'auto', 'model' or 'neighbours', got {method!r}")
        if method == "model" and (self.text is None or not label_model.available()):
            why = (
                "needs a 'text' column"
                if self.text is None
                else "needs scikit-learn (pip install 'airflow-provider-dq[ml]')"
            )
            raise self._argument_error("method", f"'model' {why}")
        if method == "auto":
            method = "model" if self.text is not None and label_model.available() else "neighbours"
        self.method = method
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise self._argument_error("k", f"must be a whole number >= 1, got {k!r}")
        self._number_arg("min_disagreement", min_disagreement, allow_none=False)
        if not 0 < min_disagreement <= 1:
            raise self._argument_error("min_disagreement", f"must be in (0, 1], got {min_disagreement!r}")
        self.k, self.min_disagreement = k, float(min_disagreement)

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        from airflow_dq.stats.text import label_consistency

        if self.method == "model":
            from airflow_dq.stats.contradiction import model_label_consistency

            return model_label_consistency(
                reference.columns[self.text],
                reference.columns[self.label],
                batch.columns[self.text],
                batch.columns[self.label],
                alpha=self.alpha,
            )
        common = {"k": self.k, "min_disagreement": self.min_disagreement, "alpha": self.alpha}
        if self.text is not None:
            return label_consistency(
                reference.columns[self.label],
                batch.columns[self.label],
                reference_texts=reference.columns[self.text],
                current_texts=batch.columns[self.text],
                **common,
            )
        return label_consistency(
            reference.columns[self.label],
            batch.columns[self.label],
            reference_features=self._features(reference),
            current_features=self._features(batch),
            **common,
        )


class TextPerplexity(TrainingDataCheck):
    """Not too many rows of extreme perplexity under a character n-gram model of the reference.

    ``tail``: the share of reference rows above the cut-off (0.01); ``order``: n-gram order (3).
    """

    check_type = "text_perplexity"
    needs = ("text",)

    def __init__(self, *, tail: float = 0.01, order: int = 3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._number_arg("tail", tail, allow_none=False)
        if not 0 < tail < 0.5:
            raise self._argument_error("tail", f"must be in (0, 0.5), got {tail!r}")
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 3:
            raise self._argument_error("order", f"must be 1, 2 or 3, got {order!r}")
        self.tail, self.order = float(tail), order

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        from airflow_dq.stats.perplexity import perplexity_outliers

        return perplexity_outliers(
            reference.columns[self.text], batch.columns[self.text], order=self.order, tail=self.tail, alpha=self.alpha
        )


class TokenConcentration(TrainingDataCheck):
    """No word, word pair or entity group concentrates on one label far beyond the reference.

    ``min_count``: batch rows a token needs to be tested (5); ``min_lift``: how far above the
    expected share of the label its share must be (0.25). With scikit-learn installed, a
    concentration whose rows' labels fit their text (a well-liked new release, or a
    clean-label attack: only the trained model shows which - see ``model_probe``) is a
    ``warn`` asking for review; it halts when those rows contradict their labels.
    """

    check_type = "token_concentration"
    needs = ("text", "label")

    def __init__(self, *, min_count: int = 5, min_lift: float = 0.25, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 2:
            raise self._argument_error("min_count", f"must be a whole number >= 2, got {min_count!r}")
        self.min_count = min_count
        self.min_lift = self._number_arg("min_lift", min_lift, allow_none=False)

    def test(self, batch: RowsValue, reference: RowsValue) -> Any:
        from airflow_dq.stats.text import token_concentration

        return token_concentration(
            reference.columns[self.text],
            reference.columns[self.label],
            batch.columns[self.text],
            batch.columns[self.label],
            alpha=self.alpha,
            min_count=self.min_count,
            min_lift=self.min_lift,
        )

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        from airflow_dq.stats import label_model

        batch, reference = self._data(values)
        if not len(batch) or not len(reference) or not label_model.available():
            return super().judge(values, ctx)
        finding = self.test(batch, reference)
        if not finding.suspicious:
            return self._verdict(finding, batch, reference)
        from airflow_dq.stats.contradiction import contradiction_share

        k, expected, p = contradiction_share(
            reference.columns[self.text],
            reference.columns[self.label],
            batch.columns[self.text],
            batch.columns[self.label],
            finding.rows,
        )
        contradicts = p < self.alpha and k / max(len(finding.rows), 1) - expected >= self.min_lift
        finding.evidence.insert(0, {"contradicting_rows": k, "of": len(finding.rows), "expected_share": expected})
        if contradicts:
            finding.summary += f"; {k} of {len(finding.rows)} of its rows contradict their label (p={p:.2g})"
        else:
            finding.summary = (
                f"review: {finding.summary}; their labels fit the text ({k} of {len(finding.rows)} rows contradict "
                f"their label, about {expected:.0%} expected) - a new topic, or a clean-label attack (probe the model)"
            )
        return self._verdict(finding, batch, reference, review=not contradicts)


def training_integrity(
    *,
    reference: Any,
    label: str,
    text: str | None = None,
    features: Sequence[str] | None = None,
    id: str | None = None,  # noqa: A002
    source: str | None = None,
    segment: str | None = None,
    **common: Any,
) -> list[Check]:
    """Every integrity check that applies to the given columns, sharing one fetch each side."""
    args = {"reference": reference, "label": label, "text": text, "features": features, "id": id}
    args.update(source=source, segment=segment, **common)
    checks: list[Check] = [
        LabelShift(**args),
        DuplicateSurge(**args),
        ConflictingLabels(**args),
        LabelConsistency(**args),
    ]
    if source is not None:
        checks.append(SourceSurge(**args))
    if text is not None:
        checks += [TextPerplexity(**args), TokenConcentration(**args)]
    return checks
