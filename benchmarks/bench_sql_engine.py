"""Side-by-side benchmark: our single-scan SQL engine vs a hand-written query vs common.sql.

Starts a throw-away PostgreSQL server, generates a table in it, and runs the same suite of
checks three ways, interleaved round by round so that load from other processes hits all
three alike:

(a) ``airflow_dq.suite.run_checks`` with ``SqlEngine`` (table reflection included);
(b) ONE hand-written aggregate query computing the same values (what an expert writes);
(c) Airflow's ``SQLColumnCheckOperator`` + ``SQLTableCheckOperator`` run with ``execute()``.

The suite has 16 checks: 14 scalar ones, a segment-presence check (8 known countries with
>= 1,000 rows each) and an hourly bucket check over the last 24 hours: the segments and the
buckets are counted inside the one aggregate scan.

It prints the median time of each, its ratio to (b), the statements each sends and the
table scans in their plans, checks that (a) and (b) computed the same values and that
(a) and (c) reach the same verdicts, then reports the import cost of our operators.

Last, the incremental section: the same table has 30 daily partitions (``day``, indexed);
the mergeable checks are judged (i) by a full scan, (ii) by the incremental engine with 29
partitions' states in a history store and the newest partition to scan, and compared with
(iii) one hand-written aggregate over the newest partition only.

    .venv/bin/python benchmarks/bench_sql_engine.py --rows 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import sqlalchemy as sa  # noqa: E402
from import_cost import measure as measure_imports  # noqa: E402
from import_cost import report as report_imports  # noqa: E402
from server_cpu import postmaster_pid, server_cpu_seconds  # noqa: E402
from suite_spec import (  # noqa: E402
    DAYS,
    FIRST_DAY,
    TABLE,
    Spec,
    create_table_sql,
    hand_values,
    hand_written_sql,
    hour_window,
    suite,
)

from airflow_dq.engines.sql.engine import SqlEngine  # noqa: E402
from airflow_dq.engines.sql.incremental import IncrementalSqlEngine  # noqa: E402
from airflow_dq.metrics.states import state_kind  # noqa: E402
from airflow_dq.results import Status, SuiteResult  # noqa: E402
from airflow_dq.store import MetricStore  # noqa: E402
from airflow_dq.store.partition_states import PartitionStates  # noqa: E402
from airflow_dq.store.schema import PARTITION_STATES  # noqa: E402
from airflow_dq.suite import run_checks  # noqa: E402
from tests.pg_server import PostgresServer  # noqa: E402

CONN_ID = "bench_pg"


@dataclass
class Approach:
    label: str
    run: Callable[[], Any]
    seconds: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)  # this Python process
    server_cpu: list[float] = field(default_factory=list)  # PostgreSQL, all its processes
    statements: int = 0
    statement_note: str = ""
    scans: int = 0
    prepare: Callable[[], Any] | None = None  # untimed, before each run


class StatementCounter:
    """Counts every statement SQLAlchemy sends to the server (a cursor-level listener)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.sent: list[tuple[str, Any]] = []
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        self.sent.append((statement, parameters))

    def take(self) -> list[tuple[str, Any]]:
        sent, self.sent = self.sent, []
        return sent


def is_catalog(statement: str) -> bool:
    return "pg_catalog" in statement or "information_schema" in statement


def table_scans(engine: sa.Engine, statement: str, parameters: Any = None) -> int:
    """Scans of the benchmark table in the statement's plan (EXPLAIN, not executed)."""
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters or {}).scalars().all()
    return sum(1 for line in plan if re.search(rf"\b(Seq|Index|Index Only|Bitmap Heap) Scan\b.* on {TABLE}\b", line))


# -- (c) Airflow's common.sql check operators ----------------------------------------------
def common_sql_operators(specs: list[Spec]) -> list[Any]:
    from airflow.providers.common.sql.operators.sql import SQLColumnCheckOperator, SQLTableCheckOperator

    column_mapping: dict[str, dict[str, Any]] = {}
    table_checks: dict[str, dict[str, str]] = {}
    for i, spec in enumerate(specs):
        if spec.common[0] == "column":
            _, column, check_type, bounds = spec.common
            column_mapping.setdefault(column, {})[check_type] = dict(bounds)
        else:  # the check name becomes a SQL alias, so it must be an identifier
            table_checks[f"c{i}"] = {"check_statement": spec.common[1]}
    return [
        SQLColumnCheckOperator(task_id="columns", conn_id=CONN_ID, table=TABLE, column_mapping=column_mapping),
        SQLTableCheckOperator(task_id="table", conn_id=CONN_ID, table=TABLE, checks=table_checks),
    ]


def common_sql_verdicts(specs: list[Spec], operators: list[Any]) -> dict[str, bool]:
    columns, table = operators
    verdicts = {}
    for i, spec in enumerate(specs):
        if spec.common[0] == "column":
            _, column, check_type, _ = spec.common
            verdicts[spec.name] = bool(columns.column_mapping[column][check_type]["success"])
        else:
            verdicts[spec.name] = bool(table.checks[f"c{i}"]["success"])
    return verdicts


def run_common_sql(specs: list[Spec], executions: list[int]) -> list[Any]:
    """Build and execute both operators; a failed check raises, as it would in a task."""
    from airflow.exceptions import AirflowException
    from airflow.sdk.bases.operator import ExecutorSafeguard

    operators = common_sql_operators(specs)
    for op in operators:
        hook = op.get_db_hook()
        run_command = hook._run_command

        def counted(cur: Any, sql: str, parameters: Any, _run: Any = run_command) -> Any:
            executions.append(1)  # one cursor execution = one statement sent to the server
            return _run(cur, sql, parameters)

        hook._run_command = counted
        # The sentinel is what the task runner passes; without it execute() warns that it
        # runs outside a task. Everything else is the operator's own code path.
        sentinel = {f"{type(op).__name__}__sentinel": ExecutorSafeguard.sentinel_value}
        with contextlib.suppress(AirflowException):  # a failed check; its result is kept on op
            op.execute(context={}, **sentinel)
    return operators


# -- set-up -------------------------------------------------------------------------------
def build_table(engine: sa.Engine, rows: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        conn.exec_driver_sql(create_table_sql(rows))
        conn.exec_driver_sql(f"CREATE INDEX ix_{TABLE}_day ON {TABLE} (day)")  # the partition column
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM sets hint bits and the visibility map now, not during the first timed scan.
        conn.exec_driver_sql(f"VACUUM ANALYZE {TABLE}")
        conn.exec_driver_sql(f"SELECT count(*) FROM {TABLE}").scalar()


def quiet_airflow_logs() -> None:
    # The operators log every statement and record; a benchmark only wants its table.
    # Airflow reads the level when it configures logging, i.e. after this runs.
    os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"


PHASES = (
    ("PostgreSQL defaults (parallel workers allowed)", None),
    ("serial: max_parallel_workers_per_gather = 0 (the total work one query costs)", 0),
)


def set_parallel_workers(engine: sa.Engine, workers: int | None) -> None:
    """Set the per-query worker limit for every new session of the database (also the
    operators' own connections), then drop pooled sessions so the setting applies."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        name = conn.exec_driver_sql("SELECT current_database()").scalar()
        quoted = engine.dialect.identifier_preparer.quote(name)
        value = "DEFAULT" if workers is None else str(workers)
        conn.exec_driver_sql(f"ALTER DATABASE {quoted} SET max_parallel_workers_per_gather = {value}")
    engine.dispose()


def timed_rounds(approaches: list[Approach], repeat: int, postmaster: int | None) -> None:
    for approach in approaches:
        approach.seconds.clear()
        approach.client_cpu.clear()
        approach.server_cpu.clear()
        if approach.prepare:
            approach.prepare()
        approach.run()  # untimed: fresh sessions after a settings change warm their caches
    for round_ in range(repeat):
        shift = round_ % len(approaches)
        for approach in approaches[shift:] + approaches[:shift]:
            if approach.prepare:
                approach.prepare()
            server = server_cpu_seconds(postmaster) if postmaster else 0.0
            client = time.process_time()
            clock = time.perf_counter()
            approach.run()
            approach.seconds.append(time.perf_counter() - clock)
            approach.client_cpu.append(time.process_time() - client)
            if postmaster:
                approach.server_cpu.append(server_cpu_seconds(postmaster) - server)


def print_table(
    title: str, approaches: list[Approach], reflect: list[float] | None, base: int = 1, base_name: str = "(b)"
) -> None:
    med = statistics.median
    wall = med(approaches[base].seconds)
    cpu = med(approaches[base].server_cpu or [0]) + med(approaches[base].client_cpu)
    print(f"\n{title}")
    print(
        f"{'approach':39} {'median s':>8} {'min s':>6} {'vs ' + base_name:>6} │ {'CPU s':>6} {'server':>6} "
        f"{'client':>6} {'vs ' + base_name:>6} │ {'statements':>10} {'scans':>5}"
    )
    for a in approaches:
        server = med(a.server_cpu) if a.server_cpu else float("nan")
        total = (server if a.server_cpu else 0.0) + med(a.client_cpu)
        note = f"  ({a.statement_note})" if a.statement_note else ""
        print(
            f"{a.label:39} {med(a.seconds):8.3f} {min(a.seconds):6.3f} {med(a.seconds) / wall:5.2f}x │ "
            f"{total:6.3f} {server:6.3f} {med(a.client_cpu):6.3f} {total / cpu:5.2f}x │ "
            f"{a.statements:>10} {a.scans:>5}{note}"
        )
    if reflect:
        print(f"{'    of (a): table reflection':39} {med(reflect):8.3f}")


def same_value(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, tuple) and isinstance(theirs, tuple):
        return len(ours) == len(theirs) and all(same_value(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, float) or isinstance(theirs, float):
        return ours is not None and theirs is not None and math.isclose(float(ours), float(theirs), rel_tol=1e-9)
    return ours == theirs or (ours is not None and theirs is not None and float(ours) == float(theirs))


# -- the benchmark ------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated table")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each approach (median)")
    parser.add_argument("--import-runs", type=int, default=7, help="fresh interpreters for the import cost")
    parser.add_argument("--skip-common-sql", action="store_true", help="leave out the common.sql operators")
    args = parser.parse_args()

    print("import cost ...", flush=True)
    imports_ok = report_imports(measure_imports(args.import_runs))

    server = PostgresServer("bench")
    url = server.start()
    try:
        return run(args, url) and imports_ok
    finally:
        server.stop()


def run(args: argparse.Namespace, url: str) -> bool:
    quiet_airflow_logs()
    os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = (
        sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    engine = sa.create_engine(url)
    started = time.perf_counter()
    build_table(engine, args.rows)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version").scalar()
        size = conn.exec_driver_sql(f"SELECT pg_size_pretty(pg_total_relation_size('{TABLE}'))").scalar()
    print(f"\nPostgreSQL {version}: {args.rows:,} rows ({size}) generated in {time.perf_counter() - started:.1f} s")

    with engine.connect() as conn:
        newest = conn.exec_driver_sql(f"SELECT max(loaded_at) FROM {TABLE}").scalar()
    specs = suite(args.rows, hour_window(newest))
    checks = [spec.check for spec in specs]
    now = dt.datetime.now(dt.UTC)
    hand_sql = hand_written_sql(specs)
    counter = StatementCounter(engine)
    reflect: list[float] = []
    executions: list[int] = []
    outcome: dict[str, Any] = {}

    def ours() -> SuiteResult:
        clock = time.perf_counter()
        source = SqlEngine(engine, table=TABLE)
        source.column_types()  # what run_checks does first; timed apart to show its share
        reflect.append(time.perf_counter() - clock)
        outcome["ours"] = run_checks(source, checks, now=now, sample_size=0)
        return outcome["ours"]

    def hand() -> Any:
        with engine.connect() as conn:
            outcome["hand"] = conn.exec_driver_sql(hand_sql).one()
        return outcome["hand"]

    def common() -> Any:
        outcome["common"] = run_common_sql(specs, executions)
        return outcome["common"]

    approaches = [
        Approach("(a) airflow_dq run_checks + SqlEngine", ours),
        Approach("(b) hand-written aggregate query", hand),
    ]
    if not args.skip_common_sql:
        approaches.append(Approach("(c) common.sql Column+TableCheck ops", common))

    # Warm-up (untimed): caches, connection pools, lazy imports; also counts statements.
    for approach in approaches:
        counter.take()
        executions.clear()
        approach.run()
        sent = counter.take()
        if approach.run is common:
            approach.statements = len(executions)
            approach.scans = sum(table_scans(engine, op.sql) for op in outcome["common"])
        else:
            data = [(s, p) for s, p in sent if not is_catalog(s)]
            approach.statements = len(sent)
            approach.statement_note = (
                f"{len(data)} data + {len(sent) - len(data)} catalog" if len(data) < len(sent) else ""
            )
            approach.scans = sum(table_scans(engine, s, p) for s, p in data)
    reflect.clear()

    print(f"{len(checks)} checks; {args.repeat} timed rounds per setting, order rotated each round")
    print(
        "(a) is timed whole, reflection included. CPU s = PostgreSQL's CPU (all its processes) + this\n"
        "process's (SQLAlchemy, psycopg2, Airflow); steady when other jobs load the machine, unlike wall time."
    )
    postmaster = postmaster_pid(engine)
    for title, workers in PHASES:
        set_parallel_workers(engine, workers)
        reflect.clear()
        timed_rounds(approaches, args.repeat, postmaster)
        print_table(title, approaches, reflect)

    same = compare(specs, outcome)
    return incremental(engine, specs, args, counter, postmaster) and same


def compare(specs: list[Spec], outcome: dict[str, Any]) -> bool:
    """(a) must compute (b)'s values, and reach common.sql's verdicts where it can say."""
    ours: SuiteResult = outcome["ours"]
    passed = {r.name: r.status is Status.PASS for r in ours.results}
    by_name = {r.name: r for r in ours.results}
    hand = hand_values(specs, outcome["hand"])
    value_diffs = [
        f"{spec.name}: ours {spec.ours(by_name[spec.name])!r} vs hand-written {hand[i]!r}"
        for i, spec in enumerate(specs)
        if not same_value(spec.ours(by_name[spec.name]), hand[i])
    ]
    failing = [name for name, ok in passed.items() if not ok]
    print(f"\nverdicts of (a): {len(specs) - len(failing)} pass, {len(failing)} fail ({', '.join(failing)})")
    print(f"(a) vs (b) values: {'all equal' if not value_diffs else 'DIFFERENT: ' + '; '.join(value_diffs)}")
    verdict_diffs = []
    if "common" in outcome:
        theirs = common_sql_verdicts(specs, outcome["common"])
        verdict_diffs = [name for name in theirs if theirs[name] != passed[name]]
        print(f"(a) vs (c) verdicts: {'all equal' if not verdict_diffs else 'DIFFERENT: ' + ', '.join(verdict_diffs)}")
    return not value_diffs and not verdict_diffs


# -- incremental: a 30-partition table judged from merged states -------------------------
def _mergeable(spec: Spec) -> bool:
    return all(state_kind(m) is not None for m in spec.check.metrics())  # listed segments merge too


def incremental(engine: sa.Engine, specs: list[Spec], args: argparse.Namespace, counter: Any, postmaster: Any) -> bool:
    import tempfile

    specs = [spec for spec in specs if _mergeable(spec)]
    checks = [spec.check for spec in specs]
    newest = (FIRST_DAY + dt.timedelta(days=DAYS - 1)).isoformat()
    now = dt.datetime.now(dt.UTC)
    folder = tempfile.TemporaryDirectory(prefix="dq-bench-store-")
    store = MetricStore.open(f"sqlite:///{folder.name}/history.db")
    outcome: dict[str, Any] = {}

    def forget_newest() -> None:  # the day's new partition has no state yet
        with store.engine.begin() as conn:
            conn.execute(PARTITION_STATES.delete().where(PARTITION_STATES.c.partition_key == newest))

    def full() -> Any:
        outcome["full"] = run_checks(SqlEngine(engine, table=TABLE), checks, now=now, sample_size=0)

    def merged() -> Any:
        source = IncrementalSqlEngine(engine, table=TABLE, partition_column="day", states=PartitionStates(store))
        outcome["incremental"] = run_checks(source, checks, now=now, sample_size=0)

    one_partition_sql = hand_written_sql(specs, where=f"day = '{newest}'")

    def one_partition() -> Any:
        with engine.connect() as conn:
            outcome["one"] = conn.exec_driver_sql(one_partition_sql).one()

    approaches = [
        Approach("(i) full scan of 30 partitions", full),
        Approach("(ii) incremental: 29 stored + 1 scanned", merged, prepare=forget_newest),
        Approach("(iii) hand-written, newest partition", one_partition),
    ]
    merged()  # the first run measures every partition once
    for approach in approaches:
        if approach.prepare:
            approach.prepare()
        counter.take()
        approach.run()
        sent = counter.take()
        data = [(s, p) for s, p in sent if not is_catalog(s)]
        approach.statements = len(sent)
        approach.statement_note = f"{len(data)} data + {len(sent) - len(data)} catalog" if len(data) < len(sent) else ""
        approach.scans = sum(table_scans(engine, s, p) for s, p in data)
    timed_rounds(approaches, args.repeat, postmaster)
    print_table(
        f"incremental: {len(checks)} mergeable checks on {DAYS} daily partitions (serial setting)",
        approaches,
        None,
        base=2,
        base_name="(iii)",
    )
    read = outcome["incremental"].statements
    print(
        f"(ii) read {read.get('partitions_read', 0)} partition(s), merged {read.get('partitions_from_store', 0)} "
        "from the store (a SQLite history file)"
    )
    diffs = []
    for ours, theirs in zip(outcome["incremental"].results, outcome["full"].results, strict=True):
        if ours.status != theirs.status or not same_value(ours.observed, theirs.observed):
            diffs.append(f"{ours.name}: {ours.observed!r} vs {theirs.observed!r}")
    print(f"(ii) vs (i) verdicts and values: {'all equal' if not diffs else 'DIFFERENT: ' + '; '.join(diffs)}")
    store.close()
    folder.cleanup()
    return not diffs


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
