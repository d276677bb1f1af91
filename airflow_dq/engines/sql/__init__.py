"""SQL engine (SQLAlchemy Core): one aggregate query per suite."""

from airflow_dq.engines.sql.engine import SqlEngine

__all__ = ["SqlEngine"]
