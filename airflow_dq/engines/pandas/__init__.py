"""pandas engine: the same metrics as the SQL engine on a DataFrame or a CSV/Parquet file.

Names are loaded lazily (importing this package does not import pandas).
``check_dataframe`` lives in ``airflow_dq.dataframes`` (it runs a suite, a layer above the
engines); the name here is a lazy alias for existing imports, resolved on access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_dq.dataframes import check_dataframe
    from airflow_dq.engines.pandas.engine import PandasEngine

__all__ = ["PandasEngine", "check_dataframe"]


def __getattr__(name: str) -> Any:
    if name == "PandasEngine":
        from airflow_dq.engines.pandas.engine import PandasEngine

        return PandasEngine
    if name == "check_dataframe":
        from airflow_dq.dataframes import check_dataframe

        return check_dataframe
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
