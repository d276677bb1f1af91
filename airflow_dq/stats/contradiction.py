"""Labels that contradict their text, tested against the reference's own margins.

Every row has a margin (``airflow_dq.stats.label_model``): how confidently a cross-fitted
model of the reference prefers another label. Real data has plenty of rows the model
disagrees with, so a row is never judged alone; the batch is compared with the reference.

**The evidence of one row.** For each label L the reference gives two margin
distributions: ``f0``, the out-of-fold margins of its rows labelled L (clean rows, as the
reference is), and ``f1``, the margins its rows of *other* labels would get if they were
labelled L (a flipped row; for two labels that is minus their margin). Their ratio
``r(m) = f1(m) / f0(m)`` - how much more likely a margin is for a wrong label than for a
right one - is estimated by a one-feature logistic regression of "wrong vs right" on the
margin, classes weighted equally (the density-ratio trick, like Platt scaling):
``log r(m) = a + b m``. Margins are clipped to the 0.5-99.5% range of both samples, so
that no single row outweighs what the reference has seen (the null below clips its rows
alike, so the clipping costs no calibration).

**The statistic.** A batch whose rows are a share ``eps`` of wrong labels has the
likelihood ratio ``prod (1 - eps + eps r(m_i))`` against a clean one, so
``T = sum w(m_i)`` with ``w = log(1 - eps + eps r)``. Under the null (a clean batch), each
row's ``w`` is a draw from the reference's rows of its label; the p-value of ``T`` is the
tail of that sum, computed exactly on a fine grid (``airflow_dq.stats.empirical_sum``) -
calibrated whatever the shape of the scores. The reference is a sample too: its mean
``w`` is off by its own sampling error, which adds ``sum_L n_L^2 var_L / N_L`` to the
variance of ``T`` minus the null mean - counted three times (``REFERENCE_ERROR_INFLATION``:
on real text the reference's out-of-fold mean is off by 1.2-1.4x its iid error, with
heavier tails; with 1,000 batch rows against 8,000 reference rows that is 39% of the
variance, against a 1,000-row reference three times the batch's own). So the
deviation is shrunk by ``sqrt(var_batch / (var_batch + var_reference))`` before its tail
is taken. (Pooling the batch's rows into the null, as a permutation test does, is also
calibrated, but a poisoned batch then inflates its own null: at 5% flips it lost a
quarter of the power.)

- **batch level**: ``eps = BATCH_EPS`` (5%: many mild contradictions count, none alone
  decides), p < ``alpha``, and the *excess* - the batch's share of rows with ``r > 1``
  (more likely a wrong label than a right one) minus the reference's share for the
  batch's label mix - at least ``min_excess``;
- **group level**: per entity group of at least ``MIN_GROUP_ROWS`` rows (terms it uses far more than the
  reference, aliases linked; ``airflow_dq.stats.entities``), the same statistic over the
  group's rows with ``eps = GROUP_EPS`` (50%: a poisoned group is mostly wrong labels), the
  null again the reference's rows per label; Benjamini-Hochberg across groups and an
  excess of at least ``min_lift``: 20 poisoned rows about one entity stand out in their
  group although they are 2% of the batch.

Rows named: on a batch alarm, those above their label's 95th percentile of reference
margins; on a group alarm, the group's rows of each label its rows contradict (the rest
of the group: only its rows with ``r > 1``). Ranked by margin, most
contradicting first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from airflow_dq.stats.empirical_sum import SumDistribution
from airflow_dq.stats.entities import entity_groups, over_represented
from airflow_dq.stats.integrity import Finding, benjamini_hochberg
from airflow_dq.stats.label_model import CrossFittedModel, cross_fitted
from airflow_dq.stats.label_model import margins as label_margins

BATCH_EPS = 0.05
GROUP_EPS = 0.5
FLAG_QUANTILE = 0.95
CLIP = (0.005, 0.995)
# Groups smaller than this are not tested: the rows of one topic share more than the null
# (iid rows) allows - six snippets on one film ("big fat ... wedding") contradicted their
# labels together - and on the VADER benchmark such 5- and 6-row groups were the only false
# alarms of clean batches (2 of 100, seed 7).
MIN_GROUP_ROWS = 10
# The reference's own mean score is off by more than its iid standard error: on real text
# a fresh sample's mean score differed from the reference's out-of-fold mean by 1.2-1.4x
# that error, with heavier tails (VADER sentences: 60 references of 1,000 rows, 24 of
# 4,000), so its variance is counted three times. Counted once, clean 1,000-row batches
# against a 1,000-row reference were halted at 13x alpha = 0.001; counted twice, still
# 5x on one set of 100 references (benchmarks/bench_label_calibration_real.py).
REFERENCE_ERROR_INFLATION = 3.0


@dataclass
class LabelEvidence:
    """One label's ``log r(m) = a + b m``, the margin range it is used in, the reference's
    own-label margins (the null sample), the 95th percentile of those (rows named) and
    the share of them with ``r > 1`` (what a clean batch's rows of the label show)."""

    a: float
    b: float
    low: float
    high: float
    own: np.ndarray
    flag_cut: float
    wrong: np.ndarray = field(default_factory=lambda: np.zeros(0))  # margins of other labels' rows as L
    contradicting_share: float = field(init=False)

    def __post_init__(self) -> None:
        self.contradicting_share = float((self.log_ratio(self.own) > 0).mean())

    def log_ratio(self, m: np.ndarray) -> np.ndarray:
        return self.a + self.b * np.clip(m, self.low, self.high)

    def weight(self, m: np.ndarray, eps: float) -> np.ndarray:
        """``w = log(1 - eps + eps r(m))``, computed stably."""
        return np.logaddexp(np.log1p(-eps), np.log(eps) + self.log_ratio(m))


def _density_ratio(own: np.ndarray, wrong: np.ndarray) -> tuple[float, float]:
    """``a, b`` of ``log f_wrong(m) / f_own(m) = a + b m``: logistic regression (Newton),
    the two classes weighted equally, a tiny ridge on ``b`` for separable data."""
    from scipy import special

    x = np.concatenate([own, wrong])
    y = np.concatenate([np.zeros(len(own)), np.ones(len(wrong))])
    weight = np.where(y == 1, 0.5 / len(wrong), 0.5 / len(own))
    beta = np.zeros(2)
    design = np.column_stack([np.ones_like(x), x])
    for _ in range(50):
        p = special.expit(design @ beta)
        gradient = design.T @ (weight * (y - p)) - np.array([0.0, 1e-6 * beta[1]])
        hessian = (design * (weight * p * (1 - p))[:, None]).T @ design + np.diag([1e-12, 1e-6])
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    if not np.all(np.isfinite(beta)) or beta[1] <= 0:
        # A model that learned nothing: no margin is evidence of a wrong label (r = 1).
        return 0.0, 0.0
    return float(beta[0]), float(beta[1])


@lru_cache(maxsize=4)
def _evidence_of(model: CrossFittedModel) -> dict[int, LabelEvidence]:
    """Per label index: the density ratio fitted on the reference's out-of-fold margins."""
    y = model.reference_labels
    out = {}
    for label in range(len(model.classes)):
        own = model.reference_margins[y == label]
        others = model.reference_proba[y != label]
        if not len(own) or not len(others):
            continue
        wrong = label_margins(others, np.full(len(others), label))  # their margin if labelled ``label``
        a, b = _density_ratio(own, wrong)
        low, high = np.quantile(np.concatenate([own, wrong]), CLIP)
        out[label] = LabelEvidence(a, b, float(low), float(high), own, float(np.quantile(own, FLAG_QUANTILE)), wrong)
    return out


class BatchNull:
    """The null of ``T`` for rows of these labels: per label, the batch's count and the
    reference's weights ``w`` (its own-label rows); the null mean; the shrink of the
    deviation for the reference's own sampling error (see the module doc); and the exact
    distribution of the sum, computed once for the p-value and the critical value alike."""

    def __init__(self, evidence: dict[int, LabelEvidence], labels: np.ndarray, eps: float) -> None:
        self.parts = [
            (int(label), int((labels == label).sum()), evidence[int(label)].weight(evidence[int(label)].own, eps))
            for label in np.unique(labels)
        ]
        self.mean = sum(n * float(values.mean()) for _, n, values in self.parts)
        batch_variance = sum(n * float(values.var()) for _, n, values in self.parts)
        reference_variance = sum(
            REFERENCE_ERROR_INFLATION * n**2 * float(values.var()) / len(values) for _, n, values in self.parts
        )
        # T - mean varies by batch_variance + reference_variance (the null mean is estimated
        # from the reference's rows); the exact distribution knows only the first.
        self.shrink = (
            float(np.sqrt(batch_variance / (batch_variance + reference_variance))) if batch_variance > 0 else 1.0
        )

    @cached_property
    def distribution(self) -> SumDistribution:
        return SumDistribution([values for _, _, values in self.parts], [n for _, n, _ in self.parts])

    def p_value(self, total: float) -> float:
        return self.distribution.tail(self.mean + (total - self.mean) * self.shrink)

    def critical(self, alpha: float) -> float:
        """The ``T`` at and above which ``p_value`` is below ``alpha`` (to a grid step)."""
        return self.mean + (self.distribution.quantile(alpha) - self.mean) / self.shrink


@dataclass
class SumTest:
    """The likelihood-ratio sum of some rows against the reference: p-value and excess."""

    p_value: float
    contradicting: int  # rows with r > 1
    expected_share: float  # the reference's share of r > 1 for these rows' labels
    rows: int
    null: BatchNull | None = field(default=None, repr=False)

    @property
    def excess(self) -> float:
        return self.contradicting / max(self.rows, 1) - self.expected_share


def sum_test(evidence: dict[int, LabelEvidence], margins: np.ndarray, labels: np.ndarray, eps: float) -> SumTest:
    """``T = sum w(m_i)`` over the rows (of labels the reference has) vs as many draws from
    the reference's rows of each label, its deviation from the null mean shrunk by the
    reference's own sampling error (see the module doc)."""
    known = np.isin(labels, list(evidence))
    margins, labels = margins[known], labels[known]
    if not len(labels):
        return SumTest(1.0, 0, 0.0, 0)
    null = BatchNull(evidence, labels, eps)
    total, contradicting, expected = 0.0, 0, 0.0
    for label, _, _ in null.parts:
        ev = evidence[label]
        mine = margins[labels == label]
        total += float(ev.weight(mine, eps).sum())
        contradicting += int((ev.log_ratio(mine) > 0).sum())
        expected += len(mine) * ev.contradicting_share
    return SumTest(null.p_value(total), contradicting, expected / len(margins), len(margins), null)


def caught_share(
    evidence: dict[int, LabelEvidence],
    labels: np.ndarray,
    alpha: float,
    power: float = 0.9,
    *,
    null: BatchNull | None = None,
) -> float | None:
    """What the batch test can see: the smallest share of a batch like this one (its size
    and label mix) with wrong labels - rows whose text another label fits, as the
    reference's rows of other labels - that it catches at ``alpha`` with probability
    ``power``; None when even half the batch is not caught that often. The critical value
    is the exact null's (``null``: the batch test's own, else built here); the sum with a
    share ``s`` of wrong labels is taken as normal (1,000 draws of a two-part mixture).
    Tells a user the blind spot of their reference: on noisy labels a few percent of flips
    are invisible."""
    from scipy import stats

    known = labels[np.isin(labels, list(evidence))]
    if null is None:
        if not len(known):
            return None
        null = BatchNull(evidence, known, BATCH_EPS)
    if not any(len(evidence[label].wrong) for label, _, _ in null.parts):
        return None
    # A label without margins of other labels' rows has no wrong rows to count: its rows
    # are right rows whatever the share.
    parts = [
        (n, right, evidence[label].weight(evidence[label].wrong, BATCH_EPS) if len(evidence[label].wrong) else right)
        for label, n, right in null.parts
    ]
    critical = null.critical(alpha)

    def caught(share: float) -> float:
        mu = var = 0.0
        for n, r, w in parts:
            gap = float(w.mean() - r.mean())
            mu += n * (float(r.mean()) + share * gap)
            var += n * ((1 - share) * float(r.var()) + share * float(w.var()) + share * (1 - share) * gap**2)
        return float(stats.norm.sf((critical - mu) / np.sqrt(max(var, 1e-300))))

    if caught(0.5) < power:
        return None
    low, high = 0.0, 0.5
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if caught(middle) < power else (low, middle)
    return high


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


def _scored(
    reference_texts: Sequence[Any],
    reference_labels: Sequence[Hashable],
    current_texts: Sequence[Any],
    current_labels: Sequence[Hashable],
    seed: int,
) -> tuple[dict[int, LabelEvidence], np.ndarray, np.ndarray]:
    """(per-label evidence, batch margins, batch label indices) under the reference's model."""
    model = cross_fitted(tuple(reference_texts), tuple(str(x) for x in reference_labels), seed)
    cur_labels = [str(x) for x in current_labels]
    return _evidence_of(model), model.batch_margins(list(current_texts), cur_labels), model.label_index(cur_labels)


def model_label_consistency(
    reference_texts: Sequence[Any],
    reference_labels: Sequence[Hashable],
    current_texts: Sequence[Any],
    current_labels: Sequence[Hashable],
    *,
    alpha: float = 0.001,
    min_excess: float = 0.005,
    min_group_rows: int = MIN_GROUP_ROWS,
    min_lift: float = 0.25,
    seed: int = 0,
) -> Finding:
    """Rows whose text a cross-fitted model of the reference says carries another label."""
    evidence, cur_m, cur_y = _scored(reference_texts, reference_labels, current_texts, current_labels, seed)
    n = len(cur_m)
    ratio = np.full(n, -np.inf)
    flag_cut = np.full(n, np.inf)
    for label, ev in evidence.items():
        mine = cur_y == label
        ratio[mine] = ev.log_ratio(cur_m[mine])
        flag_cut[mine] = ev.flag_cut

    batch = sum_test(evidence, cur_m, cur_y, BATCH_EPS)
    batch_alarm = bool(n and batch.p_value < alpha and batch.excess >= min_excess)
    flagged: set[int] = set(np.flatnonzero(cur_m > flag_cut).tolist()) if batch_alarm else set()

    tested, pvals = [], []
    for group in batch_groups(reference_texts, current_texts):
        if len(group.rows) < min_group_rows:
            continue
        rows = np.asarray(group.rows)
        tested.append((group, sum_test(evidence, cur_m[rows], cur_y[rows], GROUP_EPS)))
        pvals.append(tested[-1][1].p_value)
    adjusted = benjamini_hochberg(pvals)
    group_evidence = []
    for i in np.argsort(adjusted, kind="stable"):
        group, result = tested[i]
        if adjusted[i] < alpha and result.excess >= min_lift:
            flagged.update(_poisoned_rows(group.rows, ratio, cur_y, evidence, min_lift))
            group_evidence.append(
                {
                    "group": group.name,
                    "terms": group.terms[:10],
                    "batch_rows": len(group.rows),
                    "contradicting": result.contradicting,
                    "expected_share": round(result.expected_share, 4),
                    "p_value": float(adjusted[i]),
                }
            )
    order = sorted(flagged, key=lambda r: (-cur_m[r], r))
    seen = caught_share(evidence, cur_y, alpha, null=batch.null) if batch.null is not None else None
    batch_level = {
        "statistic": "likelihood ratio",
        "eps": BATCH_EPS,
        "contradicting": batch.contradicting,
        "expected": round(batch.expected_share * batch.rows, 1),
        "p_value": batch.p_value,
        "wrong_labels_caught_9_in_10_from_share": None if seen is None else round(seen, 4),
    }
    evidence_rows: list[dict[str, Any]] = [{"batch_level": batch_level}, *group_evidence[:10]]
    evidence_rows += [
        {"row": int(r), "label": str(current_labels[r]), "margin": round(float(cur_m[r]), 3)} for r in order[:10]
    ]
    summary = (
        f"{batch.contradicting} of {n} rows ({batch.contradicting / max(n, 1):.1%}) are more likely under a wrong "
        f"label than their own (about {batch.expected_share * batch.rows:.0f} expected from the reference's "
        f"out-of-fold margins; likelihood-ratio p={batch.p_value:.2g})"
    )
    summary += (
        f"; wrong labels scattered over >= {seen:.1%} of a batch like this are caught 9 times in 10"
        if seen is not None
        else "; on this reference even half a batch of wrong labels is not caught 9 times in 10"
    )
    if group_evidence:
        top = group_evidence[0]
        summary += (
            f"; entity '{top['group']}': {top['contradicting']} of {top['batch_rows']} rows contradict "
            f"their label (expected {top['expected_share']:.0%}, p={top['p_value']:.2g})"
        )
    p_value = min(batch.p_value, float(adjusted.min()) if len(adjusted) else 1.0)
    return Finding(batch_alarm or bool(group_evidence), batch.excess, p_value, order, evidence_rows, summary, cur_m)


def _poisoned_rows(
    rows: Sequence[int], ratio: np.ndarray, labels: np.ndarray, evidence: dict[int, LabelEvidence], min_lift: float
) -> list[int]:
    """The rows of an alarmed group to name: all its rows of each label whose rows there
    contradict it (``r > 1``) ``min_lift`` more often than the reference's rows of that
    label - a trigger's rows whose text the model happens to read as fitting the label
    are poisoned as much as the others - and, of its other labels, the contradicting rows."""
    rows = np.asarray(rows, dtype=np.int64)
    out = []
    for label in np.unique(labels[rows]):
        mine = rows[labels[rows] == label]
        ev = evidence.get(int(label))
        if ev is None:
            continue
        share = float((ratio[mine] > 0).mean())
        if share - ev.contradicting_share >= min_lift:
            out += mine.tolist()
        else:
            out += mine[ratio[mine] > 0].tolist()
    return out


def contradiction_share(
    reference_texts: Sequence[Any],
    reference_labels: Sequence[Hashable],
    current_texts: Sequence[Any],
    current_labels: Sequence[Hashable],
    rows: Sequence[int],
    *,
    seed: int = 0,
) -> tuple[int, float, float]:
    """Of the given batch rows, how many contradict their label (``r > 1``), the share the
    reference's rows of their labels do, and the group test's p-value (as for an entity
    group of ``model_label_consistency``)."""
    evidence, cur_m, cur_y = _scored(reference_texts, reference_labels, current_texts, current_labels, seed)
    rows = np.asarray(list(rows), dtype=np.int64)
    if not len(rows):
        return 0, 0.0, 1.0
    result = sum_test(evidence, cur_m[rows], cur_y[rows], GROUP_EPS)
    return result.contradicting, result.expected_share, result.p_value
