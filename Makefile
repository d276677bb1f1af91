# Two commands do everything on a fresh machine:
#   make demo   - the example DAG end to end (a good batch trains, a broken batch is halted)
#   make test   - the whole test suite (SQLite, a real PostgreSQL server, real DAG runs)
# and `make demo-ui` opens the demo's runs and results in a local Airflow UI.
.PHONY: setup setup-test demo demo-ui test lint bench

setup:
	@bash scripts/setup.sh

# What only the tests need on top: PostgreSQL and MariaDB server binaries, Chromium for the UI test.
setup-test:
	@bash scripts/setup.sh --test

demo: setup
	@.venv/bin/python scripts/run_example.py

demo-ui: setup
	@bash scripts/demo_ui.sh

test: setup-test
	@.venv/bin/ruff check .
	@.venv/bin/python -m pytest -q

lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

bench: setup-test
	@.venv/bin/python benchmarks/bench_sql_engine.py
	@.venv/bin/python benchmarks/bench_pandas_engine.py
