"""Access control of the Data Quality pages, against a real API server and auth manager."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest

from tests.dags.issue7_ui_dags import MARKUP_NAME
from tests.ui.conftest import HIDDEN_DAG, Site

pytestmark = pytest.mark.airflow


def _pages(site: Site, dag_id: str, run) -> list[str]:
    task_id = "validate_payroll" if dag_id == HIDDEN_DAG else "validate_orders"
    return [
        "/data-quality/",
        "/data-quality/icon-light.svg",
        f"/data-quality/?{urlencode({'dag_id': dag_id})}",
        "/data-quality/check?" + urlencode({"dag_id": dag_id, "task_id": task_id, "check": "row_count"}),
        "/data-quality/task?" + urlencode({"dag_id": dag_id, "run_id": run.run_id, "task_id": task_id}),
    ]


def test_anonymous_requests_are_refused(ui_site: Site) -> None:
    for path in _pages(ui_site, "test_issue7_orders", ui_site.bad_run):
        status, body = ui_site.server.request("GET", path)
        assert status == 401, path
        assert "orders" not in body and "row_count" not in body
        status, body = ui_site.server.request("GET", path, cookie_token="not-a-jwt")
        assert status in (401, 403), path
        assert "orders" not in body


def test_cookie_and_bearer_token_are_both_accepted(ui_site: Site) -> None:
    token = ui_site.tokens["viewer"]
    for kwargs in ({"token": token}, {"cookie_token": token}):
        status, body = ui_site.server.request("GET", "/data-quality/", **kwargs)
        assert status == 200 and 'id="dq-overview"' in body


def test_user_without_access_to_a_dag_sees_nothing_of_it(ui_site: Site) -> None:
    server, tokens = ui_site.server, ui_site.tokens
    # The admin (and a plain viewer) see the hidden DAG's checks ...
    for user in ("admin", "viewer"):
        status, body = server.request("GET", "/data-quality/", token=tokens[user])
        assert status == 200 and HIDDEN_DAG in body and "payroll" in body
    # ... the outsider sees the other DAG, and no trace of the hidden one: not in the
    # overview, not in the DAG filter, not when asking for it by name.
    status, body = server.request("GET", "/data-quality/", token=tokens["outsider"])
    assert status == 200 and "test_issue7_orders" in body
    assert HIDDEN_DAG not in body and "payroll" not in body
    status, body = server.request("GET", f"/data-quality/?dag_id={HIDDEN_DAG}", token=tokens["outsider"])
    assert status == 200 and "payroll" not in body and 'id="dq-overview"' not in body
    for path in _pages(ui_site, HIDDEN_DAG, ui_site.secret_run)[3:]:
        status, body = server.request("GET", path, token=tokens["outsider"])
        assert status == 403, path
        assert "payroll" not in body and "salary" not in body
        status, body = server.request("GET", path, token=tokens["admin"])
        assert status == 200 and "payroll" in body, path


def test_user_strings_are_escaped_and_scripts_are_forbidden(ui_site: Site) -> None:
    run = ui_site.bad_run
    path = "/data-quality/task?" + urlencode({"dag_id": run.dag_id, "run_id": run.run_id, "task_id": "validate_orders"})
    status, body = ui_site.server.request("GET", path, token=ui_site.tokens["viewer"])
    assert status == 200
    assert "&lt;img src=x onerror=&#34;document.title=1&#34;&gt; &amp; &#34;ids&#34;" in body
    assert "<img" not in body and MARKUP_NAME not in body
    # A query parameter echoed into the page is escaped as well.
    evil = "<script>alert(1)</script>"
    status, body = ui_site.server.request(
        "GET",
        f"/data-quality/check?dag_id=test_issue7_orders&task_id=x&check={quote(evil)}",
        token=ui_site.tokens["viewer"],
    )
    assert status == 404 and "&lt;script&gt;" in body and "<script>" not in body


def test_pages_forbid_scripts_and_allow_only_the_airflow_frame(ui_site: Site) -> None:
    import urllib.request

    request = urllib.request.Request(
        ui_site.server.base_url + "/data-quality/", headers={"Authorization": f"Bearer {ui_site.tokens['viewer']}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy  # falls back to default-src 'none': no script runs
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", policy)


def test_extra_link_of_the_check_task_opens_its_results(ui_site: Site) -> None:
    run, token = ui_site.bad_run, ui_site.tokens["viewer"]
    links_path = f"/api/v2/dags/{run.dag_id}/dagRuns/{quote(run.run_id, safe='')}/taskInstances/validate_orders/links"
    status, body = ui_site.server.request("GET", links_path, token=token)
    assert status == 200, body
    import json

    link = json.loads(body)["extra_links"]["Data Quality"]
    assert link.startswith("/data-quality/task?") and "dag_id=test_issue7_orders" in link
    status, page = ui_site.server.request("GET", link, token=token)
    assert status == 200
    assert 'data-check="value_range(amount)"' in page and 'data-status="fail"' in page


def test_failure_samples_need_xcom_access(ui_site: Site) -> None:
    """Offending rows are the user's data: hidden from who may not read the DAG's XComs."""
    run = ui_site.bad_run
    check = "/data-quality/check?" + urlencode(
        {"dag_id": run.dag_id, "task_id": "validate_orders", "check": "value_range(amount)"}
    )
    task = "/data-quality/task?" + urlencode({"dag_id": run.dag_id, "run_id": run.run_id, "task_id": "validate_orders"})
    for path in (check, task):
        status, body = ui_site.server.request("GET", path, token=ui_site.tokens["viewer"])
        assert status == 200 and "5000.0" in body and "hidden" not in body
        status, body = ui_site.server.request("GET", path, token=ui_site.tokens["analyst"])
        assert status == 200 and 'data-status="fail"' in body  # the results themselves are shown
        assert "5000.0" not in body and "-25.0" not in body
        assert "Failure samples are hidden: you may not read this DAG's XComs." in body
