"""airflow_dq: data-quality checks, freshness and completeness gates for Apache Airflow 3.

The core (``checks``, ``metrics``, ``engines``, ``results``) imports nothing from Airflow;
``operators`` is the thin Airflow adapter.
"""

__version__ = "0.1.0"
