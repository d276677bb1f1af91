"""The orders/payroll warehouse the issue-7 DAGs check: good days and one bad day."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa


def good_orders(day: dt.date, n: int = 8) -> list[dict]:
    base = day.toordinal() * 100
    return [
        {"order_id": base + i, "customer_id": 1000 + i, "amount": 40.0 + 7 * i + day.day, "day": day.isoformat()}
        for i in range(n)
    ]


def bad_orders(day: dt.date) -> list[dict]:
    """Negative and huge amounts, a NULL customer and a repeated order id."""
    rows = good_orders(day, 6)
    rows[1]["amount"] = -25.0
    rows[2]["amount"] = 5000.0
    rows[3]["customer_id"] = None
    rows[4]["order_id"] = rows[5]["order_id"]
    return rows


def payroll(day: dt.date) -> list[dict]:
    return [{"employee_id": i, "salary": 3000.0 + 100 * i, "day": day.isoformat()} for i in range(4)]


def write_day(engine: sa.Engine, table: str, rows: list[dict]) -> None:
    """Replace one day's rows of a table (created on first use)."""
    meta = sa.MetaData()
    kinds = {float: sa.Float, int: sa.Integer, str: sa.String}
    # The first row decides the types; a NULL there would lose its column's type.
    columns = [sa.Column(name, kinds[type(value)]) for name, value in rows[0].items()]
    target = sa.Table(table, meta, *columns)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(target.delete().where(target.c.day == rows[0]["day"]))
        conn.execute(target.insert(), rows)
