#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: a virtualenv in .venv with the pinned dependencies
# and this project (all the demo needs); with --test also what only the tests use: the
# PostgreSQL and MariaDB server binaries and headless Chromium (Debian packages).
#   bash scripts/setup.sh          # make demo
#   bash scripts/setup.sh --test   # make test / make bench
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST_DEPS=0
[ "${1:-}" = "--test" ] && WITH_TEST_DEPS=1

if [ "$WITH_TEST_DEPS" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "${DQ_SKIP_APT:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's postgresql package (server binaries for the tests)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >/dev/null
  else
    echo "setup: PostgreSQL server binaries missing; run 'sudo apt-get install postgresql'" >&2
  fi
fi

# MariaDB server binaries for the MySQL/MariaDB dialect parity tests (tests/mariadb_server.py
# starts a throw-away server on a loopback port; nothing runs as a service).
if [ "$WITH_TEST_DEPS" = 1 ] && [ ! -x /usr/sbin/mariadbd ] && [ "${DQ_SKIP_APT:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's mariadb-server package (server binaries for the tests)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server >/dev/null
    # The package starts a system service; the tests start their own server instead.
    if command -v systemctl >/dev/null && systemctl is-active -q mariadb 2>/dev/null; then systemctl stop mariadb || true; fi
  else
    echo "setup: MariaDB server binaries missing; run 'sudo apt-get install mariadb-server'" >&2
  fi
fi

# Headless Chromium and its matching driver for the UI browser test (Debian packages; the
# test never downloads a browser).
if [ "$WITH_TEST_DEPS" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; } && [ "${DQ_SKIP_APT:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's chromium and chromium-driver (UI browser test)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null
  else
    echo "setup: chromium missing; run 'sudo apt-get install chromium chromium-driver'" >&2
  fi
fi

# MariaDB server binaries for the MySQL-dialect safety tests (tests/mariadb_server.py starts
# its own throw-away server; the package's service is not used).
if [ "$WITH_TEST_DEPS" = 1 ] && ! command -v mariadb-install-db >/dev/null 2>&1 && [ "${DQ_SKIP_APT:-0}" != 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's mariadb-server (MySQL-dialect safety tests)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server >/dev/null
  else
    echo "setup: mariadb-server missing; run 'sudo apt-get install mariadb-server'" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.dq-installed
want=$(cat requirements/lock.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing pinned dependencies into .venv (requirements/lock.txt)"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements/lock.txt 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import airflow_dq, airflow, sqlalchemy, pandas, scipy" 
  echo "$want" > "$stamp"
fi

# The compile-only venv of the Snowflake, BigQuery and Databricks SQLAlchemy dialects: their
# connectors pin protobuf<7 / python-dateutil<3 against Airflow's lock, so they get a venv of
# their own (requirements/dialects-lock.txt: exact pins of everything, installed --no-deps so
# that a pin missing from it fails `pip check` instead of floating) that
# tests/engines/test_dialect_compile.py drives; it never connects to a warehouse.
if [ "$WITH_TEST_DEPS" = 1 ]; then
  if [ ! -x .venv-dialects/bin/python ]; then
    "$PY" -m venv .venv-dialects
  fi
  dstamp=.venv-dialects/.dq-installed
  dwant=$(sha256sum requirements/dialects-lock.txt | cut -d' ' -f1)
  if [ ! -f "$dstamp" ] || [ "$(cat "$dstamp")" != "$dwant" ]; then
    echo "setup: installing the compile-only warehouse dialects into .venv-dialects (requirements/dialects-lock.txt)"
    .venv-dialects/bin/pip install -q --disable-pip-version-check --no-deps -r requirements/dialects-lock.txt 2>&1 | grep -v "^WARNING: Location" || true
    .venv-dialects/bin/pip check --disable-pip-version-check
    .venv-dialects/bin/python -c "import snowflake.sqlalchemy, sqlalchemy_bigquery, databricks.sqlalchemy"
    echo "$dwant" > "$dstamp"
  fi
fi

# The real-text benchmark's corpus (benchmarks/real_text.py): the human-rated sentences that
# ship inside the vaderSentiment 3.3.2 source distribution (MIT licence). Fetched here with
# pip, never at benchmark run time; the sha256 pins the exact file.
if [ "$WITH_TEST_DEPS" = 1 ]; then
  corpus=.cache/corpora/vaderSentiment-3.3.2.tar.gz
  corpus_sha256=5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9
  if [ ! -f "$corpus" ]; then
    echo "setup: fetching the real-text benchmark corpus (vaderSentiment 3.3.2 sdist, MIT) into .cache/corpora"
    .venv/bin/pip download -q --disable-pip-version-check --no-deps --no-binary :all: vaderSentiment==3.3.2 \
      -d .cache/corpora 2>&1 | grep -v "^WARNING: Location" || true
  fi
  if [ ! -f "$corpus" ]; then
    echo "setup: pip could not fetch $corpus (vaderSentiment==3.3.2 sdist from PyPI)" >&2
    exit 1
  fi
  if [ "$(sha256sum "$corpus" | cut -d' ' -f1)" != "$corpus_sha256" ]; then
    echo "setup: $corpus has the wrong sha256 (expected $corpus_sha256); delete it and rerun" >&2
    exit 1
  fi
fi
