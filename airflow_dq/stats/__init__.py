"""Pure statistics: no I/O, no Airflow. Import from the module of the idea you need
(``airflow_dq.stats.anomaly`` for scores against history, ``airflow_dq.stats.robust`` for
the robust estimates it uses)."""
