"""Map pandas dtypes onto the schema check's type families (``airflow_dq.checks.schema``).

A nullable integer column read from a file without a ``dtype`` arrives as ``float64``
(NaN needs a float), so it reports ``float``; give ``dtype={"col": "Int64"}`` in the read
options to get ``integer``, as a database column would report.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pandas as pd
from pandas.api import types as ptypes

# What pandas' infer_dtype says about an object column -> family.
_INFERRED = {
    "string": "string",
    "unicode": "string",
    "bytes": "binary",
    "integer": "integer",
    "floating": "float",
    "mixed-integer-float": "float",
    "decimal": "decimal",
    "boolean": "boolean",
    "datetime64": "timestamp",
    "datetime": "timestamp",
    "date": "date",
    "time": "time",
}


def dtype_family(series: pd.Series) -> str:
    """The type family of one column (object columns are judged by their values)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return dtype_family(pd.Series(dtype.categories))
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_integer_dtype(dtype):
        return "integer"
    if ptypes.is_float_dtype(dtype):
        return "float"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "timestamp"
    if ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        return "string"
    if isinstance(dtype, pd.ArrowDtype):
        return arrow_family(dtype.pyarrow_dtype)
    if ptypes.is_object_dtype(dtype):
        return _object_family(series)
    return "other"  # timedelta, period, interval, complex ...


def _object_family(series: pd.Series) -> str:
    values = series.dropna()
    if values.empty:
        return "other"
    first = values.iloc[0]
    if isinstance(first, dict | list):
        return "json"
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "mixed" and isinstance(first, decimal.Decimal):
        return "decimal"
    if inferred == "datetime" and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values[:100]):
        return "date"
    return _INFERRED.get(inferred, "other")


def arrow_family(t: Any) -> str:
    """Family of a pyarrow type (a Parquet file's schema, read without its data)."""
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        return arrow_family(t.value_type)
    checks = (
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_integer, "integer"),
        (pa.types.is_floating, "float"),
        (pa.types.is_decimal, "decimal"),
        (pa.types.is_timestamp, "timestamp"),
        (pa.types.is_date, "date"),
        (pa.types.is_time, "time"),
        (lambda x: pa.types.is_string(x) or pa.types.is_large_string(x) or pa.types.is_string_view(x), "string"),
        (lambda x: pa.types.is_binary(x) or pa.types.is_large_binary(x), "binary"),
    )
    for test, family in checks:
        if test(t):
            return family
    return "other"


def frame_types(frame: pd.DataFrame) -> dict[str, str]:
    """Column name -> type family for every column of ``frame``."""
    return {str(name): dtype_family(frame[name]) for name in frame.columns}
