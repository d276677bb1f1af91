"""What ``import airflow_dq.operators`` costs a DAG file, on top of ``import airflow.sdk``.

Every DAG file is parsed again and again by the DAG processor, so the import must stay
cheap and must not pull pandas, scipy or SQLAlchemy. Each measurement runs in a fresh
interpreter (nothing cached in ``sys.modules``); the median of several runs is reported.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass

HEAVY = ("pandas", "scipy", "numpy", "sqlalchemy", "pyarrow")

_PROBE = f"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import airflow.sdk
t1, c1 = time.perf_counter(), time.process_time()
before = set(sys.modules)
import airflow_dq.operators
t2, c2 = time.perf_counter(), time.process_time()
heavy = {HEAVY!r}
print(json.dumps({{
    "sdk": t1 - t0,
    "ours": t2 - t1,
    "sdk_cpu": c1 - c0,
    "ours_cpu": c2 - c1,
    "added": len(set(sys.modules) - before),
    "heavy_before": [m for m in heavy if m in before],
    "heavy_added": [m for m in heavy if m in sys.modules and m not in before],
}}))
"""

# The core (checks, suite) must not need Airflow or any heavy library at import time either.
_CORE_PROBE = f"""
import json, sys
import airflow_dq.checks, airflow_dq.suite
print(json.dumps([m for m in {(*HEAVY, "airflow")!r} if m in sys.modules]))
"""


@dataclass
class ImportCost:
    sdk_seconds: float
    ours_seconds: float
    sdk_cpu_seconds: float  # CPU time: steadier than wall time on a busy machine
    ours_cpu_seconds: float
    modules_added: int
    heavy_from_sdk: list[str]
    heavy_from_ours: list[str]
    heavy_from_core: list[str]


def _run(code: str) -> object:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(runs: int = 7) -> ImportCost:
    """Median import times over ``runs`` fresh interpreters."""
    probes = [_run(_PROBE) for _ in range(runs)]
    return ImportCost(
        sdk_seconds=statistics.median(p["sdk"] for p in probes),
        ours_seconds=statistics.median(p["ours"] for p in probes),
        sdk_cpu_seconds=statistics.median(p["sdk_cpu"] for p in probes),
        ours_cpu_seconds=statistics.median(p["ours_cpu"] for p in probes),
        modules_added=probes[-1]["added"],
        heavy_from_sdk=probes[-1]["heavy_before"],
        heavy_from_ours=sorted({m for p in probes for m in p["heavy_added"]}),
        heavy_from_core=_run(_CORE_PROBE),
    )


def report(cost: ImportCost, target_ms: float = 50.0) -> bool:
    """Print the import cost; return False if airflow_dq pulls a heavy library (a defect)."""
    ours_ms = cost.ours_seconds * 1000
    # Judged on CPU time: on a shared machine wall time mostly measures the other jobs.
    ours_cpu_ms = cost.ours_cpu_seconds * 1000
    print(
        f"import airflow.sdk                       {cost.sdk_seconds * 1000:8.1f} ms wall "
        f"{cost.sdk_cpu_seconds * 1000:8.1f} ms CPU  (median, fresh interpreters)"
    )
    print(
        f"import airflow_dq.operators on top of it  {ours_ms:8.1f} ms wall "
        f"{cost.ours_cpu_seconds * 1000:8.1f} ms CPU  (+{cost.modules_added} modules; "
        f"target < {target_ms:.0f} ms CPU: {'met' if ours_cpu_ms < target_ms else 'NOT met'})"
    )
    if cost.heavy_from_sdk:
        print(f"  already imported by airflow.sdk itself: {', '.join(cost.heavy_from_sdk)}")
    ok = not cost.heavy_from_ours and not cost.heavy_from_core
    print(
        f"  heavy modules added by airflow_dq.operators: {', '.join(cost.heavy_from_ours) or 'none'}; "
        f"by airflow_dq.checks + suite without Airflow: {', '.join(cost.heavy_from_core) or 'none'}"
    )
    return ok
