"""What rows an engine fetches to show why a check failed (the check chooses, the engine
fetches): the rows a predicate is TRUE for, or the keys that occur more than once.

Defined here, with the metrics, so engines never import ``checks``."""

from __future__ import annotations

from dataclasses import dataclass

from airflow_dq.metrics.predicates import Predicate


@dataclass(frozen=True)
class DuplicateKeys:
    """Failure sample of a uniqueness check: the keys that occur more than once."""

    columns: tuple[str, ...]


FailureSample = Predicate | DuplicateKeys
