"""Suite files -> datasets and their checks, built by the public check constructors.

A suite file holds one dataset or several::

    version: 1
    datasets:
      - table: events
        where: "event_date = '{{ ds }}'"
        checks:
          - row_count: {min: 1000}
          - not_null: user_id                    # the first argument, written alone
          - value_range: {column: amount, min: 0, max: 10000, mostly: 0.999}
          - freshness: {column: loaded_at, max_age: 6h, severity: warn}

or, for one dataset, the dataset's keys at the top (``table: events`` next to ``checks:``).
Each check is ``<constructor name>: <arguments>``, with the names and arguments of
``airflow_dq.checks``; the constructor itself validates them, so a file and a DAG written in
Python reject the same mistakes, with the file's name and line added to the message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from airflow_dq.checks.base import Check
from airflow_dq.suite_files import registry
from airflow_dq.suite_files.reader import Located, LocatedList, SuiteFileError, line_of, read_file
from airflow_dq.suite_files.values import to_argument

VERSION = 1
DATASET_KEYS = ("name", "description", "table", "schema", "sql", "where", "conn_id", "checks")
TOP_KEYS = ("version", "description", "datasets", *DATASET_KEYS)
_STRING_KEYS = ("name", "description", "table", "schema", "sql", "where", "conn_id")
_ARGUMENT = r"argument '(\w+)'"  # in a constructor's error message


class DatasetSpec:
    """One dataset of a suite file: where its data is, and its checks."""

    # A plain class: dataclass generation would cost more than parsing the file (parse time).
    def __init__(
        self,
        name: str,
        checks: list[Check],
        table: str | None = None,
        schema: str | None = None,
        sql: str | None = None,
        where: str | None = None,
        conn_id: str | None = None,
        line: int | None = None,
    ) -> None:
        self.name, self.checks, self.table, self.schema, self.sql = name, checks, table, schema, sql
        self.where, self.conn_id, self.line = where, conn_id, line

    def __repr__(self) -> str:
        source = f"table={self.table!r}" if self.table else f"sql={self.sql!r}"
        return f"DatasetSpec({self.name!r}, {source}, {len(self.checks)} checks)"


class SuiteFile:
    def __init__(self, path: str, datasets: list[DatasetSpec]) -> None:
        self.path, self.datasets = path, datasets

    def __repr__(self) -> str:
        return f"SuiteFile({self.path!r}, {[d.name for d in self.datasets]})"

    def dataset(self, name: str | None = None, *, owner: str = "suite") -> DatasetSpec:
        """The dataset called ``name`` (or whose table is ``name``); the only one when None."""
        if name is None:
            if len(self.datasets) == 1:
                return self.datasets[0]
            names = [d.name for d in self.datasets]
            raise SuiteFileError(self.path, None, f"holds {len(names)} datasets {names}; {owner} must say which one")
        for spec in self.datasets:
            if name in (spec.name, spec.table):
                return spec
        names = [d.name for d in self.datasets]
        raise SuiteFileError(self.path, None, f"has no dataset named {name!r}; it has {names}")


def _fail(path: str, line: int | None, problem: str, **kw: Any) -> SuiteFileError:
    return SuiteFileError(path, line, problem, **kw)


def _close(word: str, choices: Any, n: int = 1) -> list[str]:
    import difflib  # only when there is a mistake to explain

    return difflib.get_close_matches(word, list(choices), n=n)


def _key_line(data: Any, key: Any) -> int | None:
    return data.line_of(key) if isinstance(data, Located) else None


def _item_line(items: Any, index: int) -> int | None:
    return items.line_of(index) if isinstance(items, LocatedList) else None


def _unknown_key(path: str, data: Located, key: Any, allowed: tuple[str, ...], what: str) -> SuiteFileError:
    close = _close(str(key), allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return _fail(path, _key_line(data, key), f"{what} has an unknown key {key!r}{hint}; use {', '.join(allowed)}")


def build_check(path: str, name: Any, args: Any, line: int | None) -> list[Check]:
    """Call the constructor ``name`` with ``args`` from the file; errors name file, line, check, argument."""
    if not isinstance(name, str):
        raise _fail(path, line, f"a check is named {name!r}; write '- <check name>: <arguments>'")
    spec = registry.constructor(name)
    if spec is None:
        names = registry.check_names()
        close = _close(name, names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise _fail(path, line, f"unknown check '{name}'{hint}; the checks are {', '.join(names)}", check=name)
    if args is None:
        given: dict[str, Any] = {}
    elif isinstance(args, dict):
        given = dict(args)
    elif spec.parameters:
        # ``not_null: user_id``: a lone value is the first argument (``unique: [a, b]`` too).
        first = spec.required[0] if spec.required else spec.parameters[0].name
        given = {first: args}
    else:
        raise _fail(path, line, f"check '{name}' takes no arguments, got {args!r}", check=name)
    lines = args
    for key in given:
        if not isinstance(key, str) or (spec.parameter(key) is None and not spec.open_ended):
            allowed = [p.name for p in spec.parameters]
            close = _close(str(key), allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise _fail(
                path,
                _key_line(lines, key) or line,
                f"check '{name}' has no argument '{key}'{hint}; its arguments are {', '.join(allowed)}",
                check=name,
                argument=str(key),
            )
    missing = [p for p in spec.required if p not in given]
    if missing:
        raise _fail(path, line, f"check '{name}': argument '{missing[0]}' is missing", check=name, argument=missing[0])
    kwargs = {}
    for key, value in given.items():
        param = spec.parameter(key)
        try:
            kwargs[key] = to_argument(value, param.annotation if param else "Any")
        except ValueError as err:
            where = _key_line(lines, key) or line
            raise _fail(path, where, f"check '{name}': argument '{key}' {err}", check=name, argument=key) from None
    try:
        built = spec.build(**kwargs)
    except (ValueError, TypeError) as err:
        match = re.search(_ARGUMENT, str(err))
        argument = match.group(1) if match else None
        where = (_key_line(lines, argument) if argument in given else None) or line
        raise _fail(path, where, str(err), check=name, argument=argument) from None
    return list(built) if isinstance(built, list | tuple) else [built]


def _checks(path: str, items: Any, line: int | None) -> list[Check]:
    if not isinstance(items, list) or not items:
        raise _fail(path, line, "'checks' must be a non-empty list of checks ('- not_null: user_id')")
    out: list[Check] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(items):
        at = _item_line(items, index) or line
        if isinstance(item, str):
            built = build_check(path, item, None, at)
        elif isinstance(item, dict) and len(item) == 1:
            ((name, args),) = item.items()
            built = build_check(path, name, args, at)
        else:
            raise _fail(
                path,
                at,
                f"check #{index + 1} must be one '<check name>: <arguments>' pair, got {dict(item) if isinstance(item, dict) else item!r}",
            )
        for check in built:
            if check.name in seen:
                first = f" (the first is on line {seen[check.name]})" if seen[check.name] else ""
                raise _fail(
                    path,
                    at,
                    f"two checks are named '{check.name}'{first}; give one of them name: ...",
                    check=check.name,
                )
            seen[check.name] = at
        out += built
    return out


def _dataset(path: str, data: Any, index: int, defaults: dict[str, Any], line: int | None) -> DatasetSpec:
    if not isinstance(data, dict):
        raise _fail(path, line, f"dataset #{index + 1} must be a mapping with 'checks' (and 'table' or 'sql')")
    for key in data:
        if key not in DATASET_KEYS:
            raise _unknown_key(path, data, key, DATASET_KEYS, f"dataset #{index + 1}")
    for key in _STRING_KEYS:
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise _fail(path, _key_line(data, key), f"'{key}' must be a non-empty string, got {value!r}")
    if "table" in data and "sql" in data:
        raise _fail(path, _key_line(data, "sql"), "a dataset gives 'table' or 'sql', not both")
    if "checks" not in data:
        raise _fail(path, line_of(data, line), f"dataset #{index + 1} has no 'checks'")
    table, sql = data.get("table"), data.get("sql")
    return DatasetSpec(
        name=data.get("name") or table or f"dataset {index + 1}",
        checks=_checks(path, data["checks"], _key_line(data, "checks")),
        table=table,
        schema=data.get("schema"),
        sql=sql,
        where=data.get("where", defaults.get("where")),
        conn_id=data.get("conn_id", defaults.get("conn_id")),
        line=line_of(data, line),
    )


def suite_from_data(data: Any, path: str | Path = "<suite>") -> SuiteFile:
    """Datasets and checks from parsed file content (``reader.parse_text``)."""
    path = str(path)
    if not isinstance(data, dict):
        raise _fail(path, line_of(data), "must be a mapping with 'checks' or 'datasets' at the top")
    for key in data:
        if key not in TOP_KEYS:
            raise _unknown_key(path, data, key, TOP_KEYS, "the file")
    version = data.get("version", VERSION)
    if version != VERSION:
        raise _fail(path, _key_line(data, "version"), f"'version' must be {VERSION}, got {version!r}")
    if "datasets" in data:
        stray = [k for k in data if k in DATASET_KEYS and k not in ("conn_id", "where", "description")]
        if stray:
            raise _fail(
                path, _key_line(data, stray[0]), f"'{stray[0]}' belongs inside a dataset when 'datasets' is given"
            )
        datasets = data["datasets"]
        if not isinstance(datasets, list) or not datasets:
            raise _fail(path, _key_line(data, "datasets"), "'datasets' must be a non-empty list")
        defaults = {k: data[k] for k in ("conn_id", "where") if k in data}
        specs = [_dataset(path, d, i, defaults, _item_line(datasets, i)) for i, d in enumerate(datasets)]
    else:
        single = Located({k: v for k, v in data.items() if k not in ("version",)})
        single.line, single.key_lines = line_of(data), getattr(data, "key_lines", {})
        specs = [_dataset(path, single, 0, {}, line_of(data))]
    names = [s.name for s in specs]
    for name in names:
        if names.count(name) > 1:
            raise _fail(path, None, f"two datasets are named {name!r}; give one of them name: ...")
    return SuiteFile(path=path, datasets=specs)


def load_suite(path: str | Path) -> SuiteFile:
    """Read, validate and build a suite file (``.yml``, ``.yaml`` or ``.json``)."""
    return suite_from_data(read_file(path), path)
