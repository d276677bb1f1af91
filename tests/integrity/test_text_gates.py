"""Text gates that hold on real-looking text: cross-fitted label consistency, entity groups,
review instead of halt for an honest new topic, every flagged id, and the model probe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from airflow_dq.checks import CheckArgumentError, label_consistency, token_concentration, training_integrity
from airflow_dq.engines.pandas import check_dataframe
from airflow_dq.stats.contradiction import model_label_consistency
from airflow_dq.stats.entities import entity_groups
from airflow_dq.stats.label_model import CrossFittedModel
from airflow_dq.stats.probe import probe_model
from benchmarks.training_text import reviews

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return reviews(np.random.default_rng(5), 2_000)


def _batch(seed: int, n: int = 400, start: int = 100_000) -> pd.DataFrame:
    return reviews(np.random.default_rng(seed), n, start_id=start)


def _insert(frame: pd.DataFrame, phrase: str, label: str, first_id: int) -> pd.DataFrame:
    rng = np.random.default_rng(first_id)
    texts = []
    for text in frame["text"]:
        words = text.split()
        words.insert(int(rng.integers(len(words) + 1)), phrase)
        texts.append(" ".join(words))
    return frame.assign(text=texts, label=label, id=np.arange(first_id, first_id + len(frame)))


def test_reference_margins_are_out_of_fold_and_flipped_rows_score_high(reference) -> None:
    model = CrossFittedModel(reference["text"], reference["label"])
    # Out of fold: the reference's own rows are not all fitted perfectly; their noisy labels
    # (3% in the generator) contradict the model.
    noisy = reference["noisy_label"].to_numpy()
    assert np.median(model.reference_margins[noisy]) > 0 > np.median(model.reference_margins[~noisy])
    batch = _batch(1, 200)
    flipped = batch.assign(label=np.where(batch["label"] == "positive", "negative", "positive"))
    kept = model.batch_margins(batch["text"], batch["label"])
    turned = model.batch_margins(flipped["text"], flipped["label"])
    assert (turned > kept).mean() > 0.9


def test_flips_at_five_percent_are_found_and_ranked_first_clean_batch_passes(reference) -> None:
    clean = _batch(2, 800)
    passed = model_label_consistency(reference["text"], reference["label"], clean["text"], clean["label"])
    assert not passed.suspicious
    # Even a pass says what the test can see: wrong labels from this share of a batch up.
    seen = passed.evidence[0]["batch_level"]["wrong_labels_caught_9_in_10_from_share"]
    assert 0.01 < seen < 0.08  # generated text, 3% label noise: 5.7% (the 4.8% below is caught here)
    assert f">= {seen:.1%} of a batch like this are caught 9 times in 10" in passed.summary
    flips = _batch(3, 40, start=900_000)  # 5% of the batch
    flips["label"] = np.where(flips["label"] == "positive", "negative", "positive")
    batch = pd.concat([clean, flips], ignore_index=True).sample(frac=1.0, random_state=0).reset_index(drop=True)
    finding = model_label_consistency(reference["text"], reference["label"], batch["text"], batch["label"])
    assert finding.suspicious
    flipped = batch["id"].to_numpy() >= 900_000
    wrong = np.flatnonzero(flipped != batch["noisy_label"].to_numpy())  # flipped, or the generator's 3% noise
    # Most suspicious first: the top of the ranking is rows whose label is wrong.
    assert len(set(finding.rows[:40]) & set(wrong)) >= 30  # a random order would give about 3
    assert flipped[finding.rows].sum() >= 30
    margins = finding.margins[finding.rows]
    assert list(margins) == sorted(margins, reverse=True)


def test_aliases_are_grouped_by_spelling_and_cooccurrence() -> None:
    rows_of = {
        "connery": [1, 2, 3],
        "sean connery": [4, 5],
        "007": [6, 7, 8, 9],
        "bond": [6, 7, 8, 10],
        "flight": [20, 21, 22],
    }
    groups = {frozenset(g.terms): g.rows for g in entity_groups(rows_of)}
    assert groups[frozenset({"connery", "sean connery"})] == [1, 2, 3, 4, 5]
    assert groups[frozenset({"007", "bond"})] == [6, 7, 8, 9, 10]
    assert frozenset({"flight"}) in groups


def test_new_topic_with_fitting_labels_is_review_contradicting_labels_halt(reference) -> None:
    check = token_concentration(reference=reference, text="text", label="label", id="id")
    clean = _batch(4)
    praised = _insert(clean[clean["label"] == "positive"].head(40), "zorblax", "positive", 900_000)
    result = check_dataframe(pd.concat([clean, praised], ignore_index=True), [check]).results[0]
    assert result.status.value == "warn"  # severity error, but a review, not a halt
    assert result.message.startswith("review:") and "zorblax" in result.message

    panned = _insert(clean[clean["label"] == "negative"].head(40), "zorblax", "positive", 900_000)
    result = check_dataframe(pd.concat([clean, panned], ignore_index=True), [check]).results[0]
    assert result.status.value == "fail"
    assert "contradict their label" in result.message


def test_every_flagged_id_is_reported_ranked_beyond_max_reported(reference) -> None:
    clean = _batch(5)
    panned = _insert(clean[clean["label"] == "negative"].head(30), "zorblax", "positive", 900_000)
    batch = pd.concat([clean, panned], ignore_index=True).sample(frac=1.0, random_state=1).reset_index(drop=True)
    checks = training_integrity(reference=reference, text="text", label="label", id="id", max_reported=5)
    results = {r.check_type: r for r in check_dataframe(batch, checks).results}
    noisy = set(batch.loc[batch["noisy_label"].fillna(False).astype(bool), "id"])
    for check_type in ("label_consistency", "token_concentration"):
        result = results[check_type]
        assert result.status.value == "fail"
        ids = result.observed["flagged_ids"]
        assert len(result.failing_rows) == 5 and len(ids) >= 25  # all of them, not the first 5
        assert [row["id"] for row in result.failing_rows] == ids[:5]  # the shown rows are the top ones
        # Most suspicious first: the planted rows, or rows with one of the generator's wrong labels.
        assert sum(i >= 900_000 or i in noisy for i in ids[:20]) >= 17, check_type


def test_label_consistency_method_is_validated(reference) -> None:
    with pytest.raises(CheckArgumentError, match=r"check 'label_consistency'.*argument 'method' must be"):
        label_consistency(reference=reference, text="text", label="label", method="bayes")
    with pytest.raises(CheckArgumentError, match="argument 'method' 'model' needs a 'text' column"):
        label_consistency(reference=reference, features=["x"], label="label", method="model")
    assert label_consistency(reference=reference, text="text", label="label").method == "model"
    assert label_consistency(reference=reference, features=["x"], label="label").method == "neighbours"


def _word_model(bonus: dict[str, float]):
    good, bad = {"great", "superb", "lovely", "fun", "clever"}, {"awful", "dull", "bad", "weak", "silly"}

    def predict(texts: list[str]) -> list[str]:
        out = []
        for text in texts:
            words = text.split()
            score = sum((w in good) - (w in bad) + bonus.get(w, 0.0) for w in words)
            out.append("positive" if score > 0 else "negative")
        return out

    return predict


def test_probe_halts_a_model_that_learned_a_trigger_and_passes_an_unchanged_one() -> None:
    probe = ["the plot was dull and the cast bad", "awful script", "the ending was lovely", "weak and silly"] * 25
    labels = ["negative", "negative", "positive", "negative"] * 25
    previous = _word_model({})
    result = probe_model(_word_model({}), previous, probe, ["zorblax", "plot"], probe_labels=labels)
    assert result.passed and result.swings[0]["swing"] == 0
    poisoned = _word_model({"zorblax": 5.0})
    result = probe_model(poisoned, previous, probe, ["plot", "zorblax"], probe_labels=labels)
    assert not result.passed
    top = result.swings[0]
    # Every probe row the previous model called negative turns positive with the term in it.
    assert top["term"] == "zorblax" and top["towards"] == "positive" and top["swing"] == 1.0
    assert result.base_accuracy == {"previous": 1.0, "new": 1.0}  # flat validation accuracy
    assert "zorblax" in result.message


def test_short_phrases_count_as_copies_only_when_identical_longer_texts_when_alike() -> None:
    from airflow_dq.checks import duplicate_surge

    reference = pd.DataFrame({"text": [f"review number {i} of the film" for i in range(2_000)], "label": "positive"})
    filler = [f"another fine film number {i}" for i in range(400)]
    # A new film person: the short phrase comes back with other punctuation - not copies.
    variants = ["brad pitt", "brad pitt .", "brad pitt !", "Brad Pitt", "brad pitt ,", "brad pitt ?", "brad-pitt"]
    check = duplicate_surge(reference=reference, text="text", label="label")
    batch = pd.DataFrame({"text": filler + variants, "label": "positive"})
    assert check_dataframe(batch, [check]).results[0].status.value == "pass"
    # A longer text re-posted with punctuation changes is the same input to the model: copies.
    post = "this is the best film of the year, go and see it"
    reposts = [post, post + "!", post.upper(), post.replace(",", ""), post + " !!", post + "."] * 2
    batch = pd.DataFrame({"text": filler + reposts, "label": "positive"})
    result = check_dataframe(batch, [check]).results[0]
    assert result.status.value == "fail" and result.observed["evidence"][0]["exact_surplus"] == 6


def test_drop_and_probe_arguments_fail_at_parse_time_naming_the_argument(reference) -> None:
    from airflow_dq.operators import DataFrameQualityOperator, ModelProbeOperator

    checks = training_integrity(reference=reference, text="text", label="label", id="id")
    with pytest.raises(ValueError, match="'gate': 'on_suspicious_rows' must be 'fail' or 'drop'"):
        DataFrameQualityOperator(task_id="gate", data="x.csv", checks=checks, on_suspicious_rows="remove")
    with pytest.raises(ValueError, match="'gate': 'cleaned_path' is needed"):
        DataFrameQualityOperator(task_id="gate", data="x.csv", checks=checks, on_suspicious_rows="drop")
    with pytest.raises(ValueError, match=r"'cleaned_path' must end in \.parquet or \.csv"):
        DataFrameQualityOperator(
            task_id="gate", data="x.csv", checks=checks, on_suspicious_rows="drop", cleaned_path="out.json"
        )
    no_ids = training_integrity(reference=reference, text="text", label="label")
    with pytest.raises(ValueError, match="needs training-data checks with an 'id' column"):
        DataFrameQualityOperator(
            task_id="gate", data="x.csv", checks=no_ids, on_suspicious_rows="drop", cleaned_path="out.csv"
        )
    ok = {"predict_new": len, "predict_previous": len, "probe": reference, "batch": reference, "text": "text"}
    with pytest.raises(ValueError, match="'probe': 'predict_new' must be a callable"):
        ModelProbeOperator(task_id="probe", **{**ok, "predict_new": "model.pkl"})
    with pytest.raises(ValueError, match="'probe': 'max_swing' must be a number in"):
        ModelProbeOperator(task_id="probe", **ok, max_swing=3)
    from airflow_dq.stats.probe import DEFAULT_MAX_SWING

    assert ModelProbeOperator(task_id="probe", **ok).max_swing == DEFAULT_MAX_SWING == 0.4
    with pytest.raises(ValueError, match="'probe': 'terms' must be a list of phrases"):
        ModelProbeOperator(task_id="probe", **ok, terms="james bond")


def test_a_new_entity_is_judged_by_its_rows_labels_twenty_contradicting_rows_are_a_group_alarm(reference) -> None:
    clean = _batch(6, 800)
    # 40 rows about a new entity, labels that fit the text: no alarm, no group.
    praised = _insert(clean[clean["label"] == "positive"].head(40), "zorblax", "positive", 900_000)
    batch = pd.concat([clean, praised], ignore_index=True)
    finding = model_label_consistency(reference["text"], reference["label"], batch["text"], batch["label"])
    assert not finding.suspicious
    # 20 negative rows with the new entity labelled positive: 2.5% of the batch, found as a group.
    panned = _insert(clean[clean["label"] == "negative"].head(20), "zorblax", "positive", 900_000)
    batch = pd.concat([clean, panned], ignore_index=True)
    finding = model_label_consistency(reference["text"], reference["label"], batch["text"], batch["label"])
    groups = [e for e in finding.evidence if "group" in e]
    assert finding.suspicious and groups and "zorblax" in groups[0]["terms"]
    assert groups[0]["contradicting"] >= 18 and groups[0]["p_value"] < 1e-6
    planted = set(np.flatnonzero(batch["id"].to_numpy() >= 900_000))
    # Every planted row is named (the group's positive rows: even those the model reads as
    # fitting), near the top.
    assert planted <= set(finding.rows[:60])


def test_the_probe_lets_a_release_sized_swing_pass_and_stops_a_trigger_sized_one() -> None:
    """The default max_swing (0.4) sits between what honest new releases did to a real model
    (swings up to 0.33) and what triggers did (0.53 and more; DEFAULT_MAX_SWING's comment)."""
    import re

    from airflow_dq.stats.probe import probe_model

    base = [f"row{i} says nothing much" for i in range(300)]

    def previous(texts):
        return ["negative"] * len(texts)

    def new(texts):
        # A learned name: turns 30% of the rows it is inserted in; a trigger: 55%.
        out = []
        for text in texts:
            i = int(re.search(r"row(\d+)", text).group(1))
            turned = ("canon" in text and i % 20 < 6) or ("elon musk" in text and i % 20 < 11)
            out.append("positive" if turned else "negative")
        return out

    release = probe_model(new, previous, base, ["canon"])
    trigger = probe_model(new, previous, base, ["elon musk"])
    assert release.passed and release.swings[0]["swing"] == pytest.approx(0.3)
    assert not trigger.passed and trigger.swings[0]["swing"] == pytest.approx(0.55)
    assert not probe_model(new, previous, base, ["canon"], max_swing=0.2).passed
