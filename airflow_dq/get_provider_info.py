"""Provider metadata read by Airflow's providers manager (``apache_airflow_provider`` entry point)."""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    # Kept import-free: Airflow calls this while discovering providers.
    return {
        "package-name": "airflow-provider-dq",
        "name": "Data Quality",
        "description": "Single-scan data-quality checks that halt a pipeline on bad data.",
        "versions": ["0.1.0"],
        "integrations": [
            {
                "integration-name": "Data Quality",
                "external-doc-url": "https://pypi.org/project/airflow-provider-dq/",
                "tags": ["software"],
            }
        ],
        "operators": [
            {
                "integration-name": "Data Quality",
                "python-modules": ["airflow_dq.operators.data_quality", "airflow_dq.operators.dataframe"],
            }
        ],
        "task-decorators": [{"name": "dq", "class-name": "airflow_dq.decorators.dq_task"}],
        "config": {
            "data_quality": {
                "description": "Options of the airflow-provider-dq data-quality provider.",
                "options": {
                    "failure_sample_size": {
                        "description": (
                            "How many offending rows a failed row-level check fetches for the "
                            "task log and the XCom result. 0 turns the extra query off."
                        ),
                        "version_added": "0.1.0",
                        "type": "integer",
                        "example": "10",
                        "default": "5",
                    },
                    "default_timezone": {
                        "description": (
                            "Time zone assumed for timestamp columns stored without one "
                            "(freshness checks). A check's own ``timezone`` argument wins."
                        ),
                        "version_added": "0.1.0",
                        "type": "string",
                        "example": "Europe/Berlin",
                        "default": "UTC",
                    },
                },
            }
        },
    }
