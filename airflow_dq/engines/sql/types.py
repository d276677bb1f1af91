"""Map SQLAlchemy's reflected column types onto the schema check's type families."""

from __future__ import annotations

import sqlalchemy as sa

# Order matters: Float subclasses Numeric, DateTime is not a Date, Text is a String.
_FAMILIES: tuple[tuple[type, str], ...] = (
    (sa.Boolean, "boolean"),
    (sa.Integer, "integer"),
    (sa.Float, "float"),
    (sa.Numeric, "decimal"),
    (sa.DateTime, "timestamp"),
    (sa.Date, "date"),
    (sa.Time, "time"),
    (sa.String, "string"),
    (sa.LargeBinary, "binary"),
    (sa.JSON, "json"),
)


def type_family(sql_type: sa.types.TypeEngine) -> str:
    for base, family in _FAMILIES:
        if isinstance(sql_type, base):
            return family
    # Dialect types such as PostgreSQL's DOUBLE_PRECISION subclass the generic ones above;
    # anything left (UUID, arrays, intervals) is "other".
    affinity = getattr(sql_type, "_type_affinity", None)
    if affinity is not None and affinity is not type(sql_type):
        for base, family in _FAMILIES:
            if issubclass(affinity, base):
                return family
    return "other"
