"""Spark data types -> the provider's type families (``airflow_dq.checks.schema.TYPE_FAMILIES``)."""

from __future__ import annotations

from typing import Any

_FAMILIES = {
    "ByteType": "integer",
    "ShortType": "integer",
    "IntegerType": "integer",
    "LongType": "integer",
    "FloatType": "float",
    "DoubleType": "float",
    "DecimalType": "decimal",  # as NUMERIC in SQL
    "StringType": "string",
    "CharType": "string",
    "VarcharType": "string",
    "BooleanType": "boolean",
    "DateType": "date",
    "TimestampType": "timestamp",
    "TimestampNTZType": "timestamp",
    "BinaryType": "binary",
}


def type_family(data_type: Any) -> str:
    return _FAMILIES.get(type(data_type).__name__, "other")


def is_float(data_type: Any) -> bool:
    """Float columns may hold NaN, which the provider counts as NULL (as pandas does)."""
    return type(data_type).__name__ in ("FloatType", "DoubleType")


def is_timestamp(data_type: Any) -> str | None:
    """``"ltz"`` for an instant (TIMESTAMP), ``"ntz"`` for a wall-clock one, else None."""
    name = type(data_type).__name__
    return {"TimestampType": "ltz", "TimestampNTZType": "ntz"}.get(name)
