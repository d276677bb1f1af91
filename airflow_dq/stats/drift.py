"""Drift of one column between a reference and a current batch: pure functions, no I/O.

Numeric columns are compared by the Kolmogorov-Smirnov test (on bounded samples), the
population stability index and the normalised Wasserstein distance; categorical columns by
the chi-square test, the Jensen-Shannon distance and the largest change of a category's
share (L-infinity). The default method depends on the data size, as in Evidently: a
statistical test (KS, chi-square; drift when p < 0.05) while the reference has at most
1,000 rows, a distance with a threshold (Wasserstein 0.1, Jensen-Shannon 0.1) above that,
because with large samples every test finds a "significant" but irrelevant difference.

Histograms are counts per bin: ``len(edges) + 1`` bins, the first ``(-inf, edges[0])``
and the last ``[edges[-1], inf)``, so current values outside the reference's range land in
the outer bins. scipy is imported inside the functions that need it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from airflow_dq.stats.drift_methods import (
    CATEGORICAL_METHODS,
    DEFAULT_THRESHOLDS,
    NUMERIC_METHODS,
    P_VALUE_METHODS,
)

SMALL_REFERENCE = 1_000  # Evidently's switch from tests to distances
PSI_FLOOR = 1e-4  # share given to an empty bin, so log() stays finite (Evidently's choice)


def default_method(kind: str, reference_rows: int) -> str:
    """The method used when none is given: a test for small references, a distance above."""
    small = reference_rows <= SMALL_REFERENCE
    if kind == "numeric":
        return "ks" if small else "wasserstein"
    return "chisquare" if small else "jensenshannon"


def shares(counts: Sequence[float]) -> np.ndarray:
    """Counts as shares of their total (all zeros when the total is zero)."""
    values = np.asarray(counts, dtype=float)
    total = values.sum()
    return values / total if total > 0 else np.zeros_like(values)


def ks_statistic(reference: Sequence[float], current: Sequence[float]) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov: (D statistic, p-value)."""
    from scipy import stats

    result = stats.ks_2samp(np.asarray(reference, dtype=float), np.asarray(current, dtype=float))
    return float(result.statistic), float(result.pvalue)


def psi(reference_counts: Sequence[float], current_counts: Sequence[float]) -> float:
    """Population stability index: sum over bins of (c - r) * ln(c / r), shares floored."""
    ref = np.clip(shares(reference_counts), PSI_FLOOR, None)
    cur = np.clip(shares(current_counts), PSI_FLOOR, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def wasserstein_normed(reference: Sequence[float], current: Sequence[float]) -> float:
    """Earth mover's distance divided by the reference's standard deviation (Evidently)."""
    from scipy import stats

    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    distance = float(stats.wasserstein_distance(ref, cur))
    spread = float(np.std(ref))
    if spread == 0.0:
        return 0.0 if distance == 0.0 else math.inf
    return distance / spread


def chisquare(reference_counts: Sequence[float], current_counts: Sequence[float]) -> tuple[float, float]:
    """Chi-square goodness of fit of the current counts to the reference's shares.

    Categories missing from the reference get a tiny expected share instead of zero, so a
    new category gives a large (finite) statistic rather than a division by zero; with no
    empty reference category it equals ``scipy.stats.chisquare(current, f_exp)``.
    """
    from scipy import stats

    cur = np.asarray(current_counts, dtype=float)
    expected_share = shares(reference_counts)
    if not cur.sum() or not expected_share.sum():
        return 0.0, 1.0
    expected_share = np.where(expected_share > 0, expected_share, PSI_FLOOR)
    expected = expected_share / expected_share.sum() * cur.sum()
    statistic = float(np.sum((cur - expected) ** 2 / expected))
    dof = max(len(cur) - 1, 1)
    return statistic, float(stats.chi2.sf(statistic, dof))


def jensenshannon(reference_counts: Sequence[float], current_counts: Sequence[float]) -> float:
    """Jensen-Shannon distance (natural log, so between 0 and sqrt(ln 2))."""
    from scipy.spatial import distance

    ref, cur = shares(reference_counts), shares(current_counts)
    if not ref.sum() or not cur.sum():
        return 0.0
    return float(distance.jensenshannon(ref, cur))


def linf(reference_counts: Sequence[float], current_counts: Sequence[float]) -> float:
    """The largest absolute change of one category's (or bin's) share."""
    diff = np.abs(shares(current_counts) - shares(reference_counts))
    return float(diff.max()) if len(diff) else 0.0


def quantile_edges(sample: Sequence[float], bins: int) -> list[float]:
    """Interior bin edges at the reference's quantiles (deciles for ``bins=10``), distinct.

    A column with few distinct values gets fewer edges (repeated quantiles collapse), so a
    binary column has one edge and two bins.
    """
    values = np.asarray(sample, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values) or bins < 2:
        return []
    # Edges at observed values (inverted CDF), so a discrete column gets no empty bins.
    levels = np.round(np.linspace(0, 1, bins + 1)[1:-1], 12)  # 0.3 * 100 must not become 30.000000000000004
    inner = np.quantile(values, levels, method="inverted_cdf")
    edges = sorted({float(e) for e in inner})
    low = float(values.min())
    # An edge at the minimum would leave the first bin empty by construction.
    return [e for e in edges if e > low] or ([float(np.median(values))] if values.max() > low else [])


def histogram(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """Counts per bin, with the same bins as the SQL pushdown (see the module docstring)."""
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    index = np.searchsorted(np.asarray(edges, dtype=float), data, side="right")
    return np.bincount(index, minlength=len(edges) + 1).astype(int).tolist()


def bin_labels(edges: Sequence[float]) -> list[str]:
    if not edges:
        return ["(-inf, inf)"]
    shown = [f"{e:.6g}" for e in edges]
    labels = [f"(-inf, {shown[0]})"]
    labels += [f"[{a}, {b})" for a, b in itertools.pairwise(shown)]
    return [*labels, f"[{shown[-1]}, inf)"]


@dataclass
class ColumnDrift:
    """The verdict on one column: which test, its statistic and threshold, what moved."""

    column: str
    kind: str  # "numeric" or "categorical"
    method: str
    statistic: float
    threshold: float
    drifted: bool
    reference_rows: int
    current_rows: int
    top_moves: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "kind": self.kind,
            "method": self.method,
            "statistic": _finite(self.statistic),
            "threshold": self.threshold,
            "drifted": self.drifted,
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "top_moves": self.top_moves,
        }


def _finite(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def top_moves(labels: Sequence[str], reference_counts: Sequence[float], current_counts: Sequence[float], k: int = 3):
    """The ``k`` bins or categories whose share changed most, largest change first."""
    ref, cur = shares(reference_counts), shares(current_counts)
    order = np.argsort(-np.abs(cur - ref), kind="stable")[:k]
    return [
        {"bucket": str(labels[i]), "reference_share": round(float(ref[i]), 4), "current_share": round(float(cur[i]), 4)}
        for i in order
        if cur[i] != ref[i]
    ]


def column_drift(
    column: str,
    kind: str,
    *,
    reference_counts: Sequence[float],
    current_counts: Sequence[float],
    labels: Sequence[str],
    reference_sample: Sequence[float] = (),
    current_sample: Sequence[float] = (),
    method: str | None = None,
    threshold: float | None = None,
) -> ColumnDrift:
    """Judge one column. Histogram methods read the counts; KS and Wasserstein the samples."""
    reference_rows, current_rows = int(sum(reference_counts)), int(sum(current_counts))
    method = method or default_method(kind, reference_rows)
    allowed = NUMERIC_METHODS if kind == "numeric" else CATEGORICAL_METHODS
    if method not in allowed:
        raise ValueError(f"method {method!r} does not apply to a {kind} column; use one of {allowed}")
    threshold = DEFAULT_THRESHOLDS[method] if threshold is None else threshold
    if method == "ks":
        statistic = ks_statistic(reference_sample, current_sample)[1] if len(current_sample) else 1.0
    elif method == "psi":
        statistic = psi(reference_counts, current_counts)
    elif method == "wasserstein":
        statistic = wasserstein_normed(reference_sample, current_sample) if len(current_sample) else 0.0
    elif method == "chisquare":
        statistic = chisquare(reference_counts, current_counts)[1]
    elif method == "jensenshannon":
        statistic = jensenshannon(reference_counts, current_counts)
    else:
        statistic = linf(reference_counts, current_counts)
    # A share change of exactly the threshold (0.6 - 0.5 = 0.09999999999999998) counts.
    drifted = statistic < threshold if method in P_VALUE_METHODS else statistic >= threshold - 1e-12
    return ColumnDrift(
        column=column,
        kind=kind,
        method=method,
        statistic=statistic,
        threshold=threshold,
        drifted=bool(drifted and current_rows > 0 and reference_rows > 0),
        reference_rows=reference_rows,
        current_rows=current_rows,
        top_moves=top_moves(labels, reference_counts, current_counts),
    )


def dataset_drift(columns: Sequence[ColumnDrift], *, drift_share: float = 0.5, critical: Sequence[str] = ()) -> bool:
    """Drift of the dataset: at least ``drift_share`` of the columns drifted, or a critical one."""
    if not columns:
        return False
    drifted = [c for c in columns if c.drifted]
    if any(c.column in critical for c in drifted):
        return True
    return len(drifted) / len(columns) >= drift_share
