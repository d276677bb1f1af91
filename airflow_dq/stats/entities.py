"""What a batch talks about more than the reference: terms grouped into entities.

An attack need not repeat one token: it can spread over aliases of one entity ("007",
"Connery", "Brosnan", "bond film"). The terms (words and word pairs) that the batch uses
far more than the reference are linked when

- they are spelled alike: Jaccard similarity of their character 3-grams (``connery`` and
  ``sean connery``), or
- they co-occur: a large share of the rows of the rarer one also contain the other
  (``james bond`` and ``007`` mentioned together),

and each connected group is one entity; its rows are the batch rows mentioning any of its
terms. The tests of ``airflow_dq.stats.text`` run per group, so an attack spread over the
aliases is tested as one group of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Group:
    """One entity: its terms (most frequent first) and the batch rows mentioning any."""

    terms: list[str]
    rows: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " / ".join(self.terms[:4]) + (f" (+{len(self.terms) - 4})" if len(self.terms) > 4 else "")


def char_grams(term: str, n: int = 3) -> set[str]:
    padded = f" {term} "
    return {padded[i : i + n] for i in range(max(len(padded) - n + 1, 1))}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def over_represented(
    batch_terms: Sequence[set[str]],
    reference_count: dict[str, int] | defaultdict,
    reference_rows: int,
    *,
    min_count: int = 3,
    min_ratio: float = 3.0,
) -> dict[str, list[int]]:
    """Terms in at least ``min_count`` batch rows and ``min_ratio`` times the reference's
    share of rows (one pseudo-row, so a new term qualifies): term -> batch rows."""
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(batch_terms):
        for term in found:
            rows_of[term].append(i)
    n = max(len(batch_terms), 1)
    return {
        t: r
        for t, r in rows_of.items()
        if len(r) >= min_count and len(r) / n >= min_ratio * (reference_count.get(t, 0) + 1) / (reference_rows + 1)
    }


def entity_groups(
    rows_of: dict[str, list[int]],
    *,
    spelling: float = 0.5,
    cooccurrence: float = 0.5,
    max_terms: int = 2_000,
) -> list[Group]:
    """Connected groups of the terms, linked by spelling or co-occurrence (see module doc)."""
    terms = sorted(rows_of, key=lambda t: (-len(rows_of[t]), t))[:max_terms]
    parent = list(range(len(terms)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    sets = [set(rows_of[t]) for t in terms]
    grams = [char_grams(t) for t in terms]
    # Co-occurrence: only pairs that share a row can link; index rows -> terms.
    terms_in_row: dict[int, list[int]] = defaultdict(list)
    for i, rows in enumerate(sets):
        for r in rows:
            terms_in_row[r].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in terms_in_row.values():
        if len(members) > 60:  # a very long row links everything: skip it
            continue
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                shared[(a, b)] += 1
    for (a, b), count in shared.items():
        if count / min(len(sets[a]), len(sets[b])) >= cooccurrence:
            union(a, b)
    # Spelling: compare terms sharing a character 3-gram (an inverted index keeps it small).
    by_gram: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            if gram.strip():
                by_gram[gram].append(i)
    seen: set[tuple[int, int]] = set()
    for members in by_gram.values():
        if len(members) > 200:
            continue
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                if (a, b) not in seen:
                    seen.add((a, b))
                    if _jaccard(grams[a], grams[b]) >= spelling:
                        union(a, b)
    members_of: dict[int, list[int]] = defaultdict(list)
    for i in range(len(terms)):
        members_of[find(i)].append(i)
    groups = []
    for members in members_of.values():
        rows = sorted(set().union(*(sets[i] for i in members)))
        groups.append(Group([terms[i] for i in members], rows))
    groups.sort(key=lambda g: (-len(g.rows), g.terms[0]))
    return groups


def group_terms_mask(group_terms: Sequence[str], row_terms: Sequence[set[str]]) -> np.ndarray:
    """Which rows (of the reference, say) mention any of the group's terms."""
    wanted = set(group_terms)
    return np.array([bool(found & wanted) for found in row_terms], dtype=bool)
