"""``airflow-dq``: validate and run suite files outside Airflow (in CI, before a DAG ships).

    airflow-dq validate suites/events.yml                      # schema + arguments, no database
    airflow-dq run suites/events.yml --url postgresql://...    # or --conn-id warehouse
    airflow-dq run suites/events.yml --url sqlite:///dev.db --where "day = '2026-11-20'" --store

``run`` prints the same results table as the task log and exits 0 when no ``error``
check failed, 1 when one did, 2 when the suite could not run (a bad file, a connection
that fails, a template that does not render, a check that could not be evaluated).
Jinja in filters and SQL is rendered with ``ds``, ``ts``, ``logical_date``,
``data_interval_start``/``_end``, Airflow's ``macros`` and ``--var`` values, the date from
``--logical-date``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from typing import Any

OK, FAILED, COULD_NOT_RUN = 0, 1, 2


def _say(message: str, *, err: bool = False) -> None:
    print(message, file=sys.stderr if err else sys.stdout)


def validate(paths: Sequence[str]) -> int:
    """Each file against the published schema, then through the constructors."""
    from airflow_dq.suite_files.loader import suite_from_data
    from airflow_dq.suite_files.reader import SuiteFileError, read_file
    from airflow_dq.suite_files.schema import schema_problems

    status = OK
    for path in paths:
        try:
            data = read_file(path)
        except SuiteFileError as err:
            _say(f"INVALID {err}", err=True)
            status = FAILED
            continue
        problems = schema_problems(data)
        for line, problem in problems:
            _say(f"INVALID suite file {path}{f', line {line}' if line else ''}: {problem}", err=True)
        try:
            suite = suite_from_data(data, path)
        except SuiteFileError as err:
            _say(f"INVALID {err}", err=True)
            status = FAILED
            continue
        if problems:
            status = FAILED
            continue
        checks = sum(len(d.checks) for d in suite.datasets)
        _say(f"ok {path}: {len(suite.datasets)} dataset(s), {checks} check(s)")
    return status


def _macros() -> Any:
    try:  # Airflow's own template macros (ds_add, ds_format, ...), when Airflow is installed
        from airflow.sdk.execution_time import macros
    except ImportError:  # pragma: no cover - the provider always has Airflow
        return None
    return macros


def _template_context(logical_date: dt.datetime, variables: dict[str, str]) -> dict[str, Any]:
    return {
        "macros": _macros(),
        "ds": logical_date.date().isoformat(),
        "ds_nodash": logical_date.strftime("%Y%m%d"),
        "ts": logical_date.isoformat(),
        "logical_date": logical_date,
        "data_interval_start": logical_date,
        "data_interval_end": logical_date,
        "var": {"value": variables},
        **variables,
    }


def _render(value: Any, context: dict[str, Any], where: str) -> Any:
    if not isinstance(value, str) or ("{{" not in value and "{%" not in value):
        return value
    import jinja2

    try:
        return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(value).render(context)
    except jinja2.TemplateError as err:
        raise ValueError(f"{where}: the template {value!r} does not render ({err}); pass it with --var") from None


def _render_checks(checks: list[Any], context: dict[str, Any]) -> list[Any]:
    import copy

    rendered = copy.deepcopy(checks)
    for check in rendered:
        for attr in check.template_fields:
            setattr(check, attr, _render(getattr(check, attr), context, f"check '{check.name}': argument '{attr}'"))
    return rendered


def _engine(args: argparse.Namespace) -> Any:
    if args.url:
        import sqlalchemy as sa

        return sa.create_engine(args.url)
    from airflow.sdk import BaseHook

    hook = BaseHook.get_hook(args.conn_id)
    if not hasattr(hook, "get_sqlalchemy_engine"):
        raise TypeError(f"connection '{args.conn_id}' gives a {type(hook).__name__}, which has no SQLAlchemy engine")
    return hook.get_sqlalchemy_engine()


def _store(target: str) -> Any:
    from airflow_dq.store import MetricStore, sqlite_engine

    if target == "config":  # the store the provider config points at, as tasks use it
        from airflow_dq.operators.history import open_store

        return open_store()
    if "://" in target:
        import sqlalchemy as sa

        return MetricStore(sa.create_engine(target))
    return MetricStore(sqlite_engine(target))


def _worst(codes: Sequence[int]) -> int:
    # A check that failed is a definite verdict on the data: it outranks "could not run".
    if FAILED in codes:
        return FAILED
    return COULD_NOT_RUN if COULD_NOT_RUN in codes else OK


def run(args: argparse.Namespace) -> int:
    from airflow_dq.suite_files import SuiteFileError, load_suite

    try:
        suite = load_suite(args.suite)
        datasets = [suite.dataset(args.dataset)] if args.dataset else suite.datasets
    except SuiteFileError as err:
        _say(f"could not run: {err}", err=True)
        return COULD_NOT_RUN
    moment = args.logical_date or dt.datetime.now(dt.UTC)
    context = _template_context(moment, dict(args.var or []))
    try:
        bind = _engine(args)
    except Exception as err:
        _say(f"could not run: cannot open the database: {type(err).__name__}: {err}", err=True)
        return COULD_NOT_RUN
    store = None
    try:
        if args.store:
            store = _store(args.store)
        return _worst([_run_dataset(spec, bind, store, context, moment, args) for spec in datasets])
    except Exception as err:  # the store could not be opened
        _say(f"could not run: cannot open the history store: {type(err).__name__}: {err}", err=True)
        return COULD_NOT_RUN
    finally:
        bind.dispose()
        if store is not None:
            store.close()


def _run_dataset(
    spec: Any, bind: Any, store: Any, context: dict[str, Any], moment: dt.datetime, args: argparse.Namespace
) -> int:
    from airflow_dq.engines.sql import SqlEngine
    from airflow_dq.report import results_table
    from airflow_dq.results import Status
    from airflow_dq.suite import run_checks

    if spec.table is None and spec.sql is None:
        _say(
            f"could not run dataset '{spec.name}': it names no 'table' or 'sql' (checks for a DataFrame task?)",
            err=True,
        )
        return COULD_NOT_RUN
    key = None
    if store is not None:
        from airflow_dq.store import RunKey

        key = RunKey(args.dag_id, spec.name, f"cli__{moment.isoformat()}", moment)
    history = None
    if key is not None:

        def history(name: str, runs: int) -> Any:
            return store.history(key.dag_id, key.task_id, -1, name, before=moment, runs=runs)

    try:
        where = args.where if args.where is not None else spec.where
        result = run_checks(
            SqlEngine(
                bind,
                table=spec.table,
                schema=spec.schema,
                query=_render(spec.sql, context, f"dataset '{spec.name}': sql"),
                where=_render(where, context, f"dataset '{spec.name}': where"),
            ),
            _render_checks(spec.checks, context),
            now=moment,
            sample_size=args.sample_size,
            history=history,
            logical_date=moment,
        )
    except Exception as err:  # a connection, a template, a table that is not there
        _say(f"could not run dataset '{spec.name}': {type(err).__name__}: {err}", err=True)
        return COULD_NOT_RUN
    _say(results_table(result))
    if key is not None:
        try:
            store.record(key, result)
        except Exception as err:
            _say(f"could not record the results in the history store: {type(err).__name__}: {err}", err=True)
            return COULD_NOT_RUN
        _say(f"Recorded {len(result.results)} check results in the history store as {key.dag_id}.{key.task_id}")
    if any(r.blocking and r.status is Status.FAIL for r in result.results):
        return FAILED
    return COULD_NOT_RUN if result.blocking else OK  # blocking but not failed: could not be evaluated


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _variable(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--var must be NAME=VALUE, got {text!r}")
    return name, value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="airflow-dq", description="Validate and run airflow_dq suite files.")
    commands = top.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check suite files against the schema and the checks' arguments")
    check.add_argument("suites", nargs="+", metavar="SUITE")
    go = commands.add_parser("run", help="run a suite file against a database and print the results table")
    go.add_argument("suite", metavar="SUITE")
    source = go.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="SQLAlchemy URL of the database")
    source.add_argument("--conn-id", help="an Airflow connection (e.g. from AIRFLOW_CONN_<ID>)")
    go.add_argument("--dataset", help="run only this dataset of the file")
    go.add_argument("--where", help="SQL filter, instead of the file's 'where'")
    go.add_argument("--logical-date", type=_moment, help="the run's time for templates and freshness (default: now)")
    go.add_argument("--var", type=_variable, action="append", metavar="NAME=VALUE", help="a template variable")
    go.add_argument("--sample-size", type=int, default=5, help="failing rows shown per failed row check (5)")
    go.add_argument(
        "--store",
        nargs="?",
        const="config",
        metavar="URL_OR_PATH",
        help="record the results in the history store: the one the [data_quality] config names, or this "
        "SQLAlchemy URL / SQLite file (anomaly checks then read their history there)",
    )
    go.add_argument("--dag-id", default="airflow-dq-cli", help="the name results are recorded under (--store)")
    commands.add_parser("schema", help="print the JSON Schema of suite files")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "validate":
        return validate(args.suites)
    if args.command == "schema":
        import json

        from airflow_dq.suite_files.schema import published_schema

        _say(json.dumps(published_schema(), indent=2))
        return OK
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
