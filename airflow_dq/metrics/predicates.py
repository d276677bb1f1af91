"""Row predicates: which rows of a dataset violate a rule.

A predicate is plain data; each engine turns it into its own expression (a SQL boolean,
a pandas mask). Column predicates never match a NULL value: NULLs are the business of
``not_null``, as in SQL, where a comparison with NULL is unknown.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Predicate:
    """Base class: a condition that is true for the rows that break a rule."""


@dataclass(frozen=True)
class IsNull(Predicate):
    column: str


@dataclass(frozen=True)
class NotIn(Predicate):
    column: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class HasValue(Predicate):
    """A non-NULL value (the rows an ``is_null`` check rejects)."""

    column: str


@dataclass(frozen=True)
class IsIn(Predicate):
    """A non-NULL value that is one of ``values`` (forbidden values)."""

    column: str
    values: tuple[Any, ...]


# column_pair's operators, and the Python function each engine applies (to SQLAlchemy
# columns or numpy arrays alike: both overload the comparison operators).
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}
COMPARISONS = tuple(COMPARE)


@dataclass(frozen=True)
class PairFails(Predicate):
    """``left op right`` is not TRUE for the row: FALSE, or NULL because a side is NULL
    (the NULL semantics of ``row_condition``)."""

    left: str
    op: str
    right: str


@dataclass(frozen=True)
class OutOfRange(Predicate):
    column: str
    min: Any = None
    max: Any = None
    strict_min: bool = False
    strict_max: bool = False


@dataclass(frozen=True)
class RegexMismatch(Predicate):
    column: str
    pattern: str


@dataclass(frozen=True)
class LengthOutOfRange(Predicate):
    column: str
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class MissingInParent(Predicate):
    """A non-NULL value with no matching row in a parent table (referential integrity)."""

    column: str
    parent_table: str
    parent_column: str
    parent_schema: str | None = None


@dataclass(frozen=True)
class SqlConditionFalse(Predicate):
    """A user-written SQL boolean that is not TRUE for the row (FALSE or NULL both count)."""

    condition: str
