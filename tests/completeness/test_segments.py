"""Segment completeness on real SQLite and PostgreSQL: vanished and shrunk segments."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airflow_dq.checks import CheckArgumentError, row_count, segment_completeness
from airflow_dq.results import Status
from tests.checks.data import create_table, run

COLUMNS = {"id": sa.Integer(), "country": sa.String(2), "platform": sa.String(8), "day": sa.String(10)}


def rows(day: str, per_country: dict[str, int], platforms: tuple[str, ...] = ("ios", "android")) -> list[dict]:
    out = []
    for country, n in per_country.items():
        for i in range(n):
            out.append({"country": country, "platform": platforms[i % len(platforms)], "day": day})
    return out


def events(bind: sa.Engine, *batches: list[dict]) -> None:
    records = [dict(r, id=i) for i, r in enumerate(r for batch in batches for r in batch)]
    create_table(bind, "t", COLUMNS, records)


def test_missing_country_is_named(db: sa.Engine) -> None:
    events(db, rows("2026-11-26", {"US": 50, "DE": 30}))
    result = run(db, segment_completeness("country", ["US", "DE", "FR"])).results[0]
    assert result.status is Status.FAIL
    assert result.observed["vanished"] == ["'FR'"]
    assert "vanished: 'FR'" in result.message
    assert result.observed["rows"] == 80


def test_complete_segments_pass(db: sa.Engine) -> None:
    events(db, rows("2026-11-26", {"US": 50, "DE": 30, "FR": 20}))
    result = run(db, segment_completeness("country", ["US", "DE", "FR"], min_count=20)).results[0]
    assert result.status is Status.PASS, result.message
    assert result.observed["vanished"] == [] and result.observed["too_few"] == {}


def test_too_few_rows_and_too_small_share(db: sa.Engine) -> None:
    events(db, rows("2026-11-26", {"US": 95, "DE": 3, "FR": 2}))
    result = run(db, segment_completeness("country", ["US", "DE", "FR"], min_share=0.025)).results[0]
    assert result.observed["too_few"] == {"'FR'": 2}
    assert "'FR' has 2 rows (2.00%), expected >= 1 rows and >= 2.50% of rows" in result.message


def test_segments_expected_from_last_weeks_rows_vanished_and_shrunk(db: sa.Engine) -> None:
    # Last week: US 50%, DE 30%, FR 20%. Today: FR gone, DE down to 5%.
    last_week = rows("2026-11-19", {"US": 50, "DE": 30, "FR": 20})
    today = rows("2026-11-26", {"US": 95, "DE": 5})
    events(db, last_week, today)
    check = segment_completeness(
        "country", reference_table="t", reference_where="day = '2026-11-19'", min_share_ratio=0.5
    )
    result = run(db, check, where="day = '2026-11-26'").results[0]
    assert result.status is Status.FAIL
    assert result.observed["vanished"] == ["'FR'"]
    shrunk = result.observed["shrunk"]["'DE'"]
    assert shrunk["rows"] == 5
    assert shrunk["observed_share"] == pytest.approx(0.05)
    assert shrunk["expected_share"] == pytest.approx(0.30)
    assert "'DE' shrank to 5.00% of rows (5), expected about 30.00% (>= 15.00%)" in result.message


def test_reference_query_and_shared_group_by(db: sa.Engine) -> None:
    events(db, rows("2026-11-19", {"US": 5, "DE": 5, "FR": 5}), rows("2026-11-26", {"US": 5, "DE": 5, "FR": 5}))
    checks = [
        segment_completeness("country", reference_sql="SELECT country FROM t WHERE day = '2026-11-19'"),
        segment_completeness("country", ["US", "DE"], min_count=3, name="big_two"),
        row_count(min=1),
    ]
    suite = run(db, checks, where="day = '2026-11-26'")
    assert [r.status for r in suite.results] == [Status.PASS] * 3
    # One GROUP BY of today's rows (shared by both checks) + one of the reference query;
    # the scalar scan is untouched.
    assert suite.statements["grouped"] == 2
    assert suite.statements["data"] == 1


def test_several_columns_name_the_vanished_combination(db: sa.Engine) -> None:
    events(
        db,
        rows("2026-11-26", {"US": 4, "DE": 4}, platforms=("ios", "android")),
        rows("2026-11-26", {"FR": 3}, platforms=("ios",)),
    )
    expected = [(c, p) for c in ("US", "DE", "FR") for p in ("ios", "android")]
    result = run(db, segment_completeness(["country", "platform"], expected)).results[0]
    assert result.observed["vanished"] == ["('FR', 'android')"]


@pytest.mark.parametrize(
    ("args", "kwargs", "argument"),
    [
        ((), {}, "expected"),
        ((["US"],), {"reference_table": "t"}, "expected"),
        (([],), {}, "expected"),
        (("US",), {}, "expected"),
        ((["US"],), {"min_share_ratio": 0.5}, "min_share_ratio"),
        ((["US"],), {"min_count": 0}, "min_count"),
        (({"US": 2.0},), {}, "expected"),
        ((), {"reference_sql": "SELECT 1", "reference_where": "x = 1"}, "reference_where"),
    ],
)
def test_bad_arguments_fail_at_parse_time(args: tuple, kwargs: dict, argument: str) -> None:
    with pytest.raises(CheckArgumentError, match=f"'segment_completeness'.*argument '{argument}'"):
        segment_completeness("country", *args, **kwargs)


def test_per_segment_counts_read_well_in_the_result(db: sa.Engine) -> None:
    events(db, rows("2026-11-26", {"US": 3, "DE": 2}))
    expected = [("US", "ios"), ("DE", "android"), ("FR", "ios")]
    result = run(db, segment_completeness(["country", "platform"], expected)).results[0].to_dict()
    # A segment list is counted in the scan: the listed segments with rows, and the total.
    assert result["metrics"]["row_count by segments(country, platform)"] == {"US, ios": 2, "DE, android": 1}
    assert result["metrics"]["row_count"] == 5
    assert result["observed"]["vanished"] == ["('FR', 'ios')"]
