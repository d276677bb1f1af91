"""Python checks -> a suite file: the arguments each check was built with, by name.

``load_suite(dump_suite(...))`` builds checks equal to the originals, because both sides
go through the same constructors with the same arguments.

.. code-block:: python

    from airflow_dq.checks import not_null, row_count
    from airflow_dq.suite_files import dump_suite

    print(dump_suite([row_count(min=1), not_null("user_id")], table="events"))
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from airflow_dq.checks.base import Check
from airflow_dq.suite_files import registry
from airflow_dq.suite_files.loader import VERSION
from airflow_dq.suite_files.values import to_file_value


def _is_default(spec: registry.Constructor, key: str, value: Any) -> bool:
    param = spec.parameter(key)
    return param is not None and not param.required and type(value) is type(param.default) and value == param.default


def check_entry(check: Check) -> dict[str, Any] | str:
    """``{"value_range": {"column": "amount", "min": 0}}``: one check as file data.

    Arguments left at their defaults are left out; a check with one argument, its first,
    is written short (``{"not_null": "user_id"}``), one without arguments as its name.
    """
    name = registry.name_of(check)
    spec = registry.constructor(name)
    assert spec is not None
    where = f"check '{check.name}'"
    arguments = {
        k: to_file_value(v, f"{where}: argument '{k}'")
        for k, v in registry.arguments_of(check).items()
        if not _is_default(spec, k, v)
    }
    if not arguments:
        return name
    first = spec.required[0] if spec.required else None
    if list(arguments) == [first] and not isinstance(arguments[first], dict):
        return {name: arguments[first]}
    return {name: arguments}


def suite_data(
    checks: Sequence[Check] | None = None,
    *,
    datasets: Sequence[dict[str, Any]] | None = None,
    **dataset: Any,
) -> dict[str, Any]:
    """A suite as plain data: one dataset (``checks`` and its keys) or several (``datasets``,
    each a dict of dataset keys with a list of check objects under ``checks``)."""
    if datasets is None:
        datasets = [{**dataset, "checks": list(checks or [])}]
    out = []
    for spec in datasets:
        entry = {k: v for k, v in spec.items() if k != "checks" and v is not None}
        entry["checks"] = [check_entry(c) for c in spec["checks"]]
        out.append(entry)
    return {"version": VERSION, "datasets": out}


def dump_suite(checks: Sequence[Check] | None = None, *, format: str = "yaml", **kwargs: Any) -> str:  # noqa: A002
    """The suite as YAML (default) or JSON text; TypeError for an argument no file can hold
    (a DataFrame or a callable reference)."""
    data = suite_data(checks, **kwargs)
    if format == "json":
        return json.dumps(data, indent=2, default=lambda v: v.isoformat()) + "\n"
    if format != "yaml":
        raise ValueError(f"format must be 'yaml' or 'json', got {format!r}")
    import yaml

    from airflow_dq.suite_files.reader import resolvers_1_2

    class Dumper(yaml.SafeDumper):
        pass

    # Quote what either YAML 1.1 or our 1.2 reading would take for a non-string ("NO", "1e3").
    for tag, regexp, first in resolvers_1_2():
        Dumper.add_implicit_resolver(tag, regexp, first)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
