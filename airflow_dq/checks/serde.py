"""Checks as plain JSON data, so a deferrable sensor's trigger can carry them.

A trigger is stored in Airflow's database as a classpath plus JSON kwargs and rebuilt in
the triggerer, so the (already rendered) checks travel as ``{"class": ..., "state": ...}``.
Check state is plain values (strings, numbers, tuples, datetimes, timedeltas); anything
else is refused when the sensor is built, not when the triggerer reads it.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
from typing import Any

from airflow_dq.checks.base import Check


def _encode(value: Any, where: str) -> Any:
    if (
        value is None
        or isinstance(value, bool | int | float)
        or (isinstance(value, str) and not isinstance(value, enum.Enum))
    ):
        return value
    if isinstance(value, enum.Enum):
        return {"__enum__": f"{type(value).__module__}.{type(value).__qualname__}", "value": value.value}
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"__timedelta__": value.total_seconds()}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k, where), _encode(v, where)] for k, v in value.items()]}
    raise TypeError(f"{where} holds {value!r} ({type(value).__name__}), which cannot be sent to the triggerer")


def _import(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__datetime__" in value:
        return dt.datetime.fromisoformat(value["__datetime__"])
    if "__date__" in value:
        return dt.date.fromisoformat(value["__date__"])
    if "__timedelta__" in value:
        return dt.timedelta(seconds=value["__timedelta__"])
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if "__dict__" in value:
        return {_decode(k): _decode(v) for k, v in value["__dict__"]}
    if "__enum__" in value:
        cls = _import(value["__enum__"])
        if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
            raise TypeError(f"{value['__enum__']} is not an enum")
        return cls(value["value"])
    raise ValueError(f"cannot decode {value!r}")


def check_to_spec(check: Check) -> dict[str, Any]:
    """A check's class and state as JSON-safe data; raises TypeError if it cannot travel."""
    cls = type(check)
    where = f"check '{check.name}'"
    return {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        # ``_given`` (the constructor's arguments, for writing suite files) stays behind: the
        # triggerer only judges, and those arguments may hold values that cannot travel.
        "state": {k: _encode(v, f"{where} (attribute {k!r})") for k, v in vars(check).items() if k != "_given"},
    }


def check_from_spec(spec: dict[str, Any]) -> Check:
    """Rebuild a check from ``check_to_spec`` output (without re-running its constructor)."""
    cls = _import(spec["class"])
    if not (isinstance(cls, type) and issubclass(cls, Check)):
        raise TypeError(f"{spec['class']} is not a data-quality check")
    check = cls.__new__(cls)
    vars(check).update({k: _decode(v) for k, v in spec["state"].items()})
    check._given = None  # rebuilt from state: its constructor arguments are not known here
    return check
