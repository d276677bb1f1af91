"""Values a suite file cannot spell the Python way: durations, and plain data out of YAML."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

from airflow_dq.suite_files.reader import Located, LocatedList

_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_PART = r"(\d+(?:\.\d+)?)\s*(ms|w|d|h|m|s)"  # compiled (and cached by re) on first use
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?\s*(ms|w|d|h|m|s)\s*)+$"


def parse_duration(text: str) -> dt.timedelta:
    """``"6h"``, ``"1d12h"``, ``"90m"``, ``"30s"``, ``"2w"`` -> a timedelta; ValueError otherwise."""
    parts = re.findall(_PART, text)  # one pattern compiled, not two: this runs at DAG parse time
    if not parts or "".join(n + u for n, u in parts) != "".join(text.split()):
        raise ValueError(f"{text!r} is not a duration such as '6h', '90m', '1d12h' or '30s'")
    return dt.timedelta(seconds=sum(float(n) * _UNITS[u] for n, u in parts))


def format_duration(value: dt.timedelta) -> str:
    """The shortest ``parse_duration`` spelling of a timedelta (``timedelta(hours=36)`` -> ``"1d12h"``)."""
    micro = value // dt.timedelta(microseconds=1)
    if micro % 1000:
        return f"{value.total_seconds()!r}s"
    millis, out = micro // 1000, []
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        count, millis = divmod(millis, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"


def is_duration(annotation: str) -> bool:
    return "timedelta" in annotation


def to_argument(value: Any, annotation: str) -> Any:
    """A value from the file as the constructor expects it (durations parsed, plain containers)."""
    if is_duration(annotation):
        if isinstance(value, str):
            return parse_duration(value)
        if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
            try:
                return dt.timedelta(**value)
            except TypeError as err:
                raise ValueError(f"{dict(value)!r} is not a duration ({err})") from None
    return plain(value)


def plain(value: Any) -> Any:
    """Located containers as the plain dicts and lists a DAG author would write."""
    if isinstance(value, Located | dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, LocatedList | list):
        return [plain(v) for v in value]
    return value


def to_file_value(value: Any, where: str) -> Any:
    """A constructor argument as YAML/JSON data; TypeError for what a file cannot hold."""
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str | dt.datetime | dt.date):
        return value
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, list | tuple):
        return [to_file_value(v, where) for v in value]
    if isinstance(value, dict):
        return {to_file_value(k, where): to_file_value(v, where) for k, v in value.items()}
    raise TypeError(f"{where} is {type(value).__name__} {value!r:.60}, which a suite file cannot hold")
