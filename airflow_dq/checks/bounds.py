"""Bounds (``min``/``max`` with ``strict_min``/``strict_max``): validated, templated, compared.

One place for what every check with bounds shares:

- at DAG parse time, a bound is a number (or, where the check allows it, a date, a
  timestamp or text), or a Jinja template, which is only checked once rendered;
- at run time, a bound is read in the type of the column it is compared with: a rendered
  ``"{{ data_interval_start }}"`` becomes a datetime for a timestamp column, ``"10"`` a
  number for a numeric one, and ``"ten"`` on a numeric column is an error naming the check
  and the argument;
- floating metrics are compared with a small relative tolerance (``REL_TOL``), the same on
  every engine, so a bound set exactly at a value does not pass on one engine and fail on
  another because of the last digit (PostgreSQL's ``stddev_samp`` vs SQLite's sums).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
from typing import Any

# Relative tolerance of float comparisons: far above the ~1e-16 rounding of one operation
# and the ~1e-12 of sums over millions of rows, far below any meaningful threshold.
REL_TOL = 1e-9

NUMERIC_FAMILIES = ("integer", "float", "decimal")


def is_template(value: Any) -> bool:
    """A Jinja template, rendered by the operator before the run (checked then)."""
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real | decimal.Decimal) and not isinstance(value, bool)


def _tolerance(value: Any, bound: Any) -> float:
    if not (is_number(value) and is_number(bound)):
        return 0.0
    if not (isinstance(value, float) or isinstance(bound, float)):
        return 0.0  # integers and decimals compare exactly
    return REL_TOL * max(abs(float(value)), abs(float(bound)))


def above(value: Any, low: Any, *, strict: bool = False) -> bool:
    """``value >= low`` (``>`` when strict), within the float tolerance."""
    tol = _tolerance(value, low)
    if tol:
        return float(value) - float(low) > tol if strict else float(value) - float(low) >= -tol
    return value > low if strict else value >= low


def below(value: Any, high: Any, *, strict: bool = False) -> bool:
    """``value <= high`` (``<`` when strict), within the float tolerance."""
    tol = _tolerance(value, high)
    if tol:
        return float(high) - float(value) > tol if strict else float(high) - float(value) >= -tol
    return value < high if strict else value <= high


def within(value: Any, low: Any, high: Any, *, strict_low: bool = False, strict_high: bool = False) -> bool:
    """Whether ``value`` lies in the bounds (``None`` means unbounded on that side)."""
    if isinstance(value, float) and math.isnan(value):
        return False
    return (low is None or above(value, low, strict=strict_low)) and (
        high is None or below(value, high, strict=strict_high)
    )


def _parse_number(text: str) -> int | float:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        return float(stripped)  # ValueError for "ten"


def _parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


def read_bound(value: Any, family: str) -> Any:
    """``value`` (rendered) in the type of a column of ``family``; ValueError if it cannot be.

    ``family`` is a schema type family; ``"number"`` is what count and statistic checks
    compare with (their metric is a number whatever the column).
    """
    if value is None:
        return None
    if is_template(value):
        raise ValueError(f"is the template {value!r}, which was not rendered (is the check run by an operator?)")
    if family in (*NUMERIC_FAMILIES, "boolean", "number"):
        if is_number(value):
            return value
        if isinstance(value, str):
            try:
                return _parse_number(value)
            except ValueError:
                pass
        kind = "the metric" if family == "number" else f"the {family} column"
        raise ValueError(f"is {value!r}, which is not a number, and {kind} holds numbers")
    if family == "timestamp":
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            try:
                return _parse_timestamp(value)
            except ValueError:
                pass
        raise ValueError(f"is {value!r}, which is not a timestamp (a datetime, a date or ISO text)")
    if family == "date":
        moment: Any = value
        if isinstance(value, str):
            try:
                moment = dt.date.fromisoformat(value.strip())
            except ValueError:
                try:
                    moment = _parse_timestamp(value)
                except ValueError:
                    raise ValueError(f"is {value!r}, which is not a date (a date or ISO text)") from None
        if isinstance(moment, dt.datetime):
            if moment.time() != dt.time(0):
                raise ValueError(f"is {value!r}, a time of day, but the column holds dates")
            return moment.date()
        if isinstance(moment, dt.date):
            return moment
        raise ValueError(f"is {value!r}, which is not a date (a date or ISO text)")
    return value  # text, or a column of unknown type: compared as given


def check_strict(owner: Any, argument: str, value: Any) -> bool:
    """``strict_min``/``strict_max`` must be True or False ("yes" is refused)."""
    if not isinstance(value, bool):
        raise owner._argument_error(argument, f"must be True or False, got {value!r}")
    return value


def check_bound_pair(owner: Any, low: Any, high: Any, *, kinds: str = "number") -> None:
    """Parse-time checks of a (min, max) pair; templates are checked once rendered.

    ``kinds`` is ``"number"`` (numbers only), ``"count"`` (whole numbers >= 0) or
    ``"any"`` (numbers, dates, timestamps, text: read in the column's type at run time).
    """
    if low is None and high is None:
        raise owner._argument_error("min", "and 'max' are both missing: give at least one bound")
    for argument, value in (("min", low), ("max", high)):
        if value is None or is_template(value):
            continue
        if isinstance(value, float) and math.isnan(value):
            raise owner._argument_error(argument, "is NaN, which no value can be compared with")
        if kinds == "any":
            if isinstance(value, bool):
                raise owner._argument_error(argument, f"must be a number, a date, a timestamp or text, got {value!r}")
            continue
        if not is_number(value):
            raise owner._argument_error(argument, f"must be a number or a template, got {value!r}")
        if kinds == "count" and (value < 0 or value != int(value)):
            raise owner._argument_error(argument, f"must be a whole number >= 0, got {value!r}")
    if low is None or high is None or is_template(low) or is_template(high):
        return
    if kinds == "any" and isinstance(low, str) != isinstance(high, str):
        return  # ISO text and a date: compared once both are read in the column's type
    try:
        inverted = low > high
    except TypeError as err:
        raise owner._argument_error("max", f"cannot be compared with min ({low!r} vs {high!r})") from err
    if inverted:
        raise owner._argument_error("min", f"({low!r}) is greater than max ({high!r})")


def resolve_pair(owner: Any, low: Any, high: Any, family: str, *, kinds: str = "number") -> tuple[Any, Any]:
    """Run-time reading of rendered bounds in a column's family; raises the check's
    argument error (naming the check and the argument) when a bound does not fit."""
    resolved = []
    for argument, value in (("min", low), ("max", high)):
        try:
            bound = read_bound(value, family)
        except ValueError as err:
            raise owner._argument_error(argument, str(err)) from None
        if kinds == "count" and bound is not None and (bound < 0 or bound != int(bound)):
            raise owner._argument_error(argument, f"is {value!r}, which is not a whole number >= 0")
        resolved.append(bound)
    if None not in resolved:
        try:
            inverted = resolved[0] > resolved[1]
        except TypeError:
            raise owner._argument_error("max", f"cannot be compared with min ({low!r} vs {high!r})") from None
        if inverted:
            raise owner._argument_error("min", f"({low!r}) is greater than max ({high!r})")
    return resolved[0], resolved[1]
