"""Python -> YAML/JSON -> Python gives the very same checks, for every public constructor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from airflow_dq import checks as dq
from airflow_dq.suite_files import dump_suite, load_suite, registry
from tests.suite_files.catalog import python_examples, state


def test_the_catalog_covers_every_public_check_constructor() -> None:
    # A check added to airflow_dq.checks is in the registry without an edit to the loader;
    # this catalog is where its round trip is proven (add an example here).
    assert sorted(python_examples()) == registry.check_names()


@pytest.mark.parametrize("file_format", ["yaml", "json"])
def test_python_to_file_to_python_builds_equal_checks(tmp_path: Path, file_format: str) -> None:
    checks = [check for group in python_examples().values() for check in group]
    if file_format == "json":  # JSON has no dates: a date bound is written as (and read back as) text
        checks = [c for c in checks if c.name != "day_range"]
    path = tmp_path / f"suite.{'yml' if file_format == 'yaml' else 'json'}"
    path.write_text(dump_suite(checks, table="events", where="day = '{{ ds }}'", format=file_format))

    loaded = load_suite(path).dataset()
    assert (loaded.table, loaded.where) == ("events", "day = '{{ ds }}'")
    assert [c.name for c in loaded.checks] == [c.name for c in checks]
    for original, rebuilt in zip(checks, loaded.checks, strict=True):
        assert state(rebuilt) == state(original), original.name
    # and the file written from the rebuilt checks is the same file
    assert dump_suite(loaded.checks, table="events", where="day = '{{ ds }}'", format=file_format) == path.read_text()


def test_yaml_keeps_what_yaml_1_1_would_mangle(tmp_path: Path) -> None:
    path = tmp_path / "s.yml"
    path.write_text(
        "checks:\n"
        "  - accepted_values: {column: country, values: [NO, yes, on, 010]}\n"
        "  - value_range: {column: amount, min: 1e-3, max: 10_000}\n"
        "  - freshness: {column: loaded_at, max_age: 1d12h}\n"
    )
    values, bounds, fresh = load_suite(path).dataset().checks
    assert values.values == ("NO", "yes", "on", "010")
    assert (bounds.min, bounds.max) == (0.001, 10_000)
    assert fresh.max_age == dt.timedelta(hours=36)


def test_a_check_added_to_the_package_is_usable_from_files_without_loader_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class EvenRowCount(dq.RowCountCheck):
        """A check another module adds: row count within bounds (and more, one day)."""

        check_type = "even_row_count"

        def __init__(self, *, multiple_of: int = 2, **kwargs) -> None:
            super().__init__(**kwargs)
            self.multiple_of = multiple_of

    monkeypatch.setattr(dq, "even_row_count", EvenRowCount, raising=False)
    monkeypatch.setattr(dq, "__all__", [*dq.__all__, "even_row_count"])
    registry._public_names.cache_clear()
    registry.constructor.cache_clear()
    registry._name_of_class.cache_clear()
    try:
        path = tmp_path / "s.yml"
        path.write_text("checks:\n  - even_row_count: {min: 2, multiple_of: 4}\n")
        (check,) = load_suite(path).dataset().checks
        assert isinstance(check, EvenRowCount) and (check.min, check.multiple_of) == (2, 4)
        assert dump_suite([check]).splitlines()[-1].strip() == "- even_row_count: {min: 2, multiple_of: 4}"
    finally:
        registry._public_names.cache_clear()
        registry.constructor.cache_clear()
        registry._name_of_class.cache_clear()


def test_a_check_a_file_cannot_hold_is_refused_by_name() -> None:
    check = dq.drift("amount", reference=lambda: None)
    with pytest.raises(TypeError, match=r"check 'drift\(amount\)': argument 'reference' is function"):
        dump_suite([check])


def test_copies_share_the_arguments_and_rebuilt_checks_do_not_pretend_to_know_them() -> None:
    import copy

    from airflow_dq.checks.serde import check_from_spec, check_to_spec

    check = dq.value_range("amount", min=0, max=10)
    clone = copy.deepcopy(check)
    assert clone._given is check._given  # a large reference DataFrame is not copied per run
    assert registry.arguments_of(clone) == {"column": "amount", "min": 0, "max": 10}
    rebuilt = check_from_spec(check_to_spec(check))
    assert state(rebuilt) == state(check)
    with pytest.raises(TypeError, match="was not built by its constructor"):
        registry.arguments_of(rebuilt)
