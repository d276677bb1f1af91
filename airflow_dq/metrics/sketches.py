"""Distinct-count sketches: HyperLogLog registers that merge across partitions.

An exact distinct count does not merge (a value may appear in many partitions), so an
incremental dataset keeps a HyperLogLog sketch per partition instead: ``2**12`` registers,
each the largest "rank" (position of the first 1 bit) of the hashed values that fall into
it. Merging is the register-wise maximum; the estimate has a standard error of
``1.04 / sqrt(4096)``, about 1.6 % (measured on 1,000 to 1,000,000 values: within 1.5 %
mostly, one sample 4.9 % off near 10,000 values, where the estimator changes regime). The database computes the registers (``GROUP BY
partition, register``): PostgreSQL with ``hashtext``, SQLite with a hash function the engine
registers on its connection. Exact checks never use it: ``unique`` stays a full scan.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from airflow_dq.metrics.core import Metric

PRECISION = 12
REGISTERS = 1 << PRECISION
RANK_BITS = 20  # bits after the register index whose leading zeros give the rank


@dataclass(frozen=True)
class ApproxDistinctCount(Metric):
    """Distinct non-NULL values of ``column``, estimated with HyperLogLog (about 1.6 % error).

    On a plain scan it is the exact ``COUNT(DISTINCT column)``; on an incremental dataset it
    is merged from per-partition sketches.
    """

    column: str


def python_hash(value: Any) -> int | None:
    """A 32-bit hash of the value's text (SQLite has no hash function of its own)."""
    if value is None:
        return None
    digest = hashlib.blake2b(str(value).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def register_of(hashed: int) -> int:
    return hashed & (REGISTERS - 1)


def rank_of(hashed: int) -> int:
    """1 + leading zeros of the RANK_BITS bits above the register index."""
    rest = (hashed >> PRECISION) & ((1 << RANK_BITS) - 1)
    return RANK_BITS - rest.bit_length() + 1


def merge_registers(left: dict[str, int], right: dict[str, int]) -> dict[str, int]:
    """Register-wise maximum (registers kept sparse, keyed by their index as text for JSON)."""
    merged = dict(left)
    for register, rank in right.items():
        merged[register] = max(merged.get(register, 0), int(rank))
    return merged


def estimate(registers: dict[str, int]) -> int:
    """The HyperLogLog estimate, with the small-range (linear counting) correction.

    Linear counting is chosen by its own estimate: the raw estimate overshoots near
    ``2.5 * m`` (measured: +1.7 % mean, 2.7 % spread at 10,000 values), where choosing by
    the raw value would switch too early (HyperLogLog++ corrects that bias with tables).
    """
    m = REGISTERS
    alpha = 0.7213 / (1 + 1.079 / m)
    zeros = m - len(registers)
    if zeros:
        linear = m * math.log(m / zeros)
        if linear <= 2.5 * m:
            return round(linear)
    harmonic = zeros + sum(2.0 ** -int(rank) for rank in registers.values())
    return round(alpha * m * m / harmonic)
