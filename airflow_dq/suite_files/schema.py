"""The JSON Schema of suite files, derived from the check constructors' signatures.

The published copy ships in the package (``airflow_dq/suite_files/suite.schema.json``) for
editors and code generators; ``python -m airflow_dq.suite_files.schema --write`` rebuilds it
after a check is added (a test fails until it is rebuilt). Parse time does not use it: the
constructors validate there, with finer messages. ``airflow-dq validate`` runs both.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from airflow_dq.suite_files import registry
from airflow_dq.suite_files.loader import DATASET_KEYS, VERSION
from airflow_dq.suite_files.reader import Located, LocatedList
from airflow_dq.suite_files.values import DURATION_PATTERN, is_duration

SCHEMA_FILE = "suite.schema.json"
SCHEMA_ID = "urn:airflow-dq:suite-file:v1"
_DURATION = {
    "anyOf": [
        {"type": "string", "pattern": DURATION_PATTERN, "examples": ["6h", "90m", "1d12h"]},
        {
            "type": "object",
            "properties": {
                u: {"type": "number"} for u in ("weeks", "days", "hours", "minutes", "seconds", "milliseconds")
            },
            "additionalProperties": False,
        },
    ]
}
_PLAIN = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
}


def _split_union(annotation: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in annotation:
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def _type_schema(annotation: str) -> dict[str, Any]:
    """A JSON Schema for a Python annotation as written in the source; {} when unsure."""
    if is_duration(annotation):
        schema = dict(_DURATION)
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]} if "None" in _split_union(annotation) else schema
    options = []
    for part in _split_union(annotation):
        base, _, inner = part.partition("[")
        inner = inner[:-1] if inner.endswith("]") else inner
        if part == "None":
            options.append({"type": "null"})
        elif part in _PLAIN:
            options.append(_PLAIN[part])
        elif "datetime" in part or part.endswith("date"):
            options.append({"type": "string"})
        elif base.split(".")[-1] in ("Sequence", "Iterable", "list", "tuple", "Collection"):
            items = _type_schema(inner) if inner and inner != "Any" else {}
            options.append({"type": "array", **({"items": items} if items else {})})
        elif base.split(".")[-1] in ("Mapping", "dict"):
            options.append({"type": "object"})
        else:
            return {}  # Any, or a type a file cannot name: leave it to the constructor
    if len(options) == 1:
        return options[0]
    if all(list(o) == ["type"] for o in options):  # "float | None" -> one type list: clearer errors
        return {"type": [o["type"] for o in options]}
    return {"anyOf": options}


def _param_docs(target: Any) -> dict[str, str]:
    docs: dict[str, str] = {}
    for klass in getattr(target, "__mro__", (target,)):
        text = getattr(klass, "__doc__", None) or ""
        for match in re.finditer(r":param (\w+):\s*(.+?)(?=\n\s*:param |\n\s*\n|\Z)", text, re.S):
            docs.setdefault(match.group(1), " ".join(match.group(2).split()))
    return docs


def _check_schema(spec: registry.Constructor) -> dict[str, Any]:
    from airflow_dq.results import Severity

    docs = _param_docs(spec.build)
    properties = {}
    for param in spec.parameters:
        schema = _type_schema(param.annotation)
        if param.name == "severity":
            schema = {"enum": [str(s) for s in Severity]}
        if param.name in docs:
            schema = {**schema, "description": docs[param.name]}
        properties[param.name] = schema
    arguments: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": spec.open_ended}
    if spec.required:
        arguments["required"] = list(spec.required)
    forms = [arguments]
    if spec.parameters:
        first = spec.required[0] if spec.required else spec.parameters[0].name
        # ``not_null: user_id``: the first argument alone (never a mapping: that is the arguments).
        forms.append({"allOf": [properties[first], {"not": {"type": ["object", "null"]}}]})
    if not spec.required:
        forms.append({"type": "null"})
    summary = spec.doc.strip().split("\n\n")[0]
    return {"description": " ".join(summary.split()), "anyOf": forms}


def build_schema() -> dict[str, Any]:
    """The suite-file schema for the checks of ``airflow_dq.checks`` as installed."""
    constructors = registry.all_constructors()
    no_arguments = [c.name for c in constructors if not c.required]
    check = {
        "description": "One check: '<check name>: <arguments>' (a lone value is the first argument).",
        "oneOf": [
            {"type": "string", "enum": no_arguments},
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "properties": {c.name: {"$ref": f"#/$defs/checks/{c.name}"} for c in constructors},
                "additionalProperties": False,
            },
        ],
    }
    text = {"type": "string", "minLength": 1}
    dataset_props = {
        "name": {**text, "description": "The dataset's name in this file (default: its table)."},
        "description": text,
        "table": {**text, "description": "The table to check."},
        "schema": {**text, "description": "The table's schema (database namespace)."},
        "sql": {**text, "description": "A query whose result is checked, instead of a table."},
        "where": {**text, "description": "A SQL filter (raw SQL, rendered with Jinja by the operator)."},
        "conn_id": {**text, "description": "The Airflow connection (the operator's conn_id wins)."},
        "checks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/check"}},
    }
    assert set(dataset_props) == set(DATASET_KEYS)
    dataset = {
        "type": "object",
        "properties": dataset_props,
        "required": ["checks"],
        "additionalProperties": False,
        "not": {"required": ["table", "sql"]},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "airflow-dq suite file",
        "description": "Datasets and their data-quality checks for the airflow_dq provider (YAML or JSON).",
        "type": "object",
        "properties": {
            "version": {"const": VERSION},
            "datasets": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/dataset"}},
            **dataset_props,
        },
        "additionalProperties": False,
        "not": {"required": ["table", "sql"]},
        # Several datasets under 'datasets', or one dataset's keys at the top.
        "if": {"required": ["datasets"]},
        "then": {"not": {"anyOf": [{"required": [k]} for k in ("table", "schema", "sql", "checks", "name")]}},
        "else": {"required": ["checks"]},
        "$defs": {
            "dataset": dataset,
            "check": check,
            "checks": {c.name: _check_schema(c) for c in constructors},
        },
    }


def published_schema() -> dict[str, Any]:
    """The schema shipped with the package."""
    return json.loads(resources.files("airflow_dq.suite_files").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _line(data: Any, path: list[Any]) -> int | None:
    line, node = getattr(data, "line", None), data
    for step in path:
        if isinstance(node, Located) or (isinstance(node, LocatedList) and isinstance(step, int)):
            line = node.line_of(step) or line
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", None) or line
    return line


def schema_problems(data: Any, schema: dict[str, Any] | None = None) -> list[tuple[int | None, str]]:
    """(line, problem) for each place where file content breaks the schema (published by default)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema or published_schema())
    problems = []
    for error in sorted(validator.iter_errors(_jsonable(data)), key=lambda e: list(map(str, e.absolute_path))):
        # The deepest matching branch says the most (not "is not valid under any of the given schemas").
        best = jsonschema.exceptions.best_match([error]) or error
        where = "/".join(map(str, best.absolute_path)) or "(top)"
        problems.append((_line(data, list(best.absolute_path)), f"at {where}: {best.message}"))
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = json.dumps(build_schema(), indent=2) + "\n"
    if argv == ["--write"]:
        target = Path(__file__).with_name(SCHEMA_FILE)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
