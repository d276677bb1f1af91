"""Known answers for each drift statistic, and agreement with scipy on small inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial import distance

from airflow_dq.stats import drift


def test_ks_matches_scipy_and_a_hand_computed_case() -> None:
    assert drift.ks_statistic([1, 2, 3], [4, 5, 6])[0] == 1.0  # disjoint samples: D = 1
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 50), rng.normal(0.4, 1, 60)
    expected = stats.ks_2samp(a, b)
    assert drift.ks_statistic(a, b) == pytest.approx((expected.statistic, expected.pvalue))


def test_psi_by_hand() -> None:
    # shares 0.5/0.5 -> 0.25/0.75: (0.25-0.5) ln(0.25/0.5) + (0.75-0.5) ln(0.75/0.5)
    by_hand = -0.25 * math.log(0.5) + 0.25 * math.log(1.5)
    assert drift.psi([50, 50], [25, 75]) == pytest.approx(by_hand)
    assert drift.psi([10, 20, 30], [20, 40, 60]) == pytest.approx(0.0)
    # An empty bin is floored at 1e-4 instead of dividing by zero.
    assert drift.psi([100, 0], [50, 50]) == pytest.approx(
        (0.5 - 1.0) * math.log(0.5 / 1.0) + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    )


def test_normalised_wasserstein_matches_scipy() -> None:
    assert drift.wasserstein_normed([0, 1], [1, 2]) == pytest.approx(2.0)  # W = 1, std = 0.5
    rng = np.random.default_rng(4)
    a, b = rng.exponential(2, 40), rng.exponential(3, 30)
    assert drift.wasserstein_normed(a, b) == pytest.approx(stats.wasserstein_distance(a, b) / np.std(a))
    assert drift.wasserstein_normed([5, 5], [5, 5]) == 0.0
    assert drift.wasserstein_normed([5, 5], [6, 6]) == math.inf


def test_chisquare_matches_scipy_goodness_of_fit() -> None:
    ref, cur = [30, 50, 20], [20, 45, 35]
    expected = stats.chisquare(cur, f_exp=np.array(ref) / 100 * 100)
    assert drift.chisquare(ref, cur) == pytest.approx((expected.statistic, expected.pvalue))
    statistic, p = drift.chisquare([10, 0], [5, 5])  # a category new in the batch: large, finite
    assert math.isfinite(statistic) and p < 1e-6


def test_jensenshannon_matches_scipy() -> None:
    assert drift.jensenshannon([1, 0], [0, 1]) == pytest.approx(math.sqrt(math.log(2)))
    ref, cur = [5, 3, 2], [2, 3, 5]
    assert drift.jensenshannon(ref, cur) == pytest.approx(
        distance.jensenshannon(np.array(ref) / 10, np.array(cur) / 10)
    )


def test_linf_is_the_largest_share_change() -> None:
    assert drift.linf([50, 30, 20], [40, 30, 30]) == pytest.approx(0.10)
    assert drift.linf([1, 1], [1, 1]) == 0.0


def test_histogram_bins_are_left_closed_with_open_outer_bins() -> None:
    assert drift.histogram([0, 1, 1.5, 2, 3, float("nan")], [1, 2]) == [1, 2, 2]
    assert drift.histogram([-100, 100], [0.0]) == [1, 1]
    assert drift.bin_labels([1, 2]) == ["(-inf, 1)", "[1, 2)", "[2, inf)"]


def test_quantile_edges_are_the_reference_deciles() -> None:
    # Edges are observed values (the inverted CDF): 10, 20, ..., 90 for 1..100.
    assert drift.quantile_edges(np.arange(1, 101), 10) == [10.0 * i for i in range(1, 10)]
    counts = drift.histogram(np.arange(1, 101), drift.quantile_edges(np.arange(1, 101), 10))
    assert counts == [9] + [10] * 8 + [11]
    assert drift.quantile_edges([0, 1, 0, 1, 1], 10) == [1.0]  # a binary column: two bins
    assert drift.quantile_edges([7, 7, 7], 10) == []  # a constant column: one bin


def test_defaults_follow_the_reference_size_as_evidently() -> None:
    assert drift.default_method("numeric", 1_000) == "ks"
    assert drift.default_method("numeric", 1_001) == "wasserstein"
    assert drift.default_method("categorical", 500) == "chisquare"
    assert drift.default_method("categorical", 50_000) == "jensenshannon"


def test_column_drift_compares_p_values_below_and_distances_at_or_above_the_threshold() -> None:
    same = drift.column_drift("c", "categorical", reference_counts=[50, 50], current_counts=[50, 50], labels=["a", "b"])
    assert same.method == "chisquare" and not same.drifted and same.statistic == pytest.approx(1.0)
    moved = drift.column_drift(
        "c", "categorical", reference_counts=[50, 50], current_counts=[40, 60], labels=["a", "b"], method="linf"
    )
    assert moved.statistic == pytest.approx(0.1) and moved.drifted  # 0.1 >= 0.1
    assert moved.top_moves[0]["bucket"] in ("a", "b")
    with pytest.raises(ValueError, match="does not apply to a categorical column"):
        drift.column_drift("c", "categorical", reference_counts=[1], current_counts=[1], labels=["a"], method="psi")


def test_dataset_drift_by_share_or_by_a_critical_column() -> None:
    def col(name: str, drifted: bool) -> drift.ColumnDrift:
        return drift.ColumnDrift(name, "numeric", "psi", 0.0, 0.1, drifted, 10, 10)

    columns = [col("a", True), col("b", False), col("c", False)]
    assert not drift.dataset_drift(columns)  # 1/3 < 50%
    assert drift.dataset_drift(columns, drift_share=0.3)
    assert drift.dataset_drift(columns, critical=["a"])
    assert not drift.dataset_drift(columns, critical=["b"])
