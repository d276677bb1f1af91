"""Triggers of the data-quality provider (async polling for deferrable sensors)."""

from airflow_dq.triggers.data_ready import DataReadyTrigger

__all__ = ["DataReadyTrigger"]
