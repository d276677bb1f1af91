"""Parse-time validation of the incremental options of the SQL operator."""

from __future__ import annotations

from typing import Any


def check_incremental(owner: str, incremental_by: Any, rescan_partitions: Any, *, table: Any) -> tuple[str | None, int]:
    """``incremental_by`` names the partition column of a table; ``rescan_partitions`` >= 0."""
    if isinstance(rescan_partitions, bool) or not isinstance(rescan_partitions, int) or rescan_partitions < 0:
        raise ValueError(f"{owner}: 'rescan_partitions' must be a whole number >= 0, got {rescan_partitions!r}")
    if incremental_by is None:
        if rescan_partitions:
            raise ValueError(f"{owner}: 'rescan_partitions' needs 'incremental_by' (the partition column)")
        return None, 0
    if not isinstance(incremental_by, str) or not incremental_by.strip():
        raise ValueError(f"{owner}: 'incremental_by' must name the partition column, got {incremental_by!r}")
    if table is None:
        raise ValueError(f"{owner}: 'incremental_by' needs 'table': a query has no partitions to keep states of")
    return incremental_by.strip(), rescan_partitions
