"""Segment completeness: every expected segment (country, platform, source system) is present.

A vanished segment keeps the row count plausible while the data is badly skewed. The
check counts rows per segment and compares with the expected segments: an explicit list,
explicit shares, or a reference table or query (e.g. last week's rows). With an explicit
list the SQL engine counts just those segments inside the suite's one aggregate scan;
with a reference (whose segments are only known once it is read) it runs one GROUP BY,
shared by every segment check on the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airflow_dq.checks.base import Check, CheckContext, Verdict, fmt_number
from airflow_dq.metrics import Metric, RowCount
from airflow_dq.metrics.grouped import BySegments, Grouped, Reference


def _key(value: Any, width: int) -> tuple[Any, ...]:
    if width == 1:
        return value if isinstance(value, tuple) and len(value) == 1 else (value,)
    return tuple(value)


def show(key: tuple[Any, ...]) -> str:
    """A segment as a person names it: ``'FR'`` or ``('FR', 'ios')``."""
    return repr(key[0]) if len(key) == 1 else "(" + ", ".join(repr(v) for v in key) + ")"


class SegmentCompleteness(Check):
    """Every expected segment of ``columns`` is present, with enough rows and a fair share.

    Expected segments come from exactly one of: ``expected`` (a list of values, or a dict
    value -> expected share), ``reference_table`` (with optional ``reference_schema`` and
    ``reference_where``), or ``reference_sql`` (a query returning the segment columns, one row
    per reference row, so its counts give the expected shares). Vanished segments are named;
    with ``min_share_ratio`` a segment whose share fell below that fraction of its expected
    share is reported with both shares.

    .. code-block:: python

        segment_completeness("country", ["US", "DE", "FR"], min_count=100)
        segment_completeness(
            "country",
            reference_table="events",
            reference_where="event_date = '{{ macros.ds_add(ds, -7) }}'",
            min_share_ratio=0.5,
        )

    :param columns: the segment column, or several (then values are tuples).
    :param min_count: rows each expected segment needs (default 1).
    :param min_share: share of all rows each expected segment needs (e.g. 0.01).
    :param min_share_ratio: observed share must be >= this fraction of the expected share.
    """

    check_type = "segment_completeness"
    template_fields = ("reference_sql", "reference_where")

    def __init__(
        self,
        columns: str | Iterable[str],
        expected: Iterable[Any] | Mapping[Any, float] | None = None,
        *,
        reference_table: str | None = None,
        reference_schema: str | None = None,
        reference_where: str | None = None,
        reference_sql: str | None = None,
        min_count: int = 1,
        min_share: float | None = None,
        min_share_ratio: float | None = None,
        **kwargs: Any,
    ) -> None:
        self._columns_for_errors = columns
        super().__init__(**kwargs)
        cols = (columns,) if isinstance(columns, str) else tuple(columns)
        if not cols:
            raise self._argument_error("columns", "must name at least one column")
        for c in cols:
            self._column_arg("columns", c)
        self.segment_columns = cols
        sources = [
            n
            for n, v in (("expected", expected), ("reference_table", reference_table), ("reference_sql", reference_sql))
            if v is not None
        ]
        if len(sources) != 1:
            raise self._argument_error(
                "expected",
                f"give exactly one of 'expected', 'reference_table' or 'reference_sql' (got {sources or 'none'})",
            )
        for arg, value in (("reference_table", reference_table), ("reference_schema", reference_schema)):
            if value is not None:
                self._column_arg(arg, value)
        for arg, value in (("reference_sql", reference_sql), ("reference_where", reference_where)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise self._argument_error(arg, f"must be a non-empty SQL string, got {value!r}")
        if reference_where is not None and reference_table is None:
            raise self._argument_error("reference_where", "needs reference_table")
        self.expected_shares: dict[tuple[Any, ...], float] | None = None
        self.expected_segments: tuple[tuple[Any, ...], ...] | None = None
        if expected is not None:
            self._expected_arg(expected, len(cols))
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise self._argument_error("min_count", f"must be a whole number >= 1, got {min_count!r}")
        for arg, value in (("min_share", min_share), ("min_share_ratio", min_share_ratio)):
            if value is not None:
                self._number_arg(arg, value)
                if not 0 < value <= 1:
                    raise self._argument_error(arg, f"must be a fraction in (0, 1], got {value!r}")
        if min_share_ratio is not None and expected is not None and self.expected_shares is None:
            raise self._argument_error(
                "min_share_ratio", "needs expected shares: give 'expected' as a dict or a reference table/query"
            )
        self.reference_table, self.reference_schema = reference_table, reference_schema
        self.reference_where, self.reference_sql = reference_where, reference_sql
        self.min_count, self.min_share, self.min_share_ratio = min_count, min_share, min_share_ratio

    def _expected_arg(self, expected: Any, width: int) -> None:
        if isinstance(expected, str | bytes) or not isinstance(expected, Iterable):
            raise self._argument_error(
                "expected", f"must be a list of segment values or a dict of shares, got {expected!r}"
            )
        try:
            keys = [_key(v, width) for v in expected]
        except TypeError as err:
            raise self._argument_error("expected", f"must hold {width}-tuples for {width} columns") from err
        if not keys:
            raise self._argument_error("expected", "is empty: list at least one segment")
        if any(len(k) != width for k in keys):
            raise self._argument_error(
                "expected", f"must hold {width}-tuples for {width} columns, got {list(expected)!r}"
            )
        if isinstance(expected, Mapping):
            shares = list(expected.values())
            for share in shares:
                self._number_arg("expected", share, allow_none=False)
                if not 0 < share <= 1:
                    raise self._argument_error("expected", f"shares must be fractions in (0, 1], got {share!r}")
            self.expected_shares = dict(zip(keys, (float(s) for s in shares), strict=True))
        self.expected_segments = tuple(dict.fromkeys(keys))

    @property
    def columns(self) -> tuple[str, ...]:
        return self.segment_columns

    def _observed_metric(self) -> Grouped:
        # An explicit list names the only segments read: the engine may count just those.
        return Grouped(RowCount(), BySegments(self.segment_columns), segments=self.expected_segments)

    def _reference_metric(self) -> Grouped | None:
        if self.expected_segments is not None:
            return None
        ref = Reference(self.reference_table, self.reference_schema, self.reference_sql, self.reference_where)
        return Grouped(RowCount(), BySegments(self.segment_columns), ref)

    def metrics(self) -> tuple[Metric, ...]:
        ref = self._reference_metric()
        # RowCount: the share's denominator (the known-segment counts leave other segments out).
        return (self._observed_metric(), ref or RowCount())

    def _what(self) -> str:
        return f"'{self.segment_columns[0]}'" if len(self.segment_columns) == 1 else str(self.segment_columns)

    def expectation(self) -> str:
        if self.expected_segments is not None:
            names = ", ".join(show(k) for k in self.expected_segments[:10])
            more = f", ... ({len(self.expected_segments)})" if len(self.expected_segments) > 10 else ""
            source = f"{{{names}{more}}}"
        else:
            source = f"the segments of {self._reference_metric().source}"  # type: ignore[union-attr]
        rules = [f">= {self.min_count} rows"]
        if self.min_share is not None:
            rules.append(f">= {self.min_share:.2%} of rows")
        if self.min_share_ratio is not None:
            rules.append(f">= {self.min_share_ratio:.0%} of the expected share")
        return f"every segment of {self._what()} in {source} present with {', '.join(rules)}"

    def _expected(self, values: Mapping[Metric, Any]) -> dict[tuple[Any, ...], float | None]:
        if self.expected_segments is not None:
            shares = self.expected_shares or {}
            return {k: shares.get(k) for k in self.expected_segments}
        reference = {k: int(n) for k, n in values[self._reference_metric()].items() if None not in k}
        total = sum(reference.values())
        return {k: n / total for k, n in sorted(reference.items(), key=lambda kv: -kv[1])}

    def judge(self, values: Mapping[Metric, Any], ctx: CheckContext) -> Verdict:
        counts = {k: int(n) for k, n in values[self._observed_metric()].items()}
        total = sum(counts.values()) if self.expected_segments is None else int(values[RowCount()])
        expected = self._expected(values)
        vanished, short, shrunk = [], {}, {}
        for key, expected_share in expected.items():
            n = counts.get(key, 0)
            share = n / total if total else 0.0
            if n == 0:
                vanished.append(key)
            elif n < self.min_count or (self.min_share is not None and share < self.min_share):
                short[key] = n
            elif self.min_share_ratio is not None and expected_share and share < self.min_share_ratio * expected_share:
                shrunk[key] = {"rows": n, "observed_share": share, "expected_share": expected_share}
        observed = {
            "vanished": [show(k) for k in vanished],
            "too_few": {show(k): n for k, n in short.items()},
            "shrunk": {show(k): v for k, v in shrunk.items()},
            "expected_segments": len(expected),
            "rows": total,
        }
        if not expected:
            return Verdict(False, observed, f"the reference has no segments of {self._what()}: nothing to compare with")
        if not vanished and not short and not shrunk:
            return Verdict(
                True,
                observed,
                f"all {len(expected)} expected segments of {self._what()} are present ({fmt_number(total)} rows)",
            )
        problems = []
        if vanished:
            problems.append(f"vanished: {', '.join(show(k) for k in vanished)}")
        for key, n in short.items():
            need = [f">= {self.min_count} rows"]
            if self.min_share is not None:
                need.append(f">= {self.min_share:.2%} of rows")
            problems.append(f"{show(key)} has {fmt_number(n)} rows ({n / total:.2%}), expected {' and '.join(need)}")
        for key, v in shrunk.items():
            problems.append(
                f"{show(key)} shrank to {v['observed_share']:.2%} of rows ({fmt_number(v['rows'])}), expected "
                f"about {v['expected_share']:.2%} (>= {self.min_share_ratio * v['expected_share']:.2%})"  # type: ignore[operator]
            )
        bad = len(vanished) + len(short) + len(shrunk)
        return Verdict(
            False,
            observed,
            f"{bad} of {len(expected)} expected segments of {self._what()} incomplete: " + "; ".join(problems),
        )
