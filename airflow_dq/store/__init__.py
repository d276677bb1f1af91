"""Metric and result history (SQLAlchemy Core; SQLite file by default, any database in
production), read by anomaly checks and the UI. Imports nothing from Airflow."""

from airflow_dq.store.migrations import LATEST, migrate
from airflow_dq.store.store import MetricStore, RunKey, sqlite_engine

__all__ = ["LATEST", "MetricStore", "RunKey", "migrate", "sqlite_engine"]
