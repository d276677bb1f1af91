"""A bad suite file is refused with its name, the line, the check and the argument."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from airflow_dq.suite_files import SuiteFileError, load_suite


def _load_error(tmp_path: Path, text: str, name: str = "suite.yml") -> SuiteFileError:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    with pytest.raises(SuiteFileError) as caught:
        load_suite(path)
    return caught.value


@pytest.mark.parametrize(
    ("text", "line", "check", "argument", "message"),
    [
        (  # the constructor's own validation, pointed at the argument's line
            """\
            table: events
            checks:
              - not_null: user_id
              - value_range:
                  column: amount
                  min: 10
                  max: 1
            """,
            6,
            "value_range",
            "min",
            "check 'value_range' on column 'amount': argument 'min' (10) is greater than max (1)",
        ),
        (
            """\
            checks:
              - not_null: {column: user_id, mostyl: 0.9}
            """,
            2,
            "not_null",
            "mostyl",
            "check 'not_null' has no argument 'mostyl' (did you mean 'mostly'?)",
        ),
        (
            """\
            checks:
              - row_count: {min: 1}
              - accepted_values: {column: country}
            """,
            3,
            "accepted_values",
            "values",
            "check 'accepted_values': argument 'values' is missing",
        ),
        (
            """\
            checks:
              - freshness:
                  column: loaded_at
                  max_age: six hours
            """,
            4,
            "freshness",
            "max_age",
            "argument 'max_age' 'six hours' is not a duration such as '6h'",
        ),
        (
            """\
            checks:
              - not_nul: user_id
            """,
            2,
            "not_nul",
            None,
            "unknown check 'not_nul' (did you mean 'not_null'?)",
        ),
        (
            """\
            checks:
              - unique: id
              - unique: {columns: id, severity: fatal}
            """,
            3,
            "unique",
            "severity",
            "argument 'severity' must be 'error' or 'warn', got 'fatal'",
        ),
        (
            """\
            checks:
              - unique: id
              - unique: [id]
            """,
            3,
            "unique(id)",
            None,
            "two checks are named 'unique(id)' (the first is on line 2)",
        ),
    ],
)
def test_bad_check_names_file_line_check_argument(
    tmp_path: Path, text: str, line: int, check: str, argument: str | None, message: str
) -> None:
    err = _load_error(tmp_path, text)
    assert (err.line, err.check, err.argument) == (line, check, argument)
    assert str(err).startswith(f"suite file {tmp_path / 'suite.yml'}, line {line}: ")
    assert message in str(err)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("checks:\n  - not_null: [a\n", 3, "is not valid YAML"),
        ("table: events\ntabel: events\nchecks: [row_count]\n", 2, "unknown key 'tabel' (did you mean 'table'?)"),
        ("table: a\ntable: b\nchecks: [volume_anomaly]\n", 2, "the key 'table' is given twice (first on line 1)"),
        ("version: 2\nchecks: [volume_anomaly]\n", 1, "'version' must be 1"),
        ("table: events\n", 1, "has no 'checks'"),
        ("checks:\n  - not_null: a\n    unique: b\n", 2, "must be one '<check name>: <arguments>' pair"),
        (
            "datasets:\n  - table: a\n    checks: [volume_anomaly]\n  - table: a\n    checks: [volume_anomaly]\n",
            None,
            "two datasets are named 'a'",
        ),
    ],
)
def test_bad_structure_names_file_and_line(tmp_path: Path, text: str, line: int | None, message: str) -> None:
    err = _load_error(tmp_path, text)
    assert err.line == line
    assert message in str(err)


def test_json_files_get_json_errors_and_line_numbers(tmp_path: Path) -> None:
    err = _load_error(tmp_path, '{"checks": [\n  {"not_null": "a"},\n]}\n', name="s.json")
    assert "is not valid JSON" in str(err) and err.line == 3
    err = _load_error(
        tmp_path, '{"checks": [\n  {"not_null": "a"},\n  {"row_count": {"min": -1, "max": -5}}\n]}\n', name="s.json"
    )
    assert err.line == 3 and err.check == "row_count" and err.argument == "min"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SuiteFileError, match=r"suite file .*nowhere\.yml: does not exist"):
        load_suite(tmp_path / "nowhere.yml")


def test_several_datasets_and_shared_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.yml"
    path.write_text(
        textwrap.dedent(
            """\
            conn_id: warehouse
            datasets:
              - table: orders
                schema: sales
                checks: [volume_anomaly, {not_null: id}]
              - name: recent_users
                sql: SELECT * FROM users WHERE created > '{{ ds }}'
                conn_id: users_db
                checks:
                  - unique: id
            """
        )
    )
    suite = load_suite(path)
    orders, users = suite.datasets
    assert (orders.name, orders.table, orders.schema, orders.conn_id) == ("orders", "orders", "sales", "warehouse")
    assert [c.name for c in orders.checks] == ["volume_anomaly", "not_null(id)"]
    assert (users.name, users.sql, users.conn_id) == (
        "recent_users",
        "SELECT * FROM users WHERE created > '{{ ds }}'",
        "users_db",
    )
    assert suite.dataset("recent_users") is users
    with pytest.raises(SuiteFileError, match=r"holds 2 datasets \['orders', 'recent_users'\]"):
        suite.dataset()
