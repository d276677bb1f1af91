"""The SQL a user writes (``where``, ``sql``, ``custom_sql``, ``row_condition``, reference
SQL) must be ONE statement, and values go in as bound parameters.

A rendered ``where="country = '{{ dag_run.conf['c'] }}'"`` with the value
``US'; DROP TABLE canary; COMMIT; SELECT '1`` would otherwise send four statements (psycopg2
runs them all). ``stacked_problem`` finds a statement separator with a real SQL tokenizer
(``sqlparse``), not a regex, and is deliberately stricter than any one dialect: a ``;`` is
accepted only inside a quoted string, read both with and without backslash escapes (the
dialects disagree), and only in a fragment without comments (``#`` is a comment to
sqlparse and MySQL, an operator to PostgreSQL). Nothing here imports Airflow or SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SAFE_WAY = "pass run values with parameters= and :name placeholders instead of writing them into the SQL"


def _separators(text: str) -> tuple[int, bool]:
    """(statement separators outside quoted strings, whether the text has comments)."""
    from sqlparse import lexer
    from sqlparse import tokens as T

    outside, comments = 0, False
    for ttype, value in lexer.tokenize(text):
        if ttype in T.Comment:
            comments = True
        elif ";" in value and ttype not in (T.String.Single, T.String.Symbol):
            outside += value.count(";")
    return outside, comments


def stacked_problem(text: str, *, standalone: bool = False) -> str | None:
    """Why ``text`` is not a single statement (or fragment of one), or None.

    ``standalone``: the text runs as its own query (``custom_sql``), so one trailing ``;``
    is allowed.
    """
    if ";" not in text:  # the common case costs nothing (no tokenizer import)
        return None
    body = text.rstrip()
    if standalone and body.endswith(";"):
        body = body[:-1]
        if ";" not in body:
            return None
    for reading in (body, body.replace("\\", " ")):  # with and without backslash escapes
        outside, comments = _separators(reading)
        if outside:
            return (
                f"holds more than one SQL statement (a ';' outside quotes): {_shown(text)}. "
                f"Checks send exactly one read-only statement; {SAFE_WAY}"
            )
        if comments:
            return (
                f"holds a ';' together with an SQL comment, which dialects read differently: {_shown(text)}. "
                f"Remove the comment, or {SAFE_WAY}"
            )
    return None


def fragment_problem(value: Any, *, standalone: bool = False, rendered: bool = False) -> str | None:
    """Why a user SQL argument cannot be sent: not text, empty (after rendering), or stacked."""
    if not isinstance(value, str):
        return f"must be a SQL string, got {value!r}"
    if not value.strip():
        if rendered:
            return f"rendered empty ({value!r}); a template that renders nothing must not widen or drop the check"
        return f"must be a non-empty SQL string, got {value!r}"
    return stacked_problem(value, standalone=standalone)


def placeholders(fragment: str) -> list[str]:
    """The ``:name`` placeholders of a SQL fragment (outside quotes, not ``::`` casts)."""
    if ":" not in fragment:
        return []
    from sqlparse import lexer
    from sqlparse import tokens as T

    return [
        value[1:]
        for ttype, value in lexer.tokenize(fragment)
        if ttype in T.Name.Placeholder and value.startswith(":") and value[1:2].isalpha()
    ]


def unbound_problem(fragment: Any, parameters: Mapping[str, Any] | None) -> str | None:
    """Why a fragment's ``:name`` placeholders are not all given by ``parameters``, or None."""
    if not isinstance(fragment, str):
        return None
    missing = [n for n in dict.fromkeys(placeholders(fragment)) if n not in (parameters or {})]
    if not missing:
        return None
    shown = ", ".join(f":{n}" for n in missing)
    return f"uses {shown}, which 'parameters' does not give (parameters={{{', '.join(repr(n) + ': ...' for n in missing)}}})"


def _shown(text: str, limit: int = 200) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def parameters_problem(parameters: Any) -> str | None:
    """Why ``parameters=`` is not a mapping of placeholder names to values, or None."""
    if parameters is None:
        return None
    if not isinstance(parameters, Mapping):
        return f"must be a dict of placeholder names to values, got {parameters!r}"
    for name in parameters:
        if not isinstance(name, str) or not name.isidentifier():
            return f"has the key {name!r}, which cannot be a :name placeholder (use letters, digits and _)"
    return None


# A check's templated attributes that hold SQL: attribute -> (argument named in errors, runs alone).
_CHECK_SQL_FIELDS = {
    "sql": ("sql", True),
    "condition": ("condition", False),
    "reference_query": ("reference['query']", False),
    "reference_where": ("reference['where']", False),
    "reference_sql": ("reference_sql", False),
    "other_sql": ("other_sql", True),  # reconciliation's source query
    "other_where": ("other_where", False),
}


def check_sql_problem(check: Any, *, rendered: bool) -> tuple[str, str] | None:
    """(argument, problem) for the first SQL argument of ``check`` that cannot be sent."""
    fields = tuple(getattr(check, "template_fields", ()))
    for field in fields:
        spec = _CHECK_SQL_FIELDS.get(field)
        value = getattr(check, field, None)
        if spec is None or value is None:
            continue
        argument, standalone = spec
        if field == "reference_where" and "reference_sql" in fields:  # segment_completeness spells it so
            argument = "reference_where"
        problem = fragment_problem(value, standalone=standalone, rendered=rendered)
        if problem:
            return argument, problem
    return None
