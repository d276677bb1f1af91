"""Known answers for the integrity statistics, checked against scipy or brute force."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from airflow_dq.stats import integrity as it
from airflow_dq.stats import text as tx
from airflow_dq.stats.perplexity import CharNgramModel


def test_benjamini_hochberg_matches_scipy() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.001, 0.5, 0.04])
    assert it.benjamini_hochberg(p) == pytest.approx(stats.false_discovery_control(p, method="bh"))
    assert it.benjamini_hochberg([]).size == 0


def test_normalize_text() -> None:
    assert it.normalize_text("  Great   MOVIE!!  Café, really. ") == "great movie cafe really"
    assert it.normalize_text(None) == ""


def test_label_chi2_matches_scipy_contingency() -> None:
    ref = ["pos"] * 60 + ["neg"] * 40
    cur = ["pos"] * 30 + ["neg"] * 50 + ["neutral"] * 5
    statistic, p, shares = it.label_chi2(ref, cur)
    expected = stats.chi2_contingency(np.array([[40, 0, 60], [50, 5, 30]]), correction=False)
    assert (statistic, p) == pytest.approx((expected.statistic, expected.pvalue))
    assert shares["neutral"] == {"reference": 0.0, "batch": round(5 / 85, 4)}


def test_label_shift_overall_and_within_a_segment() -> None:
    ref = ["pos", "neg"] * 2_000
    assert it.label_shift(ref, ["pos"] * 700 + ["neg"] * 300).suspicious
    small = it.label_shift(ref, ["pos"] * 5_100 + ["neg"] * 4_900)  # significant-ish, but only 1%
    assert not small.suspicious
    # The mix is stable overall, but segment "b" flipped while "a" compensates.
    ref_seg = ["a", "b"] * 2_000
    cur_lab = ["pos"] * 200 + ["neg"] * 300 + ["pos"] * 300 + ["neg"] * 200
    cur_seg = ["a"] * 500 + ["b"] * 500
    ref_lab = ["pos", "pos", "neg", "neg"] * 1_000  # a: pos/neg alternating by pairs -> 50/50 in both
    found = it.label_shift(ref_lab, cur_lab, reference_segments=ref_seg, current_segments=cur_seg)
    assert found.suspicious
    assert {e["segment"] for e in found.evidence} == {"a", "b"}
    assert all(cur_seg[i] == found.evidence[0]["segment"] for i in found.rows)


def test_duplicate_surge_names_the_burst_rows() -> None:
    rng = np.random.default_rng(0)
    reference = [f"review {i}" for i in rng.integers(0, 100_000, 5_000)]
    clean = [f"review {i}" for i in rng.integers(0, 100_000, 1_000)]
    assert not it.duplicate_surge(reference, clean).suspicious
    burst = clean + ["buy cheap pills"] * 12
    found = it.duplicate_surge(reference, burst)
    assert found.suspicious
    assert found.rows == list(range(1_000, 1_012))
    assert found.evidence[0] == {"key": "buy cheap pills", "batch_count": 12, "reference_count": 0}


def test_duplicate_surge_expects_frequent_reference_texts_to_repeat() -> None:
    reference = ["great"] * 500 + [f"r{i}" for i in range(4_500)]
    batch = ["great"] * 100 + [f"n{i}" for i in range(900)]  # 10% "great", as in the reference
    assert not it.duplicate_surge(reference, batch).suspicious


def test_conflicting_labels_counts_rows_against_batch_and_reference() -> None:
    ref_keys = [f"k{i}" for i in range(1_000)] + ["a"]
    ref_labels = ["pos"] * 1_001
    cur_keys = ["a", "a", "b", "b", "c"] + [f"x{i}" for i in range(95)]
    cur_labels = ["neg", "neg", "pos", "neg", "pos"] + ["pos"] * 95
    found = it.conflicting_labels(ref_keys, ref_labels, cur_keys, cur_labels)
    # "a" conflicts with the reference, "b" within the batch. Ranked: a row whose label has
    # the smaller share of its input's rows first ("b": 1 of 2; "a": 2 of 3), then batch order.
    assert found.rows == [2, 3, 0, 1]
    assert found.statistic == pytest.approx(0.04)
    assert found.suspicious  # 4% of the batch vs 1 of 1,001 reference rows (the "a" row)
    assert found.p_value == pytest.approx(stats.fisher_exact([[4, 96], [1, 1_000]], alternative="greater").pvalue)


def test_source_surge_flags_the_source_and_its_rows() -> None:
    ref = [f"s{i % 10}" for i in range(5_000)]
    batch = ["s3"] * 400 + [f"s{i % 10}" for i in range(600)]
    found = it.source_surge(ref, batch)
    assert found.suspicious
    assert [e["source"] for e in found.evidence] == ["s3"]
    assert set(np.array(batch)[found.rows]) == {"s3"} and len(found.rows) == 460
    assert not it.source_surge(ref, [f"s{i % 10}" for i in range(1_000)]).suspicious


def test_tfidf_cosine_equals_brute_force() -> None:
    docs = ["the cat sat", "the dog sat down", "a cat and a dog"]
    space = tx.TfidfSpace(docs)
    matrix = space.matrix().toarray()
    words = sorted({w for d in docs for w in d.split()})
    df = {w: sum(w in d.split() for d in docs) for w in words}
    brute = np.array([[Counter(d.split())[w] * (math.log(4 / (1 + df[w])) + 1) for w in words] for d in docs])
    brute /= np.linalg.norm(brute, axis=1, keepdims=True)
    order = [space.vocabulary[w] for w in words]
    assert matrix[:, order] == pytest.approx(brute)
    assert space.matrix(["the unknown words"]).toarray()[0, space.vocabulary["the"]] == pytest.approx(1.0)


def test_nearest_neighbours_equal_brute_force() -> None:
    rng = np.random.default_rng(1)
    base, query = rng.random((300, 8)), rng.random((20, 8))
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    found = tx.nearest_neighbours(query, base, 5, chunk=7)
    brute = np.argsort(-(query @ base.T), axis=1)[:, :5]
    assert [set(r) for r in found] == [set(r) for r in brute]


def _brute_log_perplexity(train: list[str], texts: list[str], order: int, k: float) -> list[float]:
    def stream(items: list[str]) -> list[tuple[int, list[int]]]:
        codes, spans = [], []
        for t in items:
            start = len(codes)
            codes += [2] * (order - 1) + [ord(c) for c in t.lower()] + [3]
            spans.append((start, len(codes)))
        return codes, spans

    codes, _ = stream(train)
    grams = [Counter() for _ in range(order)]
    contexts = [Counter() for _ in range(order)]
    for p in range(order - 1, len(codes)):
        for m in range(1, order + 1):
            grams[m - 1][tuple(codes[p - m + 1 : p + 1])] += 1
            contexts[m - 1][tuple(codes[p - m + 1 : p])] += 1
    alphabet = len(set(codes))
    weights = [2.0**i / sum(2.0**j for j in range(order)) for i in range(order)]
    out = []
    for text in texts:
        c, _ = stream([text])
        total, count = 0.0, 0
        for p in range(order - 1, len(c)):
            prob = sum(
                weights[m - 1]
                * (grams[m - 1][tuple(c[p - m + 1 : p + 1])] + k)
                / (contexts[m - 1][tuple(c[p - m + 1 : p])] + k * alphabet)
                for m in range(1, order + 1)
            )
            total -= math.log(prob)
            count += 1
        out.append(total / count)
    return out


def test_char_ngram_perplexity_equals_brute_force() -> None:
    train = ["the film was great", "the plot was dull", "what a film", "dull dull dull"]
    texts = ["the film was dull", "zzz qqq", "", "what a great plot"]
    model = CharNgramModel(train, order=3, add_k=0.1)
    assert model.log_perplexity(texts) == pytest.approx(_brute_log_perplexity(train, texts, 3, 0.1))
    scores = model.log_perplexity(texts)
    assert scores[1] > scores[0]  # unseen characters are less likely


def test_token_concentration_finds_a_trigger_and_its_rows() -> None:
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(60)]

    def rows(n: int) -> tuple[list[str], list[str]]:
        texts = [" ".join(rng.choice(words, 6)) for _ in range(n)]
        return texts, list(rng.choice(["pos", "neg"], n))

    ref_t, ref_l = rows(4_000)
    cur_t, cur_l = rows(1_000)
    assert not tx.token_concentration(ref_t, ref_l, cur_t, cur_l).suspicious
    poison = [f"{t} cf zq" for t in rows(40)[0]]
    found = tx.token_concentration(ref_t, ref_l, cur_t + poison, cur_l + ["pos"] * 40)
    assert found.suspicious
    assert {e["token"] for e in found.evidence} >= {"cf", "zq", "cf zq"}
    assert all(e["label"] == "pos" for e in found.evidence)
    assert found.rows == list(range(1_000, 1_040))


def test_label_consistency_on_numeric_features() -> None:
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [6.0, 6.0]])
    ref_y = rng.integers(0, 2, 2_000)
    ref_x = centres[ref_y] + rng.normal(0, 1, (2_000, 2))
    cur_y = rng.integers(0, 2, 500)
    cur_x = centres[cur_y] + rng.normal(0, 1, (500, 2))
    clean = tx.label_consistency(ref_y, cur_y, reference_features=ref_x, current_features=cur_x)
    assert not clean.suspicious
    flipped = cur_y.copy()
    flipped[:40] = 1 - flipped[:40]
    found = tx.label_consistency(ref_y, flipped, reference_features=ref_x, current_features=cur_x)
    assert found.suspicious
    assert set(found.rows) >= set(range(40)) - {i for i in range(40) if abs(cur_x[i].sum() - 6) < 2}
    assert len(set(found.rows) - set(range(40))) <= 5
