"""DAGs for the ML training-gate tests (issue 6): gate -> train -> publish.

``test_issue6_sql_gate`` checks the partition ``batch = '{{ ds }}'`` of the table ``reviews``
(connection ``dq_issue6_warehouse``, written by the test) against ``batch = 'trusted'``.
``test_issue6_dataframe_gate`` builds the batch as a DataFrame in a task (``poisoned`` in the
run's conf adds a trigger-phrase attack) and checks it against a reference DataFrame.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task

from airflow_dq.checks import drift, training_integrity
from airflow_dq.operators import DataFrameQualityOperator, DataQualityOperator

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
# Templated: every row but the run's own batch (the test writes only the trusted rows besides).
TRUSTED = {"table": "reviews", "where": "batch <> '{{ ds }}'"}
WORDS = {
    "positive": ["great", "superb", "lovely", "fun", "clever"],
    "negative": ["awful", "dull", "bad", "weak", "silly"],
}
TOPICS = ["plot", "cast", "script", "ending", "scene", "score", "hero", "music"]


def reviews(seed: int, n: int, first_id: int = 0):
    """A labelled review DataFrame: id, text, label, source (pandas imported when called)."""
    import random

    import pandas as pd

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = rng.choice(["positive", "negative"])
        text = f"the {rng.choice(TOPICS)} was {rng.choice(WORDS[label])} and the {rng.choice(TOPICS)} {rng.choice(WORDS[label])}"
        rows.append({"id": first_id + i, "text": text, "label": label, "source": f"s{rng.randrange(5)}"})
    return pd.DataFrame(rows)


def trusted_reviews():
    return reviews(1, 3_000)


def _publishing(gate) -> None:
    @task
    def train() -> str:
        return "model-v2"

    @task
    def publish(model: str) -> str:
        return f"published {model}"

    model = train()
    gate >> model
    publish(model)


with DAG(dag_id="test_issue6_sql_gate", schedule=None, start_date=START, catchup=False) as sql_gate:
    _publishing(
        DataQualityOperator(
            task_id="gate",
            conn_id="dq_issue6_warehouse",
            table="reviews",
            where="batch = '{{ ds }}'",
            checks=[
                drift(["source"], reference=TRUSTED),
                *training_integrity(reference=TRUSTED, text="text", label="label", id="id", source="source"),
            ],
        ),
    )

with DAG(dag_id="test_issue6_dataframe_gate", schedule=None, start_date=START, catchup=False) as frame_gate:

    @task
    def new_batch(**context):
        import pandas as pd

        batch = reviews(int(context["ds"].replace("-", "")), 800, first_id=100_000)
        if (context["dag_run"].conf or {}).get("poisoned"):
            poison = reviews(7, 50, first_id=900_000)
            poison["text"] = poison["text"] + " cf"
            poison["label"] = "positive"
            batch = pd.concat([batch, poison], ignore_index=True)
        return batch

    _publishing(
        DataFrameQualityOperator(
            task_id="gate",
            data=new_batch(),
            checks=[
                drift(["source", "label"], reference=trusted_reviews),
                *training_integrity(reference=trusted_reviews, text="text", label="label", id="id"),
            ],
        ),
    )


with DAG(dag_id="test_issue16_drop_gate", schedule=None, start_date=START, catchup=False) as drop_gate:

    @task
    def new_batch(**context):
        import pandas as pd

        batch = reviews(int(context["ds"].replace("-", "")), 800, first_id=100_000)
        poison = reviews(8, 200, first_id=900_000)
        poison = poison[poison["label"] == "negative"].head(40).copy()
        poison["text"] = poison["text"] + " cf"
        poison["label"] = "positive"  # negative reviews with the trigger, labelled positive
        return pd.concat([batch, poison], ignore_index=True)

    @task
    def train(**context) -> int:
        import pandas as pd

        return len(pd.read_parquet(context["dag_run"].conf["out"]))  # trains on the cleaned copy

    (
        DataFrameQualityOperator(
            task_id="gate",
            data=new_batch(),
            checks=training_integrity(reference=trusted_reviews, text="text", label="label", id="id"),
            on_suspicious_rows="drop",
            cleaned_path="{{ dag_run.conf['out'] }}",
        )
        >> train()
    )
