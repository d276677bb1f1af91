"""Unusual text: per-row perplexity under a character n-gram model of the reference.

The cut-off is the reference's own upper ``tail`` quantile on held-out rows, so a batch
from the same source has about ``tail`` of its rows above it; a batch with significantly
more (binomial) is suspicious. numpy only, vectorised: n-grams are integer ids, counted with
``np.unique`` and looked up with ``np.searchsorted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from airflow_dq.stats.integrity import Finding, _binomial_sf


class CharNgramModel:
    """Character n-gram language model with interpolated add-k smoothing (vectorised)."""

    START, END = 2, 3  # control characters as padding symbols

    def __init__(self, texts: Sequence[Any], order: int = 3, add_k: float = 0.1) -> None:
        self.order = order
        self.add_k = add_k
        self.weights = np.array([2.0**i for i in range(order)]) / sum(2.0**i for i in range(order))
        codes, _ = self._encode(texts)
        self.alphabet = max(len(np.unique(codes)), 2)
        self.tables = []
        for m in range(1, order + 1):
            grams, contexts = self._ids(codes, m)
            self.tables.append((np.unique(grams, return_counts=True), np.unique(contexts, return_counts=True)))

    def _encode(self, texts: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """All texts as one array of code points with padding; and each text's last index."""
        pad = [self.START] * (self.order - 1)
        out: list[int] = []
        ends = []
        for text in texts:
            out.extend(pad)
            out.extend(min(ord(c), 0x10FFFF) for c in str(text or "").lower())
            out.append(self.END)
            ends.append(len(out))
        return np.asarray(out, dtype=np.int64), np.asarray(ends, dtype=np.int64)

    def _ids(self, codes: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
        """n-gram and context ids of order ``m`` ending at each position >= order - 1."""
        start = self.order - 1
        base = np.int64(0x110000)
        grams = np.zeros(len(codes) - start, dtype=np.int64)
        for offset in range(m - 1, -1, -1):  # oldest character first; wraps harmlessly for m >= 4
            grams = grams * base + codes[start - offset : len(codes) - offset]
        contexts = (grams - codes[start:]) // base if m > 1 else np.zeros_like(grams)
        return grams, contexts

    @staticmethod
    def _lookup(table: tuple[np.ndarray, np.ndarray], keys: np.ndarray) -> np.ndarray:
        values, counts = table
        at = np.clip(np.searchsorted(values, keys), 0, max(len(values) - 1, 0))
        return np.where((len(values) > 0) & (values[at] == keys), counts[at], 0) if len(values) else np.zeros(len(keys))

    def log_perplexity(self, texts: Sequence[Any]) -> np.ndarray:
        """Mean negative log-probability per character of each text."""
        codes, ends = self._encode(texts)
        if not len(ends):
            return np.zeros(0)
        probability = np.zeros(len(codes) - (self.order - 1))
        for m, weight in zip(range(1, self.order + 1), self.weights, strict=True):
            grams, contexts = self._ids(codes, m)
            gram_table, context_table = self.tables[m - 1]
            hits = self._lookup(gram_table, grams)
            seen = self._lookup(context_table, contexts)
            probability += weight * (hits + self.add_k) / (seen + self.add_k * self.alphabet)
        neg_log = -np.log(probability)
        # Positions of padding (START) as targets are not characters of the text.
        targets = codes[self.order - 1 :]
        neg_log[targets == self.START] = 0.0
        lengths = np.diff(np.concatenate([[0], ends])) - (self.order - 1)
        sums = np.add.reduceat(neg_log, np.concatenate([[0], ends[:-1] - (self.order - 1)]))
        return sums / np.maximum(lengths, 1)


@lru_cache(maxsize=4)
def _perplexity_reference(texts: tuple[Any, ...], order: int, tail: float, seed: int) -> tuple[CharNgramModel, float]:
    """The reference's model and cut-off: the 1 - tail quantile of held-out rows' scores."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(texts), dtype=bool)
    held[rng.choice(len(texts), max(len(texts) // 5, 1), replace=False)] = True
    calibration = CharNgramModel([t for t, h in zip(texts, held, strict=True) if not h], order)
    cutoff = float(
        np.quantile(calibration.log_perplexity([t for t, h in zip(texts, held, strict=True) if h]), 1 - tail)
    )
    return CharNgramModel(texts, order), cutoff


def perplexity_outliers(
    reference_texts: Sequence[Any],
    current_texts: Sequence[Any],
    *,
    order: int = 3,
    tail: float = 0.01,
    alpha: float = 0.001,
    min_excess: float = 0.01,
    seed: int = 0,
) -> Finding:
    """Rows whose perplexity under the reference's character model is extreme.

    The cut-off is the ``1 - tail`` quantile of held-out reference rows (a model trained on
    the other 80%); the batch is suspicious when significantly more than ``tail`` of its
    rows pass it (binomial) and at least ``min_excess`` more.
    """
    model, cutoff = _perplexity_reference(tuple(reference_texts), order, tail, seed)
    scores = model.log_perplexity(list(current_texts))
    flagged = np.flatnonzero(scores > cutoff)
    n = len(scores)
    p_value = _binomial_sf(len(flagged), n, tail)
    suspicious = bool(n and p_value < alpha and len(flagged) / n - tail >= min_excess)
    order_ = flagged[np.argsort(-scores[flagged], kind="stable")]
    evidence = [{"row": int(i), "perplexity": round(float(np.exp(scores[i])), 2)} for i in order_[:10]]
    summary = (
        f"{len(flagged)} of {n} rows above the reference's {1 - tail:.0%} perplexity "
        f"({float(np.exp(cutoff)):.1f}); expected about {tail * n:.0f}"
    )
    return Finding(suspicious, len(flagged) / max(n, 1), p_value, order_.tolist(), evidence, summary)
