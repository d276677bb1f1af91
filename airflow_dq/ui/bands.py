"""The expected band of a stored result, read back from its ``expected`` sentence.

The history store keeps a result's expectation as the sentence the check wrote
(``row count >= 5``, ``mean of 'amount' in [10, 200]``, ``row count in [912, 1,104]``).
For the checks listed here the observed value is the very quantity that sentence bounds,
so the chart can shade the band. Other checks (``value_range`` observes a count of
offending rows, not the range) get no band rather than a wrong one.
"""

from __future__ import annotations

import math
import re

BANDED_CHECK_TYPES = frozenset(
    {"row_count", "mean_between", "stddev_between", "custom_sql", "volume_anomaly", "metric_anomaly"}
)

_NUMBER = r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf"
_INTERVAL = re.compile(rf"\bin [\[(]\s*(?P<low>{_NUMBER})\s*,\s*(?P<high>{_NUMBER})\s*[\])]\s*$")
_ONE_SIDED = re.compile(rf"(?P<op>>=|<=|>|<)\s*(?P<value>{_NUMBER})\s*$")


def _number(text: str) -> float | None:
    value = float(text.replace(",", ""))
    return value if math.isfinite(value) else None


def parse_band(check_type: str, expected: str) -> tuple[float | None, float | None]:
    """``(lower, upper)`` of the band the observed value was expected in; None = open side."""
    if check_type not in BANDED_CHECK_TYPES or not expected:
        return None, None
    if match := _INTERVAL.search(expected):
        return _number(match["low"]), _number(match["high"])
    if match := _ONE_SIDED.search(expected):
        value = _number(match["value"])
        return (value, None) if match["op"].startswith(">") else (None, value)
    return None, None
