"""What a SQL dialect can take in one aggregate SELECT.

- The SELECT-list limit: PostgreSQL refuses a target list over 1,664 entries
  (``MaxTupleAttributeNumber``); SQLite over ``SQLITE_LIMIT_COLUMN`` (2,000 unless built
  otherwise; read from the connection). The engine splits a wider scan into the fewest
  statements under the limit (see ``engine.SqlEngine._scan``).
- ``COUNT(*) FILTER (WHERE ...)``: PostgreSQL and SQLite >= 3.30 have it; elsewhere
  ``COUNT(CASE WHEN ... THEN 1 END)`` counts the same rows.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

# Known limits; an unknown dialect gets the smallest common one (Oracle's 1,000 columns).
SELECT_LIST_LIMITS = {"postgresql": 1664, "sqlite": 2000, "mysql": 4096, "mariadb": 4096, "mssql": 4096}
DEFAULT_SELECT_LIST_LIMIT = 1000


def select_list_limit(bind: sa.Engine) -> int:
    """The most expressions one SELECT may return on ``bind``'s database."""
    name = bind.dialect.name
    if name == "sqlite":
        with bind.connect() as conn:
            raw = conn.connection.dbapi_connection
            getlimit = getattr(raw, "getlimit", None)  # Python >= 3.11
            if getlimit is not None:
                return int(getlimit(sqlite3.SQLITE_LIMIT_COLUMN))
    return SELECT_LIST_LIMITS.get(name, DEFAULT_SELECT_LIST_LIMIT)


def has_filter_clause(dialect: str) -> bool:
    """Whether ``dialect`` accepts ``aggregate(...) FILTER (WHERE ...)``."""
    if dialect == "postgresql":
        return True
    return dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 30, 0)
