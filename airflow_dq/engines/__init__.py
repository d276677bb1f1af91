"""Engines measure metrics; the same metric means the same thing in every engine."""

from airflow_dq.engines.base import Engine

__all__ = ["Engine"]
