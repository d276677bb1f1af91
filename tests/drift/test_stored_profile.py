"""The drift check against a pinned earlier run's stored profile (issue 6), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from airflow_dq.checks import CheckArgumentError, drift, stored_profile
from airflow_dq.engines.pandas import PandasEngine
from airflow_dq.engines.sql import SqlEngine
from airflow_dq.metrics.stored import PROFILE_SAMPLE, StoredProfile
from airflow_dq.store import LATEST, MetricStore, RunKey, migrate
from airflow_dq.store.schema import PROFILES, RESULTS
from airflow_dq.suite import run_checks

COLUMNS = ["age", "income", "plan"]
GOOD_DAY = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _data(seed: int, n: int = 600, *, drifted: bool = False, plan_only: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    shift = 1.0 if drifted and not plan_only else 0.0
    return pd.DataFrame(
        {
            "age": rng.normal(40 + shift * 10, 10, n).round(1),
            "income": rng.lognormal(10, 0.4, n).round(0),
            "plan": rng.choice(["free", "pro", "team"], n, p=[0.3, 0.3, 0.4] if drifted else [0.6, 0.3, 0.1]),
        }
    )


def _reader(store: MetricStore, dag_id: str = "etl", task_id: str = "gate"):
    def read(pin: StoredProfile):
        return store.profile(
            pin.dag_id or dag_id,
            pin.task_id or task_id,
            pin.check_name,
            run_id=pin.run_id,
            logical_date=pin.logical_datetime(),
            map_index=pin.map_index,
        )

    return read


def _statements_into(seen: list[str]):
    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    return listener


def _record_good_day(db: sa.Engine, store: MetricStore, name: str = "drift_gate") -> None:
    # The good day's gate compared with some trusted table; what it recorded is its own batch.
    _data(9).to_sql("trusted", db, index=False)
    result = run_checks(SqlEngine(db, table="good"), [drift(COLUMNS, reference={"table": "trusted"}, name=name)])
    assert result.results[0].status == "pass"
    store.record(RunKey("etl", "gate", "scheduled__2026-11-01", GOOD_DAY), result)


def test_pinned_profile_gives_the_verdicts_of_the_same_data_as_a_table(db: sa.Engine) -> None:
    _data(1).to_sql("good", db, index=False)
    _data(2).to_sql("same", db, index=False)
    _data(3, drifted=True).to_sql("moved", db, index=False)
    _data(4, drifted=True, plan_only=True).to_sql("plan_moved", db, index=False)
    store = MetricStore(db)
    _record_good_day(db, store)

    by_run = drift(COLUMNS, reference=stored_profile(run_id="scheduled__2026-11-01"), name="drift_gate")
    by_date = drift(COLUMNS, reference={"profile": {"logical_date": GOOD_DAY.isoformat()}}, name="drift_gate")
    as_table = drift(COLUMNS, reference={"table": "good"}, name="drift_gate")
    statuses = {}
    for table in ("same", "moved", "plan_moved"):
        seen: list[str] = []
        listener = _statements_into(seen)
        sa.event.listen(db, "before_cursor_execute", listener)
        pinned = run_checks(SqlEngine(db, table=table), [by_run], profiles=_reader(store)).results[0]
        sa.event.remove(db, "before_cursor_execute", listener)
        dated = run_checks(SqlEngine(db, table=table), [by_date], profiles=_reader(store)).results[0]
        table_ref = run_checks(SqlEngine(db, table=table), [as_table]).results[0]
        statuses[table] = pinned.status
        assert pinned.status == dated.status == table_ref.status, table
        assert pinned.message == table_ref.message
        for mine, theirs in zip(pinned.observed["columns"], table_ref.observed["columns"], strict=True):
            assert (mine["column"], mine["method"], mine["drifted"]) == (
                theirs["column"],
                theirs["method"],
                theirs["drifted"],
            )
            assert mine["statistic"] == pytest.approx(theirs["statistic"], rel=1e-9, abs=1e-300)
            assert mine["reference_rows"] == theirs["reference_rows"] == 600
        # The stored profile stands in for the reference: the good table is never read.
        assert seen and not any("good" in statement for statement in seen)
        # The batch is binned in the database on the stored edges, and on its own (the profile
        # recorded for later pins), all columns in ONE query.
        assert sum("count(CASE WHEN" in statement for statement in seen) == 1
    assert statuses == {"same": "pass", "moved": "fail", "plan_moved": "pass"}  # 1 of 3 columns < 50%


def test_dataframe_batch_against_a_stored_profile(db: sa.Engine) -> None:
    _data(1).to_sql("good", db, index=False)
    store = MetricStore(db)
    _record_good_day(db, store)
    check = drift(COLUMNS, reference=stored_profile(run_id="scheduled__2026-11-01"), name="drift_gate")
    same = run_checks(PandasEngine(_data(2)), [check], profiles=_reader(store)).results[0]
    moved = run_checks(PandasEngine(_data(3, drifted=True)), [check], profiles=_reader(store)).results[0]
    assert (same.status, moved.status) == ("pass", "fail")
    assert moved.observed["drifted_columns"] == ["age", "plan"]


def test_recorded_profile_is_the_batch_own_and_its_sample_is_bounded(db: sa.Engine) -> None:
    big = _data(5, n=5_000)
    big.loc[:9, "age"] = None  # NULLs are not counted
    big.to_sql("good", db, index=False)
    store = MetricStore(db)
    _record_good_day(db, store)
    profile = store.profile("etl", "gate", "drift_gate", run_id="scheduled__2026-11-01")
    assert set(profile) == set(COLUMNS)
    age, plan = profile["age"], profile["plan"]
    assert age.kind == "numeric" and len(age.sample) == PROFILE_SAMPLE
    assert sum(age.counts) == age.rows == 4_990 and len(age.counts) == len(age.edges) + 1 == 10
    # The batch's own deciles: every bin holds about a tenth of it.
    assert max(age.counts) < 0.12 * 4_990 and min(age.counts) > 0.08 * 4_990
    assert plan.kind == "categorical" and plan.categories[0] == "free"
    assert plan.counts[:3] == [int((big["plan"] == c).sum()) for c in plan.categories] and plan.counts[3] == 0
    # The pandas engine measures the same profile of the same data.
    check = drift(COLUMNS, reference=_data(9), name="drift_gate")
    (in_pandas,) = run_checks(PandasEngine(big), [check]).results
    for column in COLUMNS:
        frame_profile = next(v.batch_profile for v in in_pandas.metrics.values() if v.batch_profile.column == column)
        assert frame_profile.counts == profile[column].counts
        assert frame_profile.edges == pytest.approx(profile[column].edges)
        assert frame_profile.categories == profile[column].categories
    # Recording the task instance again (a retry) replaces its profile rows.
    result = run_checks(
        SqlEngine(db, table="good"), [drift(COLUMNS, reference={"table": "trusted"}, name="drift_gate")]
    )
    store.record(RunKey("etl", "gate", "scheduled__2026-11-01", GOOD_DAY, try_number=2), result)
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(PROFILES)).scalar_one() == 3


def test_record_profile_false_records_nothing(db: sa.Engine) -> None:
    _data(1).to_sql("good", db, index=False)
    _data(9).to_sql("trusted", db, index=False)
    store = MetricStore(db)
    check = drift(COLUMNS, reference={"table": "trusted"}, record_profile=False)
    store.record(RunKey("etl", "gate", "r1", GOOD_DAY), run_checks(SqlEngine(db, table="good"), [check]))
    assert store.profile("etl", "gate", check.name, run_id="r1") is None


def test_missing_pin_errors_the_check_alone_naming_it_and_the_pin(db: sa.Engine) -> None:
    _data(1).to_sql("good", db, index=False)
    store = MetricStore(db)
    _record_good_day(db, store)
    wrong_run = drift(COLUMNS, reference=stored_profile(run_id="manual__nope"), name="drift_gate")
    wrong_column = drift(
        ["age", "income"], reference=stored_profile(run_id="scheduled__2026-11-01", check="drift_gate"), name="other"
    )
    wide = drift([*COLUMNS, "extra"], reference=stored_profile(run_id="scheduled__2026-11-01"), name="drift_gate")
    db_batch = _data(2).assign(extra=1.0)
    db_batch.to_sql("batch", db, index=False)
    results = run_checks(SqlEngine(db, table="batch"), [wrong_run, wrong_column], profiles=_reader(store)).results
    assert results[0].status == "error" and results[0].name == "drift_gate"
    assert (
        "stored profile (run_id='manual__nope', check='drift_gate') is not in the history store" in results[0].message
    )
    assert results[1].status == "pass"  # the other check is judged as usual
    (missing_column,) = run_checks(SqlEngine(db, table="batch"), [wide], profiles=_reader(store)).results
    assert missing_column.status == "error"
    assert "has no profile of column(s) ['extra']" in missing_column.message
    other_kind = drift(
        ["age"],
        reference=stored_profile(run_id="scheduled__2026-11-01", check="drift_gate"),
        kinds={"age": "categorical"},
    )
    (clash,) = run_checks(SqlEngine(db, table="batch"), [other_kind], profiles=_reader(store)).results
    assert clash.status == "error" and "does not fit 'kinds': 'age' is numeric there, not categorical" in clash.message
    (no_store,) = run_checks(SqlEngine(db, table="batch"), [wrong_column]).results
    assert no_store.status == "error" and "no history store was given" in no_store.message


def test_pin_arguments_are_checked_when_the_dag_is_parsed() -> None:
    with pytest.raises(CheckArgumentError, match="exactly one of run_id or logical_date"):
        drift(["age"], reference=stored_profile())
    with pytest.raises(CheckArgumentError, match="unknown keys"):
        drift(["age"], reference={"profile": {"run": "x"}})
    with pytest.raises(CheckArgumentError, match="not an ISO date"):
        drift(["age"], reference=stored_profile(logical_date="yesterday"))
    with pytest.raises(CheckArgumentError, match="aware datetime"):
        drift(["age"], reference=stored_profile(logical_date=dt.datetime(2026, 11, 1)))
    from airflow_dq.checks import label_shift

    with pytest.raises(CheckArgumentError, match="drift checks only"):
        label_shift(label="label", reference=stored_profile(run_id="x"))
    templated = drift(["age"], reference=stored_profile(logical_date="{{ params.pin }}"))
    assert "reference_logical_date" in templated.template_fields
    assert templated.reference.check_name == "drift(age)"


def test_migration_adds_profiles_to_an_existing_store(db: sa.Engine) -> None:
    assert migrate(db, target=2) == [1, 2]
    assert "dq_profiles" not in sa.inspect(db).get_table_names()
    row = {
        "dag_id": "etl",
        "task_id": "gate",
        "run_id": "old",
        "map_index": -1,
        "try_number": 1,
        "logical_date": GOOD_DAY,
        "dataset": "table good",
        "check_name": "row_count",
        "recorded_at": GOOD_DAY,
        "check_type": "row_count",
        "severity": "error",
        "status": "pass",
        "expected": ">= 1 rows",
        "observed": "600",
        "message": "600 rows",
    }
    with db.begin() as conn:
        conn.execute(RESULTS.insert(), [row])
    store = MetricStore(db)  # opening the store applies the new migration
    inspector = sa.inspect(db)
    assert "dq_profiles" in inspector.get_table_names()
    assert "ix_dq_profiles_pin" in {i["name"] for i in inspector.get_indexes("dq_profiles")}
    with db.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM dq_schema_version ORDER BY version")).scalars().all()
        assert conn.execute(sa.select(RESULTS.c.message)).scalars().all() == ["600 rows"]  # old rows kept
    assert versions == list(range(1, LATEST + 1)) and LATEST >= 3  # later migrations may follow
    assert migrate(db) == []
    _data(1).to_sql("good", db, index=False)
    _record_good_day(db, store)  # the upgraded store records and serves profiles
    assert set(store.profile("etl", "gate", "drift_gate", logical_date=GOOD_DAY)) == set(COLUMNS)
