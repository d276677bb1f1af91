"""Split an aggregate SELECT list that is too long for the database into the fewest statements.

Every expression of the scan is independent of the others (each is its own labelled
aggregate over the same rows, read back by label), so a list of ``n`` expressions under a
limit of ``limit`` per SELECT fits in ``ceil(n / limit)`` statements, the fewest possible,
even when a metric's expressions land in two statements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def split_select_list(expressions: Sequence[T], limit: int) -> list[list[T]]:
    """Consecutive chunks of at most ``limit`` expressions, as few as possible."""
    if limit < 1:
        raise ValueError(f"a SELECT list limit must be >= 1, got {limit}")
    if len(expressions) <= limit:
        return [list(expressions)]
    count = math.ceil(len(expressions) / limit)
    # Even chunks: each statement does a similar share of the per-row work.
    size = math.ceil(len(expressions) / count)
    return [list(expressions[i : i + size]) for i in range(0, len(expressions), size)]
