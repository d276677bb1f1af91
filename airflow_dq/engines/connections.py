"""How an engine reaches a second database (a reconciliation check's source).

Engines know nothing of Airflow. The operators set an *opener* (Airflow connection id ->
SQLAlchemy engine) for the time a suite runs; plain Python code sets its own, e.g.
``use_connections({"source_db": sa.create_engine(url)})``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

Opener = Callable[[str], Any]  # conn_id -> sqlalchemy.Engine

_OPENER: ContextVar[Opener | None] = ContextVar("dq_connection_opener", default=None)


@contextlib.contextmanager
def use_connections(opener: Opener | Mapping[str, Any]) -> Iterator[None]:
    """Let engines open ``conn_id``s while the block runs (a callable or a dict of engines)."""
    if isinstance(opener, Mapping):
        engines = dict(opener)

        def from_mapping(conn_id: str) -> Any:
            if conn_id not in engines:
                raise LookupError(f"no connection '{conn_id}' was given (known: {sorted(engines)})")
            return engines[conn_id]

        opener = from_mapping
    token = _OPENER.set(opener)
    try:
        yield
    finally:
        _OPENER.reset(token)


def open_connection(conn_id: str) -> Any:
    """A SQLAlchemy engine for ``conn_id``; errors (a broken connection) propagate, so a
    task retries instead of passing."""
    opener = _OPENER.get()
    if opener is None:
        raise LookupError(
            f"connection '{conn_id}' cannot be opened here: run the checks through an operator, "
            "or wrap run_checks in airflow_dq.engines.connections.use_connections(...)"
        )
    return opener(conn_id)
