"""Read a YAML or JSON suite file into plain data that remembers its line numbers.

PyYAML is imported here, on first use: a DAG without a suite file never loads it. The
loader resolves scalars the YAML 1.2 way (``true``/``false`` only, so a country code ``NO``
stays a string; ``1e-3`` is a number) and refuses duplicate keys, which YAML 1.1 would
silently drop.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


class SuiteFileError(ValueError):
    """A suite file that cannot be used; the message names the file, line, check and argument."""

    def __init__(
        self,
        path: str | Path,
        line: int | None,
        problem: str,
        *,
        check: str | None = None,
        argument: str | None = None,
        owner: str | None = None,
    ) -> None:
        self.path, self.line, self.problem, self.check, self.argument = str(path), line, problem, check, argument
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{owner + ': ' if owner else ''}suite file {where}: {problem}")


class Located(dict):
    """A mapping from the file, with the line of the mapping and of each of its keys."""

    line: int | None = None
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int | None:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LocatedList(list):
    """A list from the file, with the line of each item."""

    line: int | None = None
    item_lines: list[int]

    def line_of(self, index: int) -> int | None:
        lines = getattr(self, "item_lines", [])
        return lines[index] if index < len(lines) else self.line


def line_of(value: Any, default: int | None = None) -> int | None:
    return getattr(value, "line", None) or default


# YAML 1.2 core schema for booleans and numbers (YAML 1.1 reads "no" as False, "010" as 8).
# Compiled on first use: parsing a DAG file without a suite should not pay for it.
_RESOLVERS_1_2 = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F]+|0o[0-7]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
)


def resolvers_1_2() -> list[tuple[str, re.Pattern[str], list[str]]]:
    """(tag, pattern, first characters) for ``add_implicit_resolver``."""
    return [(tag, re.compile(pattern), list(first)) for tag, pattern, first in _RESOLVERS_1_2]


def _loader_class() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed

    class SuiteLoader(base):  # type: ignore[misc, valid-type]
        pass

    SuiteLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag.rsplit(":", 1)[-1] not in ("bool", "int", "float")]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    for tag, regexp, first in resolvers_1_2():
        SuiteLoader.add_implicit_resolver(tag, regexp, first)

    def construct_int(loader: Any, node: Any) -> int:
        text = loader.construct_scalar(node).replace("_", "")
        return int(text, 0) if text[:2] in ("0x", "0o") else int(text)

    def construct_map(loader: Any, node: Any) -> Any:
        data = Located()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise SuiteFileError(
                    loader.name, key_node.start_mark.line + 1, f"the key {key!r} is not a name"
                ) from None
            if key in data.key_lines:
                raise SuiteFileError(
                    loader.name,
                    key_node.start_mark.line + 1,
                    f"the key {key!r} is given twice (first on line {data.key_lines[key]})",
                )
            data.key_lines[key] = key_node.start_mark.line + 1
            data[key] = loader.construct_object(value_node, deep=True)

    def construct_seq(loader: Any, node: Any) -> Any:
        data = LocatedList()
        data.line = node.start_mark.line + 1
        data.item_lines = [item.start_mark.line + 1 for item in node.value]
        yield data
        data.extend(loader.construct_object(item, deep=True) for item in node.value)

    SuiteLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    SuiteLoader.add_constructor("tag:yaml.org,2002:map", construct_map)
    SuiteLoader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    return SuiteLoader


_LOADER: type | None = None


def parse_text(text: str, path: str | Path, *, json_file: bool | None = None) -> Any:
    """The file's content as Located/LocatedList/scalars; SuiteFileError on a syntax error."""
    global _LOADER
    import yaml

    if json_file is None:
        json_file = str(path).lower().endswith(".json")
    if json_file:
        try:  # JSON's own rules first (YAML would accept things JSON does not)
            plain = json.loads(text)
        except json.JSONDecodeError as err:
            raise SuiteFileError(path, err.lineno, f"is not valid JSON: {err.msg} (column {err.colno})") from None
    if _LOADER is None:
        _LOADER = _loader_class()
    loader = _LOADER(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except SuiteFileError:
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        if json_file:  # valid JSON that this YAML reader cannot follow: keep the data, lose the lines
            return plain
        raise SuiteFileError(path, line, f"is not valid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        if json_file:
            return plain
        raise SuiteFileError(path, None, f"is not valid YAML: {err}") from None
    finally:
        loader.dispose()


def read_file(path: str | Path) -> Any:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteFileError(path, None, "does not exist") from None
    except OSError as err:
        raise SuiteFileError(path, None, f"cannot be read: {err.strerror or err}") from None
    return parse_text(text, path)
