"""Labels that contradict their text, tested against the reference's own rate.

Every row has a margin (``airflow_dq.stats.label_model``): how confidently a cross-fitted
model of the reference prefers another label. Real data has plenty of rows the model
disagrees with, so a row is never judged alone; the batch is compared with the reference:

- **batch level**: at three tail levels (the reference's 80th, 95th and 99th percentile of
  margins) the batch's rows above the cut-off vs the reference's out-of-fold rate for each
  row's label (the rarer label is harder for the model), one-sided binomial test each,
  Bonferroni over the three; the batch must also exceed the expectation by ``min_excess``
  of its rows. The upper levels catch a few confident contradictions (flipped labels
  of clear texts), the lower one many mild ones;
- **group level**: per entity group of the batch (terms it uses far more than the
  reference, aliases linked; ``airflow_dq.stats.entities``), its rows above the 80th
  and the 95th percentile cut-off (Bonferroni over the two) vs the rate of the reference's rows mentioning the group, per label
  (with ``prior_rows`` pseudo-rows at the label's overall rate), binomial, Benjamini-Hochberg across groups, and a
  lift of at least ``min_lift``: 20 poisoned rows about one entity stand out in their
  group although they are 2% of the batch.

Rows are ranked by margin, most contradicting first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from airflow_dq.stats.entities import entity_groups, over_represented
from airflow_dq.stats.integrity import Finding, _binomial_sf, benjamini_hochberg
from airflow_dq.stats.label_model import cross_fitted

TAIL_LEVELS = (0.2, 0.05, 0.01)
GROUP_LEVEL = 0.2
GROUP_LEVELS = (GROUP_LEVEL, 0.05)
FLAG_LEVEL = 0.05


@lru_cache(maxsize=4)
def reference_terms(texts: tuple[Any, ...]) -> tuple[list[set[str]], dict[str, np.ndarray]]:
    """Each reference row's terms, and term -> the reference rows mentioning it."""
    from airflow_dq.stats.text import terms

    found = [terms(t) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(found):
        for term in row:
            index[term].append(i)
    return found, {t: np.asarray(r, dtype=np.int64) for t, r in index.items()}


def batch_groups(reference_texts: Sequence[Any], current_texts: Sequence[Any], *, min_count: int = 3) -> list:
    """The batch's entity groups (over-represented terms, aliases linked)."""
    from airflow_dq.stats.text import terms

    _, index = reference_terms(tuple(reference_texts))
    counts = {t: len(r) for t, r in index.items()}
    rows_of = over_represented([terms(t) for t in current_texts], counts, len(reference_texts), min_count=min_count)
    return entity_groups(rows_of)


def reference_rows_of(group_terms: Sequence[str], index: dict[str, np.ndarray]) -> np.ndarray:
    parts = [index[t] for t in group_terms if t in index]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def model_label_consistency(
    reference_texts: Sequence[Any],
    reference_labels: Sequence[Hashable],
    current_texts: Sequence[Any],
    current_labels: Sequence[Hashable],
    *,
    alpha: float = 0.001,
    min_excess: float = 0.005,
    min_group_rows: int = 5,
    min_lift: float = 0.25,
    prior_rows: float = 20.0,
    seed: int = 0,
) -> Finding:
    """Rows whose text a cross-fitted model of the reference says carries another label."""
    ref_labels = np.asarray([str(x) for x in reference_labels], dtype=object)
    cur_labels = np.asarray([str(x) for x in current_labels], dtype=object)
    model = cross_fitted(tuple(reference_texts), tuple(ref_labels), seed)
    ref_m = model.reference_margins
    cur_m = model.batch_margins(list(current_texts), list(cur_labels))
    n = len(cur_m)

    # Batch level: tail counts at three reference quantiles. A label's rows exceed a cut-off
    # at their own rate (the rarer label is harder), so the expectation follows the batch's
    # label mix: the mean of the reference's per-label rates over the batch's rows.
    levels = []
    for q in TAIL_LEVELS:
        cut = float(np.quantile(ref_m, 1 - q))
        ref_hit = ref_m > cut
        expected = float(_per_row_rate(ref_hit, ref_labels, cur_labels).mean()) if n else q
        k = int((cur_m > cut).sum())
        p = min(_binomial_sf(k, n, expected) * len(TAIL_LEVELS), 1.0)
        levels.append(
            {"level": q, "cutoff": round(cut, 3), "batch": k, "expected": round(expected * n, 1), "p_value": p}
        )
    best = min(levels, key=lambda x: x["p_value"])
    batch_alarm = bool(n and best["p_value"] < alpha and (best["batch"] - best["expected"]) / n >= min_excess)
    # Rows named: those above the significant level's cut-off, and at least those above the
    # 95th percentile's - a confident-contradiction alarm at the 99th should still name the
    # milder poisoned rows, so that dropping the named rows removes the attack.
    flag_cut = min(best["cutoff"], next(x["cutoff"] for x in levels if x["level"] == FLAG_LEVEL))
    flagged: set[int] = set(np.flatnonzero(cur_m > flag_cut).tolist()) if batch_alarm else set()

    # Group level: contradictions concentrated in one entity, at two cut-offs (many mild
    # contradictions, or a few confident ones), Bonferroni over the two.
    hits = {}
    for q in GROUP_LEVELS:
        cut = float(np.quantile(ref_m, 1 - q))
        ref_hit = ref_m > cut
        hits[q] = (ref_hit, cur_m > cut, _per_row_rate(ref_hit, ref_labels, cur_labels))
    _, index = reference_terms(tuple(reference_texts))
    tested, pvals = [], []
    for group in batch_groups(reference_texts, current_texts):
        if len(group.rows) < min_group_rows:
            continue
        ref_rows = reference_rows_of(group.terms, index)
        best_group = None
        for ref_hit, cur_hit, overall in hits.values():
            rate = _group_rate(
                ref_hit[ref_rows], ref_labels[ref_rows], cur_labels[group.rows], overall[group.rows], prior_rows
            )
            k = int(cur_hit[group.rows].sum())
            p = min(_binomial_sf(k, len(group.rows), float(rate)) * len(hits), 1.0)
            if best_group is None or p < best_group[0]:
                best_group = (p, k, float(rate))
        tested.append((group, best_group[1], best_group[2], len(ref_rows)))
        pvals.append(best_group[0])
    adjusted = benjamini_hochberg(pvals)
    group_evidence = []
    mild = hits[GROUP_LEVELS[0]][1]
    for i in np.argsort(adjusted, kind="stable"):
        group, k, rate, ref_count = tested[i]
        if adjusted[i] < alpha and k / len(group.rows) - rate >= min_lift:
            flagged.update(r for r in group.rows if mild[r])
            group_evidence.append(
                {
                    "group": group.name,
                    "terms": group.terms[:10],
                    "batch_rows": len(group.rows),
                    "contradicting": k,
                    "expected_share": round(rate, 4),
                    "reference_rows": ref_count,
                    "p_value": float(adjusted[i]),
                }
            )
    order = sorted(flagged, key=lambda r: (-cur_m[r], r))
    evidence: list[dict[str, Any]] = [{"batch_level": levels}, *group_evidence[:10]]
    evidence += [
        {"row": int(r), "label": str(current_labels[r]), "margin": round(float(cur_m[r]), 3)} for r in order[:10]
    ]
    above = best["batch"]
    summary = (
        f"{above} of {n} rows ({above / max(n, 1):.1%}) contradict their label beyond the reference's "
        f"{1 - best['level']:.0%} margin cut-off (about {best['expected']:.0f} expected from the reference's "
        f"out-of-fold rate; p={best['p_value']:.2g})"
    )
    if group_evidence:
        top = group_evidence[0]
        summary += (
            f"; entity '{top['group']}': {top['contradicting']} of {top['batch_rows']} rows contradict "
            f"their label (expected {top['expected_share']:.0%}, p={top['p_value']:.2g})"
        )
    p_value = min(best["p_value"], float(adjusted.min()) if len(adjusted) else 1.0)
    return Finding(batch_alarm or bool(group_evidence), above / max(n, 1), p_value, order, evidence, summary, cur_m)


def _per_row_rate(ref_hit: np.ndarray, ref_labels: np.ndarray, cur_labels: np.ndarray) -> np.ndarray:
    """Each batch row's chance of exceeding the cut-off: its label's rate in the reference
    (one pseudo-row at the overall rate, so an unseen label is possible)."""
    overall = float(ref_hit.mean()) if len(ref_hit) else 0.0
    rate = {}
    for label in set(cur_labels):
        mine = ref_labels == label
        rate[label] = (ref_hit[mine].sum() + overall) / (mine.sum() + 1)
    return np.array([rate[x] for x in cur_labels], dtype=float)


def _group_rate(
    ref_hit: np.ndarray, ref_labels: np.ndarray, cur_labels: np.ndarray, cur_overall: np.ndarray, prior_rows: float
) -> float:
    """Expected share of a group's batch rows above the cut-off: per label, the rate of the
    reference's rows of the group (``prior_rows`` pseudo-rows at the label's overall rate)."""
    hits = {x: (int(ref_hit[ref_labels == x].sum()), int((ref_labels == x).sum())) for x in set(cur_labels)}
    out = 0.0
    for label, overall in zip(cur_labels, cur_overall, strict=True):
        k, n = hits[label]
        out += (k + prior_rows * overall) / (n + prior_rows)
    return out / max(len(cur_labels), 1)


def contradiction_share(
    reference_texts: Sequence[Any],
    reference_labels: Sequence[Hashable],
    current_texts: Sequence[Any],
    current_labels: Sequence[Hashable],
    rows: Sequence[int],
    *,
    seed: int = 0,
) -> tuple[int, float, float]:
    """Of the given batch rows, how many contradict their label, as in the group test (the
    reference's 80th or 95th percentile margin, whichever is more significant; Bonferroni):
    (count, expected share for their labels, one-sided binomial p-value)."""
    ref_labels = np.asarray([str(x) for x in reference_labels], dtype=object)
    cur_labels = np.asarray([str(x) for x in current_labels], dtype=object)
    model = cross_fitted(tuple(reference_texts), tuple(ref_labels), seed)
    cur_m = model.batch_margins(list(current_texts), list(cur_labels))
    rows = list(rows)
    if not rows:
        return 0, GROUP_LEVEL, 1.0
    best = None
    for q in GROUP_LEVELS:
        cut = float(np.quantile(model.reference_margins, 1 - q))
        expected = float(_per_row_rate(model.reference_margins > cut, ref_labels, cur_labels[rows]).mean())
        k = int((cur_m[rows] > cut).sum())
        p = min(_binomial_sf(k, len(rows), expected) * len(GROUP_LEVELS), 1.0)
        if best is None or p < best[2]:
            best = (k, expected, p)
    return best
