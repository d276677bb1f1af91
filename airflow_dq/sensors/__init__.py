"""Sensors of the data-quality provider: wait for fresh, complete data (deferrable by default)."""

from airflow_dq.sensors.data_ready import CompletenessSensor, DataReadySensor, FreshnessSensor

__all__ = ["CompletenessSensor", "DataReadySensor", "FreshnessSensor"]
