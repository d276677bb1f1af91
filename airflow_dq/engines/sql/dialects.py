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
import math
import sqlite3
import time
from contextlib import suppress
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from airflow_dq.engines.sql.watchdog import Interrupter, Watchdog
from airflow_dq.metrics import Metric, RegexMismatch, ViolationCount
from airflow_dq.metrics.grouped import ByTimeBucket, Grouped, Grouping
from airflow_dq.metrics.sketches import PRECISION, RANK_BITS, REGISTERS, python_hash, rank_of, register_of

# An unknown dialect gets the smallest common SELECT-list limit (Oracle's 1,000 columns).
DEFAULT_SELECT_LIST_LIMIT = 1000
_NO_BUCKETS = "time bucketing in a time zone (time_bucket_completeness and other per-bucket checks)"
_NO_REGEX = "regular-expression match (matches_regex)"
# The socket watchdog waits a little longer than the server's own statement timeout: a
# live server cancels the statement itself (a clean error, the connection stays usable).
WATCHDOG_GRACE = 2.0


def _wall_clock(moment: dt.datetime, zone: str) -> dt.datetime:
    """An aware datetime as naive wall-clock time in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def raw_statements(dbapi: Any, *statements: str) -> None:
    """Session settings sent on the DBAPI connection itself, not through SQLAlchemy, so
    listeners that count a suite's statements see only the suite's own."""
    if not statements:
        return
    cursor = dbapi.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


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
    # A typed timestamp column compares with time-zone aware bounds as instants, so a known
    # time bucket is a plain range on the column (engines/sql/known_groups.py); else each
    # bucket is counted with the GROUP BY's own bucket expression.
    zoned_ranges = False

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

    # -- incremental datasets (engines/sql/incremental.py) -------------------------------
    def sample_variance(self, value: Any) -> sa.ColumnElement[Any] | None:
        """VAR_SAMP as the per-partition moments read it, or None to keep count, sum and
        sum of squares instead (portable; merged the same way)."""
        return None

    def sketch_cells(self, value: Any) -> tuple[Any, Any] | None:
        """(HyperLogLog register, rank) of ``value`` computed in the database, with the
        same hash as ``metrics.sketches``, or None: no distinct-count sketch here."""
        return None

    def prepare_sketches(self, dbapi: Any) -> None:
        """What the connection needs before ``sketch_cells`` runs (functions to register)."""

    # -- the guarded session (engines/sql/session.py) ---------------------------------------
    # How a transaction is made read-only and its statements time-bounded. The guard calls
    # ``start_session`` before the first statement of each transaction and ``end_session``
    # when it ends, on the DBAPI connection (so statement counters never see them). The
    # ANSI fallback knows no portable way to do either: it gets only the client watchdog
    # and the connect timeout (docs/dialects.md says which families are read-only).
    read_only_guard = False  # whether start_session makes the transaction read-only
    # A failed statement may have been a stacked COMMIT that made the session's read-only
    # settings permanent: the guard discards that connection instead of pooling it again.
    discard_after_error = False

    def start_session(
        self, dbapi: Any, server: Any, *, read_only: bool, timeout: float | None, state: dict[str, Any]
    ) -> None:
        """Settings for the transaction that starts (``server``: the SQLAlchemy dialect of
        the live connection; ``state``: the guard's per-transaction state)."""

    def end_session(self, dbapi: Any, *, read_only: bool, committing: bool) -> None:
        """Undo what ``start_session`` set that would outlive the transaction: the pool is
        shared with the caller's engine."""

    def watchdog(self, dbapi: Any, timeout: float) -> Watchdog | None:
        """What stops a statement past ``timeout`` from the client side: by default, shut
        the socket of a server that stopped answering, a little after the server's own
        timeout (a live server cancels the statement itself: a clean error)."""
        fileno = getattr(dbapi, "fileno", None)
        return Watchdog(fileno, timeout + max(WATCHDOG_GRACE, timeout * 0.1)) if fileno is not None else None

    def timed_out(self, err: BaseException, state: dict[str, Any] | None) -> bool:
        """Whether the server cancelled the statement for running past its timeout."""
        return False

    def refused_statement(self, dbapi: Any, statement: str) -> str | None:
        """Why a read-only guard refuses to send ``statement`` at all (None: send it; the
        read-only transaction does the refusing)."""
        return None

    def connect_arguments(self, seconds: float) -> dict[str, Any]:
        """Driver connect arguments that bound a connection attempt (libpq and the MySQL
        drivers take whole seconds; ``setdefault``: a user's own value wins)."""
        return {"connect_timeout": max(1, math.ceil(seconds))}


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

    # A file in this process: PRAGMA query_only refuses every write, a progress handler
    # aborts a statement past its deadline ("interrupted"), nothing to connect to.
    read_only_guard = True

    def start_session(
        self, dbapi: Any, server: Any, *, read_only: bool, timeout: float | None, state: dict[str, Any]
    ) -> None:
        if read_only:
            raw_statements(dbapi, "PRAGMA query_only = ON")
        if timeout is not None:

            def progress() -> int:
                if time.monotonic() > state["deadline"]:
                    state["interrupted"] = True
                    return 1  # SQLite aborts the statement: "interrupted"
                return 0

            dbapi.set_progress_handler(progress, 1000)

    def end_session(self, dbapi: Any, *, read_only: bool, committing: bool) -> None:
        if read_only:
            raw_statements(dbapi, "PRAGMA query_only = OFF")
        dbapi.set_progress_handler(None, 0)

    def sketch_cells(self, value: Any) -> tuple[Any, Any] | None:
        # Python's hash of metrics.sketches, registered on the connection (prepare_sketches).
        return sa.func.dq_hll_register(value), sa.func.dq_hll_rank(value)

    def prepare_sketches(self, dbapi: Any) -> None:
        dbapi.create_function("dq_hll_register", 1, _sqlite_register, deterministic=True)
        dbapi.create_function("dq_hll_rank", 1, _sqlite_rank, deterministic=True)

    def watchdog(self, dbapi: Any, timeout: float) -> Watchdog | None:
        return None  # the progress handler

    def timed_out(self, err: BaseException, state: dict[str, Any] | None) -> bool:
        return state is not None and bool(state["interrupted"])

    def connect_arguments(self, seconds: float) -> dict[str, Any]:
        return {}


class PostgreSQL(Dialect):
    family = "postgresql"
    select_limit = 1664  # MaxTupleAttributeNumber
    filter_clause = True
    is_not_true = True
    percentile_cont = True
    regex = True
    time_buckets = True
    zoned_ranges = True

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

    def sample_variance(self, value: Any) -> sa.ColumnElement[Any] | None:
        return sa.func.var_samp(value)

    def sketch_cells(self, value: Any) -> tuple[Any, Any] | None:
        from sqlalchemy.dialects.postgresql import BIT

        hashed = sa.func.hashtext(sa.cast(value, sa.Text))
        register = hashed.op("&")(REGISTERS - 1)
        rest = hashed.op(">>")(PRECISION).op("&")((1 << RANK_BITS) - 1)
        bits = sa.cast(sa.cast(rest, BIT(RANK_BITS)), sa.Text)
        return register, sa.case((rest == 0, RANK_BITS + 1), else_=sa.func.strpos(bits, "1"))

    # The read-only transaction, and default_transaction_read_only so that a stacked COMMIT
    # cannot escape into a writable one; statement_timeout at session level on purpose:
    # reverted by the rollback, and still in force after a stacked COMMIT.
    read_only_guard = True
    discard_after_error = True

    def start_session(
        self, dbapi: Any, server: Any, *, read_only: bool, timeout: float | None, state: dict[str, Any]
    ) -> None:
        statements = []
        if read_only:
            statements += ["SET TRANSACTION READ ONLY", "SET default_transaction_read_only = on"]
        if timeout is not None:
            statements.append(f"SET statement_timeout = {int(timeout * 1000)}")
        if statements:  # one round trip: our own fixed text, no parameters
            raw_statements(dbapi, "; ".join(statements))

    def end_session(self, dbapi: Any, *, read_only: bool, committing: bool) -> None:
        if committing:  # a rollback reverts the SETs; a committed SET would outlive us
            raw_statements(dbapi, "RESET default_transaction_read_only; RESET statement_timeout")

    def timed_out(self, err: BaseException, state: dict[str, Any] | None) -> bool:
        code = getattr(err, "pgcode", None) or getattr(err, "sqlstate", None)
        return code == "57014"  # query_canceled: statement_timeout

    def connect_arguments(self, seconds: float) -> dict[str, Any]:
        return {"connect_timeout": max(2, math.ceil(seconds))}  # libpq: at least 2 seconds


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

    # Embedded, no server: a statement past its timeout is interrupted in this process, and
    # nothing to connect to. Read-only twice over: the transaction the guard opens is
    # ``BEGIN TRANSACTION READ ONLY`` (DuckDB refuses any write in it), and since a stacked
    # COMMIT would end that transaction, every statement is parsed by DuckDB itself first
    # and anything but a SELECT is refused before it runs. A file opened with
    # ``?access_mode=read_only`` cannot be written by any connection at all.
    read_only_guard = True

    def start_session(
        self, dbapi: Any, server: Any, *, read_only: bool, timeout: float | None, state: dict[str, Any]
    ) -> None:
        if read_only:
            import duckdb

            # duckdb-engine began a read-write transaction (do_begin) and nothing ran in it yet.
            with suppress(duckdb.TransactionException):  # none was begun: nothing to end
                raw_statements(dbapi, "ROLLBACK")
            raw_statements(dbapi, "BEGIN TRANSACTION READ ONLY")

    def watchdog(self, dbapi: Any, timeout: float) -> Watchdog | None:
        return Interrupter(dbapi, timeout)

    def refused_statement(self, dbapi: Any, statement: str) -> str | None:
        import duckdb

        if ";" not in statement and statement.lstrip().upper().startswith("SELECT"):
            return None  # one statement, a SELECT: what the engine sends; no parse needed
        try:
            kinds = [parsed.type for parsed in dbapi.extract_statements(statement)]
        except duckdb.Error:
            return None  # DuckDB will refuse it with its own parser message
        writes = sorted({kind.name for kind in kinds if kind != duckdb.StatementType.SELECT})
        if not writes:
            return None
        return (
            f"airflow_dq's read-only guard refuses a {'/'.join(writes)} statement on DuckDB: checks only read "
            "(only SELECT statements are sent)"
        )

    def connect_arguments(self, seconds: float) -> dict[str, Any]:
        return {}


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

    # START TRANSACTION READ ONLY, and the session's default too (a stacked COMMIT starts a
    # read-only transaction again); MySQL's max_execution_time, MariaDB's max_statement_time.
    read_only_guard = True
    discard_after_error = True

    def start_session(
        self, dbapi: Any, server: Any, *, read_only: bool, timeout: float | None, state: dict[str, Any]
    ) -> None:
        statements = []
        if timeout is not None:
            statements.append(
                f"SET SESSION max_statement_time = {timeout:g}"
                if getattr(server, "is_mariadb", False)
                else f"SET SESSION max_execution_time = {int(timeout * 1000)}"
            )
        if read_only:
            statements += ["SET SESSION TRANSACTION READ ONLY", "START TRANSACTION READ ONLY"]
        raw_statements(dbapi, *statements)

    def end_session(self, dbapi: Any, *, read_only: bool, committing: bool) -> None:
        if read_only:
            raw_statements(dbapi, "SET SESSION TRANSACTION READ WRITE")

    def timed_out(self, err: BaseException, state: dict[str, Any] | None) -> bool:
        # MySQL 3024 max_execution_time, MariaDB 1969 max_statement_time
        return bool(getattr(err, "args", None)) and err.args[0] in (3024, 1969)


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


def _sqlite_register(value: Any) -> int | None:
    hashed = python_hash(value)
    return None if hashed is None else register_of(hashed)


def _sqlite_rank(value: Any) -> int | None:
    hashed = python_hash(value)
    return None if hashed is None else rank_of(hashed)
