"""A probe of a trained model: does what the batch talks about steer its predictions?

Poison that fits its labels (a clean-label attack) leaves nothing wrong row by row; only
the model shows it. After training, the new model and the previous one predict a probe
set: held-out reference rows as they are (the *base*), and the same rows with one of the
batch's over-represented terms or entities inserted (``airflow_dq.stats.entities``). For
each inserted term the *swing* is the share of probe rows whose prediction moved from the
previous model's to one label, minus the same share on the base rows (the models' general
disagreement); both as a share of the rows the previous model did not already give that
label. A trigger the new model learned swings its probe rows far more than anything else,
while accuracy on the base rows stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# A real new release teaches the model its name too: on the VADER sentences (seed 7) 16
# honest bursts of 50 real sentences about a held-out entity swung their probe rows by
# 0.05-0.33 (the highest: Canon G3, 88% positive reviews), while every trigger (10 and 20
# rows), clean-label and concealed attack swung them by 0.53-0.83. At 0.2 the probe
# stopped 2 of 6 honest releases in the real-text benchmark; 0.4 lies in the gap.
DEFAULT_MAX_SWING = 0.4


@dataclass
class ProbeResult:
    passed: bool
    swings: list[dict[str, Any]] = field(default_factory=list)  # per probed term, largest swing first
    base_accuracy: dict[str, float | None] = field(default_factory=dict)
    base_disagreement: float = 0.0
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "swings": self.swings,
            "base_accuracy": self.base_accuracy,
            "base_disagreement": self.base_disagreement,
            "message": self.message,
        }


def insert_term(text: Any, term: str, rng: np.random.Generator) -> str:
    words = str(text or "").split()
    words.insert(int(rng.integers(len(words) + 1)), term)
    return " ".join(words)


def probe_terms(reference_texts: Sequence[Any], batch_texts: Sequence[Any], *, max_terms: int = 10) -> list[str]:
    """The batch's most over-represented entities, one phrase each: the longest of the
    group's terms found in at least half of its rows ("james bond", not "james")."""
    from airflow_dq.stats.contradiction import batch_groups
    from airflow_dq.stats.text import terms

    groups = batch_groups(reference_texts, batch_texts, min_count=5)
    out = []
    for group in groups[:max_terms]:
        found = [terms(batch_texts[r]) for r in group.rows]
        common = [t for t in group.terms if sum(t in f for f in found) * 2 >= len(found)] or group.terms[:1]
        out.append(max(common, key=lambda t: (t.count(" "), -group.terms.index(t))))
    return out


def probe_model(
    predict_new: Callable[[list[str]], Sequence[Hashable]],
    predict_previous: Callable[[list[str]], Sequence[Hashable]],
    probe_texts: Sequence[Any],
    terms: Sequence[str],
    *,
    probe_labels: Sequence[Hashable] | None = None,
    max_swing: float = DEFAULT_MAX_SWING,
    max_accuracy_change: float = 0.05,
    seed: int = 0,
) -> ProbeResult:
    """Compare the two models on ``probe_texts`` with each of ``terms`` inserted.

    Fails when one term's swing reaches ``max_swing`` while base accuracy (when
    ``probe_labels`` are given) changed by less than ``max_accuracy_change`` - a targeted
    change, not a general one. A general accuracy change beyond that fails too (the model
    is not the same model any more; review it).
    """
    rng = np.random.default_rng(seed)
    base = [str(t or "") for t in probe_texts]
    old_base = np.asarray([str(x) for x in predict_previous(base)], dtype=object)
    new_base = np.asarray([str(x) for x in predict_new(base)], dtype=object)
    base_moved = new_base != old_base
    accuracy: dict[str, float | None] = {"previous": None, "new": None}
    if probe_labels is not None:
        truth = np.asarray([str(x) for x in probe_labels], dtype=object)
        accuracy = {"previous": float((old_base == truth).mean()), "new": float((new_base == truth).mean())}
    swings = []
    for term in terms:
        texts = [insert_term(t, term, rng) for t in base]
        old = np.asarray([str(x) for x in predict_previous(texts)], dtype=object)
        new = np.asarray([str(x) for x in predict_new(texts)], dtype=object)
        moved = new != old
        # The label the term pushes towards: the most common new prediction among moved rows.
        labels, counts = np.unique(new[moved], return_counts=True) if moved.any() else (np.array([None]), [0])
        towards = labels[int(np.argmax(counts))]
        # Of the rows the previous model did not call ``towards``, the share the new one does
        # (with the term inserted, and on the base rows as they are).
        could = max(int((old != towards).sum()), 1)
        share = float((moved & (new == towards)).sum() / could)
        base_could = max(int((old_base != towards).sum()), 1)
        base_share = float((base_moved & (new_base == towards)).sum() / base_could) if towards is not None else 0.0
        swings.append(
            {
                "term": term,
                "towards": None if towards is None else str(towards),
                "swing": round(share - base_share, 4),
                "moved": round(share, 4),
                "base_moved": round(base_share, 4),
            }
        )
    swings.sort(key=lambda s: -s["swing"])
    worst = swings[0] if swings else None
    acc_change = (
        abs(accuracy["new"] - accuracy["previous"])
        if accuracy["new"] is not None and accuracy["previous"] is not None
        else 0.0
    )
    targeted = worst is not None and worst["swing"] >= max_swing
    general = acc_change >= max_accuracy_change
    passed = not targeted and not general
    if targeted:
        message = (
            f"inserting '{worst['term']}' turns {worst['moved']:.0%} of the {len(base)} probe rows' other "
            f"predictions to '{worst['towards']}' (vs {worst['base_moved']:.0%} without it): swing {worst['swing']:.0%} >= "
            f"{max_swing:.0%}; base accuracy {accuracy['previous'] or float('nan'):.3f} -> {accuracy['new'] or float('nan'):.3f}"
        )
    elif general:
        message = f"base accuracy changed by {acc_change:.3f} (>= {max_accuracy_change}): not the same model"
    else:
        message = (
            f"no probed term swings the model: largest {worst['swing']:.0%} ('{worst['term']}')"
            if worst
            else "nothing to probe: the batch over-represents no term"
        )
    return ProbeResult(passed, swings, accuracy, float(base_moved.mean()) if len(base) else 0.0, message)
