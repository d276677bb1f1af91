#!/usr/bin/env bash
# The Airflow UI on the demo's metadata DB and history store (after `make demo`):
# `airflow standalone` (API server with the UI, scheduler, DAG processor, triggerer) with
# the same AIRFLOW_HOME, DAG folder and warehouse connection as scripts/run_example.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ ! -f .airflow-demo/airflow.db ]; then
  echo "demo-ui: no demo runs yet; run 'make demo' first" >&2
  exit 1
fi
export AIRFLOW_HOME="$ROOT/.airflow-demo"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$ROOT/.airflow-demo/airflow.db"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/example_dags"
export AIRFLOW_CONN_DQ_EXAMPLE_WAREHOUSE="sqlite:///$ROOT/.airflow-demo/warehouse.db"
export AIRFLOW__API__PORT="${DQ_DEMO_PORT:-8080}"
# standalone starts its components as subprocesses, found on PATH.
export PATH="$ROOT/.venv/bin:$PATH"
echo "demo-ui: Airflow on http://localhost:${AIRFLOW__API__PORT} (user admin; password below and in .airflow-demo/simple_auth_manager_passwords.json.generated)"
exec airflow standalone
