"""One Python example per public check constructor, with its options, for round trips."""

from __future__ import annotations

import datetime as dt

from airflow_dq import checks as dq


def python_examples() -> dict[str, list[dq.Check]]:
    """Check constructor name -> checks built in Python (several options each)."""
    day = dt.timedelta(days=1)
    return {
        "row_count": [dq.row_count(min=1000, max=2_000_000, severity="warn", name="enough_rows")],
        "not_null": [dq.not_null("user_id"), dq.not_null("email", mostly=0.99, name="email_mostly")],
        "unique": [
            dq.unique("event_id"),
            dq.unique(["user_id", "day"]),
            dq.unique(["user_id", "day"], ignore_nulls=False, count="all", mostly=0.99, name="keys_all"),
        ],
        "accepted_values": [dq.accepted_values("country", ["US", "NO", "DE"], mostly=0.999)],
        "value_range": [
            dq.value_range("amount", min=0, max=1e4, strict_min=True),
            dq.value_range("day", min=dt.date(2026, 1, 1), name="day_range"),
        ],
        "matches_regex": [dq.matches_regex("email", r"^[^@ ]+@[^@ ]+\.[a-z]+$")],
        "length_between": [dq.length_between("code", min=2, max=2)],
        "mean_between": [dq.mean_between("amount", min=10, max=20.5)],
        "stddev_between": [dq.stddev_between("amount", max=100)],
        "schema": [dq.schema({"id": "integer", "note": None}, allow_extra=True)],
        "references": [dq.references("user_id", "users", "id", parent_schema="core")],
        "freshness": [dq.freshness("loaded_at", max_age=dt.timedelta(hours=6, minutes=30), timezone="Europe/Oslo")],
        "custom_sql": [dq.custom_sql("SELECT COUNT(*) FROM t WHERE x < 0", equals=0, name="no_negative")],
        "row_condition": [dq.row_condition("refund <= amount", name="refund_ok")],
        "time_bucket_completeness": [
            dq.time_bucket_completeness("ts", "hour", lookback=day, min_count=5, min_fraction=0.2)
        ],
        "segment_completeness": [
            dq.segment_completeness("country", ["US", "DE"], min_count=10),
            dq.segment_completeness(
                "country",
                reference_table="events",
                reference_where="day = '{{ ds }}'",
                min_share_ratio=0.5,
                name="country_vs_reference",
            ),
        ],
        "sum_between": [dq.sum_between("amount", min=0, max=1e6, strict_max=True)],
        "quantile_between": [dq.quantile_between("amount", 0.9, max=500, name="p90_amount")],
        "median_between": [dq.median_between("amount", min=5, max=50)],
        "distinct_count_between": [dq.distinct_count_between("country", min=3)],
        "distinct_ratio_between": [dq.distinct_ratio_between("event_id", min=0.99)],
        "forbidden_values": [dq.forbidden_values("country", ["XX", "ZZ"], mostly=0.999)],
        "is_null": [dq.is_null("deleted_at", mostly=0.95)],
        "column_pair": [dq.column_pair("shipped_at", ">=", "ordered_at", mostly=0.99)],
        "monotonic": [dq.monotonic("event_id", order_by="loaded_at", strictly=True)],
        "column_count": [dq.column_count(min=3, max=40)],
        "row_count_matches": [
            dq.row_count_matches("events_src", other_conn_id="source_db", tolerance=0.001),
            dq.row_count_matches(other_sql="SELECT * FROM staging.events", name="matches_staging"),
        ],
        "sum_matches": [dq.sum_matches("amount", "orders_src", other_column="total", other_conn_id="source_db")],
        "fresh_through": [dq.fresh_through("loaded_at", lag=dt.timedelta(minutes=15))],
        "volume_anomaly": [dq.volume_anomaly(sensitivity=2.5, seasonality="day_of_week", direction="drop")],
        "metric_anomaly": [dq.metric_anomaly("amount", "mean", training_window=28, min_change=1.0)],
        "segment_anomaly": [dq.segment_anomaly("country", measure="share", max_segments=20)],
        "freshness_anomaly": [dq.freshness_anomaly("loaded_at", exclude_anomalies=False)],
        "drift": [
            dq.drift(
                ["amount", "country"],
                reference={"table": "events_ref", "where": "day < '{{ ds }}'"},
                methods={"amount": "ks"},
                threshold=0.1,
                critical=["amount"],
                bins=20,
            ),
            dq.drift("amount", reference=dq.stored_profile(run_id="scheduled__2026-11-01"), name="drift_pinned"),
        ],
        "label_shift": [dq.label_shift(reference={"table": "train"}, label="y", min_change=0.05)],
        "duplicate_surge": [dq.duplicate_surge(reference={"table": "train"}, label="y", text="t", min_copies=4)],
        "conflicting_labels": [dq.conflicting_labels(reference={"query": "SELECT * FROM train"}, label="y", text="t")],
        "source_surge": [dq.source_surge(reference={"table": "train"}, label="y", text="t", source="src")],
        "label_consistency": [dq.label_consistency(reference={"table": "train"}, label="y", features=["a", "b"], k=5)],
        "text_perplexity": [dq.text_perplexity(reference={"table": "train"}, label="y", text="t", tail=0.02)],
        "token_concentration": [dq.token_concentration(reference={"table": "train"}, label="y", text="t")],
        "training_integrity": dq.training_integrity(
            reference={"table": "train"}, label="label", text="body", source="origin"
        ),
    }


def _comparable(value: object) -> object:
    # A derived function (metric_anomaly's) is rebuilt per check: the same code is the same rule.
    code = getattr(value, "__code__", None)
    return ("function", code) if code is not None else value


def state(check: dq.Check) -> tuple[type, dict]:
    """What makes two checks the same: their class and every attribute that judges."""
    return type(check), {k: _comparable(v) for k, v in vars(check).items() if k != "_given"}
