"""Turn predicates into boolean masks over a chunk, with SQL's NULL semantics.

A ``ChunkView`` caches what several metrics of one chunk share (a column's non-NULL mask,
its text form), so ten checks on one column do not recompute them. NaN, None, NaT and
``pd.NA`` all count as NULL, and a column predicate never matches a NULL value, as a SQL
comparison with NULL is never TRUE.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from airflow_dq.metrics import (
    HasValue,
    IsIn,
    IsNull,
    LengthOutOfRange,
    MissingInParent,
    NotIn,
    OutOfRange,
    PairFails,
    Predicate,
    RegexMismatch,
    SqlConditionFalse,
)
from airflow_dq.metrics.predicates import COMPARE

# PostgreSQL prints a float8 in plain digits below 1e15 and in exponent form above, so a
# whole float below that prints like an integer ("3", not "3.0"). Integer columns holding
# NULLs become float64 in pandas; this keeps their text form equal to the database's.
_PLAIN_FLOAT_LIMIT = 1e15


class ChunkView:
    """One chunk of the dataset plus per-column caches shared by all metrics."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._present: dict[str, np.ndarray] = {}
        self._complete: dict[tuple[str, ...], np.ndarray] = {}
        self._text: dict[str, pd.Series] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> pd.Series:
        return self.frame[name]

    def present(self, name: str) -> np.ndarray:
        """True where ``name`` is not NULL (NaN, None, NaT and pd.NA are NULL)."""
        if name not in self._present:
            self._present[name] = self.frame[name].notna().to_numpy(dtype=bool)
        return self._present[name]

    def complete(self, columns: tuple[str, ...]) -> np.ndarray:
        if len(columns) == 1:
            return self.present(columns[0])
        if columns not in self._complete:
            mask = self.present(columns[0]).copy()
            for name in columns[1:]:
                mask &= self.present(name)
            self._complete[columns] = mask
        return self._complete[columns]

    def text(self, name: str) -> pd.Series:
        """The column as text (SQL's CAST(col AS VARCHAR)); only non-NULL rows are meaningful.

        String columns are returned whole (no copy); other columns are converted on their
        non-NULL rows only, so the result may be shorter than the chunk (same index).
        """
        if name not in self._text:
            series = self.frame[name]
            self._text[name] = series if _is_text(series) else text_form(series[self.present(name)])
        return self._text[name]


def _is_text(series: pd.Series) -> bool:
    return ptypes.is_string_dtype(series.dtype) and not ptypes.is_object_dtype(series.dtype)


def _spread(view: ChunkView, name: str, result: pd.Series) -> np.ndarray:
    """A per-row boolean mask from ``result`` (whole column or its non-NULL rows); NULL rows are False."""
    present = view.present(name)
    if len(result) == len(view):
        return result.to_numpy(dtype=bool, na_value=False) & present
    mask = np.zeros(len(view), dtype=bool)
    mask[present] = result.to_numpy(dtype=bool, na_value=False)
    return mask


def text_form(values: pd.Series) -> pd.Series:
    """Text of non-NULL values: strings as they are, whole floats without '.0'."""
    dtype = values.dtype
    if ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        return values
    if ptypes.is_float_dtype(dtype):
        numbers = values.to_numpy(dtype="float64")
        whole = (np.floor(numbers) == numbers) & (np.abs(numbers) < _PLAIN_FLOAT_LIMIT)
        text = values.astype(str).to_numpy(dtype=object)
        text[whole] = numbers[whole].astype("int64").astype(str)
        return pd.Series(text, index=values.index, dtype="str")
    return values.astype("str")


def _regex_matches(text: pd.Series, pattern: str) -> pd.Series:
    """``re.search`` semantics, as SQLite's REGEXP (SQLAlchemy registers it with re.search)."""
    try:
        return text.str.contains(pattern, regex=True)
    except Exception:  # Arrow's RE2 rejects some Python syntax (lookaround, backrefs)
        compiled = re.compile(pattern)
        return text.astype(object).map(lambda v: isinstance(v, str) and compiled.search(v) is not None).astype(bool)


def _bound(series: pd.Series, value: Any) -> Any:
    """A bound comparable with the column: dates and ISO strings become Timestamps on a
    datetime column (in the column's time zone when the bound has none), ISO text on a
    text column."""
    if ptypes.is_datetime64_any_dtype(series.dtype) and isinstance(value, str | dt.date):
        stamp = pd.Timestamp(value)
        tz = getattr(series.dtype, "tz", None)
        if tz is not None and stamp.tzinfo is None:
            stamp = stamp.tz_localize(tz)
        elif tz is None and stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return stamp
    if isinstance(value, dt.date) and _is_text(series):
        # Dates kept as text (a CSV without parse_dates) compare as ISO text, as in SQLite.
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


def _pair_holds(view: ChunkView, pred: PairFails) -> np.ndarray:
    """True where ``left op right`` is TRUE; a NULL on either side is not TRUE, as in SQL."""
    both = view.present(pred.left) & view.present(pred.right)
    left, right = view.column(pred.left)[both], view.column(pred.right)[both]
    holds = np.zeros(len(view), dtype=bool)
    holds[both] = np.asarray(COMPARE[pred.op](left.to_numpy(), right.to_numpy()), dtype=bool)
    return holds


# The pandas engine's row-rule registry: predicate type -> the boolean mask of the rows of
# a chunk that break it (``build(view, pred)``), as ``compiler.PREDICATES`` is for SQL. The
# engine's ``missing`` asks ``evaluates(pred)`` before the suite measures anything, so a
# predicate without an entry is that check's error, never a failure halfway through a scan.
MASKS: dict[type[Predicate], Callable[[ChunkView, Any], np.ndarray]] = {}

# Rules that need a SQL database (a raw SQL condition, a join with a parent table): they
# have no mask on purpose, and ``missing`` says why.
NOT_ON_DATAFRAMES = (MissingInParent, SqlConditionFalse)


def _mask(
    kind: type[Predicate],
) -> Callable[[Callable[[ChunkView, Any], np.ndarray]], Callable[[ChunkView, Any], np.ndarray]]:
    def register(build: Callable[[ChunkView, Any], np.ndarray]) -> Callable[[ChunkView, Any], np.ndarray]:
        MASKS[kind] = build
        return build

    return register


def evaluates(pred: Predicate) -> bool:
    """Whether the pandas engine has a mask for ``pred``."""
    return type(pred) in MASKS


def unevaluable(pred: Predicate) -> str:
    """Why the pandas engine cannot evaluate ``pred`` (a predicate ``evaluates`` refuses)."""
    if type(pred) in NOT_ON_DATAFRAMES:
        return f"the pandas engine cannot evaluate {type(pred).__name__}: it needs a SQL database"
    return f"the pandas engine has no row rule for {type(pred).__name__}"


def violation_mask(view: ChunkView, pred: Predicate) -> np.ndarray:
    """True exactly for the rows of the chunk that break ``pred``'s rule."""
    build = MASKS.get(type(pred))
    if build is None:
        raise TypeError(unevaluable(pred))
    return build(view, pred)


@_mask(IsNull)
def _is_null(view: ChunkView, pred: IsNull) -> np.ndarray:
    return ~view.present(pred.column)


@_mask(HasValue)
def _has_value(view: ChunkView, pred: HasValue) -> np.ndarray:
    return view.present(pred.column).copy()


@_mask(PairFails)
def _pair_fails(view: ChunkView, pred: PairFails) -> np.ndarray:
    return ~_pair_holds(view, pred)


@_mask(RegexMismatch)
def _regex_mismatch(view: ChunkView, pred: RegexMismatch) -> np.ndarray:
    text = view.text(pred.column)
    return _spread(view, pred.column, ~_regex_matches(text, pred.pattern))


@_mask(LengthOutOfRange)
def _length_out_of_range(view: ChunkView, pred: LengthOutOfRange) -> np.ndarray:
    lengths = view.text(pred.column).str.len()
    bad = pd.Series(False, index=lengths.index)
    if pred.min is not None:
        bad |= lengths < pred.min
    if pred.max is not None:
        bad |= lengths > pred.max
    return _spread(view, pred.column, bad)


@_mask(NotIn)
def _not_in(view: ChunkView, pred: NotIn) -> np.ndarray:
    inside = view.column(pred.column).isin(list(pred.values)).to_numpy(dtype=bool)
    return view.present(pred.column) & ~inside


@_mask(IsIn)
def _is_in(view: ChunkView, pred: IsIn) -> np.ndarray:
    return view.present(pred.column) & view.column(pred.column).isin(list(pred.values)).to_numpy(dtype=bool)


@_mask(OutOfRange)
def _out_of_range(view: ChunkView, pred: OutOfRange) -> np.ndarray:
    # Comparisons with NaN are False and with pd.NA are NA (read as False): NULL never
    # violates. Object columns (dates, decimals) hold None, which cannot be compared, so
    # they are compared on their non-NULL rows only.
    series = view.column(pred.column)
    values = series[view.present(pred.column)] if ptypes.is_object_dtype(series.dtype) else series
    bad = pd.Series(False, index=values.index)
    if pred.min is not None:
        low = _bound(series, pred.min)
        bad |= values <= low if pred.strict_min else values < low
    if pred.max is not None:
        high = _bound(series, pred.max)
        bad |= values >= high if pred.strict_max else values > high
    return _spread(view, pred.column, bad)
