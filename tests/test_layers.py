"""The package's layers import downwards only (docs/architecture.md):

    operators / sensors / decorators / ui / cli      (Airflow)
    suite.py, dataframes.py                          (run checks on a dataset)
    checks/                                          (declare metrics, judge values)
    engines/                                         (measure metrics: SQL, pandas)
    metrics/, stats/, results.py, sql_fragments.py   (what to measure, pure statistics)

An upward import (an engine importing checks/ or the suite, metrics importing an engine)
fails this test, naming the module and what it imported; function-level imports count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import airflow_dq

ROOT = Path(airflow_dq.__file__).parent
ABOVE_ENGINES = ("checks", "suite", "dataframes", "dataframe_support", "operators", "sensors", "decorators", "ui")
BANNED = {
    "metrics": ("engines", *ABOVE_ENGINES, "store", "triggers"),
    "stats": ("engines", *ABOVE_ENGINES),
    "engines": ABOVE_ENGINES,
    "checks": ("suite", "dataframes", "operators", "sensors", "decorators", "ui"),
}
# The one deliberate exception: a lazy alias (resolved on attribute access, never at import)
# that keeps ``from airflow_dq.engines.pandas import check_dataframe`` working.
ALLOWED = {("engines/pandas/__init__.py", "airflow_dq.dataframes")}


def _imports(path: Path) -> Iterator[str]:
    module = path.relative_to(ROOT.parent).with_suffix("").parts
    package = module[:-1]  # the package the file is in (for an __init__.py: its own)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                yield ".".join(base + ([node.module] if node.module else []))
            elif node.module:
                yield node.module


def _upward_imports() -> list[str]:
    found = []
    for layer, banned in BANNED.items():
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            for name in _imports(path):
                for above in banned:
                    if (name == f"airflow_dq.{above}" or name.startswith(f"airflow_dq.{above}.")) and (
                        relative,
                        name,
                    ) not in ALLOWED:
                        found.append(f"{relative} imports {name}")
    return found


def test_no_layer_imports_one_above_it() -> None:
    assert _upward_imports() == []


def test_the_check_finds_an_upward_import(tmp_path: Path, monkeypatch) -> None:
    # The test itself must be able to fail: a module that imports upwards is reported.
    fake = tmp_path / "airflow_dq"
    (fake / "engines").mkdir(parents=True)
    (fake / "engines" / "bad.py").write_text("def f():\n    from airflow_dq.suite import run_checks\n")
    (fake / "engines" / "relative.py").write_text("from ..checks import base\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", fake)
    assert sorted(_upward_imports()) == [
        "engines/bad.py imports airflow_dq.suite",
        "engines/relative.py imports airflow_dq.checks",
    ]
