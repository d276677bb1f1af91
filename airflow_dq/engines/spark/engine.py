"""The Spark engine: every scalar metric of a suite in ONE aggregation job per table.

Grouped metrics (segments, time buckets) take one ``GROUP BY`` job per grouping, the
histograms of drift checks one aggregation job per table (``airflow_dq.engines.spark.side``),
as in the SQL engine. Only the aggregates travel back to the Airflow worker, so the data
can be as big as the cluster allows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from airflow_dq.engines.spark.columns import AGGREGATES, VIOLATIONS, Columns, Unsupported, lacks_predicate
from airflow_dq.engines.spark.types import is_timestamp, type_family
from airflow_dq.metrics import CustomScalar, DuplicateCount, Metric, MetricError, OrderViolations, ViolationCount
from airflow_dq.metrics.elsewhere import Elsewhere
from airflow_dq.metrics.grouped import BySegments, ByTimeBucket, Grouped, GroupKey
from airflow_dq.metrics.predicates import Predicate
from airflow_dq.metrics.profiles import ProfileMetric

FILE_FORMATS = ("parquet", "csv", "json", "orc", "delta")


def _plain(value: Any) -> Any:
    """Python values as the other engines give them (decimals as floats where pandas does)."""
    import decimal

    if isinstance(value, float) and value != value:
        return None
    return float(value) if isinstance(value, decimal.Decimal) else value


class SparkEngine:
    """Measure metrics on a Spark table, files, or a Spark DataFrame.

    >>> spark = SparkSession.builder.remote("sc://spark-connect:15002").getOrCreate()
    >>> engine = SparkEngine(spark, table="lake.events", where="event_date = '2026-12-01'")
    >>> engine = SparkEngine(spark, path="s3a://lake/events/", file_format="parquet")
    >>> run_checks(engine, [not_null("user_id"), unique("event_id")])

    ``where`` is a Spark SQL boolean. NULL means NULL, and NaN in a float column counts as
    NULL too (as in the pandas engine). Naive timestamps (``TIMESTAMP_NTZ``) are wall-clock
    time; ``TIMESTAMP`` values are read on the session time zone's wall clock.
    """

    def __init__(
        self,
        spark: SparkSession,
        *,
        table: str | None = None,
        path: str | None = None,
        file_format: str | None = None,
        read_options: dict[str, Any] | None = None,
        where: str | None = None,
        frame: DataFrame | None = None,
        name: str | None = None,
    ) -> None:
        if sum(x is not None for x in (table, path, frame)) != 1:
            raise ValueError("SparkEngine: give exactly one of 'table', 'path' or 'frame'")
        self.spark = spark
        self.table, self.path, self.where = table, path, where
        self.file_format = file_format or (_format_of(path) if path else None)
        self.read_options = read_options or {}
        self._frame = frame
        self.name = name
        self.statements: Counter[str] = Counter()
        self._df: DataFrame | None = None
        self._types: dict[str, str] | None = None

    def describe(self) -> str:
        what = self.name or (
            f"table {self.table}" if self.table else f"files {self.path}" if self.path else "Spark DataFrame"
        )
        return f"{what} where {self.where}" if self.where else what

    def dataframe(self) -> DataFrame:
        """The dataset, lazily: nothing runs on the cluster until an aggregate is collected."""
        if self._df is None:
            if self._frame is not None:
                df = self._frame
            elif self.table is not None:
                df = self.spark.read.table(self.table)
            else:
                df = self.spark.read.format(self.file_format).options(**self.read_options).load(self.path)
            self._df = df.where(F.expr(self.where)) if self.where else df
        return self._df

    def column_types(self) -> dict[str, str]:
        if self._types is None:
            self.statements["schema"] += 1
            self._types = {f.name: type_family(f.dataType) for f in self.dataframe().schema.fields}
        return self._types

    def missing(self, metric: Metric) -> str | None:
        """What this engine lacks to compute ``metric``, from its registries
        (``columns.AGGREGATES`` and ``columns.VIOLATIONS``); asked by the suite before any job."""
        if isinstance(metric, ProfileMetric | Elsewhere):
            return None
        if isinstance(metric, CustomScalar):
            return "the Spark engine cannot run custom SQL queries yet (custom_sql)"
        if isinstance(metric, Grouped):
            if metric.source is not None:
                return f"the Spark engine cannot read the reference {metric.source} yet"
            metric = metric.metric
        elif isinstance(metric, DuplicateCount | OrderViolations):
            return None  # a job of its own when the shared aggregate cannot hold it
        if type(metric) not in AGGREGATES:
            return f"the Spark engine cannot compute {metric.label} yet"
        if isinstance(metric, ViolationCount) and type(metric.predicate) not in VIOLATIONS:
            return lacks_predicate(metric.predicate)
        return None

    def compute(self, metrics: Collection[Metric]) -> dict[Metric, Any]:
        values: dict[Metric, Any] = {}
        profiled = [m for m in metrics if isinstance(m, ProfileMetric)]
        if profiled:
            values.update(self._profiles(profiled))
        elsewhere = [m for m in metrics if isinstance(m, Elsewhere)]
        if elsewhere:  # a reconciliation's source is a SQL table behind other_conn_id
            from airflow_dq.engines.sql.elsewhere import compute_elsewhere

            values.update(compute_elsewhere(None, elsewhere, self.statements))
        rest = [m for m in dict.fromkeys(metrics) if not isinstance(m, ProfileMetric | Elsewhere)]
        if not rest:
            return values
        df = self.dataframe()
        columns = Columns(df.schema)
        scalar: dict[Metric, Any] = {}
        grouped: dict[tuple[Any, Any], list[Grouped]] = {}
        for metric in rest:
            try:
                if isinstance(metric, CustomScalar):
                    raise Unsupported("the Spark engine cannot run custom SQL queries yet (custom_sql)")
                if isinstance(metric, Grouped):
                    if metric.source is not None:
                        raise Unsupported(f"the Spark engine cannot read the reference {metric.source} yet")
                    columns.aggregate(metric.metric)  # fails here, before any job, if unsupported
                    grouped.setdefault((metric.grouping, metric.source), []).append(metric)
                elif isinstance(metric, DuplicateCount | OrderViolations) and not _in_scan(metric):
                    values[metric] = self._own_job(df, columns, metric)
                else:
                    scalar[metric] = columns.aggregate(metric)
            except Unsupported as err:
                values[metric] = MetricError(str(err))
        if scalar:
            values.update(self._scan(df, scalar))
        for (grouping, _source), batch in grouped.items():
            values.update(self._grouped(df, columns, grouping, batch))
        return values

    def _scan(self, df: DataFrame, scalar: dict[Metric, Any]) -> dict[Metric, Any]:
        """ONE job for all scalar metrics. When Spark refuses the job because of one
        expression (a row_condition or where in bad Spark SQL, a column of the wrong type),
        each expression is analysed alone (no job runs) to find the culprits: they get a
        ``MetricError`` with Spark's message, and the others are measured in one job again.
        A lost connection is not an analysis error: it raises, and the task retries."""
        from pyspark.errors import AnalysisException

        self.statements["data"] += 1
        try:
            row = df.agg(*(expr.alias(f"m{i}") for i, expr in enumerate(scalar.values()))).collect()[0]
        except AnalysisException:
            broken: dict[Metric, Any] = {}
            for metric, expr in scalar.items():
                try:
                    _ = df.agg(expr).schema  # analysis only: no job runs
                except AnalysisException as err:
                    broken[metric] = MetricError(f"Spark cannot compute {metric.label}: {_first_line(err)}")
            if not broken:
                raise
            rest = {m: e for m, e in scalar.items() if m not in broken}
            return {**broken, **(self._scan(df, rest) if rest else {})}
        return {m: _plain(row[i]) for i, m in enumerate(scalar)}

    def _own_job(self, df: DataFrame, columns: Columns, metric: Metric) -> int:
        """Metrics a plain aggregate cannot express: a GROUP BY or a window, one job each."""
        self.statements["data"] += 1
        if isinstance(metric, DuplicateCount):
            keys = df if not metric.ignore_nulls else df.where(columns.complete(metric.columns))
            counts = keys.groupBy(*(columns.value(c) for c in metric.columns)).count()
            repeated = F.col("count") > 1
            surplus = F.when(repeated, F.col("count") if metric.count_all else F.col("count") - 1)
            return int(counts.agg(F.coalesce(F.sum(surplus), F.lit(0))).collect()[0][0])
        assert isinstance(metric, OrderViolations)
        value, order = columns.value(metric.column), columns.value(metric.order_by)
        ordered = df.where(columns.present(metric.column) & columns.present(metric.order_by))
        # One global order (a single partition, as an ORDER BY in SQL): the window is computed
        # first, then counted (Spark refuses a window inside an aggregate).
        pairs = ordered.select(value.alias("v"), F.lag(value).over(Window.orderBy(order)).alias("p"))
        v, p = F.col("v"), F.col("p")
        increasing = metric.direction == "increasing"
        if metric.strictly:
            broken = v <= p if increasing else v >= p
        else:
            broken = v < p if increasing else v > p
        return int(pairs.agg(F.count(F.when(broken, 1))).collect()[0][0])

    def _grouped(self, df: DataFrame, columns: Columns, grouping: Any, batch: list[Grouped]) -> dict[Metric, Any]:
        """Every grouped metric of one grouping in ONE GROUP BY job."""
        if isinstance(grouping, BySegments):
            keys = [columns.value(c).alias(f"k{i}") for i, c in enumerate(grouping.columns)]
            rows_in = df
        elif isinstance(grouping, ByTimeBucket):
            wall = self._wall_clock(columns, grouping)
            start, end = (_wall_text(m, grouping.timezone) for m in (grouping.start, grouping.end))
            rows_in = df.where((wall >= F.lit(start).cast("timestamp_ntz")) & (wall < F.lit(end).cast("timestamp_ntz")))
            keys = [F.date_trunc(grouping.unit, wall).cast("timestamp_ntz").alias("k0")]
        else:
            return {m: MetricError(f"the Spark engine cannot group by {grouping} yet") for m in batch}
        self.statements["grouped"] += 1
        aggregates = [columns.aggregate(m.metric).alias(f"m{i}") for i, m in enumerate(batch)]
        rows = rows_in.groupBy(*keys).agg(*aggregates).collect()
        width = len(keys)
        out: dict[Metric, Any] = {m: {} for m in batch}
        for row in rows:
            key = GroupKey(_plain(v) for v in row[:width])
            for i, metric in enumerate(batch):
                # A check that names its segments reads only those (as the SQL engine's known groups).
                if metric.segments is None or tuple(key) in metric.segments:
                    out[metric][key] = _plain(row[width + i])
        return out

    def _wall_clock(self, columns: Columns, grouping: ByTimeBucket) -> Any:
        """The column on the wall clock of the grouping's zone (naive values already are)."""
        data_type = columns.types[grouping.column]
        raw = columns.raw(grouping.column)
        if is_timestamp(data_type) == "ltz":  # an instant: convert it to the zone
            return F.convert_timezone(F.current_timezone(), F.lit(grouping.timezone), raw.cast("timestamp_ntz"))
        return raw.cast("timestamp_ntz")

    def _profiles(self, metrics: list[ProfileMetric]) -> dict[Metric, Any]:
        from airflow_dq.engines.profiles import compute_profiles, frame_side_of
        from airflow_dq.engines.spark.side import SparkSide
        from airflow_dq.metrics.grouped import Reference

        current = SparkSide(self.dataframe(), self.describe(), self.statements)

        def side_of(source: Any) -> Any:
            if isinstance(source, Reference):
                return SparkSide.of_reference(self.spark, source, self.statements)
            return frame_side_of(source)

        return compute_profiles(current, metrics, side_of)

    def sample(self, spec: Any, limit: int) -> list[dict[str, Any]]:
        from airflow_dq.metrics.samples import DuplicateKeys

        self.statements["samples"] += 1
        df = self.dataframe()
        columns = Columns(df.schema)
        if isinstance(spec, DuplicateKeys):
            keys = df.where(columns.complete(spec.columns)).groupBy(*(columns.value(c).alias(c) for c in spec.columns))
            counts = keys.agg(F.count(F.lit(1)).alias("dq_count")).where(F.col("dq_count") > 1)
            rows = counts.orderBy(F.col("dq_count").desc(), *spec.columns).limit(limit).collect()
        else:
            assert isinstance(spec, Predicate)
            try:
                failing = df.where(columns.violates(spec))
                rows = failing.select(*(columns.value(c).alias(c) for c in columns.types)).limit(limit).collect()
            except Unsupported:
                return []
        return [{k: _plain(v) for k, v in row.asDict().items()} for row in rows]


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _in_scan(metric: Metric) -> bool:
    """Whether a metric fits the shared aggregate (the default duplicate count does)."""
    return isinstance(metric, DuplicateCount) and metric.ignore_nulls and not metric.count_all


def _wall_text(moment: dt.datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat(sep=" ")


def _format_of(path: str) -> str:
    name = path.lower().rstrip("/")
    for kind in FILE_FORMATS:
        if name.endswith(f".{kind}") or f".{kind}." in name:
            return kind
    return "parquet"  # a lake folder
