"""How confidently a row's text contradicts its label: a cross-fitted linear model.

A TF-IDF (words, word pairs and character grams) + logistic regression model is fitted on the reference in
``folds`` parts: every reference row is scored by the model that did not see it
(out-of-fold), so the reference's scores are honest - they show how often clean rows of
this source already contradict a model of their own data (on real text 10-25% of rows
disagree with their neighbours; a test that ignores that alarms on every batch).

Each fold has its **own vectorizer**, fitted on the rows its model trains on: a held-out
reference row's words that only its own fold uses are unknown to its model, exactly as a
batch row's new words (a trigger phrase, a new film's title) are. A vocabulary fitted on
the whole reference would give held-out rows weights (and a TF-IDF norm) that no batch row
gets, and their margins another distribution than a clean batch row's.

The regularisation ``C`` is picked from ``C_GRID`` by the out-of-fold log loss (real text
needs stronger or weaker regularisation depending on its size and noise).

A batch row is scored by one of the same fold models (row ``i`` by model ``i % folds``), so
a clean batch row and a reference row have the same score distribution; the tests in
``airflow_dq.stats.contradiction`` compare the batch's scores with the reference's.

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
C_GRID = (1.0, 4.0, 16.0)


def available() -> bool:
    """Is scikit-learn installed (``pip install 'airflow-provider-dq[ml]'``)? Asked when a
    check is built (DAG parse time), so it looks for the package without importing it."""
    from importlib.util import find_spec

    return find_spec("sklearn") is not None


def text_vectorizer() -> Any:
    """The TF-IDF space of normalised text (sublinear counts, terms of at least two rows):
    words and word pairs, and the character 2- to 5-grams within words. The character
    grams carry what short real text spreads over spellings ("loved", "lovely",
    "looove", "unlovable"); on the human-rated VADER sentences they cut the out-of-fold
    log loss from 0.494 to 0.467 (seed 7's reference), and the batch test's power follows
    the log loss."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"[a-z0-9']+")
    grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    return FeatureUnion([("words", words), ("char_grams", grams)])


def classifier(c: float = 4.0, seed: int = 0) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", random_state=seed)


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


class _Fold:
    """One fold's vectorizer, fitted on the other folds' rows only, and its model for each
    ``C`` (the vocabulary does not depend on ``C``: it is fitted once per fold)."""

    def __init__(self, texts: list[str], y: np.ndarray, n_classes: int, seed: int) -> None:
        self.n_classes = n_classes
        self.seed = seed
        self.y = y
        self.vectorizer: Any = text_vectorizer()
        try:
            self.matrix = self.vectorizer.fit_transform(texts)
        except ValueError:  # no term in two rows: nothing to learn from
            self.vectorizer, self.matrix = None, None
        self.model: Any = None

    def fit(self, c: float) -> Any:
        """This fold's model at ``C`` (None: nothing to learn from)."""
        if self.vectorizer is None or len(set(self.y)) < 2:
            return None
        return classifier(c, self.seed).fit(self.matrix, self.y)

    def proba(self, texts: list[str], model: Any = None) -> np.ndarray:
        """Probabilities under ``model`` (default: the one chosen, ``self.model``)."""
        model = self.model if model is None else model
        out = np.full((len(texts), self.n_classes), 1.0 / max(self.n_classes, 1))
        if model is not None and texts:
            out[:, model.classes_] = model.predict_proba(self.vectorizer.transform(texts))
        return out


class CrossFittedModel:
    """The reference's out-of-fold probabilities and margins, and the fold models that
    score a batch."""

    def __init__(self, texts: Sequence[Any], labels: Sequence[Hashable], *, folds: int = FOLDS, seed: int = 0) -> None:
        labels_ = np.asarray([str(x) for x in labels], dtype=object)
        self.classes = sorted(set(labels_))
        docs = normalized_texts(tuple(texts))
        y = self._index(labels_)
        fold_of = np.random.default_rng(seed).permutation(len(y)) % folds
        helds = [np.flatnonzero(fold_of == fold) for fold in range(folds)]
        self.models = [
            _Fold([docs[i] for i in np.flatnonzero(fold_of != fold)], y[fold_of != fold], len(self.classes), seed)
            for fold in range(folds)
        ]
        best: tuple[float, float, list[Any], np.ndarray] | None = None
        for c in C_GRID:
            fitted, proba = [], np.zeros((len(y), len(self.classes)))
            for fold, held in zip(self.models, helds, strict=True):
                fitted.append(fold.fit(c))
                proba[held] = fold.proba([docs[i] for i in held], fitted[-1])
            loss = -float(np.mean(np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, 1.0))))
            if best is None or loss < best[0]:
                best = (loss, c, fitted, proba)
        self.log_loss, self.c, chosen, self.reference_proba = best
        for fold, model in zip(self.models, chosen, strict=True):
            fold.model = model
            fold.matrix = None  # the training matrix is only needed while C is chosen
        self.reference_labels = y
        self.reference_margins = margins(self.reference_proba, y)

    def _index(self, labels: np.ndarray) -> np.ndarray:
        position = {c: i for i, c in enumerate(self.classes)}
        return np.array([position.get(str(x), -1) for x in labels], dtype=np.int64)

    def label_index(self, labels: Sequence[Hashable]) -> np.ndarray:
        """Each label's position in ``classes`` (-1: a label the reference never uses)."""
        return self._index(np.asarray([str(x) for x in labels], dtype=object))

    def batch_proba(self, texts: Sequence[Any]) -> np.ndarray:
        """Each batch row's probabilities under fold model ``i % folds`` (as the reference's rows)."""
        docs = normalized_texts(tuple(texts))
        proba = np.zeros((len(docs), len(self.classes)))
        which = np.arange(len(docs)) % len(self.models)
        for fold, model in enumerate(self.models):
            rows = np.flatnonzero(which == fold)
            proba[rows] = model.proba([docs[i] for i in rows])
        return proba

    def batch_margins(self, texts: Sequence[Any], labels: Sequence[Hashable]) -> np.ndarray:
        """Each batch row's margin under fold model ``i % folds``."""
        return margins(self.batch_proba(texts), self.label_index(labels))


@lru_cache(maxsize=4)
def cross_fitted(texts: tuple[Any, ...], labels: tuple[str, ...], seed: int = 0) -> CrossFittedModel:
    """The reference's model, kept for the next batch of the same reference in this process."""
    return CrossFittedModel(texts, labels, seed=seed)
