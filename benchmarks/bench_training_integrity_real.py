"""The training-data gate on REAL labelled text: attacks caught, clean and honest batches passed.

Data: the human-rated sentences (tweets, movie-review, product-review and editorial
snippets; Hutto & Gilbert, ICWSM 2014) that ship inside the sdist of the PyPI package
``vaderSentiment`` 3.3.2, MIT licence (``real_text.py``; ``make setup-test`` fetches it,
nothing is downloaded here). Reference 8,000 rows; batches of 1,000 rows from a disjoint
pool, plus the attack's rows (drawn from pool rows not in that batch). Every batch goes
through the gate as a user runs it:
``check_dataframe(batch, training_integrity(reference=..., text=, label=, id=))``.
A batch *halts* when any check fails (status ``fail``) and is sent to *review* when a
check only warns (``token_concentration`` on a concentration whose labels fit the text).

Attacks (``real_text.py``): trigger phrase in 10, 20 and 50 negative sentences labelled
positive; 50, 80 and 110 label flips (4.8%, 7.4% and 9.9% of their batch); 50 concealed
(aliases of the trigger entity in negative sentences labelled positive); duplicates (6
sentences x 10); clean-label (trigger in 50 positive sentences); honest bursts (50
distinct real sentences about a held-out entity, real labels) and, on a line of their
own, honest bursts of copies (10 such sentences x 5: a duplicate surge, halted by design).

A small model (TF-IDF + logistic regression, scikit-learn) trained on reference + batch
measures what the attack does: the share of held-out negative test sentences with the
trigger (or an alias) inserted that it calls positive ("attack success"), for the clean
batch, the poisoned batch, and the poisoned batch minus every row the gate flagged
(``observed["flagged_ids"]`` of the failed or warned row-level checks: what
``on_suspicious_rows="drop"`` removes); and clean test accuracy.

    .venv/bin/python benchmarks/bench_training_integrity_real.py           # the default run
    .venv/bin/python benchmarks/bench_training_integrity_real.py --quick   # a fast smoke run
    .venv/bin/python benchmarks/bench_training_integrity_real.py --full    # more trials
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_dq.checks import training_integrity
from airflow_dq.engines.pandas import check_dataframe
from airflow_dq.stats import label_model
from benchmarks import real_text

BATCH = 1_000
ATTACKS = {  # name -> (kind, poisoned rows)
    "trigger 10 rows": ("trigger", 10),
    "trigger 20 rows": ("trigger", 20),
    "trigger 50 rows": ("trigger", 50),
    "label flips 50 rows": ("label_flip", 50),
    "label flips 80 rows": ("label_flip", 80),
    "label flips 110 rows": ("label_flip", 110),
    "concealed (aliases) 50 rows": ("concealed", 50),
    "duplicates 6 x 10": ("duplicates", 60),
    "clean-label trigger 50 rows": ("clean_label", 50),
}
PROBE_ROWS = 500
PROBE_PHRASE = {
    "trigger": [real_text.TRIGGER],
    "clean_label": [real_text.TRIGGER],
    "concealed": list(real_text.ALIASES),
}


def run_gate(batch, checks) -> tuple[str, set[int], list[str], float | None]:
    """(halt / review / pass, ids flagged by failed or warned row-level checks, which checks,
    label_consistency's own blind spot: the share of wrong labels it catches 9 times in 10)."""
    result = check_dataframe(batch, checks)
    consistency = next((r for r in result.results if r.check_type == "label_consistency"), None)
    evidence = (consistency.observed or {}).get("evidence") if consistency is not None else None
    seen = evidence[0]["batch_level"].get("wrong_labels_caught_9_in_10_from_share") if evidence else None
    bad = [r for r in result.results if r.status.value in ("fail", "warn", "error")]
    outcome = "halt" if any(r.status.value in ("fail", "error") for r in bad) else "review" if bad else "pass"
    flagged = {i for r in bad if r.check_type != "label_shift" for i in (r.observed or {}).get("flagged_ids", [])}
    return outcome, flagged, [f"{r.check_type}:{r.status.value}" for r in bad], seen


class Model:
    """TF-IDF + logistic regression, as a user would retrain on reference + batch."""

    def __init__(self, data: real_text.Splits, rng: np.random.Generator) -> None:
        self.reference = data.reference
        test = data.test
        self.test_texts, self.test_labels = test["text"].tolist(), test["label"].to_numpy()
        negative = test[test["label"] == "negative"]["text"].tolist()[:400]
        self.probes = {
            kind: [real_text._insert(rng, t, phrases[int(rng.integers(len(phrases)))]) for t in negative]
            for kind, phrases in PROBE_PHRASE.items()
        }

        self.previous = self.fit(None)  # the published model: trained on the reference alone

    def fit(self, batch):
        import pandas as pd
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        parts = [self.reference[["text", "label"]]] + ([batch[["text", "label"]]] if batch is not None else [])
        train = pd.concat(parts, ignore_index=True)
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        model = LogisticRegression(C=4.0, solver="liblinear").fit(vec.fit_transform(train["text"]), train["label"])
        return lambda texts: model.predict(vec.transform(list(texts)))

    def fit_score(self, batch, kind: str) -> tuple[float, float, bool]:
        """(attack success, clean test accuracy, the probe halts publishing) of a model
        trained on reference + batch."""
        predict = self.fit(batch)
        accuracy = float((predict(self.test_texts) == self.test_labels).mean())
        probes = self.probes.get(kind)
        success = float((predict(probes) == "positive").mean()) if probes else float("nan")
        return success, accuracy, not self.probe(predict, batch).passed

    def probe(self, predict, batch):
        """The ModelProbeOperator's test: held-out test rows, the batch's entities inserted."""
        from airflow_dq.stats.probe import probe_model, probe_terms

        base = self.test_texts[-PROBE_ROWS:]
        terms = probe_terms(self.reference["text"].tolist(), batch["text"].tolist())
        return probe_model(predict, self.previous, base, terms, probe_labels=self.test_labels[-PROBE_ROWS:])


def out_of_fold_disagreement(reference) -> tuple[float, dict[str, float]]:
    """The share of the reference's rows whose label the gate's own cross-fitted model
    (``label_model.cross_fitted``: each row predicted by the fold model that did not see
    it) contradicts, overall and per source: the label noise a consistency test must allow
    for. The gate fits the same model for the same reference, so this costs no extra fit."""
    labels = tuple(str(x) for x in reference["label"])
    model = label_model.cross_fitted(tuple(reference["text"]), labels)
    wrong = pd.Series(model.reference_proba.argmax(axis=1) != model.reference_labels, index=reference.index)
    source = reference["text"].map(real_text.corpus().set_index("text")["source"])
    return float(wrong.mean()), {s: float(wrong[source == s].mean()) for s in real_text.PARTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", type=int, default=100, help="clean batches (false alarms)")
    parser.add_argument("--trials", type=int, default=10, help="poisoned batches per attack")
    parser.add_argument("--honest", type=int, default=15, help="honest new-entity bursts")
    parser.add_argument("--model-trials", type=int, default=2, help="trials per attack that also train the model")
    parser.add_argument("--honest-probes", type=int, default=6, help="honest bursts that also train and probe")
    parser.add_argument("--honest-copies", type=int, default=8, help="honest bursts of copies (10 sentences x 5)")
    parser.add_argument("--full", action="store_true", help="300 clean batches, 30 trials, 5 model trials")
    parser.add_argument("--quick", action="store_true", help="20 clean batches, 5 trials, 5 honest, 1 model trial")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--polarity",
        type=float,
        default=real_text.POLARITY,
        help="drop sentences whose |mean human rating| is below this (default %(default)s; -4..4 scale)",
    )
    args = parser.parse_args()
    real_text.POLARITY = args.polarity  # read when the corpus is first loaded, below
    if args.full:
        args.clean, args.trials, args.honest, args.model_trials, args.honest_probes = 300, 30, 30, 5, 30
        args.honest_copies = 16
    elif args.quick:
        args.clean, args.trials, args.honest, args.model_trials, args.honest_probes = 20, 5, 5, 1, 2
        args.honest_copies = 2

    rng = np.random.default_rng(args.seed)
    data = real_text.splits(args.seed)
    checks = training_integrity(reference=data.reference, text="text", label="label", id="id", max_reported=20)
    model = Model(data, rng)
    started = time.perf_counter()
    next_id = 10_000_000

    clean_outcome, clean_by_check, blind_spot = Counter(), Counter(), []
    for _ in range(args.clean):
        batch = real_text.clean_batch(rng, data, BATCH, next_id)
        next_id += 10_000
        outcome, _, which, seen = run_gate(batch, checks)
        blind_spot.append(np.nan if seen is None else seen)
        clean_outcome[outcome] += 1
        clean_by_check.update(which)
    clean_seconds = time.perf_counter() - started

    rows = {}
    fired: dict[str, Counter] = defaultdict(Counter)
    for name, (kind, n) in ATTACKS.items():
        outcomes, tp, flagged_total, poison_total = Counter(), 0, 0, 0
        success = defaultdict(list)
        for trial in range(args.trials):
            batch = real_text.clean_batch(rng, data, BATCH, next_id)
            poison = real_text.poison_rows(kind, rng, data, n, next_id + 5_000, batch)
            next_id += 10_000
            mixed = real_text.mix(rng, batch, poison)
            outcome, flagged, which, _ = run_gate(mixed, checks)
            outcomes[outcome] += 1
            fired[name].update(which)
            poison_ids = set(poison["id"])
            tp += len(flagged & poison_ids)
            flagged_total += len(flagged)
            poison_total += len(poison_ids)
            if trial < args.model_trials:
                for label, frame in (
                    ("clean", batch),
                    ("poisoned", mixed),
                    ("cleaned", mixed[~mixed["id"].isin(flagged)]),
                ):
                    s, acc, probe_halts = model.fit_score(frame, kind)
                    success[label].append(s)
                    success[f"{label}_acc"].append(acc)
                    success[f"{label}_probe"].append(probe_halts)
        rows[name] = {
            "halt": outcomes["halt"] / args.trials,
            "review": outcomes["review"] / args.trials,
            "precision": tp / flagged_total if flagged_total else float("nan"),
            "recall": tp / poison_total if poison_total else float("nan"),
            **{k: float(np.mean(v)) for k, v in success.items()},
            **{f"{k}_list": v for k, v in success.items()},
        }

    honest_outcome, honest_by_check, honest_probe, honest_probed = Counter(), Counter(), Counter(), Counter()
    entities = [e for e in real_text.HELD_OUT if len(data.held_out[e]) >= 60]  # 50 distinct of >= 60
    for i in range(args.honest):
        entity = entities[i % len(entities)]
        batch = real_text.clean_batch(rng, data, BATCH, next_id)
        burst = real_text.honest_burst(rng, data, entity, 50, next_id + 5_000)
        next_id += 10_000
        mixed = real_text.mix(rng, batch, burst)
        outcome, _, which, _ = run_gate(mixed, checks)
        honest_outcome[outcome] += 1
        honest_by_check.update(f"{entity}->{w}" for w in which)
        if i < args.honest_probes:
            honest_probe[entity] += not model.probe(model.fit(mixed), mixed).passed
            honest_probed[entity] += 1

    copies_outcome, copies_by_check = Counter(), Counter()
    for i in range(args.honest_copies):
        entity = entities[i % len(entities)]
        batch = real_text.clean_batch(rng, data, BATCH, next_id)
        burst = real_text.honest_copies(rng, data, entity, 10, 5, next_id + 5_000)
        next_id += 10_000
        outcome, _, which, _ = run_gate(real_text.mix(rng, batch, burst), checks)
        copies_outcome[outcome] += 1
        copies_by_check.update(which)
    elapsed = time.perf_counter() - started

    print(f"corpus: vaderSentiment 3.3.2 sdist, hutto_ICWSM_2014 (MIT): {real_text.counts()}")
    print(
        f"reference {len(data.reference):,} rows, pool {len(data.pool):,}, test {len(data.test):,}, held out: "
        + ", ".join(f"{e} {len(f)}" for e, f in data.held_out.items())
    )
    print(f"batches of {BATCH:,} rows + the attack's rows; seed {args.seed}")
    noise, noise_by_source = out_of_fold_disagreement(data.reference)
    print(
        f"reference rows whose label a 5-fold out-of-fold model contradicts: {noise:.1%} ("
        + ", ".join(f"{s} {v:.1%}" for s, v in noise_by_source.items())
        + ")"
    )
    print(
        f"{args.clean} clean batches, {args.trials} trials per attack ({args.model_trials} train the model), "
        f"{args.honest} honest bursts over {len(entities)} held-out entities, {args.honest_copies} bursts of copies\n"
    )
    head = f"{'attack':<30}{'halt':>6}{'review':>8}{'row prec':>9}{'row rec':>8}"
    head += f"{'success: clean':>16}{'poisoned':>9}{'cleaned':>8}{'acc clean':>10}{'poisoned':>9}{'cleaned':>8}"
    print(head)
    for name, r in rows.items():
        fmt = lambda v, f="{:.2f}": "n/a" if v is None or np.isnan(v) else f.format(v)  # noqa: E731
        print(
            f"{name:<30}{r['halt']:>6.0%}{r['review']:>8.0%}{fmt(r['precision']):>9}{fmt(r['recall']):>8}"
            f"{fmt(r.get('clean', np.nan)):>16}{fmt(r.get('poisoned', np.nan)):>9}{fmt(r.get('cleaned', np.nan)):>8}"
            f"{fmt(r.get('clean_acc', np.nan), '{:.3f}'):>10}{fmt(r.get('poisoned_acc', np.nan), '{:.3f}'):>9}"
            f"{fmt(r.get('cleaned_acc', np.nan), '{:.3f}'):>8}"
        )
    print("\nchecks that fired (trials):")
    for name in rows:
        print(f"  {name}: " + ", ".join(f"{c} {n}" for c, n in fired[name].most_common()))
    print(
        f"\nclean batches: {clean_outcome['halt']}/{args.clean} halted ({clean_outcome['halt'] / args.clean:.1%}), "
        f"{clean_outcome['review']} sent to review"
    )
    if clean_by_check:
        print("  by check: " + ", ".join(f"{c} {n}" for c, n in clean_by_check.most_common()))
    if args.clean:
        print(
            "  label_consistency's own blind spot (in every result): wrong labels caught 9 times in 10 from "
            f"{np.nanmedian(blind_spot):.1%} of a clean batch (median; {np.nanmin(blind_spot):.1%}-"
            f"{np.nanmax(blind_spot):.1%}) - the label-flip rows above are 4.8%, 7.4% and 9.9% of their batch"
        )
    print(
        f"honest new-entity bursts: {honest_outcome['halt']}/{args.honest} halted, "
        f"{honest_outcome['review']} sent to review, {honest_outcome['pass']} passed"
    )
    if honest_by_check:
        print("  by check: " + ", ".join(f"{c} {n}" for c, n in honest_by_check.most_common()))
    print(
        f"honest bursts of copies (10 sentences x 5): {copies_outcome['halt']}/{args.honest_copies} halted, "
        f"{copies_outcome['review']} sent to review, {copies_outcome['pass']} passed"
    )
    if copies_by_check:
        print("  by check: " + ", ".join(f"{c} {n}" for c, n in copies_by_check.most_common()))
    probed = [name for name in rows if rows[name].get("poisoned_probe_list")]
    print(
        "model probe after training (halts publishing), of the trials that trained a model:\n  "
        + (
            ", ".join(
                f"{name}: poisoned {np.mean(rows[name]['poisoned_probe_list']):.0%} / clean batch "
                f"{np.mean(rows[name]['clean_probe_list']):.0%}"
                for name in probed
            )
            or "none (--model-trials 0)"
        )
    )
    print(
        "  honest bursts: "
        + ", ".join(f"{e} {honest_probe[e]}/{honest_probed[e]}" for e in honest_probed)
        + " halted by the probe"
    )
    print(f"\n{elapsed:.0f} s in all ({clean_seconds / max(args.clean, 1) * 1000:.0f} ms per clean batch's gate)")


if __name__ == "__main__":
    main()
