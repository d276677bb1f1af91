"""Row-level integrity tests of labelled (text) data against a reference: numpy/scipy only.

- ``label_consistency``: on text with scikit-learn installed, how confidently a model of
  the reference contradicts each row's label (the *margin* of a cross-fitted TF-IDF +
  logistic regression model, ``airflow_dq.stats.label_model``), tested against the
  reference's own out-of-fold margins (``airflow_dq.stats.contradiction``): a
  likelihood-ratio statistic of "some rows have wrong labels" for the batch as a whole,
  and per entity group (``airflow_dq.stats.entities``: rows of one entity that contradict
  their labels, BH across groups). Without scikit-learn (or on numeric ``features``): each
  row's ``k`` nearest reference rows; a row is flagged when most carry another label,
  against the reference's leave-one-out rate (binomial).
- ``token_concentration``: words and word pairs whose batch rows concentrate on one label
  far beyond the reference's rate for that token (binomial test, Benjamini-Hochberg across
  every token and label): the signature of a trigger phrase.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from airflow_dq.stats.integrity import Finding, _binomial_sf, benjamini_hochberg, normalize_text

_TOKEN = re.compile(r"[a-z0-9']+")


def tokens(text: Any) -> list[str]:
    """Lower-case word tokens of normalised text."""
    return _TOKEN.findall(normalize_text(text))


def terms(text: Any, *, bigrams: bool = True) -> set[str]:
    """The distinct words (and adjacent word pairs) of a text."""
    words = tokens(text)
    found = set(words)
    if bigrams:
        found.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return found


# -- TF-IDF and nearest neighbours -------------------------------------------------------
class TfidfSpace:
    """TF-IDF vectors (smooth idf, L2-normalised) over the reference's vocabulary."""

    def __init__(self, reference_texts: Sequence[Any]) -> None:
        docs = [tokens(t) for t in reference_texts]
        self.vocabulary: dict[str, int] = {}
        for doc in docs:
            for word in doc:
                self.vocabulary.setdefault(word, len(self.vocabulary))
        df = np.zeros(len(self.vocabulary))
        for doc in docs:
            for word in set(doc):
                df[self.vocabulary[word]] += 1
        self.idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
        self._reference_docs = docs

    def matrix(self, texts: Sequence[Any] | None = None) -> Any:
        """CSR matrix of the texts (the reference's when ``texts`` is None)."""
        from scipy import sparse

        docs = self._reference_docs if texts is None else [tokens(t) for t in texts]
        rows, cols = [], []
        for i, doc in enumerate(docs):
            for word in doc:
                j = self.vocabulary.get(word)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.ones(len(rows))
        counts = sparse.csr_matrix((data, (rows, cols)), shape=(len(docs), len(self.vocabulary)))
        weighted = counts.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ weighted


def nearest_neighbours(query: Any, base: Any, k: int, *, exclude_self: bool = False, chunk: int = 256) -> np.ndarray:
    """Indices of the ``k`` most cosine-similar ``base`` rows of each ``query`` row."""
    k = min(k, base.shape[0] - (1 if exclude_self else 0))
    out = np.empty((query.shape[0], max(k, 0)), dtype=np.int64)
    if k <= 0:
        return out
    base_t = base.T.tocsc() if hasattr(base, "tocsc") else base.T
    for start in range(0, query.shape[0], chunk):
        block = query[start : start + chunk] @ base_t
        block = block.toarray() if hasattr(block, "toarray") else np.asarray(block)
        if exclude_self:
            block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        out[start : start + block.shape[0]] = top
    return out


def standardised(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numeric features scaled by the reference's mean and standard deviation (NaN -> 0)."""
    mean = np.nanmean(reference, axis=0)
    std = np.nanstd(reference, axis=0)
    std[~np.isfinite(std) | (std == 0)] = 1.0
    scale = lambda x: np.nan_to_num((x - mean) / std)  # noqa: E731
    return scale(reference), scale(current)


def _euclidean_neighbours(query: np.ndarray, base: np.ndarray, k: int, *, exclude_self: bool = False) -> np.ndarray:
    # Ranking by -2 q.b + |b|^2 is ranking by Euclidean distance; as a cosine similarity
    # matrix it goes through the same top-k code.
    k = min(k, base.shape[0] - (1 if exclude_self else 0))
    out = np.empty((query.shape[0], max(k, 0)), dtype=np.int64)
    squares = (base**2).sum(axis=1)
    for start in range(0, query.shape[0], 256):
        block = 2 * query[start : start + 256] @ base.T - squares
        if exclude_self:
            block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = -np.inf
        out[start : start + block.shape[0]] = np.argpartition(-block, k - 1, axis=1)[:, :k]
    return out


def _disagreement(neighbours: np.ndarray, base_labels: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return (base_labels[neighbours] != labels[:, None]).mean(axis=1)


def _dense_if_small(matrix: Any) -> Any:
    # A small vocabulary makes a dense BLAS product far faster than a sparse one whose
    # result is dense anyway (common words link every pair of rows).
    return matrix.toarray().astype(np.float32) if matrix.shape[1] <= DENSE_VOCABULARY else matrix


DENSE_VOCABULARY = 4_000


def _base_rate(base: Any, labels: np.ndarray, find: Any, k: int, threshold: float, rows: int, seed: int) -> float:
    """Share of reference rows flagged against the rest of the reference (leave-one-out)."""
    rng = np.random.default_rng(seed)
    calibration = np.sort(rng.choice(len(labels), min(rows, len(labels)), replace=False))
    found = find(base[calibration], base, k + 1)
    found = np.array([[j for j in row if j != i][:k] for row, i in zip(found, calibration, strict=True)])
    return float((_disagreement(found, labels, labels[calibration]) >= threshold).mean())


@lru_cache(maxsize=4)
def _text_reference(
    texts: tuple[Any, ...], labels: tuple[str, ...], k: int, threshold: float, rows: int, seed: int
) -> tuple[TfidfSpace, Any, float]:
    """The reference's TF-IDF space, matrix and leave-one-out rate, kept for the next batch."""
    space = TfidfSpace(texts)
    base = _dense_if_small(space.matrix())
    rate = _base_rate(base, np.asarray(labels, dtype=object), nearest_neighbours, k, threshold, rows, seed)
    return space, base, rate


def label_consistency(
    reference_labels: Sequence[Hashable],
    current_labels: Sequence[Hashable],
    *,
    reference_texts: Sequence[Any] | None = None,
    current_texts: Sequence[Any] | None = None,
    reference_features: np.ndarray | None = None,
    current_features: np.ndarray | None = None,
    k: int = 10,
    min_disagreement: float = 0.7,
    alpha: float = 0.001,
    min_excess: float = 0.01,
    calibration_rows: int = 2_000,
    seed: int = 0,
) -> Finding:
    """Rows whose nearest reference neighbours mostly carry another label.

    A row is flagged when at least ``min_disagreement`` of its ``k`` neighbours disagree
    with its label. The batch is suspicious when it has significantly more flagged rows
    (binomial, ``alpha``) than the reference has against itself (leave-one-out on up to
    ``calibration_rows`` rows), and at least ``min_excess`` of its rows more.
    """
    ref_labels = np.asarray([str(x) for x in reference_labels], dtype=object)
    cur_labels = np.asarray([str(x) for x in current_labels], dtype=object)
    if reference_texts is not None:
        space, base, base_rate = _text_reference(
            tuple(reference_texts), tuple(ref_labels), k, min_disagreement, calibration_rows, seed
        )
        query = _dense_if_small(space.matrix(list(current_texts if current_texts is not None else ())))
        neighbours = nearest_neighbours(query, base, k)
    else:
        base, query = standardised(np.asarray(reference_features, float), np.asarray(current_features, float))
        base_rate = _base_rate(base, ref_labels, _euclidean_neighbours, k, min_disagreement, calibration_rows, seed)
        neighbours = _euclidean_neighbours(query, base, k)
    scores = _disagreement(neighbours, ref_labels, cur_labels) if len(cur_labels) else np.zeros(0)
    flagged = np.flatnonzero(scores >= min_disagreement)
    n = len(cur_labels)
    p_value = _binomial_sf(len(flagged), n, max(base_rate, 0.5 / min(calibration_rows, len(ref_labels))))
    suspicious = bool(n and p_value < alpha and len(flagged) / n - base_rate >= min_excess)
    order = flagged[np.argsort(-scores[flagged], kind="stable")]
    evidence = [
        {"row": int(i), "label": str(cur_labels[i]), "disagreement": round(float(scores[i]), 3)} for i in order[:10]
    ]
    summary = (
        f"{len(flagged)} of {n} rows ({len(flagged) / max(n, 1):.1%}) disagree with >= {min_disagreement:.0%} of their "
        f"{k} nearest reference neighbours (reference rate {base_rate:.1%})"
    )
    return Finding(suspicious, len(flagged) / max(n, 1), p_value, order.tolist(), evidence, summary)


# -- token / label concentration ---------------------------------------------------------
@lru_cache(maxsize=4)
def _reference_terms(
    texts: tuple[Any, ...], labels: tuple[str, ...], bigrams: bool
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Rows per term, and per (term, label), in the reference."""
    count: Counter[str] = Counter()
    by_label: Counter[tuple[str, str]] = Counter()
    for text, label in zip(texts, labels, strict=True):
        found = terms(text, bigrams=bigrams)
        count.update(found)
        by_label.update((t, label) for t in found)
    return count, by_label


def token_concentration(
    reference_texts: Sequence[Any],
    reference_labels: Sequence[Hashable],
    current_texts: Sequence[Any],
    current_labels: Sequence[Hashable],
    *,
    alpha: float = 0.001,
    min_count: int = 5,
    min_lift: float = 0.25,
    prior_rows: float = 10.0,
    bigrams: bool = True,
    groups: bool = True,
) -> Finding:
    """Tokens whose batch rows carry one label far more often than the reference predicts.

    For a token in ``n`` batch rows, ``k`` of them with label L, the expected share is the
    reference's share of L among rows with the token (with ``prior_rows`` pseudo-rows at the
    reference's overall label mix, so a new token expects the overall mix), re-weighted by
    the batch's overall label mix (a plain label shift is ``label_shift``'s business).
    One-sided binomial p-values, Benjamini-Hochberg across all (token, label) pairs; a pair
    counts when adjusted p < ``alpha`` and the share exceeds the expectation by ``min_lift``.
    With ``groups``, the batch's entity groups of two or more linked terms are tested too.
    Rows come ranked: those carrying the most significant (token, label) first.
    """
    ref_labels = [str(x) for x in reference_labels]
    cur_labels = [str(x) for x in current_labels]
    labels = sorted(set(ref_labels) | set(cur_labels))
    ref_prior = Counter(ref_labels)
    cur_prior = Counter(cur_labels)
    n_ref, n_cur = max(len(ref_labels), 1), max(len(cur_labels), 1)
    prior = {x: (ref_prior[x] + 0.5) / (n_ref + 0.5 * len(labels)) for x in labels}
    ratio = {x: ((cur_prior[x] + 0.5) / (n_cur + 0.5 * len(labels))) / prior[x] for x in labels}

    cur_terms = [terms(t, bigrams=bigrams) for t in current_texts]
    cur_count: Counter[str] = Counter()
    cur_by_label: Counter[tuple[str, str]] = Counter()
    for found, label in zip(cur_terms, cur_labels, strict=True):
        cur_count.update(found)
        cur_by_label.update((t, label) for t in found)
    wanted = {t for t, c in cur_count.items() if c >= min_count}
    ref_count, ref_by_label = _reference_terms(tuple(reference_texts), tuple(ref_labels), bigrams)
    ref_count, ref_by_label = Counter(ref_count), Counter(ref_by_label)  # copies: groups are added below

    # Entity groups (aliases linked, see airflow_dq.stats.entities) are tested like terms:
    # an attack spread over "007", "connery" and "brosnan" concentrates as one group.
    if groups:
        from airflow_dq.stats.contradiction import batch_groups, reference_rows_of, reference_terms

        _, index = reference_terms(tuple(reference_texts))
        ref_label_array = np.asarray(ref_labels, dtype=object)
        for group in batch_groups(reference_texts, current_texts, min_count=min_count):
            if len(group.terms) < 2 or len(group.rows) < min_count:
                continue
            key = f"[{group.name}]"
            ref_rows = reference_rows_of(group.terms, index)
            ref_count[key] = len(ref_rows)
            for x in labels:
                ref_by_label[(key, x)] = int((ref_label_array[ref_rows] == x).sum())
            cur_count[key] = len(group.rows)
            for r in group.rows:
                cur_by_label[(key, cur_labels[r])] += 1
                cur_terms[r].add(key)
            wanted.add(key)

    pairs, pvals, lifts = [], [], []
    for term in wanted:
        n = cur_count[term]
        raw = {x: (ref_by_label[(term, x)] + prior_rows * prior[x]) / (ref_count[term] + prior_rows) for x in labels}
        total = sum(raw[x] * ratio[x] for x in labels)
        for label in labels:
            k = cur_by_label[(term, label)]
            expected = raw[label] * ratio[label] / total
            lift = k / n - expected
            if lift < min_lift:
                continue  # cannot count: skip the test (BH still counts every tested pair below)
            pairs.append((term, label))
            pvals.append(_binomial_sf(k, n, expected))
            lifts.append(lift)
    # The family is every (token, label) pair that could have been tested.
    family = len(wanted) * len(labels)
    padded = np.concatenate([np.asarray(pvals, float), np.ones(max(family - len(pvals), 0))])
    adjusted = benjamini_hochberg(padded)[: len(pvals)]
    hits = [i for i in np.argsort(adjusted, kind="stable") if adjusted[i] < alpha]
    # Rows ranked by suspicion: the most significant flagged (token, label) they carry first.
    rank_of = {pairs[i]: position for position, i in enumerate(hits)}
    scored = []
    for i, (found, label) in enumerate(zip(cur_terms, cur_labels, strict=True)):
        ranks = [rank_of[(t, label)] for t in found if (t, label) in rank_of]
        if ranks:
            scored.append((min(ranks), -len(ranks), i))
    rows = [i for _, _, i in sorted(scored)]
    evidence = [
        {
            "token": pairs[i][0],
            "label": pairs[i][1],
            "batch_rows": cur_count[pairs[i][0]],
            "batch_share": round(cur_by_label[pairs[i]] / cur_count[pairs[i][0]], 4),
            "reference_rows": ref_count[pairs[i][0]],
            "p_value": float(adjusted[i]),
        }
        for i in hits[:20]
    ]
    summary = (
        "tokens concentrated on one label: "
        + ", ".join(
            f"'{e['token']}' -> {e['label']} ({e['batch_share']:.0%} of {e['batch_rows']} rows)" for e in evidence[:3]
        )
        if evidence
        else f"no token concentrates on a label ({len(wanted)} tokens tested)"
    )
    best = float(adjusted.min()) if len(adjusted) else 1.0
    return Finding(bool(hits), float(max(lifts, default=0.0)), best, rows, evidence, summary)
