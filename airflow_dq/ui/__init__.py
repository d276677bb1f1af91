"""Data-quality results in the Airflow UI: a plugin serving a small FastAPI app.

Importing this package is cheap; the FastAPI app (and Airflow's API-server security
module) is only built when the API server asks the plugin for it.
"""

URL_PREFIX = "/data-quality"
