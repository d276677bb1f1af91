"""HTML rendering: one Jinja2 environment with autoescaping, the packaged CSS inlined.

Every page is sent with a Content-Security-Policy that allows no script at all and only
our own stylesheet (by hash): even a string that slipped past escaping could not run.
``frame-ancestors 'self'`` lets the Airflow UI show the pages in its iframe.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from airflow_dq.ui.charts import format_number


@cache
def _stylesheet() -> str:
    return files("airflow_dq.ui").joinpath("static", "dq.css").read_text(encoding="utf-8")


def status_class(status: Any) -> str:
    """CSS class of a status; anything unexpected is shown as an error, never echoed."""
    return status if status in ("pass", "warn", "fail", "error", "learning") else "error"


def sample_columns(rows: list[dict[str, Any]]) -> list[str]:
    """Column names of failure-sample rows, in first-seen order."""
    return list(dict.fromkeys(key for row in rows if isinstance(row, dict) for key in row))


def cell(value: Any) -> str:
    """A failure-sample value as the database gave it (ids keep their digits)."""
    return "NULL" if value is None else str(value)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("airflow_dq.ui", "templates"),
        autoescape=True,  # every value is escaped unless it is our own Markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_number
    env.filters["status_class"] = status_class
    env.filters["sample_columns"] = sample_columns
    env.filters["cell"] = cell
    env.filters["when"] = lambda at: at.strftime("%Y-%m-%d %H:%M") if at else "-"
    return env


@cache
def _content_security_policy() -> str:
    digest = base64.b64encode(hashlib.sha256(_stylesheet().encode()).digest()).decode()
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src 'self' data:; "
        "form-action 'self'; "
        "frame-ancestors 'self'; "
        "base-uri 'none'"
    )


ICON_COLORS = {"light": "#38a169", "dark": "#68d391"}  # visible on the selected (dark) entry too


def icon(mode: str) -> Response:
    """The navigation icon (the Airflow UI shows it with an <img>), light or dark."""
    color = ICON_COLORS.get(mode, ICON_COLORS["light"])
    svg = files("airflow_dq.ui").joinpath("static", "icon.svg").read_text(encoding="utf-8").replace("{color}", color)
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"},
    )


def page(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template to a response; ``url(name, **query)`` builds links inside the app."""

    def url(name: str, **query: Any) -> str:
        # Root-relative: the same link works inside the Airflow UI's iframe and standalone.
        params = urlencode({k: str(v) for k, v in query.items() if v is not None})
        return request.url_for(name).path + (f"?{params}" if params else "")

    html = _environment().get_template(template).render(request=request, url=url, css=Markup(_stylesheet()), **context)
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            "Content-Security-Policy": _content_security_policy(),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
        },
    )
