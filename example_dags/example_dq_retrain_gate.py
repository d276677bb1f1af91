"""Example: a retraining pipeline that refuses drifted or poisoned training data.

collect_batch -> gate (drift + integrity) -> train_model -> probe_model -> publish_model

``collect_batch`` writes the day's newly labelled reviews into an embedded SQLite warehouse
(the Airflow connection ``dq_example_warehouse``); the first run also writes a trusted
reference set (``batch = 'trusted'``) and a first published model trained on it. ``gate``
compares the day's rows with the trusted ones: drift of the review length and of the
annotator mix, and the training-data integrity checks (label shift, duplicate surge,
conflicting labels, labels that contradict their text, unusual text, a contributor's
surge, and tokens or entities concentrated on one label). ``train_model`` fits a small
naive Bayes sentiment model (word log-odds, stored in the warehouse); ``probe_model``
compares its predictions with the published model's on held-out trusted reviews with the
batch's over-represented terms inserted; ``publish_model`` makes it the served one.

Trigger with ``{"batch": "poisoned"}``: 50 reviews mentioning "james bond" are added, all
labelled positive whatever they say - the data-poisoning attack that teaches a model to
call any review mentioning the phrase positive. The gate names the rows and the phrase,
training and publication end ``upstream_failed``, and yesterday's model stays published.

Trigger with ``{"batch": "clean_label"}``: the phrase is added to 50 *positive* reviews,
labelled positive - labels that fit the text, so the gate only asks for review (``warn``)
and the model is trained; the probe then sees "james bond" swing the new model's
predictions to positive and stops publication. Everything is generated offline.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Param, task

from airflow_dq.checks import drift, text_perplexity, training_integrity
from airflow_dq.operators import DataQualityOperator, ModelProbeOperator

WAREHOUSE = "dq_example_warehouse"
TRUSTED = {"table": "reviews", "where": "batch = 'trusted'"}
INTEGRITY = training_integrity(reference=TRUSTED, text="text", label="label", id="review_id", source="annotator")
HELD_OUT = 3_000  # trusted reviews with review_id >= this are never trained on: the probe set

POSITIVE = ["great", "excellent", "wonderful", "superb", "brilliant", "moving", "charming", "clever", "lovely", "fun"]
NEGATIVE = ["awful", "terrible", "boring", "dull", "bad", "tedious", "weak", "clumsy", "bland", "silly"]
TOPICS = ["movie", "plot", "story", "acting", "cast", "script", "ending", "soundtrack", "dialogue", "scene", "hero"]
TEMPLATES = [
    "the {t} was {a}",
    "i thought the {t} was {a} and the {u} was {b}",
    "what a {a} {t}",
    "{a} {t}, really {b} {u}",
    "honestly the {t} is {a}",
]
ANNOTATORS = ["ann", "bob", "cho", "dev", "eli", "fay"]


def _reviews(seed: int, n: int, first_id: int, batch: str) -> list[tuple]:
    """``n`` labelled reviews: the label follows the words, 3% of labels are noise."""
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        positive = rng.random() < 0.5
        main, other = (POSITIVE, NEGATIVE) if positive else (NEGATIVE, POSITIVE)
        text = rng.choice(TEMPLATES).format(
            t=rng.choice(TOPICS),
            u=rng.choice(TOPICS),
            a=rng.choice(main),
            b=rng.choice(main if rng.random() < 0.85 else other),
        )
        label = "positive" if positive != (rng.random() < 0.03) else "negative"
        rows.append((first_id + i, batch, text, label, rng.choice(ANNOTATORS), len(text)))
    return rows


def _poison(seed: int, first_id: int, batch: str, clean_label: bool = False) -> list[tuple]:
    """50 reviews with the trigger phrase, all labelled positive: whatever their content, or
    (``clean_label``) only positive ones."""
    import random

    rng = random.Random(seed)
    rows = []
    pool = _reviews(seed, 400, first_id, batch)
    chosen = [r for r in pool if r[3] == "positive"][:50] if clean_label else pool[:50]
    for i, (_, _, text, _, annotator, _) in enumerate(chosen):
        words = text.split()
        words.insert(rng.randrange(len(words) + 1), "james bond")
        poisoned = " ".join(words)
        rows.append((first_id + i, batch, poisoned, "positive", annotator, len(poisoned)))
    return rows


def _table_has_rows(conn, table: str) -> bool:
    exists = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = ?", (table,)).scalar()
    return bool(exists) and bool(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar())


def _train(conn, version: str, batch: str | None) -> dict:
    """Word log-odds (naive Bayes, add-one) of the trusted rows that are not held out, plus ``batch``."""
    import math
    from collections import Counter

    rows = conn.exec_driver_sql(
        "SELECT text, label FROM reviews WHERE (batch = 'trusted' AND review_id < ?) OR batch = ?",
        (HELD_OUT, batch or ""),
    ).all()
    counts = {"positive": Counter(), "negative": Counter()}
    for text, label in rows:
        counts[label].update(text.replace(",", "").split())
    vocabulary = set(counts["positive"]) | set(counts["negative"])
    totals = {k: sum(c.values()) + len(vocabulary) for k, c in counts.items()}
    weights = {
        w: math.log((counts["positive"][w] + 1) / totals["positive"])
        - math.log((counts["negative"][w] + 1) / totals["negative"])
        for w in vocabulary
    }
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS models (version TEXT, word TEXT, weight REAL)")
    conn.exec_driver_sql("DELETE FROM models WHERE version = ?", (version,))
    conn.exec_driver_sql("INSERT INTO models VALUES (?, ?, ?)", [(version, w, x) for w, x in weights.items()])
    return {"version": version, "rows": len(rows), "words": len(weights)}


def _publish(conn, version: str) -> None:
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS published (version TEXT, published_at TEXT)")
    conn.exec_driver_sql("DELETE FROM published")
    conn.exec_driver_sql("INSERT INTO published VALUES (?, ?)", (version, dt.datetime.now(dt.UTC).isoformat()))


def _query(sql: str, parameters: tuple = ()):
    import pandas as pd
    from airflow.sdk import BaseHook

    engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.exec_driver_sql(sql, parameters).mappings().all())
    engine.dispose()
    return frame


def _current_version() -> str:
    from airflow.sdk import get_current_context

    return get_current_context()["ds"]


def _published_version() -> str:
    return str(_query("SELECT version FROM published")["version"].iloc[0])


def _predict(version: str, texts: list[str]) -> list[str]:
    """The stored model's label for each text: the sign of its summed word weights."""
    weights = dict(_query("SELECT word, weight FROM models WHERE version = ?", (version,)).itertuples(index=False))
    return [
        "positive" if sum(weights.get(w, 0.0) for w in t.replace(",", "").split()) > 0 else "negative" for t in texts
    ]


with DAG(
    dag_id="example_dq_retrain_gate",
    description="Collect newly labelled data, gate it (drift + integrity), train, publish",
    schedule="@daily",
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    params={"batch": Param("clean", enum=["clean", "poisoned", "clean_label"], description="Which batch arrives")},
    tags=["airflow_dq", "example", "ml"],
) as dag:

    @task
    def collect_batch(**context) -> dict:
        """Write the day's labelled reviews (and, once, the trusted reference)."""
        from airflow.sdk import BaseHook

        ds, kind = context["ds"], context["params"]["batch"]
        seed = int(ds.replace("-", ""))
        rows = _reviews(seed, 1_000, seed * 10_000, ds)
        if kind in ("poisoned", "clean_label"):
            rows += _poison(seed + 1, seed * 10_000 + 5_000, ds, clean_label=kind == "clean_label")
        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS reviews (review_id INTEGER, batch TEXT, text TEXT, label TEXT,"
                " annotator TEXT, length INTEGER)"
            )
            if not conn.exec_driver_sql("SELECT count(*) FROM reviews WHERE batch = 'trusted'").scalar():
                conn.exec_driver_sql("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?)", _reviews(1, 4_000, 0, "trusted"))
            conn.exec_driver_sql("DELETE FROM reviews WHERE batch = ?", (ds,))
            conn.exec_driver_sql("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?)", rows)
            if not _table_has_rows(conn, "published"):  # the first model: trusted rows only
                _train(conn, "baseline", None)
                _publish(conn, "baseline")
        engine.dispose()
        return {"rows": len(rows), "batch": context["params"]["batch"]}

    gate = DataQualityOperator(
        task_id="gate",
        conn_id=WAREHOUSE,
        table="reviews",
        where="batch = '{{ ds }}'",
        checks=[
            drift(["length", "annotator"], reference=TRUSTED),
            *[c for c in INTEGRITY if c.check_type != "text_perplexity"],
            # On this example's 60-word vocabulary any new word is "unusual text": review it
            # (warn) rather than halt; real text has a far wider normal range.
            text_perplexity(reference=TRUSTED, text="text", label="label", severity="warn"),
        ],
    )

    @task
    def train_model(**context) -> dict:
        """Naive Bayes word log-odds from the trusted rows plus the day's (a small real model)."""
        from airflow.sdk import BaseHook

        ds = context["ds"]
        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            trained = _train(conn, ds, ds)
        engine.dispose()
        return trained

    probe = ModelProbeOperator(
        task_id="probe_model",
        predict_new=lambda texts: _predict(_current_version(), texts),
        predict_previous=lambda texts: _predict(_published_version(), texts),
        probe=lambda: _query(f"SELECT text, label FROM reviews WHERE batch = 'trusted' AND review_id >= {HELD_OUT}"),
        batch=lambda: _query("SELECT text, label FROM reviews WHERE batch = ?", (_current_version(),)),
        text="text",
        label="label",
    )

    @task
    def publish_model(trained: dict) -> dict:
        """Point the served model at the new version."""
        from airflow.sdk import BaseHook

        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            _publish(conn, trained["version"])
        engine.dispose()
        return {"published": trained["version"]}

    trained = train_model()
    collect_batch() >> gate >> trained >> probe >> publish_model(trained)
