"""What the pages say, over HTTP against the real server (the browser test shows them)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.ui.conftest import DAYS, HIDDEN_DAG, Site

pytestmark = pytest.mark.airflow


def _get(site: Site, path: str, user: str = "admin") -> tuple[int, str]:
    return site.server.request("GET", path, token=site.tokens[user])


def test_overview_filters_by_dag(ui_site: Site) -> None:
    status, body = _get(ui_site, "/data-quality/?" + urlencode({"dag_id": HIDDEN_DAG}))
    assert status == 200
    assert set(re.findall(r'data-dag-id="([^"]+)"', body)) == {HIDDEN_DAG}
    assert f'<option value="{HIDDEN_DAG}" selected>' in body
    status, body = _get(ui_site, "/data-quality/")
    assert set(re.findall(r'data-dag-id="([^"]+)"', body)) == {HIDDEN_DAG, "test_issue7_orders"}
    # Latest results: three checks failed on the bad day; row_count and payroll's passed.
    counts = dict(re.findall(r'data-status="(\w+)"><b>(\d+)</b>', body))
    assert int(counts["fail"]) == 3 and int(counts["pass"]) >= 3


def test_check_page_lists_every_run_newest_first(ui_site: Site) -> None:
    query = {"dag_id": "test_issue7_orders", "task_id": "validate_orders", "check": "value_range(amount)"}
    status, body = _get(ui_site, "/data-quality/check?" + urlencode(query))
    assert status == 200
    runs = re.findall(r'<tr data-status="(\w+)">', body)
    assert runs == ["fail"] + ["pass"] * (DAYS - 1)
    # The samples of the latest failing run come from its XCom.
    assert "Offending rows of the latest failing run" in body and "5000.0" in body and "-25.0" in body


def test_task_tab_of_a_task_without_results_says_so(ui_site: Site) -> None:
    query = {"dag_id": "test_issue7_orders", "run_id": "no_such_run", "task_id": "validate_orders"}
    status, body = _get(ui_site, "/data-quality/task?" + urlencode(query) + "&map_index={MAP_INDEX}")
    assert status == 200 and 'id="dq-no-results"' in body


def test_unknown_check_is_a_404_page(ui_site: Site) -> None:
    query = {"dag_id": "test_issue7_orders", "task_id": "validate_orders", "check": "no_such_check"}
    status, body = _get(ui_site, "/data-quality/check?" + urlencode(query))
    assert status == 404 and "No results are recorded for check" in body
    status, _ = _get(ui_site, "/data-quality/check?dag_id=test_issue7_orders")
    assert status == 422  # task_id and check are required


def test_a_learning_anomaly_check_is_shown_as_learning_not_pass(ui_site: Site) -> None:
    # volume_anomaly(min_points=3): the first three runs could not judge yet.
    query = {"dag_id": "test_issue7_orders", "task_id": "validate_orders", "check": "volume_anomaly"}
    status, body = _get(ui_site, "/data-quality/check?" + urlencode(query))
    assert status == 200
    runs = re.findall(r'<tr data-status="(\w+)">', body)
    # Newest first: the oldest run(s) could not judge and say so; the later ones were judged.
    assert runs[-1] == "learning" and "pass" in runs
    first_learning = runs.index("learning")
    assert set(runs[first_learning:]) == {"learning"} and "learning" not in runs[:first_learning]
    assert 'class="dq-badge learning">learning</span>' in body
    # The overview counts learning results on their own (none is latest here: all judged).
    status, body = _get(ui_site, "/data-quality/")
    counts = dict(re.findall(r'data-status="(\w+)"><b>(\d+)</b>', body))
    assert "learning" in counts
