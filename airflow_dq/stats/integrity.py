"""Integrity of a labelled training batch against a trusted reference: counting tests.

Pure functions on plain sequences (numpy/scipy, no I/O). Each returns a ``Finding``: is
the batch suspicious, the statistic and p-value behind the verdict, and which batch rows
(positions) look wrong. The tests are calibrated on the reference itself, so that a clean
batch from the same source is rarely flagged (the benchmark measures how rarely):

- ``label_shift``: chi-square test of the label counts, batch vs reference (a 2 x L
  contingency table), overall or per segment with Benjamini-Hochberg across segments;
- ``duplicate_surge``: keys (e.g. normalised texts) repeated in the batch far more often
  than their reference frequency predicts (Poisson, per key, BH), or too many surplus
  copies overall compared with batch-sized slices of the reference;
- ``conflicting_labels``: rows whose key carries another label in the batch or the
  reference, compared with the reference's own rate (binomial);
- ``source_surge``: one source supplying a much larger share of the batch than of the
  reference (binomial per source, BH).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


@dataclass
class Finding:
    """The outcome of one integrity test on one batch."""

    suspicious: bool
    statistic: float
    p_value: float | None
    rows: list[int] = field(default_factory=list)  # positions in the batch, most suspicious first
    evidence: list[dict[str, Any]] = field(default_factory=list)  # what stood out (keys, tokens, labels)
    summary: str = ""
    margins: Any = None  # label_consistency (model): each batch row's margin, for ranking and tests

    def to_dict(self, max_rows: int | None = None) -> dict[str, Any]:
        return {
            "suspicious": self.suspicious,
            "statistic": _finite(self.statistic),
            "p_value": self.p_value,
            "flagged_rows": len(self.rows),
            "evidence": self.evidence[:10],
        }


def _finite(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def normalize_text(text: Any) -> str:
    """Case-folded, accent-stripped text with punctuation removed and spaces collapsed."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", folded)).strip()


@lru_cache(maxsize=8)
def normalized_texts(texts: tuple[Any, ...]) -> list[str]:
    """``normalize_text`` of many texts, remembered for the next batch (the reference's)."""
    return [normalize_text(t) for t in texts]


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (as ``scipy.stats.false_discovery_control``)."""
    p = np.asarray(p_values, dtype=float)
    if not len(p):
        return p
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(p)
    out[order] = np.clip(adjusted, 0, 1)
    return out


def _binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    from scipy import stats

    return float(stats.binom.sf(k - 1, n, min(max(p, 0.0), 1.0))) if k > 0 else 1.0


# -- label shift ------------------------------------------------------------------------
def _label_table(reference: Sequence[Hashable], current: Sequence[Hashable]) -> tuple[list, np.ndarray]:
    ref, cur = Counter(reference), Counter(current)
    labels = sorted(set(ref) | set(cur), key=str)
    return labels, np.array([[ref[x] for x in labels], [cur[x] for x in labels]], dtype=float)


def label_chi2(reference: Sequence[Hashable], current: Sequence[Hashable]) -> tuple[float, float, dict]:
    """Chi-square test of independence of (reference vs batch) x label: statistic, p, shares."""
    from scipy import stats

    labels, table = _label_table(reference, current)
    shares = {
        str(x): {
            "reference": round(table[0, i] / max(table[0].sum(), 1), 4),
            "batch": round(table[1, i] / max(table[1].sum(), 1), 4),
        }
        for i, x in enumerate(labels)
    }
    if len(labels) < 2 or not table[0].sum() or not table[1].sum():
        return 0.0, 1.0, shares
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue), shares


def label_shift(
    reference_labels: Sequence[Hashable],
    current_labels: Sequence[Hashable],
    *,
    reference_segments: Sequence[Hashable] | None = None,
    current_segments: Sequence[Hashable] | None = None,
    alpha: float = 0.001,
    min_change: float = 0.02,
) -> Finding:
    """Did the label mix change? Overall, and within each segment when segments are given.

    A shift counts when its (BH-adjusted) p-value is below ``alpha`` and some label's share
    moved by at least ``min_change``, so a huge batch does not alarm on a trivial move.
    """
    groups: dict[Any, tuple[list, list]] = {"(all)": (list(reference_labels), list(current_labels))}
    if reference_segments is not None and current_segments is not None:
        ref_by: dict[Any, list] = defaultdict(list)
        cur_by: dict[Any, list] = defaultdict(list)
        for seg, lab in zip(reference_segments, reference_labels, strict=True):
            ref_by[seg].append(lab)
        for seg, lab in zip(current_segments, current_labels, strict=True):
            cur_by[seg].append(lab)
        for seg in cur_by:
            groups[seg] = (ref_by.get(seg, []), cur_by[seg])
    names, stats_, pvals, moves, shares_of = [], [], [], [], []
    for name, (ref, cur) in groups.items():
        statistic, p, shares = label_chi2(ref, cur)
        change = max((abs(s["batch"] - s["reference"]) for s in shares.values()), default=0.0)
        names.append(name)
        stats_.append(statistic)
        pvals.append(p)
        moves.append(change)
        shares_of.append(shares)
    adjusted = benjamini_hochberg(pvals)
    evidence = []
    for i in np.argsort(adjusted, kind="stable"):
        if adjusted[i] < alpha and moves[i] >= min_change and (i == 0 or len(groups[names[i]][0]) > 0):
            evidence.append({"segment": str(names[i]), "p_value": float(adjusted[i]), "shares": shares_of[i]})
    suspicious = bool(evidence)
    # Rows: the batch rows carrying the label whose share grew most in the worst segment.
    rows: list[int] = []
    worst = evidence[0] if evidence else {"segment": "(all)", "shares": shares_of[0]}
    grown = max(worst["shares"].items(), key=lambda kv: kv[1]["batch"] - kv[1]["reference"])[0]
    if suspicious:
        for position, label in enumerate(current_labels):
            in_segment = worst["segment"] == "(all)" or str(current_segments[position]) == worst["segment"]
            if in_segment and str(label) == grown:
                rows.append(position)
    summary = (
        f"label mix shifted in {', '.join(e['segment'] for e in evidence[:3])} (p={evidence[0]['p_value']:.2g}; "
        f"'{grown}' {worst['shares'][grown]['reference']:.1%} -> {worst['shares'][grown]['batch']:.1%})"
        if suspicious
        else f"label mix as in the reference (p={pvals[0]:.2g})"
    )
    return Finding(suspicious, stats_[0], float(pvals[0]), rows, evidence, summary)


# -- duplicates and conflicts -------------------------------------------------------------
def _surplus(keys: Sequence[Hashable]) -> int:
    return len(keys) - len(set(keys))


def duplicate_surge(
    reference_keys: Sequence[Hashable],
    current_keys: Sequence[Hashable],
    *,
    alpha: float = 0.001,
    min_surplus_share: float = 0.01,
    min_copies: int = 3,
    slices: int = 8,
    seed: int = 0,
) -> Finding:
    """Are rows repeated in the batch far more than the reference predicts?

    Per key seen at least ``min_copies`` times: its count in the batch against a Poisson
    with the key's reference frequency (one pseudo-count, so an unseen key is possible),
    BH-adjusted across all distinct keys of the batch. Overall: the batch's
    surplus copies (rows minus distinct keys) against the mean surplus of ``slices``
    batch-sized random slices of the reference (Poisson), when the surplus is at least
    ``min_surplus_share`` of the rows above that mean.
    """
    from scipy import stats

    n, n_ref = len(current_keys), len(reference_keys)
    ref_counts = Counter(reference_keys)
    cur_counts = Counter(current_keys)
    repeated = [(key, c) for key, c in cur_counts.items() if c >= min_copies]
    expected = np.array([n * (ref_counts.get(key, 0) + 1) / (n_ref + 1) for key, _ in repeated])
    counts = np.array([c for _, c in repeated])
    p_keys = stats.poisson.sf(counts - 1, expected) if len(repeated) else np.array([])
    # Every distinct key of the batch is in the family (a key seen once has p = 1).
    padded = np.concatenate([p_keys, np.ones(max(len(cur_counts) - len(repeated), 0))])
    adjusted = benjamini_hochberg(padded)[: len(repeated)]
    flagged_keys = {repeated[i][0] for i in range(len(repeated)) if adjusted[i] < alpha}

    rng = np.random.default_rng(seed)
    size = min(n, n_ref // 2) if n_ref >= 2 else 0
    ref_list = list(reference_keys)
    baseline = (
        float(np.mean([_surplus([ref_list[i] for i in rng.choice(n_ref, size, replace=False)]) for _ in range(slices)]))
        * (n / size)
        if size
        else 0.0
    )
    surplus = _surplus(current_keys)
    p_total = float(stats.poisson.sf(surplus - 1, max(baseline, 0.5)))
    total_alarm = p_total < alpha and (surplus - baseline) >= min_surplus_share * n
    if total_alarm and not flagged_keys:  # name the most repeated keys beyond expectation
        order = np.argsort(p_keys, kind="stable")
        flagged_keys = {repeated[i][0] for i in order if p_keys[i] < 0.01}
    # Most copied key first (then batch order): the rows to drop first.
    rows = sorted(
        (i for i, key in enumerate(current_keys) if key in flagged_keys),
        key=lambda i: (-cur_counts[current_keys[i]], i),
    )
    evidence = sorted(
        (
            {"key": str(k)[:200], "batch_count": c, "reference_count": ref_counts.get(k, 0)}
            for k, c in repeated
            if k in flagged_keys
        ),
        key=lambda e: -e["batch_count"],
    )
    suspicious = bool(total_alarm or (adjusted < alpha).any())
    summary = (
        f"{surplus} surplus duplicate rows (reference-sized expectation {baseline:.1f}); "
        f"{len(flagged_keys)} key(s) repeated far beyond their reference frequency"
    )
    best = float(min(p_total, float(adjusted.min()) if len(adjusted) else 1.0))
    return Finding(suspicious, float(surplus), best, rows, evidence, summary)


def conflicting_labels(
    reference_keys: Sequence[Hashable],
    reference_labels: Sequence[Hashable],
    current_keys: Sequence[Hashable],
    current_labels: Sequence[Hashable],
    *,
    alpha: float = 0.001,
    min_excess: float = 0.005,
) -> Finding:
    """Rows whose identical input carries another label, in the batch or the reference.

    Conflicts are counted in the pool of reference and batch rows together, for the rows
    of both; if the batch came from the reference's source, its rows are as likely to be
    in conflict as the reference's (exchangeable), whatever the sizes. One-sided Fisher
    exact test of the two shares, and at least ``min_excess`` of the rows above the
    reference's share.
    """
    from scipy import stats

    labels_of: dict[Hashable, set] = defaultdict(set)
    for key, label in zip(reference_keys, reference_labels, strict=True):
        labels_of[key].add(label)
    for key, label in zip(current_keys, current_labels, strict=True):
        labels_of[key].add(label)
    conflicted = {key for key, labels in labels_of.items() if len(labels) > 1}
    # Ranked: a row whose label is the rarer one for its input first (more likely wrong).
    votes: Counter[tuple[Hashable, Hashable]] = Counter(zip(reference_keys, reference_labels, strict=True))
    votes.update(zip(current_keys, current_labels, strict=True))
    total_of = Counter(reference_keys) + Counter(current_keys)
    rows = sorted(
        (i for i, key in enumerate(current_keys) if key in conflicted),
        key=lambda i: (votes[(current_keys[i], current_labels[i])] / total_of[current_keys[i]], i),
    )
    n, n_ref = len(current_keys), len(reference_keys)
    ref_conflicts = sum(1 for key in reference_keys if key in conflicted)
    base_rate = ref_conflicts / n_ref if n_ref else 0.0
    table = [[len(rows), n - len(rows)], [ref_conflicts, n_ref - ref_conflicts]]
    p_value = float(stats.fisher_exact(table, alternative="greater").pvalue) if n and n_ref else 1.0
    suspicious = bool(n and p_value < alpha and len(rows) / n - base_rate >= min_excess)
    conflicts = Counter(current_keys[i] for i in rows)
    evidence = [
        {"key": str(k)[:200], "batch_rows": c, "labels": sorted(map(str, labels_of[k]))}
        for k, c in conflicts.most_common(10)
    ]
    summary = (
        f"{len(rows)} of {n} rows ({len(rows) / max(n, 1):.1%}) have an identical input with another label "
        f"(reference rows: {base_rate:.1%})"
    )
    return Finding(suspicious, len(rows) / n if n else 0.0, p_value, rows, evidence, summary)


# -- sources ------------------------------------------------------------------------------
def source_surge(
    reference_sources: Sequence[Hashable],
    current_sources: Sequence[Hashable],
    *,
    alpha: float = 0.001,
    min_increase: float = 0.05,
) -> Finding:
    """Does one source supply a much larger share of the batch than of the reference?

    Per source: a binomial test of its batch rows against its reference share (with one
    pseudo-row, so a new source is possible but rare), BH across sources; the share must
    also grow by at least ``min_increase``.
    """
    ref, cur = Counter(reference_sources), Counter(current_sources)
    n, n_ref = len(current_sources), len(reference_sources)
    names = list(cur)
    ref_share = [(ref.get(s, 0) + 1) / (n_ref + len(set(ref) | set(cur))) for s in names]
    pvals = [_binomial_sf(cur[s], n, p) for s, p in zip(names, ref_share, strict=True)]
    adjusted = benjamini_hochberg(pvals)
    flagged = [
        i
        for i in np.argsort(adjusted, kind="stable")
        if adjusted[i] < alpha and cur[names[i]] / n - ref_share[i] >= min_increase
    ]
    rank = {names[i]: position for position, i in enumerate(flagged)}
    rows = sorted((i for i, s in enumerate(current_sources) if s in rank), key=lambda i: (rank[current_sources[i]], i))
    evidence = [
        {
            "source": str(names[i]),
            "batch_share": round(cur[names[i]] / n, 4),
            "reference_share": round(ref.get(names[i], 0) / max(n_ref, 1), 4),
            "p_value": float(adjusted[i]),
        }
        for i in flagged
    ]
    top = max(names, key=lambda s: cur[s] / n - ref.get(s, 0) / max(n_ref, 1)) if names else None
    summary = (
        f"source(s) {[e['source'] for e in evidence]} surged: "
        + ", ".join(f"{e['source']} {e['reference_share']:.1%} -> {e['batch_share']:.1%}" for e in evidence[:3])
        if evidence
        else f"no source surged (largest rise: {top})"
    )
    statistic = max((cur[s] / n - ref.get(s, 0) / max(n_ref, 1) for s in names), default=0.0)
    return Finding(bool(evidence), statistic, float(adjusted.min()) if len(adjusted) else 1.0, rows, evidence, summary)
