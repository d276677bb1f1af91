"""Every check compiles for the warehouses with no server here (issue 15, point 5), with each
warehouse's real SQLAlchemy dialect class: SQL Server (SQLAlchemy's own), Redshift
(sqlalchemy-redshift), Trino (trino) and the ANSI fallback in this venv; Snowflake
(snowflake-sqlalchemy), BigQuery (sqlalchemy-bigquery) and Databricks (databricks-sqlalchemy)
in ``.venv-dialects`` (their connectors' pins clash with Airflow's; requirements/dialects-lock.txt),
where tests/engines/dialect_compile_worker.py compiles the same catalogue and prints JSON.
A check the dialect cannot express is reported by ``Dialect.missing`` before the scan, and
exactly those are listed as unsupported in docs/dialects.md and the README's databases table.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.engines import dialect_compile_worker as worker

ROOT = Path(__file__).resolve().parents[2]
DIALECT_VENV = ROOT / ".venv-dialects" / "bin" / "python"
_BUCKETS = "time bucketing in a time zone (time_bucket_completeness and other per-bucket checks)"
_REGEX = "regular-expression match (matches_regex)"

# SQLAlchemy URL scheme of each warehouse -> the check types it cannot run (docs/dialects.md).
UNSUPPORTED = {
    "mssql": {"matches_regex", "time_bucket_completeness"},
    "redshift+psycopg2": {"time_bucket_completeness"},
    "trino": {"time_bucket_completeness"},
    "ansi": {"matches_regex", "time_bucket_completeness"},
    "snowflake": {"time_bucket_completeness"},
    "bigquery": {"time_bucket_completeness"},
    "databricks": {"time_bucket_completeness"},
}
# The real dialect class each scheme must load (not a stand-in).
CLASSES = {
    "snowflake": "snowflake.sqlalchemy.snowdialect.SnowflakeDialect",
    "bigquery": "sqlalchemy_bigquery.base.BigQueryDialect",
    "databricks": "databricks.sqlalchemy.base.DatabricksDialect",
}
# Spellings that must never reach the warehouse (the SQL Server report).
FORBIDDEN = {
    "mssql": ("stddev_samp", "REGEXP", "char_length", "LIMIT", "FILTER (WHERE"),
    "trino": (" ~ ", " REGEXP "),  # regexp_like(...) is Trino's search
    "redshift+psycopg2": ("FILTER (WHERE", "set_config"),
    # REGEXP_LIKE/RLIKE are full matches in Snowflake: the search is regexp_instr > 0.
    "snowflake": ("REGEXP_LIKE", "RLIKE", "char_length", "FILTER (WHERE", "`"),
    # Double quotes are strings in BigQuery; no FILTER, no percentile_cont aggregate.
    "bigquery": ('"', "FILTER (WHERE", "percentile_cont", "char_length", " ~ "),
    "databricks": ("REGEXP_LIKE", '"', " ~ "),
}

# ... and what each must say instead: check name -> a spelling in its statements.
REQUIRED = {
    "mssql": {
        "stddev_between(amount)": "stdev(",
        "length_between(email)": "len(",
        "quantile_between(amount)": "row_number()",
        # SQL Server, Snowflake and Spark refuse row_number() without ORDER BY
        "unique(user_id, day)": "row_number() OVER (PARTITION BY user_id, day ORDER BY user_id, day)",
    },
    "trino": {"matches_regex(email)": "regexp_like(", "length_between(email)": "length("},
    "redshift+psycopg2": {"matches_regex(email)": " !~ ", "quantile_between(amount)": "percentile_cont"},
    "ansi": {"length_between(email)": "char_length("},
    "snowflake": {
        "matches_regex(email)": "regexp_instr(CAST(email AS VARCHAR), %(regexp_instr_1)s) <= %(regexp_instr_2)s",
        "length_between(email)": "length(CAST(email AS VARCHAR))",
        "stddev_between(amount)": "stddev_samp(amount)",
        "quantile_between(amount)": "percentile_cont(%(percentile_cont_1)s) WITHIN GROUP (ORDER BY amount)",
        "unique(user_id, day)": "row_number() OVER (PARTITION BY user_id, day ORDER BY user_id, day)",
    },
    "bigquery": {
        "matches_regex(email)": "NOT regexp_contains(CAST(`email` AS STRING), :regexp_contains_1)",
        "length_between(email)": "length(CAST(`email` AS STRING))",
        "stddev_between(amount)": "stddev_samp(`amount`)",
        "accepted_values(country)": "`country` NOT IN UNNEST(:country_1)",
        "quantile_between(amount)": "row_number() OVER (ORDER BY `amount`)",
    },
    "databricks": {
        "matches_regex(email)": "count(*) FILTER (WHERE NOT regexp(CAST(email AS STRING), :`regexp_1`))",
        "length_between(email)": "char_length(CAST(email AS STRING))",
        "stddev_between(amount)": "stddev_samp(amount)",
        "unique(user_id, day)": "row_number() OVER (PARTITION BY user_id, day ORDER BY user_id, day)",
    },
}


@pytest.fixture(scope="module")
def other_venv() -> dict[str, Any]:
    """The catalogue compiled in .venv-dialects for Snowflake, BigQuery and Databricks."""
    if not DIALECT_VENV.exists():
        pytest.fail(f"{DIALECT_VENV} is missing: run `make setup-test` (scripts/setup.sh --test)")
    done = subprocess.run(
        [str(DIALECT_VENV), "-m", "tests.engines.dialect_compile_worker", *worker.OTHER_VENV],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("scheme", sorted(UNSUPPORTED))
def test_every_check_compiles_or_is_reported_missing(request: pytest.FixtureRequest, scheme: str) -> None:
    if scheme in worker.OTHER_VENV:
        result = request.getfixturevalue("other_venv")[scheme]
        assert result["dialect_class"] == CLASSES[scheme]
    else:
        result = worker.compile_catalogue(scheme)
    family = result["family"]
    name = "exasol" if scheme == "ansi" else scheme.split("+")[0]
    unsupported, compiled, wanted = set(), 0, dict(REQUIRED[scheme])
    assert len(result["checks"]) > 50
    for check in result["checks"]:
        assert "compile_error" not in check, check
        if "missing" in check:
            what = _REGEX if check["type"] == "matches_regex" else _BUCKETS
            family_name = dialects_family(family)
            assert check["missing"][0] == f"the {name!r} dialect ({family_name} family) has no {what} in airflow_dq"
            unsupported.add(check["type"])
            continue
        sqls = check["sql"]
        compiled += len(sqls)
        for sql in sqls:
            for spelling in FORBIDDEN.get(scheme, ()):
                assert spelling not in sql, (check["name"], spelling, sql)
        if check["name"] in wanted:
            spelling = wanted.pop(check["name"])
            assert any(spelling in sql for sql in sqls), (check["name"], spelling, sqls)
    assert unsupported == UNSUPPORTED[scheme]
    assert not wanted  # every spelling was looked for
    assert compiled > 50


def dialects_family(class_name: str) -> str:
    from airflow_dq.engines.sql import dialects

    return getattr(dialects, class_name).family
