"""A plain-text results table for the Airflow task log (and the CLI)."""

from __future__ import annotations

import json
from typing import Any

from airflow_dq.results import CheckResult, Status, SuiteResult, to_jsonable

_MAX_CELL = 48


def _cell(value: Any) -> str:
    value = to_jsonable(value)
    if isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, default=str)
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def results_table(suite: SuiteResult) -> str:
    """The suite as an aligned table, failures first, then the failing rows of each."""
    order = {Status.ERROR: 0, Status.FAIL: 1, Status.WARN: 2, Status.LEARNING: 3, Status.PASS: 4}
    results = sorted(suite.results, key=lambda r: order.get(r.status, 0))
    header = ("STATUS", "SEVERITY", "CHECK", "OBSERVED", "EXPECTED")
    rows = [(r.status.upper(), str(r.severity), _cell(r.name), _cell(r.observed), _cell(r.expected)) for r in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()  # noqa: E731
    counted = dict(suite.statements)
    extra = counted.pop("extra_scans", 0)
    statements = ", ".join(f"{n} {kind}" for kind, n in sorted(counted.items()))
    if extra:  # a suite wider than the database's SELECT list read the table more than once
        statements += (
            f"; {extra} extra scan{'s' if extra > 1 else ''}: the aggregate was split to fit the SELECT-list limit"
        )
    out = [
        f"Data quality: {suite.summary()} ({suite.duration_seconds:.2f} s; statements: {statements})",
        line(header),
        line(tuple("-" * w for w in widths)),
        *(line(row) for row in rows),
    ]
    for result in results:
        if result.status is not Status.PASS:
            out.append(_details(result))
    return "\n".join(out)


def _details(result: CheckResult) -> str:
    lines = [f"[{result.status.upper()}] {result.name}: {result.message}"]
    for row in result.failing_rows:
        lines.append("    " + json.dumps(to_jsonable(row), default=str))
    return "\n".join(lines)
