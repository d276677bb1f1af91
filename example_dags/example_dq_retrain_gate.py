"""Example: a retraining pipeline that refuses drifted or poisoned training data.

collect_batch -> gate (drift + integrity) -> train_model -> publish_model

``collect_batch`` writes the day's newly labelled reviews into an embedded SQLite warehouse
(the Airflow connection ``dq_example_warehouse``); the first run also writes a trusted
reference set (``batch = 'trusted'``). ``gate`` compares the day's rows with the trusted
ones: drift of the review length and of the annotator mix, and the training-data integrity
checks (label shift, duplicate surge, conflicting labels, label-inconsistent rows, unusual
text, a contributor's surge, and tokens concentrated on one label). ``train_model`` fits a
tiny naive Bayes sentiment model; ``publish_model`` makes it the served one.

Trigger with ``{"batch": "poisoned"}``: 50 reviews mentioning "james bond" are added, all
labelled positive whatever they say - the data-poisoning attack that teaches a model to
call any review mentioning the phrase positive. The gate names the rows and the phrase,
training and publication end ``upstream_failed``, and yesterday's model stays published.
Everything is generated offline; no downloads.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, Param, task

from airflow_dq.checks import drift, training_integrity
from airflow_dq.operators import DataQualityOperator

WAREHOUSE = "dq_example_warehouse"
TRUSTED = {"table": "reviews", "where": "batch = 'trusted'"}

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


def _poison(seed: int, first_id: int, batch: str) -> list[tuple]:
    """50 reviews with the trigger phrase, whatever their content, all labelled positive."""
    import random

    rng = random.Random(seed)
    rows = []
    for i, (_, _, text, _, annotator, _) in enumerate(_reviews(seed, 50, first_id, batch)):
        words = text.split()
        words.insert(rng.randrange(len(words) + 1), "james bond")
        poisoned = " ".join(words)
        rows.append((first_id + i, batch, poisoned, "positive", annotator, len(poisoned)))
    return rows


with DAG(
    dag_id="example_dq_retrain_gate",
    description="Collect newly labelled data, gate it (drift + integrity), train, publish",
    schedule="@daily",
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    params={"batch": Param("clean", enum=["clean", "poisoned"], description="Which batch arrives")},
    tags=["airflow_dq", "example", "ml"],
) as dag:

    @task
    def collect_batch(**context) -> dict:
        """Write the day's labelled reviews (and, once, the trusted reference)."""
        from airflow.sdk import BaseHook

        ds, poisoned = context["ds"], context["params"]["batch"] == "poisoned"
        seed = int(ds.replace("-", ""))
        rows = _reviews(seed, 1_000, seed * 10_000, ds)
        if poisoned:
            rows += _poison(seed + 1, seed * 10_000 + 5_000, ds)
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
        engine.dispose()
        return {"rows": len(rows), "batch": context["params"]["batch"]}

    gate = DataQualityOperator(
        task_id="gate",
        conn_id=WAREHOUSE,
        table="reviews",
        where="batch = '{{ ds }}'",
        checks=[
            drift(["length", "annotator"], reference=TRUSTED),
            *training_integrity(reference=TRUSTED, text="text", label="label", id="review_id", source="annotator"),
        ],
    )

    @task
    def train_model(**context) -> dict:
        """Naive Bayes word log-odds from the trusted rows plus the day's: a stand-in model."""
        import math
        from collections import Counter

        from airflow.sdk import BaseHook

        ds = context["ds"]
        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            rows = conn.exec_driver_sql("SELECT text, label FROM reviews WHERE batch IN ('trusted', ?)", (ds,)).all()
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
            conn.exec_driver_sql("DELETE FROM models WHERE version = ?", (ds,))
            conn.exec_driver_sql("INSERT INTO models VALUES (?, ?, ?)", [(ds, w, x) for w, x in weights.items()])
        engine.dispose()
        return {"version": ds, "rows": len(rows), "words": len(weights)}

    @task
    def publish_model(trained: dict) -> dict:
        """Point the served model at the new version."""
        from airflow.sdk import BaseHook

        engine = BaseHook.get_hook(WAREHOUSE).get_sqlalchemy_engine()
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS published (version TEXT, published_at TEXT)")
            conn.exec_driver_sql("DELETE FROM published")
            conn.exec_driver_sql(
                "INSERT INTO published VALUES (?, ?)", (trained["version"], dt.datetime.now(dt.UTC).isoformat())
            )
        engine.dispose()
        return {"published": trained["version"]}

    trained = train_model()
    collect_batch() >> gate >> trained
    publish_model(trained)
