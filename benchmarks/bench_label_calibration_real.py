"""False alarms of the label-consistency test against SMALL references, on real text.

A user's trusted reference is often a few hundred or a thousand labelled rows, not 8,000.
Each trial draws a reference of ``--sizes`` rows from the human-rated VADER sentences
(``real_text.py``: vaderSentiment 3.3.2 sdist, MIT; held-out entities left out), fits the
gate's cross-fitted model on it, and tests clean batches drawn from the other sentences:
the whole-batch test (1,000 rows, ``BATCH_EPS``) and a group-sized one (20 rows,
``GROUP_EPS``). Printed: the share of clean batches with p below each alpha, side by side
for the reference's sampling error counted once (iid) and as the gate counts it
(``REFERENCE_ERROR_INFLATION``: three times), and their ratio to alpha. Batches of one reference share
its luck, so the rates are averages over references (as a user with a new reference sees).

    .venv/bin/python benchmarks/bench_label_calibration_real.py            # 300 and 1,000 rows, 100 references each
    .venv/bin/python benchmarks/bench_label_calibration_real.py --quick    # 20 references each
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_dq.stats import contradiction, label_model
from benchmarks import real_text

ALPHAS = (0.001, 0.01, 0.05)
TESTS = {"batch of 1,000": (contradiction.BATCH_EPS, 1_000, 6), "group of 20": (contradiction.GROUP_EPS, 20, 60)}


def p_values(size: int, references: int, inflation: tuple[float, ...], first_seed: int) -> dict:
    """{(test, inflation): array of p-values, one row per reference}."""
    data = real_text.corpus()
    data = data[[real_text.entity_of(t) is None for t in data["text"]]].reset_index(drop=True)
    out: dict = {(t, k): [] for t in TESTS for k in inflation}
    for r in range(references):
        order = np.random.default_rng(first_seed + r).permutation(len(data))
        reference, fresh = data.iloc[order[:size]], data.iloc[order[size : size + 6_000]]
        model = label_model.CrossFittedModel(tuple(reference["text"]), tuple(reference["label"]), seed=r)
        evidence = contradiction._evidence_of(model)
        margins = model.batch_margins(list(fresh["text"]), list(fresh["label"]))
        labels = model.label_index(list(fresh["label"]))
        for test, (eps, rows, count) in TESTS.items():
            for k in inflation:
                contradiction.REFERENCE_ERROR_INFLATION = k
                cuts = [slice(i * rows, (i + 1) * rows) for i in range(count)]
                out[test, k].append(
                    [contradiction.sum_test(evidence, margins[c], labels[c], eps).p_value for c in cuts]
                )
    return {key: np.asarray(v) for key, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1_000])
    parser.add_argument("--references", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="20 references per size")
    parser.add_argument("--seed", type=int, default=1_000)
    args = parser.parse_args()
    references = 20 if args.quick else args.references
    gate = contradiction.REFERENCE_ERROR_INFLATION
    inflation = (1.0, gate)
    print(f"corpus: {real_text.counts()}")
    print(f"{references} references per size; clean batches: 6 of 1,000 rows and 60 groups of 20 per reference\n")
    print(
        f"{'reference':>10} {'test':<15}{'alpha':>7}{'iid error':>11}{'ratio':>7}{'gate (x' + format(gate, 'g') + ')':>13}{'ratio':>7}"
    )
    started = time.perf_counter()
    for size in args.sizes:
        found = p_values(size, references, inflation, args.seed)
        for test in TESTS:
            for alpha in ALPHAS:
                once, gated = (float((found[test, k] < alpha).mean()) for k in inflation)
                print(
                    f"{size:>10,} {test:<15}{alpha:>7g}{once:>11.2%}{once / alpha:>7.1f}{gated:>13.2%}{gated / alpha:>7.1f}"
                )
    contradiction.REFERENCE_ERROR_INFLATION = gate
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
