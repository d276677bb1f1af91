"""Run values into user SQL as bound parameters, never as SQL text.

``bound_parameters(parameters)`` is entered by the operators and sensors around a suite;
while it is active, ``user_sql`` (the one way user fragments become SQLAlchemy text, via
``compiler.raw_sql``) binds every ``:name`` placeholder that ``parameters`` gives.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

_PARAMETERS: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar("dq_parameters", default=None)


@contextmanager
def bound_parameters(parameters: Mapping[str, Any] | None) -> Iterator[None]:
    """While the block runs, ``:name`` placeholders in user SQL are bound to ``parameters``.

    The values travel to the database as bound values, never as SQL text.
    """
    token = _PARAMETERS.set(dict(parameters) if parameters else None)
    try:
        yield
    finally:
        _PARAMETERS.reset(token)


def user_sql(fragment: str) -> sa.TextClause:
    """User SQL as written: ``:name`` is a bound parameter when ``bound_parameters`` gives it;
    every other colon is literal, so ``::date`` or ``'10:00'`` are not mistaken for one."""
    from airflow_dq.sql_fragments import placeholders

    parameters = _PARAMETERS.get()
    names = [n for n in placeholders(fragment) if n in parameters] if parameters else []
    if not names:
        return sa.text(fragment.replace(":", r"\:"))
    from sqlparse import lexer
    from sqlparse import tokens as T

    parts = []
    for ttype, value in lexer.tokenize(fragment):
        keep = ttype in T.Name.Placeholder and value.startswith(":") and value[1:] in parameters
        parts.append(value if keep else value.replace(":", r"\:"))
    # Untyped (NullType): no cast is rendered, so the database types a rendered "1.5" or
    # "2026-11-01" from its context, as it types a quoted literal.
    bound = (sa.bindparam(n, parameters[n], type_=sa.types.NullType()) for n in dict.fromkeys(names))
    return sa.text("".join(parts)).bindparams(*bound)
