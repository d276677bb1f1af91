"""What the SQL engine needs from a database family, in one object per family.

The compiler asks a ``Dialect`` for the few things SQL spells differently from one database
to the next: a regex test, a text length, a sample standard deviation, a time bucket in a
time zone, a random order (samples), whether ``COUNT(*) FILTER (WHERE ...)`` exists, and how
many expressions one SELECT may return. ``dialect_of(bind)`` picks the object from the
SQLAlchemy dialect name; an unknown name gets the generic ANSI one, which has no regex and
no time bucketing: a check that needs them is an ``error`` of its own, found before the
scan (``Dialect.missing``), and every other check runs.

What each family can take is listed in README ("Databases") and docs/dialects.md; the
compile-only test (tests/engines/test_dialect_compile.py) keeps both honest.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from airflow_dq.metrics import Metric, RegexMismatch, ViolationCount
from airflow_dq.metrics.grouped import ByTimeBucket, Grouped, Grouping

# An unknown dialect gets the smallest common SELECT-list limit (Oracle's 1,000 columns).
DEFAULT_SELECT_LIST_LIMIT = 1000
_NO_BUCKETS = "time bucketing in a time zone (time_bucket_completeness and other per-bucket checks)"
_NO_REGEX = "regular-expression match (matches_regex)"


def _wall_clock(moment: dt.datetime, zone: str) -> dt.datetime:
    """An aware datetime as naive wall-clock time in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


class Dialect:
    """The generic ANSI SQL family: the fallback for a database this module does not know.

    Subclasses override only what their database spells differently.
    """

    family = "ansi"
    select_limit = DEFAULT_SELECT_LIST_LIMIT
    filter_clause = False  # COUNT(*) FILTER (WHERE ...)
    is_not_true = False  # x IS NOT TRUE on any boolean expression
    percentile_cont = False  # percentile_cont(q) WITHIN GROUP (ORDER BY x) as an aggregate
    offset_expressions = False  # LIMIT/OFFSET computed by a sub-select (else: constants only)
    untyped_results = False  # untyped SELECTs (MIN/MAX, samples) return storage values
    regex = False
    time_buckets = False

    def __init__(self, name: str) -> None:
        self.name = name  # the SQLAlchemy dialect name, for messages

    def __repr__(self) -> str:
        return f"<{type(self).__name__} dialect {self.name!r}>"

    # -- what can be expressed ------------------------------------------------------------
    def missing(self, metric: Metric) -> str | None:
        """What this dialect lacks to compute ``metric`` (None when it can)."""
        inner = metric.metric if isinstance(metric, Grouped) else metric
        if isinstance(metric, Grouped) and isinstance(metric.grouping, ByTimeBucket) and not self.time_buckets:
            return self._lacks(_NO_BUCKETS)
        if isinstance(inner, ViolationCount) and isinstance(inner.predicate, RegexMismatch) and not self.regex:
            return self._lacks(_NO_REGEX)
        return None

    def _lacks(self, what: str) -> str:
        return f"the {self.name!r} dialect ({self.family} family) has no {what} in airflow_dq"

    # -- expressions ----------------------------------------------------------------------
    def regex_match(self, value: Any, pattern: str) -> sa.ColumnElement[bool]:
        """TRUE where the text ``value`` contains a match of ``pattern``."""
        if not self.regex:
            raise TypeError(self._lacks(_NO_REGEX))
        return sa.cast(value, sa.String).regexp_match(pattern)

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        """Characters (not bytes) of ``value`` as text."""
        return sa.func.char_length(sa.cast(value, sa.String))

    def sample_stddev(self, value: Any) -> sa.ColumnElement[Any] | None:
        """The sample standard deviation aggregate, or None to compute it from sums."""
        return sa.func.stddev_samp(value)

    def averaged(self, value: Any) -> Any:
        """``value`` as the mean, the standard deviation and quantiles read it (as is,
        where the database computes those in floating point anyway)."""
        return value

    def random(self) -> sa.ColumnElement[Any]:
        """An ORDER BY key for a random sample."""
        return sa.func.random()

    def not_true(self, condition: Any) -> sa.ColumnElement[bool]:
        """TRUE when ``condition`` is FALSE or NULL (SQL's IS NOT TRUE)."""
        if self.is_not_true:
            return sa.type_coerce(condition, sa.Boolean).is_not(sa.true())
        # Portable spelling (SQLite's "IS NOT 1" would pass a truthy 2).
        return sa.case((condition, 0), else_=1) == 1

    def bound_value(self, value: Any) -> Any:
        """A bound as the database compares it with a column."""
        return value

    def select_list_limit(self, bind: sa.Engine) -> int:
        """The most expressions one SELECT may return."""
        return self.select_limit

    def columns(self, conn: sa.Connection, table: str, schema: str | None) -> dict[str, sa.types.TypeEngine[Any]]:
        """The table's columns and their SQL types, from the catalog (empty: no table)."""
        return {c["name"]: c["type"] for c in sa.inspect(conn).get_columns(table, schema=schema)}

    # -- time buckets ---------------------------------------------------------------------
    def time_bucket(self, grouping: ByTimeBucket) -> tuple[sa.ColumnElement[Any], list[Any]]:
        """The bucket expression of a column and the window's WHERE conditions.

        The families without time zones read a naive timestamp as wall-clock time of the
        grouping's zone, and compare it with the window's bounds as wall-clock times."""
        raise TypeError(self._lacks(_NO_BUCKETS))

    def bucket_value(self, start: dt.datetime) -> Any:
        """What ``time_bucket``'s expression equals for the bucket starting at ``start``."""
        return start

    def bucket_session(self, conn: sa.Connection, grouping: Grouping) -> None:
        """Session settings a time-bucket GROUP BY needs (inside its transaction)."""

    def _wall_window(self, value: Any, grouping: ByTimeBucket) -> list[Any]:
        return [
            value >= _wall_clock(grouping.start, grouping.timezone),
            value < _wall_clock(grouping.end, grouping.timezone),
        ]


class SQLite(Dialect):
    family = "sqlite"
    select_limit = 2000
    filter_clause = sqlite3.sqlite_version_info >= (3, 30, 0)
    offset_expressions = True
    untyped_results = True  # text dates, 0/1 booleans
    regex = True  # SQLAlchemy's pysqlite dialect registers a Python REGEXP function
    time_buckets = True
    _FORMATS = {"minute": "%Y-%m-%d %H:%M:00", "hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00"}

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.length(sa.cast(value, sa.String))

    def sample_stddev(self, value: Any) -> None:
        return None  # no STDDEV in SQLite: count, sum and sum of squares (compiler.py)

    def bound_value(self, value: Any) -> Any:
        # Timestamps are UTC text with no zone: an aware bound becomes UTC wall time (as
        # the pandas engine reads naive timestamps).
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def select_list_limit(self, bind: sa.Engine) -> int:
        with bind.connect() as conn:
            getlimit = getattr(conn.connection.dbapi_connection, "getlimit", None)  # Python >= 3.11
            if getlimit is not None:
                return int(getlimit(sqlite3.SQLITE_LIMIT_COLUMN))
        return self.select_limit

    def time_bucket(self, grouping: ByTimeBucket) -> tuple[sa.ColumnElement[Any], list[Any]]:
        # Timestamps are text: strftime cuts the bucket, datetime() normalises values (text
        # with a UTC offset becomes UTC) for the window comparison.
        column = sa.column(grouping.column)
        shown = "%Y-%m-%d %H:%M:%S"
        normalised = sa.func.datetime(column)
        window = [
            normalised >= _wall_clock(grouping.start, grouping.timezone).strftime(shown),
            normalised < _wall_clock(grouping.end, grouping.timezone).strftime(shown),
        ]
        return sa.func.strftime(self._FORMATS[grouping.unit], column), window

    def bucket_value(self, start: dt.datetime) -> Any:
        return start.strftime("%Y-%m-%d %H:%M:%S")


class PostgreSQL(Dialect):
    family = "postgresql"
    select_limit = 1664  # MaxTupleAttributeNumber
    filter_clause = True
    is_not_true = True
    percentile_cont = True
    regex = True
    time_buckets = True

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.length(sa.cast(value, sa.String))

    def time_bucket(self, grouping: ByTimeBucket) -> tuple[sa.ColumnElement[Any], list[Any]]:
        # Cast to timestamptz in a transaction whose TimeZone is the grouping's zone (see
        # bucket_session): a naive column is read as wall-clock time there, an aware one
        # keeps its instant; AT TIME ZONE gives the wall clock, date_trunc the bucket.
        instant = sa.cast(sa.column(grouping.column), sa.DateTime(timezone=True))
        bucket = sa.func.date_trunc(grouping.unit, sa.func.timezone(grouping.timezone, instant))
        return bucket, [instant >= grouping.start, instant < grouping.end]

    def bucket_session(self, conn: sa.Connection, grouping: Grouping) -> None:
        if isinstance(grouping, ByTimeBucket):  # transaction-local
            conn.execute(sa.select(sa.func.set_config("TimeZone", grouping.timezone, True)))


class Redshift(PostgreSQL):
    # PostgreSQL 8 underneath: POSIX regex, stddev_samp, percentile_cont; no FILTER, no
    # set_config, so no time buckets in a zone.
    family = "redshift"
    filter_clause = False
    time_buckets = False

    time_bucket = Dialect.time_bucket
    bucket_session = Dialect.bucket_session


class DuckDBTypes:
    """DuckDB's catalog type names as SQLAlchemy types (duckdb-engine's PostgreSQL-catalog
    reflection needs ``pg_collation``, which DuckDB does not have)."""

    NAMES: dict[str, sa.types.TypeEngine[Any]] = {
        "BOOLEAN": sa.Boolean(),
        "TINYINT": sa.SmallInteger(),
        "SMALLINT": sa.SmallInteger(),
        "INTEGER": sa.Integer(),
        "BIGINT": sa.BigInteger(),
        "HUGEINT": sa.BigInteger(),
        "UTINYINT": sa.SmallInteger(),
        "USMALLINT": sa.Integer(),
        "UINTEGER": sa.BigInteger(),
        "UBIGINT": sa.BigInteger(),
        "FLOAT": sa.Float(),
        "REAL": sa.Float(),
        "DOUBLE": sa.Float(),
        "DECIMAL": sa.Numeric(),
        "VARCHAR": sa.String(),
        "TEXT": sa.String(),
        "DATE": sa.Date(),
        "TIME": sa.Time(),
        "TIMESTAMP": sa.DateTime(),
        "TIMESTAMP WITH TIME ZONE": sa.DateTime(timezone=True),
        "BLOB": sa.LargeBinary(),
        "JSON": sa.JSON(),
    }

    @classmethod
    def of(cls, name: str) -> sa.types.TypeEngine[Any]:
        return cls.NAMES.get(name.split("(")[0].strip().upper(), sa.types.NullType())


class DuckDB(Dialect):
    family = "duckdb"
    select_limit = 4096
    filter_clause = True
    is_not_true = True
    percentile_cont = True
    regex = True
    time_buckets = True

    def regex_match(self, value: Any, pattern: str) -> sa.ColumnElement[bool]:
        return sa.func.regexp_matches(sa.cast(value, sa.String), pattern)

    def averaged(self, value: Any) -> Any:
        # percentile_cont of a DECIMAL stays a DECIMAL of the column's scale (rounded).
        return sa.cast(value, sa.Double)

    def columns(self, conn: sa.Connection, table: str, schema: str | None) -> dict[str, sa.types.TypeEngine[Any]]:
        query = sa.text(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :table"
            + (" AND table_schema = :schema" if schema else "")
            + " ORDER BY ordinal_position"
        )
        rows = conn.execute(query, {"table": table, **({"schema": schema} if schema else {})})
        return {name: DuckDBTypes.of(data_type) for name, data_type in rows}

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.length(sa.cast(value, sa.String))

    def time_bucket(self, grouping: ByTimeBucket) -> tuple[sa.ColumnElement[Any], list[Any]]:
        value = sa.cast(sa.column(grouping.column), sa.DateTime)
        return sa.func.date_trunc(grouping.unit, value), self._wall_window(value, grouping)


class MySQL(Dialect):
    """MySQL and MariaDB."""

    family = "mysql"
    select_limit = 4096
    regex = True  # REGEXP (SQLAlchemy renders regexp_match for both)
    time_buckets = True
    untyped_results = True  # BOOLEAN is TINYINT(1): samples and MIN/MAX return 0/1
    _FORMATS = {"minute": "%Y-%m-%d %H:%i:00", "hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00"}

    def columns(self, conn: sa.Connection, table: str, schema: str | None) -> dict[str, sa.types.TypeEngine[Any]]:
        # BOOLEAN is stored as TINYINT(1) and reflected so: it is a boolean column.
        found = super().columns(conn, table, schema)
        return {
            name: sa.Boolean() if getattr(t, "display_width", None) == 1 and isinstance(t, sa.Integer) else t
            for name, t in found.items()
        }

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.char_length(sa.cast(value, sa.String))  # LENGTH counts bytes here

    def random(self) -> sa.ColumnElement[Any]:
        return sa.func.rand()

    def averaged(self, value: Any) -> Any:
        # AVG of a DECIMAL keeps only 4 more digits (div_precision_increment): a double
        # (x * 1e0) gives the same mean as the other databases.
        return value * sa.literal_column("1e0")

    def bound_value(self, value: Any) -> Any:
        # DATETIME has no zone and the driver refuses an aware value: UTC wall time.
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def time_bucket(self, grouping: ByTimeBucket) -> tuple[sa.ColumnElement[Any], list[Any]]:
        column = sa.column(grouping.column)
        bucket = sa.func.date_format(column, self._FORMATS[grouping.unit])
        return bucket, self._wall_window(column, grouping)

    def bucket_value(self, start: dt.datetime) -> Any:
        return start.strftime("%Y-%m-%d %H:%M:%S")


class SQLServer(Dialect):
    family = "mssql"
    select_limit = 4096

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.len(sa.cast(value, sa.String))

    def sample_stddev(self, value: Any) -> sa.ColumnElement[Any]:
        return sa.func.stdev(value)

    def random(self) -> sa.ColumnElement[Any]:
        return sa.func.newid()


class Snowflake(Dialect):
    family = "snowflake"
    percentile_cont = True
    regex = True  # REGEXP_LIKE is a full match: the dialect renders it as written below

    def regex_match(self, value: Any, pattern: str) -> sa.ColumnElement[bool]:
        # A search, as on PostgreSQL: REGEXP_INSTR > 0 (REGEXP_LIKE anchors the pattern).
        return sa.func.regexp_instr(sa.cast(value, sa.String), pattern) > 0

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.length(sa.cast(value, sa.String))


class BigQuery(Dialect):
    family = "bigquery"
    select_limit = 10000
    regex = True

    def regex_match(self, value: Any, pattern: str) -> sa.ColumnElement[bool]:
        return sa.func.regexp_contains(sa.cast(value, sa.String), pattern)

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.length(sa.cast(value, sa.String))

    def random(self) -> sa.ColumnElement[Any]:
        return sa.func.rand()


class Trino(Dialect):
    family = "trino"
    filter_clause = True
    is_not_true = True
    regex = True

    def regex_match(self, value: Any, pattern: str) -> sa.ColumnElement[bool]:
        return sa.func.regexp_like(sa.cast(value, sa.String), pattern)  # a search in Trino

    def text_length(self, value: Any) -> sa.ColumnElement[int]:
        return sa.func.length(sa.cast(value, sa.String))


class Databricks(Dialect):
    family = "databricks"
    filter_clause = True
    regex = True

    def regex_match(self, value: Any, pattern: str) -> sa.ColumnElement[bool]:
        return sa.func.regexp(sa.cast(value, sa.String), pattern)  # a search, like RLIKE

    def random(self) -> sa.ColumnElement[Any]:
        return sa.func.rand()


_FAMILIES: dict[str, type[Dialect]] = {
    "sqlite": SQLite,
    "postgresql": PostgreSQL,
    "redshift": Redshift,
    "duckdb": DuckDB,
    "mysql": MySQL,
    "mariadb": MySQL,
    "mssql": SQLServer,
    "snowflake": Snowflake,
    "bigquery": BigQuery,
    "trino": Trino,
    "databricks": Databricks,
}


def dialect_named(name: str) -> Dialect:
    """The family of a SQLAlchemy dialect name; the ANSI fallback for an unknown one."""
    return _FAMILIES.get(name, Dialect)(name)


def dialect_of(bind: sa.Engine | sa.Connection | sa.engine.Dialect) -> Dialect:
    """The family of a SQLAlchemy engine, connection or dialect."""
    sa_dialect = bind if isinstance(bind, sa.engine.Dialect) else bind.dialect
    return dialect_named(sa_dialect.name)
