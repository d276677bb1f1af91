# Two commands do everything on a fresh machine:
#   make demo   - the example DAG end to end (a good batch trains, a broken batch is halted)
#   make test   - the whole test suite (SQLite, a real PostgreSQL server, real DAG runs)
.PHONY: setup demo test lint bench

setup:
	@bash scripts/setup.sh

demo: setup
	@.venv/bin/python scripts/run_example.py

test: setup
	@.venv/bin/ruff check .
	@.venv/bin/python -m pytest -q

lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

bench: setup
	@.venv/bin/python benchmarks/bench_sql_engine.py
	@.venv/bin/python benchmarks/bench_pandas_engine.py
