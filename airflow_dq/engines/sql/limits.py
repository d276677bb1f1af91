"""What a SQL dialect can take in one aggregate SELECT.

- The SELECT-list limit: PostgreSQL refuses a target list over 1,664 entries
  (``MaxTupleAttributeNumber``); SQLite over ``SQLITE_LIMIT_COLUMN`` (2,000 unless built
  otherwise; read from the connection). The engine splits a wider scan into the fewest
  statements under the limit (see ``engine.SqlEngine._scan``).
- ``COUNT(*) FILTER (WHERE ...)``: ``Dialect.filter_clause``; elsewhere
  ``COUNT(CASE WHEN ... THEN 1 END)`` counts the same rows.

Each family's numbers live on its ``Dialect`` (``dialects.py``); this module is the entry
point the engine and the histograms share.
"""

from __future__ import annotations

import sqlalchemy as sa

from airflow_dq.engines.sql.dialects import dialect_of


def select_list_limit(bind: sa.Engine) -> int:
    """The most expressions one SELECT may return on ``bind``'s database."""
    return dialect_of(bind).select_list_limit(bind)
