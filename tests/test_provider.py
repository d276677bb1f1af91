"""The package is a real Airflow provider: discovered, validated, configured."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.airflow


def _airflow(*args: str, **env: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "airflow", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    ).stdout


def test_provider_is_listed_and_gettable(airflow_db: str) -> None:
    assert "airflow-provider-dq" in _airflow("providers", "list")
    assert "0.1.0" in _airflow("providers", "get", "airflow-provider-dq")


def test_provider_info_passes_airflows_schema() -> None:
    import json
    from importlib.resources import files

    import jsonschema

    from airflow_dq.get_provider_info import get_provider_info

    schema = json.loads(files("airflow").joinpath("provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)


def test_config_section_defaults_and_env_override(airflow_db: str) -> None:
    assert _airflow("config", "get-value", "data_quality", "failure_sample_size").strip() == "5"
    out = _airflow(
        "config", "get-value", "data_quality", "failure_sample_size", AIRFLOW__DATA_QUALITY__FAILURE_SAMPLE_SIZE="9"
    )
    assert out.strip() == "9"
