"""The benchmark's table and its check suite, written three ways side by side.

Each ``Spec`` is one data-quality rule as our check, as the expression an expert would put
in a hand-written aggregate query (its value is what our check reports as ``observed``),
and as the nearest thing Airflow's common.sql check operators can express.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from airflow_dq import checks as dq
from airflow_dq.checks import Check

TABLE = "events"
STATUSES = ("new", "paid", "shipped", "refunded")
COUNTRIES = ("US", "DE", "FR", "GB", "IN", "BR", "JP", "NL")
EMAIL = r"^[^@ ]+@[^@ ]+\.[a-z]+$"
CONDITION = "status <> 'refunded' OR amount > 0"


def create_table_sql(rows: int) -> str:
    """The table, generated inside PostgreSQL: a few NULLs and some bad values in most columns.

    mod() rather than % keeps the statement free of DB-API placeholders.
    """
    return f"""
CREATE TABLE {TABLE} AS
SELECT g AS event_id,
       CASE WHEN mod(g, 1000) = 0 THEN NULL ELSE mod(g * 7919, 100000) END AS user_id,
       CASE WHEN mod(g, 2000) = 1 THEN NULL WHEN mod(g, 50000) = 7 THEN 'XX'
            ELSE (ARRAY{list(COUNTRIES)})[1 + mod(g, 8)] END AS country,
       (CASE WHEN mod(g, 100000) = 3 THEN -5.00
             ELSE round(mod(g * 37, 100000) / 10.0, 2) END)::numeric(12, 2) AS amount,
       CASE WHEN mod(g, 1000) = 0 THEN NULL WHEN mod(g, 20000) = 11 THEN 'not-an-email'
            ELSE 'user' || mod(g * 7919, 100000) || '@example.com' END AS email,
       CASE WHEN mod(g, 40000) = 5 THEN 'unknown'
            ELSE (ARRAY{list(STATUSES)})[1 + mod(g, 4)] END AS status,
       now() - mod(g, 86400) * interval '1 second' AS loaded_at,
       -- 30 daily partitions, appended in order (contiguous on disk), for the incremental run
       DATE '{FIRST_DAY.isoformat()}' + ((g - 1) * {DAYS} / {rows})::int AS day
FROM generate_series(1::bigint, {rows}::bigint) AS g
"""


FIRST_DAY = dt.date(2026, 11, 1)
DAYS = 30
SEGMENT_ROWS = 1_000  # every accepted country needs at least this many rows


@dataclass
class Spec:
    """One rule three ways. ``common`` is ("column", column, check_type, bounds) for
    SQLColumnCheckOperator or ("table", check_statement) for SQLTableCheckOperator."""

    check: Check
    hand: str | tuple[str, ...]  # one expression, or several whose values form a tuple
    common: tuple[Any, ...]
    # Our comparable value from the check's result (default: what it observed).
    ours: Callable[[Any], Any] = field(default=lambda result: result.observed)

    @property
    def name(self) -> str:
        return self.check.name


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _at_most_share(bad: str, total: str, mostly: float) -> tuple[str, str]:
    # common.sql has no `mostly`: a table check compares the bad count with a share of the total.
    return ("table", f"SUM(CASE WHEN {bad} THEN 1 ELSE 0 END) <= {1 - mostly!r} * {total}")


def hour_window(newest: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The 24 whole hours before the hour after ``newest`` (the bucket check's window)."""
    end = newest.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return end - dt.timedelta(hours=24), end


def _counts(metric_prefix: str, keys: list[Any]) -> Callable[[Any], tuple[int, ...]]:
    """A grouped check's counts in ``keys`` order, from its recorded metrics."""

    def read(result: Any) -> tuple[int, ...]:
        (counts,) = [v for k, v in result.metrics.items() if k.startswith(metric_prefix)]
        return tuple(int(counts.get((key,), 0)) for key in keys)

    return read


def segment_and_bucket_specs(window: tuple[dt.datetime, dt.datetime]) -> list[Spec]:
    """Every accepted country has >= 1,000 rows (8 known segments); every hour of the last
    24 has rows (24 buckets, boundaries known from the window)."""
    start, end = window
    hours = [start + dt.timedelta(hours=h) for h in range(24)]
    wall = [h.astimezone(dt.UTC).replace(tzinfo=None) for h in hours]
    in_hour = [
        f"loaded_at >= '{h.isoformat()}' AND loaded_at < '{(h + dt.timedelta(hours=1)).isoformat()}'" for h in hours
    ]
    return [
        Spec(
            dq.segment_completeness("country", list(COUNTRIES), min_count=SEGMENT_ROWS),
            tuple(f"count(*) FILTER (WHERE country = '{c}')" for c in COUNTRIES),
            ("table", " AND ".join(f"COUNT(*) FILTER (WHERE country = '{c}') >= {SEGMENT_ROWS}" for c in COUNTRIES)),
            _counts("row_count by segments(country)", list(COUNTRIES)),
        ),
        Spec(
            dq.time_bucket_completeness("loaded_at", "hour", start=start, end=end),
            tuple(f"count(*) FILTER (WHERE {condition})" for condition in in_hour),
            ("table", " AND ".join(f"COUNT(*) FILTER (WHERE {condition}) >= 1" for condition in in_hour)),
            _counts("row_count by hours(loaded_at", wall),
        ),
    ]


def suite(rows: int, window: tuple[dt.datetime, dt.datetime] | None = None) -> list[Spec]:
    """Fourteen checks: exact ones, ``mostly`` ones, statistics, freshness, a raw condition;
    with a ``window``, also a segment-presence check and an hourly bucket check (16)."""
    statuses, countries = _in_list(STATUSES), _in_list(COUNTRIES)
    extra = segment_and_bucket_specs(window) if window else []
    return [
        Spec(dq.row_count(min=rows), "count(*)", ("table", f"COUNT(*) >= {rows}")),
        Spec(
            dq.not_null("event_id"), "count(*) - count(event_id)", ("column", "event_id", "null_check", {"equal_to": 0})
        ),
        Spec(
            dq.not_null("user_id", mostly=0.99),
            "count(*) - count(user_id)",
            _at_most_share("user_id IS NULL", "COUNT(*)", 0.99),
        ),
        Spec(
            dq.not_null("loaded_at"),
            "count(*) - count(loaded_at)",
            ("column", "loaded_at", "null_check", {"equal_to": 0}),
        ),
        Spec(
            dq.unique("event_id"),
            "count(event_id) - count(DISTINCT event_id)",
            ("column", "event_id", "unique_check", {"equal_to": 0}),
        ),
        Spec(
            dq.accepted_values("status", STATUSES, mostly=0.999),
            f"count(*) FILTER (WHERE status NOT IN ({statuses}))",
            _at_most_share(f"status NOT IN ({statuses})", "COUNT(status)", 0.999),
        ),
        Spec(
            dq.accepted_values("country", COUNTRIES),
            f"count(*) FILTER (WHERE country NOT IN ({countries}))",
            ("table", f"country IS NULL OR country IN ({countries})"),
        ),
        Spec(
            dq.value_range("amount", min=0, max=10_000, mostly=0.999),
            "count(*) FILTER (WHERE amount < 0 OR amount > 10000)",
            _at_most_share("amount < 0 OR amount > 10000", "COUNT(amount)", 0.999),
        ),
        Spec(
            dq.matches_regex("email", EMAIL, mostly=0.99),
            f"count(*) FILTER (WHERE email !~ '{EMAIL}')",
            _at_most_share(f"email !~ '{EMAIL}'", "COUNT(email)", 0.99),
        ),
        Spec(
            dq.length_between("country", min=2, max=2),
            "count(*) FILTER (WHERE length(country) <> 2)",
            ("table", "country IS NULL OR length(country) = 2"),
        ),
        Spec(
            dq.mean_between("amount", min=4000, max=6000), "avg(amount)", ("table", "AVG(amount) BETWEEN 4000 AND 6000")
        ),
        Spec(dq.stddev_between("amount", max=4000), "stddev_samp(amount)", ("table", "STDDEV_SAMP(amount) <= 4000")),
        Spec(
            dq.freshness("loaded_at", max_age=dt.timedelta(hours=25)),
            "max(loaded_at)",
            ("table", "MAX(loaded_at) >= now() - interval '25 hours'"),
        ),
        Spec(
            dq.row_condition(CONDITION, name="refund_has_amount"),
            f"count(*) FILTER (WHERE ({CONDITION}) IS NOT TRUE)",
            ("table", CONDITION),
        ),
        *extra,
    ]


def _hand_expressions(spec: Spec) -> tuple[str, ...]:
    return spec.hand if isinstance(spec.hand, tuple) else (spec.hand,)


def hand_written_sql(specs: list[Spec], where: str | None = None) -> str:
    """ONE aggregate query with every value, plus the denominators the ``mostly`` checks need."""
    columns = [f"{e} AS c{i}_{j}" for i, spec in enumerate(specs) for j, e in enumerate(_hand_expressions(spec))]
    columns += ["count(status) AS n_status", "count(amount) AS n_amount", "count(email) AS n_email"]
    return f"SELECT {', '.join(columns)}\nFROM {TABLE}" + (f"\nWHERE {where}" if where else "")


def hand_values(specs: list[Spec], row: Any) -> list[Any]:
    """Each spec's value from the hand-written query's row (a tuple for several expressions)."""
    values, position = [], 0
    for spec in specs:
        width = len(_hand_expressions(spec))
        part = tuple(row[position : position + width])
        values.append(part if isinstance(spec.hand, tuple) else part[0])
        position += width
    return values
