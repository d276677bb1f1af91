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
                "python-modules": [
                    "airflow_dq.operators.data_quality",
                    "airflow_dq.operators.dataframe",
                    "airflow_dq.operators.quality_gate",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": "Data Quality",
                "python-modules": ["airflow_dq.sensors.data_ready"],
            }
        ],
        "triggers": [
            {
                "integration-name": "Data Quality",
                "python-modules": ["airflow_dq.triggers.data_ready"],
            }
        ],
        "task-decorators": [{"name": "dq", "class-name": "airflow_dq.decorators.dq_task"}],
        "notifications": ["airflow_dq.alerts.DataQualityNotifier"],
        # The UI plugin is also registered with the airflow.plugins entry point: providers
        # load lazily, so this key alone would not load it.
        "plugins": [{"name": "data_quality", "plugin-class": "airflow_dq.ui.plugin.DataQualityPlugin"}],
        "extra-links": ["airflow_dq.ui.links.DataQualityResultsLink"],
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
                    "store_conn_id": {
                        "description": (
                            "Airflow connection of the database that keeps the history of check "
                            "results and metrics (any SQLAlchemy database, e.g. PostgreSQL). "
                            "Empty: an embedded SQLite file (see store_path)."
                        ),
                        "version_added": "0.1.0",
                        "type": "string",
                        "example": "dq_history_postgres",
                        "default": "",
                    },
                    "store_path": {
                        "description": (
                            "Path of the embedded SQLite history file, used when store_conn_id is "
                            "empty. Empty: data_quality/history.db under AIRFLOW_HOME."
                        ),
                        "version_added": "0.1.0",
                        "type": "string",
                        "example": "/var/lib/airflow/dq_history.db",
                        "default": "",
                    },
                    "statement_timeout": {
                        "description": (
                            "Seconds any one statement to a warehouse or to the history store may run "
                            "(PostgreSQL statement_timeout, MySQL max_execution_time, SQLite progress "
                            "handler, plus a client-side watchdog for a server that stopped answering). "
                            "A timeout errors the task, so Airflow retries it. Operators override it "
                            "with statement_timeout=."
                        ),
                        "version_added": "0.1.0",
                        "type": "float",
                        "example": "120",
                        "default": "600",
                    },
                    "connect_timeout": {
                        "description": (
                            "Seconds to wait for a connection to a warehouse or to the history store "
                            "(the driver's connect_timeout). Operators override it with connect_timeout=."
                        ),
                        "version_added": "0.1.0",
                        "type": "float",
                        "example": "10",
                        "default": "30",
                    },
                    "retention_days": {
                        "description": (
                            "History rows recorded longer ago than this many days are deleted "
                            "when a task records its results. 0 keeps everything."
                        ),
                        "version_added": "0.1.0",
                        "type": "integer",
                        "example": "90",
                        "default": "400",
                    },
                },
            }
        },
    }
