"""``suite=`` on the operators and ``@task.dq``: find the file, load it while the DAG is parsed.

A relative path is read from the folder of the DAG file, so a suite can sit next to the
DAG that uses it. A broken file fails the DAG import; the message starts with the task and
then names the file, the line, the check and the argument.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_dq.checks.base import Check

if TYPE_CHECKING:  # the loader (and PyYAML) is imported only when a task names a suite file
    from airflow_dq.suite_files.loader import DatasetSpec

_OWN_CODE = (str(Path(__file__).resolve().parents[1]), f"{Path('airflow', 'sdk')}", f"{Path('airflow', 'providers')}")


def _caller_folder() -> Path:
    """The folder of the first calling file that is not Airflow or this provider."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith("<") and not any(part in filename for part in _OWN_CODE):
            return Path(filename).resolve().parent
        frame = frame.f_back
    return Path.cwd()


def suite_path(suite: str | Path, task: Any = None) -> Path:
    """``suite`` as a path: absolute, or relative to the folder of the task's DAG file."""
    path = Path(suite).expanduser()
    if path.is_absolute():
        return path
    dag = task.get_dag() if task is not None and hasattr(task, "get_dag") else None
    fileloc = getattr(dag, "fileloc", None)
    base = Path(fileloc).resolve().parent if fileloc else _caller_folder()
    return base / path


def dataset_for_task(
    owner: str, suite: Any, task: Any, *, dataset: str | None = None, table: str | None = None
) -> DatasetSpec:
    """Load ``suite`` for a task and pick its dataset: ``dataset`` by name, else the only one,
    else the one whose table is ``table``."""
    if not isinstance(suite, str | Path) or not str(suite).strip():
        raise ValueError(f"{owner}: 'suite' must be the path of a YAML or JSON suite file, got {suite!r}")
    from airflow_dq.suite_files.loader import load_suite
    from airflow_dq.suite_files.reader import SuiteFileError

    path = suite_path(suite, task)
    try:
        loaded = load_suite(path)
        if dataset is None and table is not None and len(loaded.datasets) > 1:
            dataset = table
        return loaded.dataset(dataset, owner=f"{owner} (with dataset=...)")
    except SuiteFileError as err:
        raise SuiteFileError(
            err.path, err.line, err.problem, check=err.check, argument=err.argument, owner=owner
        ) from None


def merged_checks(spec: DatasetSpec, checks: Sequence[Check] | Check | None) -> list[Check]:
    """The suite's checks, then any given in Python next to it."""
    if checks is None:
        return list(spec.checks)
    extra = [checks] if isinstance(checks, Check) else list(checks)
    return [*spec.checks, *extra]


def is_templated(suite: Any) -> bool:
    return isinstance(suite, str) and ("{{" in suite or "{%" in suite)


class SuiteFromTemplate:
    """Operator mixin: a ``suite`` path with Jinja (``"suites/{{ params.table }}.yml"``) is
    loaded once it is rendered, when the task runs; its errors then fail the task, with the
    same message a broken file gives at parse time. Each operator says, in ``use_suite``,
    how a loaded dataset becomes its checks (and, for SQL, its table)."""

    _suite_template: str | None = None
    _suite_dataset: str | None = None

    def use_suite(self, spec: DatasetSpec) -> None:  # pragma: no cover - each operator defines it
        raise NotImplementedError

    def render_template_fields(self, context: Any, jinja_env: Any = None) -> None:
        if self._suite_template is not None:
            env = jinja_env or self.get_template_env()  # type: ignore[attr-defined]
            path = self.render_template(self._suite_template, context, env)  # type: ignore[attr-defined]
            owner = f"{type(self).__name__} '{self.task_id}'"  # type: ignore[attr-defined]
            table = getattr(self, "table", None)  # a SQL task's table picks one of several datasets
            self.use_suite(dataset_for_task(owner, path, self, dataset=self._suite_dataset, table=table))
        super().render_template_fields(context, jinja_env)  # type: ignore[misc]
