"""Twenty checks on one table cost one scan: counted on the wire, not by the engine's word.

A ``before_cursor_execute`` listener sees every statement SQLAlchemy sends. Catalog
reflection (PRAGMA, pg_catalog, information_schema), failure samples and custom_sql
queries are counted apart from the data statements. A segment list and a time window's
buckets are counted inside the one scan; segments that must be discovered (a reference
table) and too many buckets keep their GROUP BY.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq import checks as dq
from airflow_dq.checks import Check
from tests.checks.data import NOW, create_table, run, statement_log

CUSTOM = [
    "SELECT COUNT(*) FROM events WHERE amount < 0",
    "SELECT COUNT(DISTINCT country) FROM events",
]


def _load(db: sa.Engine, *, bad: bool = False) -> None:
    create_table(db, "users", {"id": sa.Integer()}, [(u,) for u in range(1, 11)])
    rows = []
    for i in range(1, 41):
        rows.append(
            {
                "id": i,
                "user_id": i % 10 + 1,
                "day": dt.date(2026, 11, 1) + dt.timedelta(days=i // 10),
                "country": ["US", "DE", "FR"][i % 3],
                "amount": float(i),
                "refund": 0,
                "email": f"u{i}@example.com",
                "code": "AB",
                "ts": dt.datetime(2026, 11, 27, 12, 0) + dt.timedelta(minutes=i),
            }
        )
    if bad:  # three row-level rules break
        rows[0]["email"] = "broken"
        rows[1]["country"] = "XX"
        rows[2]["user_id"] = 99
    create_table(
        db,
        "events",
        {
            "id": sa.Integer(),
            "user_id": sa.Integer(),
            "day": sa.Date(),
            "country": sa.String(2),
            "amount": sa.Float(),
            "refund": sa.Integer(),
            "email": sa.String(40),
            "code": sa.String(5),
            "ts": sa.DateTime(),
        },
        rows,
    )


def _suite() -> list[Check]:
    return [
        dq.row_count(min=40, max=40),
        dq.not_null("id"),
        dq.not_null("user_id"),
        dq.unique("id"),
        dq.unique(["user_id", "day"]),
        dq.accepted_values("country", ["US", "DE", "FR"]),
        dq.value_range("amount", min=0, max=1000),
        dq.value_range("day", min=dt.date(2026, 11, 1), name="day_range"),
        dq.matches_regex("email", r"^[^@]+@[^@]+$"),
        dq.length_between("code", min=2, max=2),
        dq.mean_between("amount", min=20, max=21),
        dq.stddev_between("amount", min=1, max=20),
        dq.references("user_id", "users", "id"),
        dq.freshness("ts", max_age=dt.timedelta(hours=4)),
        dq.row_condition("refund <= amount"),
        dq.schema({"id": "integer", "amount": "float"}, allow_extra=True),
        dq.custom_sql(CUSTOM[0], equals=0, name="no_negative"),
        dq.custom_sql(CUSTOM[1], equals=3, name="three_countries"),
        # Known groups: three listed segments and the 40 minutes of a window.
        dq.segment_completeness("country", ["US", "DE", "FR"], min_count=13),
        dq.time_bucket_completeness(
            "ts", bucket="minute", start="2026-11-27T12:01:00+00:00", end="2026-11-27T12:41:00+00:00"
        ),
    ]


def test_passing_suite_sends_one_data_statement(db: sa.Engine) -> None:
    _load(db)
    with statement_log(db, custom=CUSTOM) as log:
        suite = run(db, _suite(), table="events", now=NOW)

    assert [r.status for r in suite.results] == ["pass"] * 20, suite.summary()
    counts = log.counts()
    assert counts["data"] == 1, log.of("data")
    assert counts["custom"] == 2
    assert counts["sample"] == 0
    assert counts["catalog"] >= 1  # reflection for the column check; one or more queries by dialect
    assert set(counts) <= {"data", "custom", "sample", "catalog"}
    # the engine's own accounting agrees with the wire
    assert suite.statements == {"schema": 1, "data": 1, "custom": 2}


def test_failing_suite_still_scans_once_and_samples_only_failures(db: sa.Engine) -> None:
    _load(db, bad=True)
    with statement_log(db, custom=CUSTOM) as log:
        suite = run(db, _suite(), table="events", now=NOW, sample_size=3)

    failed = sorted(r.name for r in suite.results if r.status != "pass")
    assert failed == [
        "accepted_values(country)",
        "matches_regex(email)",
        "references(user_id)",
        "segment_completeness(country)",  # 'FR' lost a row to 'XX': 12 < 13
        "three_countries",
    ]
    counts = log.counts()
    assert counts["data"] == 1
    assert counts["sample"] == 3  # one per failed row-level check, none for passing ones
    assert suite.statements["samples"] == 3


@pytest.mark.parametrize("where", ["day >= '2026-11-02'", None])
def test_windowed_unique_and_filter_stay_in_one_statement(db: sa.Engine, where: str | None) -> None:
    _load(db)
    checks = [dq.unique(["user_id", "day"]), dq.unique(["country", "day"]), dq.not_null("id"), dq.row_count(min=1)]
    with statement_log(db) as log:
        suite = run(db, checks, table="events", where=where)
    assert log.counts()["data"] == 1, log.statements
    by_name = {r.name: r for r in suite.results}
    assert by_name["unique(user_id, day)"].status == "pass"
    # 10 rows a day over 3 countries: most (country, day) keys repeat
    assert by_name["unique(country, day)"].status == "fail"
    assert by_name["row_count"].observed == (31 if where else 40)


def test_duplicate_metrics_are_computed_once(db: sa.Engine) -> None:
    _load(db)
    base = [
        dq.not_null("amount"),
        dq.value_range("amount", min=0, max=100),
        dq.mean_between("amount", min=0),
        dq.row_count(min=1),
    ]
    # Same metrics, asked for again by differently configured checks.
    repeated = [
        *base,
        dq.not_null("amount", mostly=0.5, name="not_null_mostly"),
        dq.value_range("amount", min=0, max=100, severity="warn", name="range_warn"),
        dq.mean_between("amount", max=1000, name="mean_upper"),
        dq.row_count(max=10_000, name="row_count_max"),
    ]
    with statement_log(db) as log:
        run(db, base, table="events")
        suite = run(db, repeated, table="events")

    assert log.counts()["data"] == 2
    width_base, width_repeated = log.data_columns
    assert width_repeated == width_base  # no extra aggregate for a repeated metric
    by_name = {r.name: r for r in suite.results}
    assert by_name["mean_upper"].observed == by_name["mean_between(amount)"].observed == 20.5
    assert by_name["row_count_max"].observed == 40


def _group_bys(log: Any) -> list[str]:
    return [text for text in log.of("data") if "GROUP BY" in text.upper()]


def test_unknown_segments_and_too_many_buckets_keep_their_group_by(db: sa.Engine) -> None:
    _load(db)
    checks = [
        dq.row_count(min=1),
        # The reference's segments are only known once it is read: GROUP BY both sides.
        dq.segment_completeness("country", reference_table="events", name="like_reference"),
        # 2 days of minutes (2,880 buckets) is over the threshold: one GROUP BY.
        dq.time_bucket_completeness(
            "ts", bucket="minute", start="2026-11-26T12:00:00+00:00", end="2026-11-28T12:00:00+00:00", min_count=1
        ),
        # The same segments listed: served by the GROUP BY that runs anyway, no extra work.
        dq.segment_completeness("country", ["US", "DE"], name="listed"),
    ]
    with statement_log(db) as log:
        suite = run(db, checks, table="events", now=NOW)

    statuses = {r.name: r.status for r in suite.results}
    assert statuses == {
        "row_count": "pass",
        "like_reference": "pass",
        "time_bucket_completeness(ts)": "fail",  # 40 rows cannot fill 2,880 minutes
        "listed": "pass",
    }
    assert suite.statements == {"schema": 1, "data": 1, "grouped": 3}
    assert len(_group_bys(log)) == 3  # current and reference segments, minute buckets
    assert [text for text in log.of("data") if "GROUP BY" not in text.upper() and "set_config" not in text] != []


@pytest.mark.parametrize("known", [True, False], ids=["in-scan", "group-by"])
def test_known_segments_path_is_chosen_by_the_threshold(
    db: sa.Engine, known: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_dq.engines.sql import known_groups

    _load(db)
    if not known:  # a threshold below the three segments: the GROUP BY path
        monkeypatch.setattr(known_groups, "MAX_KNOWN_GROUPS", 2)
    checks = [dq.not_null("id"), dq.segment_completeness("country", ["US", "DE", "FR"], min_count=13)]
    with statement_log(db) as log:
        suite = run(db, checks, table="events", now=NOW)
    assert [r.status for r in suite.results] == ["pass", "pass"]
    assert len(_group_bys(log)) == (0 if known else 1)
    assert log.counts()["data"] == (1 if known else 2)


def test_a_suite_from_yaml_scans_once_like_its_python_twin(db: sa.Engine, tmp_path) -> None:
    from airflow_dq.suite_files import dump_suite, load_suite

    _load(db, bad=True)
    path = tmp_path / "events.yml"
    path.write_text(dump_suite(_suite(), table="events"))
    from_yaml = load_suite(path).dataset().checks
    with statement_log(db, custom=CUSTOM) as log:
        suite = run(db, from_yaml, table="events", now=NOW, sample_size=3)
    python = run(db, _suite(), table="events", now=NOW, sample_size=3)

    counts = log.counts()
    assert counts["data"] == 1, log.of("data")
    assert counts["custom"] == 2 and counts["sample"] == 3
    assert [(r.name, r.status, r.observed) for r in suite.results] == [
        (r.name, r.status, r.observed) for r in python.results
    ]
