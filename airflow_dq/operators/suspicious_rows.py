"""``on_suspicious_rows="drop"``: remove the rows the training-data checks flagged, write a
cleaned copy, and let the pipeline go on with it.

Only row-level integrity checks are resolved this way (their failure is about rows that
can be removed; every flagged id is in ``observed["flagged_ids"]``, ranked). A check that
judges the whole batch (``label_shift``, ``drift``), any other failure, and a flagged check
without an ``id`` column still halt. A resolved result stays visible: its status becomes
``warn`` and its message says how many rows were dropped and where the copy is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from airflow_dq.checks.base import Check
from airflow_dq.results import Status, SuiteResult

ON_SUSPICIOUS_ROWS = ("fail", "drop")
WHOLE_BATCH = ("label_shift",)


def check_on_suspicious_rows(owner: str, value: Any, cleaned_path: Any, checks: Sequence[Check]) -> str:
    """Parse-time validation of the option and its path."""
    if value not in ON_SUSPICIOUS_ROWS:
        raise ValueError(f"{owner}: 'on_suspicious_rows' must be 'fail' or 'drop', got {value!r}")
    if value == "drop":
        if not isinstance(cleaned_path, str | os.PathLike) or not str(cleaned_path).strip():
            raise ValueError(
                f"{owner}: 'cleaned_path' is needed with on_suspicious_rows='drop' (a .parquet or .csv path)"
            )
        if "{{" not in str(cleaned_path) and not str(cleaned_path).endswith((".parquet", ".csv")):
            raise ValueError(f"{owner}: 'cleaned_path' must end in .parquet or .csv, got {cleaned_path!r}")
        if not any(getattr(c, "id", None) and c.check_type not in WHOLE_BATCH for c in _integrity(checks)):
            raise ValueError(f"{owner}: on_suspicious_rows='drop' needs training-data checks with an 'id' column")
    return value


def _integrity(checks: Sequence[Check]) -> list[Check]:
    from airflow_dq.checks.integrity import TrainingDataCheck

    return [c for c in checks if isinstance(c, TrainingDataCheck)]


def drop_flagged(result: SuiteResult, checks: Sequence[Check], frame: Any, cleaned_path: str) -> dict[str, Any]:
    """Drop the flagged rows of the droppable failed checks; write the rest; mark them warn."""
    by_name = {c.name: c for c in _integrity(checks)}
    droppable = []
    for r in result.results:
        check = by_name.get(r.name)
        flagged = (r.observed or {}).get("flagged_ids") if isinstance(r.observed, dict) else None
        if (
            r.status is Status.FAIL
            and check is not None
            and check.check_type not in WHOLE_BATCH
            and check.id
            and flagged is not None
        ):
            droppable.append((r, check, flagged))
    ids_by_column: dict[str, set] = {}
    for _, check, flagged in droppable:
        ids_by_column.setdefault(check.id, set()).update(flagged)
    keep = None
    for column, ids in ids_by_column.items():
        mask = ~frame[column].isin(list(ids))
        keep = mask if keep is None else keep & mask
    cleaned = frame[keep] if keep is not None else frame
    dropped = len(frame) - len(cleaned)
    path = str(cleaned_path)
    if not path.strip() or not path.endswith((".parquet", ".csv")):  # as rendered
        raise ValueError(f"'cleaned_path' rendered to {path!r}: it must be a .parquet or .csv path")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if path.endswith(".csv"):
        cleaned.to_csv(path, index=False)
    else:
        cleaned.to_parquet(path, index=False)
    for r, _, flagged in droppable:
        r.status = Status.WARN
        r.message += f" - {len(flagged)} flagged rows dropped; cleaned copy at {path}"
    return {
        "cleaned_path": path,
        "dropped_rows": dropped,
        "kept_rows": len(cleaned),
        "resolved_checks": [r.name for r, _, _ in droppable],
    }
