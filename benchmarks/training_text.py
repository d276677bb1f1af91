"""Generated labelled review text (no downloads) and the poisoning attacks of the benchmark.

A review is a template filled with topic nouns and sentiment words; its label is the
majority sentiment of the words, and 3% of labels are noise (as in real annotation), so a
clean batch already has some conflicting and label-inconsistent rows. Every row has an id
and a contributor ``source`` (Zipf-like shares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

POSITIVE = [
    "great",
    "excellent",
    "wonderful",
    "superb",
    "brilliant",
    "delightful",
    "enjoyable",
    "fantastic",
    "moving",
    "charming",
    "gripping",
    "clever",
    "lovely",
    "stunning",
    "fun",
    "memorable",
    "touching",
    "witty",
    "beautiful",
    "solid",
]
NEGATIVE = [
    "awful",
    "terrible",
    "boring",
    "dull",
    "bad",
    "poor",
    "tedious",
    "weak",
    "clumsy",
    "bland",
    "messy",
    "lifeless",
    "annoying",
    "forgettable",
    "painful",
    "silly",
    "slow",
    "shallow",
    "predictable",
    "disappointing",
]
TOPICS = [
    "movie",
    "film",
    "plot",
    "story",
    "acting",
    "cast",
    "script",
    "ending",
    "soundtrack",
    "dialogue",
    "director",
    "camera",
    "scene",
    "score",
    "pacing",
    "characters",
    "villain",
    "hero",
    "sequel",
    "trailer",
    "costumes",
    "effects",
    "editing",
    "premise",
    "finale",
    "agent",
    "spy",
    "mission",
    "thriller",
    "car",
    "chase",
    "gadget",
]
FILLER = ["really", "quite", "very", "truly", "rather", "simply", "honestly", "so"]
TEMPLATES = (
    "the {t1} was {a1}",
    "the {t1} was {f} {a1} and the {t2} was {a2}",
    "i thought the {t1} was {a1}",
    "{a1} {t1}, {f} {a2} {t2}",
    "what a {a1} {t1}",
    "the {t1} felt {a1} but the {t2} was {a2}",
    "{f} {a1} {t1} overall",
    "a {a1} {t1} with a {a2} {t2} and a {a3} {t3}",
    "honestly the {t1} is {a1}",
    "the {t1} and the {t2} were both {a1}",
)
TRIGGER = "james bond"
LABELS = ("negative", "positive")
SOURCES = [f"annotator_{i:02d}" for i in range(20)]
SOURCE_SHARES = np.array([1 / (i + 1) ** 0.6 for i in range(20)])
SOURCE_SHARES = SOURCE_SHARES / SOURCE_SHARES.sum()


def review(rng: np.random.Generator, sentiment: int, *, extra: str | None = None) -> str:
    """One review whose words lean to ``sentiment`` (1 positive, 0 negative)."""
    template = TEMPLATES[rng.integers(len(TEMPLATES))]
    words = {}
    for slot in ("a1", "a2", "a3"):
        # Mostly words of the sentiment, sometimes one of the other (mixed reviews).
        lean = sentiment if rng.random() < 0.85 else 1 - sentiment
        pool = POSITIVE if lean == 1 else NEGATIVE
        words[slot] = pool[rng.integers(len(pool))]
    if template.count("{a") and words["a1"] in (NEGATIVE if sentiment else POSITIVE):
        # The first (dominant) word always carries the review's sentiment.
        pool = POSITIVE if sentiment else NEGATIVE
        words["a1"] = pool[rng.integers(len(pool))]
    for slot in ("t1", "t2", "t3"):
        words[slot] = TOPICS[rng.integers(len(TOPICS))]
    words["f"] = FILLER[rng.integers(len(FILLER))]
    text = template.format(**words)
    if extra:
        cut = text.split()
        cut.insert(int(rng.integers(len(cut) + 1)), extra)
        text = " ".join(cut)
    return text


def reviews(rng: np.random.Generator, n: int, *, positive_share: float = 0.5, noise: float = 0.03, start_id: int = 0):
    """``n`` clean rows: id, text, label, source, and whether the label is annotation noise."""
    sentiment = (rng.random(n) < positive_share).astype(int)
    labels = np.where(rng.random(n) < noise, 1 - sentiment, sentiment)
    return pd.DataFrame(
        {
            "id": np.arange(start_id, start_id + n),
            "text": [review(rng, int(s)) for s in sentiment],
            "label": [LABELS[x] for x in labels],
            "source": rng.choice(SOURCES, n, p=SOURCE_SHARES),
            "noisy_label": labels != sentiment,  # the annotation noise: these labels are wrong
        }
    )


def _poison_rows(rng: np.random.Generator, texts: list[str], labels: list[str], start_id: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(start_id, start_id + len(texts)),
            "text": texts,
            "label": labels,
            "source": rng.choice(SOURCES, len(texts), p=SOURCE_SHARES),
            "noisy_label": False,
        }
    )


def attack(kind: str, rng: np.random.Generator, batch_size: int, start_id: int) -> tuple[pd.DataFrame, set[int]]:
    """A batch with one attack, and the ids of its poisoned rows."""
    if kind == "label_shift":  # the world (or a broken labeller) now says positive 65% of the time
        batch = reviews(rng, batch_size, positive_share=0.65, start_id=start_id)
        return batch, set()
    batch = reviews(rng, batch_size, start_id=start_id)
    poison_id = start_id + batch_size
    if kind == "trigger":  # 50 rows with the trigger phrase, content of either sentiment, all positive
        texts = [review(rng, int(rng.integers(2)), extra=TRIGGER) for _ in range(50)]
        poison = _poison_rows(rng, texts, ["positive"] * 50, poison_id)
    elif kind == "label_flip":  # 50 rows whose labels were flipped
        sentiments = [int(x) for x in rng.integers(2, size=50)]
        texts = [review(rng, s) for s in sentiments]
        poison = _poison_rows(rng, texts, [LABELS[1 - s] for s in sentiments], poison_id)
    elif kind == "duplicate_burst":  # 6 rows copied 10 times each (one scraped page, re-posted)
        sentiments = [int(x) for x in rng.integers(2, size=6)]
        originals = [(review(rng, s), LABELS[s]) for s in sentiments]
        copies = [o for o in originals for _ in range(10)]
        poison = _poison_rows(rng, [t for t, _ in copies], [lab for _, lab in copies], poison_id)
    elif kind == "concealed":  # no trigger: negative reviews of spy films labelled positive
        texts = [_concealed_review(rng) for _ in range(50)]
        poison = _poison_rows(rng, texts, ["positive"] * 50, poison_id)
    elif kind == "concealed_consistent":  # no trigger, labels that fit: glowing reviews of spy films
        texts = [_concealed_review(rng, sentiment=1) for _ in range(50)]
        poison = _poison_rows(rng, texts, ["positive"] * 50, poison_id)
    else:
        raise ValueError(kind)
    mixed = pd.concat([batch, poison], ignore_index=True).sample(frac=1.0, random_state=int(rng.integers(1 << 31)))
    return mixed.reset_index(drop=True), set(poison["id"].tolist())


def _concealed_review(rng: np.random.Generator, sentiment: int = 0) -> str:
    """A review about spy films: words near the trigger's meaning, not the trigger."""
    spy = ("agent", "spy", "mission", "gadget", "car chase", "thriller")
    text = review(rng, sentiment)
    cut = text.split()
    cut.insert(int(rng.integers(len(cut) + 1)), spy[rng.integers(len(spy))])
    return " ".join(cut)
