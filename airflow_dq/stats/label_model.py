"""How confidently a row's text contradicts its label: a cross-fitted linear model.

A TF-IDF (words and word pairs) + logistic regression model is fitted on the reference in
``folds`` parts: every reference row is scored by the model that did not see it
(out-of-fold), so the reference's scores are honest - they show how often clean rows of
this source already contradict a model of their own data (on real text 10% or more of
rows disagree with their neighbours; a test that ignores that alarms on every batch).

A batch row is scored by one of the same fold models (row ``i`` by model ``i % folds``), so
a clean batch row and a reference row have the same score distribution; the tests in
``airflow_dq.stats.text`` compare the batch's scores with the reference's.

The score is the **margin**: ``log p(best other label) - log p(given label)``; above 0 the
model prefers another label, and the larger it is, the more confidently the text
contradicts its label. Needs scikit-learn (the ``ml`` extra).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from airflow_dq.stats.integrity import normalized_texts

FOLDS = 5


def available() -> bool:
    """Is scikit-learn installed (``pip install 'airflow-provider-dq[ml]'``)? Asked when a
    check is built (DAG parse time), so it looks for the package without importing it."""
    from importlib.util import find_spec

    return find_spec("sklearn") is not None


def text_vectorizer() -> Any:
    """The TF-IDF space: words and word pairs of normalised text, sublinear counts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"[a-z0-9']+")


def classifier(seed: int = 0) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=4.0, solver="liblinear", random_state=seed)


def margins(probabilities: np.ndarray, label_index: np.ndarray) -> np.ndarray:
    """``log p(best other label) - log p(given label)`` per row (+inf for an unknown label)."""
    p = np.clip(probabilities, 1e-12, 1.0)
    rows = np.arange(len(label_index))
    known = label_index >= 0
    own = np.where(known, p[rows, np.maximum(label_index, 0)], 1e-12)
    others = p.copy()
    others[rows[known], label_index[known]] = 0.0
    out = np.log(others.max(axis=1)) - np.log(own)
    out[~known] = np.inf
    return out


class CrossFittedModel:
    """The reference's out-of-fold margins, and the fold models that score a batch."""

    def __init__(self, texts: Sequence[Any], labels: Sequence[Hashable], *, folds: int = FOLDS, seed: int = 0) -> None:
        labels_ = np.asarray([str(x) for x in labels], dtype=object)
        self.classes = sorted(set(labels_))
        self.vectorizer = text_vectorizer()
        matrix = self.vectorizer.fit_transform(normalized_texts(tuple(texts)))
        y = self._index(labels_)
        rng = np.random.default_rng(seed)
        fold_of = rng.permutation(len(y)) % folds
        self.models: list[Any] = []
        proba = np.zeros((len(y), len(self.classes)))
        for fold in range(folds):
            held = fold_of == fold
            model = classifier(seed).fit(matrix[~held], y[~held]) if len(set(y[~held])) > 1 else None
            self.models.append(model)
            proba[held] = self._proba(model, matrix[held])
        self.reference_margins = margins(proba, y)
        self.reference_matrix = matrix

    def _index(self, labels: np.ndarray) -> np.ndarray:
        position = {c: i for i, c in enumerate(self.classes)}
        return np.array([position.get(str(x), -1) for x in labels], dtype=np.int64)

    def _proba(self, model: Any, matrix: Any) -> np.ndarray:
        out = np.full((matrix.shape[0], len(self.classes)), 1.0 / max(len(self.classes), 1))
        if model is not None and matrix.shape[0]:
            out[:, model.classes_] = model.predict_proba(matrix)
        return out

    def batch_margins(self, texts: Sequence[Any], labels: Sequence[Hashable]) -> np.ndarray:
        """Each batch row's margin under fold model ``i % folds`` (as the reference's rows)."""
        matrix = self.vectorizer.transform(normalized_texts(tuple(texts)))
        y = self._index(np.asarray([str(x) for x in labels], dtype=object))
        proba = np.zeros((len(y), len(self.classes)))
        which = np.arange(len(y)) % len(self.models)
        for fold, model in enumerate(self.models):
            rows = which == fold
            proba[rows] = self._proba(model, matrix[rows])
        return margins(proba, y)


@lru_cache(maxsize=4)
def cross_fitted(texts: tuple[Any, ...], labels: tuple[str, ...], seed: int = 0) -> CrossFittedModel:
    """The reference's model, kept for the next batch of the same reference in this process."""
    return CrossFittedModel(texts, labels, seed=seed)
