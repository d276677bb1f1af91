"""The published JSON Schema: derived from the constructors, accepts the example suites,
rejects broken ones at the right line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from airflow_dq.suite_files import dump_suite
from airflow_dq.suite_files.reader import parse_text, read_file
from airflow_dq.suite_files.schema import build_schema, published_schema, schema_problems
from tests.suite_files.catalog import python_examples

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted([*(ROOT / "tests" / "dags" / "suites").iterdir(), *(ROOT / "example_dags" / "suites").glob("*.y*ml")])


def test_the_published_schema_is_the_one_the_constructors_give() -> None:
    # Fails after a check is added or changed: run `python -m airflow_dq.suite_files.schema --write`.
    assert published_schema() == json.loads(json.dumps(build_schema()))


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(published_schema())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_suites_validate(path: Path) -> None:
    assert schema_problems(read_file(path)) == []


@pytest.mark.parametrize("file_format", ["yaml", "json"])
def test_a_suite_written_from_every_check_validates(file_format: str) -> None:
    checks = [check for group in python_examples().values() for check in group]
    text = dump_suite(checks, table="events", format=file_format)
    assert schema_problems(parse_text(text, f"suite.{file_format}")) == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("checks:\n  - not_null: {column: a, mostyl: 1}\n", 2, "'mostyl' was unexpected"),
        ("checks:\n  - row_count: {min: 1}\n  - unique: {columns: a, severity: fatal}\n", 3, "'fatal' is not one of"),
        ("checks:\n  - nope: 1\n", 2, "'nope' was unexpected"),
        ("checks:\n  - freshness: {column: a, max_age: soon}\n", 2, "'soon' does not match"),
        ("checks:\n  - accepted_values: {column: a}\n", 2, "'values' is a required property"),
        ("table: t\nsql: SELECT 1\nchecks: [volume_anomaly]\n", 1, "should not be valid"),
        ("tabel: t\nchecks: [volume_anomaly]\n", 1, "'tabel' was unexpected"),
        ("table: t\n", 1, "'checks' is a required property"),
        ("checks:\n  - value_range: {column: a, min: 0, mostly: high}\n", 2, "'high' is not of type"),
    ],
)
def test_broken_suites_are_rejected_at_their_line(text: str, line: int, message: str) -> None:
    problems = schema_problems(parse_text(textwrap.dedent(text), "suite.yml"))
    assert problems, "the schema accepted a broken suite"
    assert any(found_line == line and message in problem for found_line, problem in problems), problems


def _yaml_blocks(path: Path) -> list[str]:
    import re

    return re.findall(r"```yaml\n(.*?)```", path.read_text(), re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/suite-files.md"])
def test_the_yaml_examples_of_the_docs_validate_and_build(doc: str) -> None:
    from airflow_dq.suite_files import suite_from_data

    blocks = _yaml_blocks(ROOT / doc)
    assert blocks, f"{doc} has no YAML example"
    for index, block in enumerate(blocks):
        data = parse_text(block, f"{doc} example {index + 1}")
        assert schema_problems(data) == [], block
        assert suite_from_data(data, doc).datasets[0].checks
