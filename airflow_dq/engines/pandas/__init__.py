"""pandas engine: the same metrics as the SQL engine on a DataFrame or a CSV/Parquet file.

Names are loaded lazily, so ``airflow_dq.engines.pandas.support`` (what the operators use
at DAG parse time) does not import pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_dq.engines.pandas.engine import PandasEngine
    from airflow_dq.engines.pandas.run import check_dataframe

__all__ = ["PandasEngine", "check_dataframe"]


def __getattr__(name: str) -> Any:
    if name == "PandasEngine":
        from airflow_dq.engines.pandas.engine import PandasEngine

        return PandasEngine
    if name == "check_dataframe":
        from airflow_dq.engines.pandas.run import check_dataframe

        return check_dataframe
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
