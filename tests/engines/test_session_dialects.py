"""The guarded session takes every per-database setting from the ``Dialect`` (issue 15,
point 1): adding a database family is one class in dialects.py, and the engine modules
hold no database names."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_dq.engines.sql import dialects
from airflow_dq.engines.sql.session import Limits, guard

ENGINE_SQL = Path(dialects.__file__).parent


class Recording(dialects.SQLite):
    """A family that records what the guard asks of it."""

    calls: list[tuple[Any, ...]] = []

    def start_session(
        self, dbapi: Any, server: Any, *, read_only: bool, timeout: float | None, state: dict[str, Any]
    ) -> None:
        self.calls.append(("start", read_only, timeout))
        super().start_session(dbapi, server, read_only=read_only, timeout=timeout, state=state)

    def end_session(self, dbapi: Any, *, read_only: bool, committing: bool) -> None:
        self.calls.append(("end", read_only, committing))
        super().end_session(dbapi, read_only=read_only, committing=committing)


def test_the_guard_asks_the_family_for_its_session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(dialects._FAMILIES, "sqlite", Recording)
    Recording.calls = []
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    guarded = guard(engine, Limits(statement_timeout=5))
    with guarded.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        with pytest.raises(sa.exc.DBAPIError, match="readonly"):
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    guard(engine, Limits(statement_timeout=5), read_only=False).connect().close()  # no statement: nothing set
    assert Recording.calls == [("start", True, 5), ("end", True, False)]


def _string_constants(path: Path) -> set[str]:
    return {
        n.value
        for n in ast.walk(ast.parse(path.read_text()))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


@pytest.mark.parametrize("module", sorted(p.name for p in ENGINE_SQL.glob("*.py") if p.name != "dialects.py"))
def test_no_engine_module_tests_a_database_name(module: str) -> None:
    names = set(dialects._FAMILIES)
    found = sorted(names & _string_constants(ENGINE_SQL / module))
    assert found == [], f"engines/sql/{module} compares database names {found}: put that in a Dialect class"


def test_a_family_without_a_read_only_transaction_is_said_in_the_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with caplog.at_level("WARNING", logger="airflow_dq.engines.sql.session"):
        guard(engine)
    assert caplog.records == []  # SQLite is guarded: nothing to say
    monkeypatch.setitem(dialects._FAMILIES, "sqlite", dialects.Dialect)  # as an unknown family
    with caplog.at_level("WARNING", logger="airflow_dq.engines.sql.session"):
        guard(engine)
    assert "no read-only transaction for the 'sqlite' dialect (ansi family)" in caplog.text


def test_which_families_are_read_only() -> None:
    guarded = {name for name, family in dialects._FAMILIES.items() if family.read_only_guard}
    assert guarded == {"sqlite", "postgresql", "redshift", "duckdb", "mysql", "mariadb"}
