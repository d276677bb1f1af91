"""The label-consistency test is calibrated: under the null (clean batches from the
reference's source) it rejects at most ``alpha`` of the time, and its saddlepoint tail is
the tail of the sum it approximates."""

from __future__ import annotations

import numpy as np
import pytest

from airflow_dq.stats.empirical_sum import sum_tail
from benchmarks.training_text import reviews


def test_sum_tail_is_the_exact_tail_of_a_sum_of_draws() -> None:
    from scipy import stats

    # Two values: the sum of 20 draws is binomial - the grid computation is exact.
    coin = np.array([0.0, 1.0, 1.0, 0.0, 0.0])  # P(1) = 0.4
    for k in (8, 12, 16):
        assert sum_tail([coin], [20], float(k)) == pytest.approx(stats.binom.sf(k - 1, 20, 0.4), rel=1e-6)
    # Beyond every draw's maximum nothing reaches it; at the maximum only the top values do.
    assert sum_tail([np.array([0.0, 1.0])], [3], 3.5) == 0.0
    assert sum_tail([np.array([0.0, 1.0])], [3], 3.0) == pytest.approx(1 / 8)
    assert sum_tail([np.array([0.0, 1.0])], [3], -1.0) == pytest.approx(1.0)
    # A constant score (a model that learned nothing): its own sum is no evidence.
    assert sum_tail([np.full(50, -0.1)], [30], 30 * -0.1) == 1.0
    rng = np.random.default_rng(0)
    # Scores like the gate's: log(0.5 + 0.5 r), most about the same, a few far higher.
    first = np.log(0.5 + 0.5 * np.exp(np.where(rng.random(4_000) < 0.03, 8.0, -3.0) + rng.normal(0, 1, 4_000)))
    second = np.log(0.5 + 0.5 * np.exp(rng.normal(-1.5, 1.8, 3_000)))
    for counts in ((400, 300), (12, 8)):
        sums = rng.choice(first, (200_000, counts[0])).sum(axis=1) + rng.choice(second, (200_000, counts[1])).sum(
            axis=1
        )
        for tail in (0.2, 0.05, 0.01):
            total = float(np.quantile(sums, 1 - tail))
            assert sum_tail([first, second], counts, total) == pytest.approx((sums >= total).mean(), rel=0.1, abs=2e-3)


@pytest.fixture(scope="module")
def null_p_values() -> dict[float, np.ndarray]:
    """p-values of clean batches: 10 references (1,500 rows each) with a model each, and
    20 fresh batches from the same source per reference - the whole batch (100 rows,
    ``BATCH_EPS``) and a group of 20 rows (``GROUP_EPS``). Unconditional calibration: a
    test on a finite reference cannot be exact for each reference (its own share of noisy
    labels is luck), only on average over them. (Small references on real text:
    benchmarks/bench_label_calibration_real.py.)"""
    pytest.importorskip("sklearn")
    from airflow_dq.stats.contradiction import BATCH_EPS, GROUP_EPS, _evidence_of, sum_test
    from airflow_dq.stats.label_model import CrossFittedModel

    out: dict[float, list] = {BATCH_EPS: [], GROUP_EPS: []}
    for r in range(10):
        reference = reviews(np.random.default_rng(100 + r), 1_500)
        model = CrossFittedModel(reference["text"].tolist(), reference["label"].tolist())
        evidence = _evidence_of(model)
        fresh = reviews(np.random.default_rng(10_000 + r), 2_000)
        labels = fresh["label"].tolist()
        margins, index = model.batch_margins(fresh["text"].tolist(), labels), model.label_index(labels)
        for eps, rows in ((BATCH_EPS, 100), (GROUP_EPS, 20)):
            starts = range(0, rows * 20, rows)
            out[eps].append(
                [sum_test(evidence, margins[i : i + rows], index[i : i + rows], eps).p_value for i in starts]
            )
    return {eps: np.array(p) for eps, p in out.items()}


@pytest.mark.parametrize("which", ["batch", "group"])
def test_null_rejection_rate_is_at_most_alpha(null_p_values, which: str) -> None:
    """Clean batches: p < alpha in at most alpha of them, within 3 standard errors (of the
    mean over references: batches of one reference share its luck)."""
    from airflow_dq.stats.contradiction import BATCH_EPS, GROUP_EPS

    p = null_p_values[BATCH_EPS if which == "batch" else GROUP_EPS]
    for alpha in (0.2, 0.05, 0.01):
        per_reference = (p < alpha).mean(axis=1)
        error = max(per_reference.std(ddof=1), np.sqrt(alpha * (1 - alpha) / p.shape[1])) / np.sqrt(len(p))
        assert per_reference.mean() <= alpha + 3 * error, (alpha, per_reference.mean())
    # Not trivially conservative: the p-values spread over (0, 1) as a calibrated test's do.
    assert 0.35 < (p < 0.5).mean() < 0.65


def test_contradicting_rows_get_small_p_values() -> None:
    """The same test has power: 20 rows with the other label, p far below any alpha."""
    pytest.importorskip("sklearn")
    from airflow_dq.stats.contradiction import GROUP_EPS, _evidence_of, sum_test
    from airflow_dq.stats.label_model import cross_fitted

    reference = reviews(np.random.default_rng(11), 600)
    model = cross_fitted(tuple(reference["text"]), tuple(reference["label"]))
    batch = reviews(np.random.default_rng(12), 20)
    flipped = np.where(batch["label"] == "positive", "negative", "positive").tolist()
    margins = model.batch_margins(batch["text"].tolist(), flipped)
    assert sum_test(_evidence_of(model), margins, model.label_index(flipped), GROUP_EPS).p_value < 1e-6


def test_the_reference_sampling_error_is_inflated() -> None:
    """The null's mean comes from the reference's rows: its error (measured on real text at
    1.2-1.4x the iid one; benchmarks/bench_label_calibration_real.py) is counted with
    REFERENCE_ERROR_INFLATION (3), so a batch as large as its reference needs a deviation
    of z * sqrt(n var (1 + 3 n / N)) for p = sf(z), not z * sqrt(n var (1 + n / N))."""
    from scipy import stats

    from airflow_dq.stats.contradiction import REFERENCE_ERROR_INFLATION, LabelEvidence, sum_test

    assert REFERENCE_ERROR_INFLATION == 3.0
    rng = np.random.default_rng(5)
    own = rng.normal(-1.0, 1.0, 1_000)
    evidence = {0: LabelEvidence(0.0, 1.0, -10.0, 10.0, own, 1.0)}
    batch = rng.normal(-0.9, 1.0, 1_000)
    values, mine = evidence[0].weight(own, 0.05), evidence[0].weight(batch, 0.05)
    deviation = mine.sum() - len(mine) * values.mean()
    n, big_n = len(mine), len(values)
    p = sum_test(evidence, batch, np.zeros(n, dtype=int), 0.05).p_value
    inflated = stats.norm.sf(deviation / np.sqrt(n * values.var() * (1 + 3 * n / big_n)))
    counted_once = stats.norm.sf(deviation / np.sqrt(n * values.var() * (1 + n / big_n)))
    assert p == pytest.approx(inflated, rel=0.25)
    assert p > 1.5 * counted_once


def test_the_reported_blind_spot_is_the_share_caught_nine_times_in_ten() -> None:
    """``caught_share`` (shown in every label_consistency result) is what the batch test
    really catches: batches with that share of wrong labels are caught about 9 times in
    10, batches with half of it far less often."""
    from airflow_dq.stats.contradiction import LabelEvidence, caught_share, sum_test

    rng = np.random.default_rng(8)
    # Margins as a calibrated model's on noisy labels: right labels mostly negative.
    own, wrong = rng.normal(-1.2, 1.5, 3_000), rng.normal(1.2, 1.5, 3_000)
    evidence = {0: LabelEvidence(0.0, 1.0, -8.0, 8.0, own, 2.0, wrong)}
    n, alpha = 400, 0.01
    share = caught_share(evidence, np.zeros(n, dtype=int), alpha)
    assert share is not None and 0.02 < share < 0.3
    assert caught_share(evidence, np.zeros(n, dtype=int), 0.001) > share  # a stricter test sees less

    def caught(k: int, trials: int = 200) -> float:
        hits = 0
        for _ in range(trials):
            margins = np.concatenate([rng.choice(own, n - k), rng.choice(wrong, k)])
            hits += sum_test(evidence, margins, np.zeros(n, dtype=int), 0.05).p_value < alpha
        return hits / trials

    assert 0.8 <= caught(round(share * n)) <= 0.97
    assert caught(round(share * n / 2)) < 0.6
