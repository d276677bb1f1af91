"""Detection quality of the training-data gate: poisoned batches caught, clean batches passed.

Generates labelled review text from a vocabulary and templates (``training_text.py``; no
downloads): a clean reference, clean batches, and batches with one attack each:

- ``trigger``: 50 rows containing the phrase "james bond", of either sentiment, all
  labelled positive (the overt data-poisoning attack);
- ``label_flip``: 50 rows whose labels are flipped;
- ``duplicate_burst``: 6 rows copied 10 times each;
- ``label_shift``: the positive share moves from 50% to 65%;
- concealed variants, reported separately (poison without the trigger phrase that pushes
  its meaning): ``concealed``, 50 negative reviews mentioning spy-film words labelled
  positive; ``concealed_consistent``, 50 glowing reviews of spy films labelled positive
  (labels that fit the text: only the volume of positive spy-film talk gives it away).

Every batch goes through the gate as a user runs it: ``check_dataframe(batch,
training_integrity(reference=..., text=, label=, id=, source=))`` on the pandas engine. A
batch is *detected* when any check fails; its *flagged rows* are the rows listed by the
failed row-level checks (all of them: ``max_reported`` is raised for the benchmark;
``label_shift`` judges the whole batch and is left out). Per attack: the
detection rate, flagged-row precision and recall against the poisoned rows, and the share of
the wrongly named clean rows that carry one of the generator's 3% wrong labels ("noisy FP":
those rows are mislabelled, just not by the attacker); over clean batches: the false-alarm
rate, overall and per check.

    .venv/bin/python benchmarks/bench_training_integrity.py [--clean 150] [--trials 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_dq.checks import training_integrity
from airflow_dq.engines.pandas import check_dataframe
from benchmarks.training_text import attack, reviews

ATTACKS = ("trigger", "label_flip", "duplicate_burst", "label_shift")
CONCEALED = ("concealed", "concealed_consistent")
BATCH = 1_000
REFERENCE = 8_000


def run_gate(batch, checks) -> tuple[bool, set[int], list[str]]:
    """(the gate failed, ids of the rows the failed row-level checks named, which checks failed)."""
    result = check_dataframe(batch, checks)
    failed = [r for r in result.results if r.status.value != "pass"]
    # label_shift is about the whole batch: its rows are "every row of the label that grew",
    # not suspects, so they are left out of the flagged-row precision and recall.
    flagged = {row["id"] for r in failed if r.check_type != "label_shift" for row in r.failing_rows}
    return bool(failed), flagged, [r.check_type for r in failed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", type=int, default=150, help="clean batches (false alarms)")
    parser.add_argument("--trials", type=int, default=20, help="poisoned batches per attack")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    reference = reviews(rng, REFERENCE)
    checks = training_integrity(
        reference=reference, text="text", label="label", id="id", source="source", max_reported=100_000
    )
    started = time.perf_counter()
    next_id = 10_000_000

    clean_alarms, clean_by_check = 0, Counter()
    for _ in range(args.clean):
        batch = reviews(rng, BATCH, start_id=next_id)
        next_id += 10_000
        detected, _, which = run_gate(batch, checks)
        clean_alarms += detected
        clean_by_check.update(which)

    outcome: dict[str, dict[str, float]] = {}
    fired: dict[str, Counter] = defaultdict(Counter)
    for kind in ATTACKS + CONCEALED:
        hits, tp, flagged_total, poison_total, noisy = 0, 0, 0, 0, 0
        for _ in range(args.trials):
            batch, poison = attack(kind, rng, BATCH, next_id)
            next_id += 10_000
            detected, flagged, which = run_gate(batch, checks)
            hits += detected
            fired[kind].update(which)
            tp += len(flagged & poison)
            noisy_ids = set(batch.loc[batch["noisy_label"], "id"])
            noisy += len((flagged - poison) & noisy_ids)
            flagged_total += len(flagged)
            poison_total += len(poison)
        outcome[kind] = {
            "detection": hits / args.trials,
            "precision": tp / flagged_total if flagged_total else float("nan"),
            "recall": tp / poison_total if poison_total else float("nan"),
            # Of the clean rows named, how many carry one of the generator's 3% wrong labels.
            "noise": noisy / (flagged_total - tp) if flagged_total > tp else float("nan"),
        }
    elapsed = time.perf_counter() - started

    print(f"reference {REFERENCE:,} rows; batches of {BATCH:,} rows (+ the attack's rows)")
    print(f"{args.clean} clean batches, {args.trials} trials per attack, seed {args.seed}\n")
    print(
        f"{'attack':<32}{'detected':>9}{'row precision':>15}{'row recall':>12}{'noisy FP':>10}"
        "   checks that fired (trials)"
    )
    for kind, numbers in outcome.items():
        name = f"{kind} (variant)" if kind in CONCEALED else kind
        precision = "n/a" if np.isnan(numbers["precision"]) else f"{numbers['precision']:.2f}"
        recall = "n/a" if np.isnan(numbers["recall"]) else f"{numbers['recall']:.2f}"
        noise = "n/a" if np.isnan(numbers["noise"]) else f"{numbers['noise']:.0%}"
        checks_fired = ", ".join(f"{c} {n}" for c, n in fired[kind].most_common())
        print(f"{name:<32}{numbers['detection']:>9.0%}{precision:>15}{recall:>12}{noise:>10}   {checks_fired}")
    print(f"\nfalse alarms on clean batches: {clean_alarms}/{args.clean} = {clean_alarms / args.clean:.1%}")
    if clean_by_check:
        print("  by check: " + ", ".join(f"{c} {n}" for c, n in clean_by_check.most_common()))
    overt = [outcome[k]["detection"] for k in ATTACKS]
    target = min(overt) >= 0.95 and clean_alarms / args.clean <= 0.02
    print(f"target (every overt attack >= 95% detected, <= 2% false alarms): {'met' if target else 'NOT met'}")
    batches = args.clean + args.trials * len(ATTACKS + CONCEALED)
    print(f"{batches} batches in {elapsed:.0f} s ({elapsed / batches * 1000:.0f} ms per batch)")


if __name__ == "__main__":
    main()
