"""The quality scorecard over HTTP: JSON and Excel API, reference upload, the /quality page with its charts
(on SQLite and PostgreSQL), and in headless Chromium: ECharts draws under the pages' CSP without a CDN."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from live import launch, require_chromium, serving
from principals import add_account, issue_token, login_headers, login_session, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import departments as make_departments
from quality.quality_data import Batches, reference, timeliness_data
from testdb import app_database
from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.db.session import session_scope
from xinyong.quality.models import ReferenceDecision
from xinyong.subjects.models import Department
from xinyong.web.app import create_app
from xinyong.web.middleware import PAGE_CSP

OCT = {"month": "2026-10"}
CHART = re.compile(r'id="quality-score-chart" class="quality-chart" data-chart="([^"]*)"')


@pytest.fixture
def data(db: Session, departments: tuple[Department, Department]) -> tuple[Department, Department]:
    """October 2026: sfj 7 of 10 on time and one omission; scjgj one record on time (see quality_data)."""
    scjgj, sfj = departments
    timeliness_data(Batches(db), sfj, scjgj)
    reference(db, sfj, "R4", date(2026, 9, 1))
    return departments


def officer(db: Session, department: Department) -> dict[str, str]:
    return login_headers(db, add_account(db, "q_officer", "department_officer", department_id=department.id))


def office(db: Session) -> dict[str, str]:
    return login_headers(db, add_account(db, "q_office", "credit_office_staff"))


# --------------------------------------------------------------------------------------------- JSON API
def test_scorecard_json(api: TestClient, db: Session, data: tuple[Department, Department]) -> None:
    _, sfj = data
    response = api.get("/api/v1/quality/scorecard", params=OCT, headers=officer(db, sfj))
    assert response.status_code == 200
    body = response.json()
    assert (body["month"], body["item"], body["as_of"]) == ("2026-10", None, "2026-11-27")
    rows = {d["code"]: d for d in body["departments"]}
    assert rows["sfj"]["timeliness_rate"] == 0.7 and rows["sfj"]["late_rate"] == 0.3
    assert rows["sfj"]["omissions"] == 1 and rows["sfj"]["score"] == 79.5 and rows["sfj"]["rank"] == 2
    assert rows["scjgj"]["score"] == 100.0 and rows["scjgj"]["grade"] == "优秀" and rows["scjgj"]["rank"] == 1


def test_scorecard_api_errors_and_permissions(
    api: TestClient, db: Session, data: tuple[Department, Department]
) -> None:
    _, sfj = data
    assert api.get("/api/v1/quality/scorecard", params=OCT).status_code == 401
    bank = login_headers(db, add_account(db, "q_bank", "bank", institution="某银行"))
    assert api.get("/api/v1/quality/scorecard", params=OCT, headers=bank).status_code == 403
    token = token_headers(issue_token(db, "department_officer", department_id=sfj.id))
    assert api.get("/api/v1/quality/scorecard", params=OCT, headers=token).status_code == 200
    headers = officer(db, sfj)
    bad = api.get("/api/v1/quality/scorecard", params={"month": "2026-13"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "month"
    unknown = api.get("/api/v1/quality/scorecard", params={**OCT, "item": "nope"}, headers=headers)
    assert unknown.status_code == 404 and "nope" in unknown.json()["message"]


def test_scorecard_xlsx(api: TestClient, db: Session, data: tuple[Department, Department]) -> None:
    _, sfj = data
    response = api.get("/api/v1/quality/scorecard.xlsx", params={**OCT, "item": "penalty"}, headers=officer(db, sfj))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="quality-2026-10-penalty.xlsx"' in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["2026-10", "说明"]
    sheet = book["2026-10"]
    assert sheet["A3"].value == "排名" and sheet["F3"].value == "合规率"
    by_code = {sheet.cell(row=r, column=3).value: r for r in range(4, sheet.max_row + 1)}
    assert sheet.cell(row=by_code["sfj"], column=7).value == 0.7


def test_reference_upload(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    _, sfj = departments
    body = {
        "item": "penalty",
        "department": "sfj",
        "list_name": "司法局案件台账",
        "rows": [{"文书号": "番司罚〔2026〕1号", "决定日期": "2026-10-09", "行政相对人名称": "某公司"}],
    }
    assert api.post("/api/v1/quality/reference", json=body, headers=officer(db, sfj)).status_code == 403
    headers = office(db)
    ok = api.post("/api/v1/quality/reference", json=body, headers=headers)
    assert ok.status_code == 200
    assert ok.json() == {
        "item": "penalty",
        "department": "sfj",
        "list_name": "司法局案件台账",
        "rows": 1,
        "added": 1,
        "unchanged": 0,
    }
    again = api.post("/api/v1/quality/reference", json=body, headers=headers)
    assert again.json()["added"] == 0 and again.json()["unchanged"] == 1
    broken = {**body, "rows": [{"文书号": "X", "决定日期": "昨天"}, {"文书号": "", "决定日期": "2026-10-09"}]}
    refused = api.post("/api/v1/quality/reference", json=broken, headers=headers)
    assert refused.status_code == 422
    assert [(e["row"], e["field"]) for e in refused.json()["errors"]] == [(1, "决定日期"), (2, "文书号")]
    missing = api.post("/api/v1/quality/reference", json={**body, "department": "nobody"}, headers=headers)
    assert missing.status_code == 404
    no_csrf = {"Cookie": headers["Cookie"]}
    assert api.post("/api/v1/quality/reference", json=body, headers=no_csrf).status_code == 403
    assert len(db.scalars(select(ReferenceDecision)).all()) == 1


# --------------------------------------------------------------------------------------------- the page
def test_page_renders_ranking_and_chart_containers(
    client: TestClient, db: Session, data: tuple[Department, Department]
) -> None:
    _, sfj = data
    response = client.get("/quality", params=OCT, headers=officer(db, sfj))
    assert response.status_code == 200
    html = response.text
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html and 'src="/static/js/quality.js"' in html
    assert "<script>" not in html and "style=" not in html  # the CSP forbids inline scripts and styles
    assert 'id="quality-share-chart"' in html
    found = CHART.search(html)
    assert found
    chart = json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"'))
    assert chart["departments"] == ["广州市番禺区市场监督管理局", "广州市番禺区司法局"]
    assert chart["scores"] == [100.0, 79.5] and chart["late"] == [0.0, 30.0] and chart["omission"] == [None, 100.0]
    table = html[html.index('<table class="result-table quality-table">') :]
    assert table.index("广州市番禺区市场监督管理局") < table.index("广州市番禺区司法局")
    assert "70.00%" in table and "79.50" in table and "优秀" in table
    assert 'href="/api/v1/quality/scorecard.xlsx?month=2026-10"' in html
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_page_defaults_to_last_month_and_shows_errors(
    client: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    headers = officer(db, sfj)
    default = client.get("/quality", headers=headers)
    assert default.status_code == 200 and 'value="2026-10"' in default.text
    assert "quality-score-chart" not in default.text  # nothing scored: no chart, the table still lists both
    assert default.text.count("<tr>") == 3
    bad = client.get("/quality", params={"month": "2026-13"}, headers=headers)
    assert bad.status_code == 422 and "月份超出范围" in bad.text


def test_page_permissions(client: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    anonymous = client.get("/quality", params=OCT, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=/quality")
    bank = login_headers(db, add_account(db, "q_bank", "bank", institution="某银行"))
    assert client.get("/quality", params=OCT, headers=bank).status_code == 403
    regulator = login_headers(db, add_account(db, "q_regulator", "regulator"))
    assert client.get("/quality", params=OCT, headers=regulator).status_code == 200


def test_vendored_echarts_and_init_script_are_served(client: TestClient) -> None:
    echarts = client.get("/static/vendor/echarts/echarts.min.js")
    assert echarts.status_code == 200 and len(echarts.content) > 500_000
    assert client.get("/static/vendor/echarts/LICENSE").status_code == 200
    script = client.get("/static/js/quality.js")
    assert script.status_code == 200 and "echarts.init" in script.text


# --------------------------------------------------------------------------------------------- in a browser
@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """uvicorn over a SQLite file with October's data and a logged-in regulator: (url, session cookie)."""
    with app_database(monkeypatch, f"sqlite:///{tmp_path / 'quality.db'}"):
        with session_scope() as session:
            scjgj, sfj = make_departments(session)
            timeliness_data(Batches(session), sfj, scjgj)
            reference(session, sfj, "R4", date(2026, 9, 1))
            raw, _ = login_session(session, add_account(session, "q_browser", "regulator"))
        with serving(create_app()) as url:
            yield url, raw


@pytest.mark.browser
def test_charts_draw_under_the_csp_without_a_cdn(live_server: tuple[str, str]) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    url, raw = live_server
    outside: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
            host = url.split("//", 1)[1].split(":", 1)[0]
            context.add_cookies([{"name": SESSION_COOKIE, "value": raw, "domain": host, "path": "/"}])
            page = context.new_page()
            page.on("request", lambda req: None if req.url.startswith(url) else outside.append(req.url))
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.goto(f"{url}/quality?month=2026-10")
            for chart in ("#quality-score-chart", "#quality-share-chart"):
                expect(page.locator(chart)).to_have_attribute("data-rendered", "true", timeout=10_000)
                assert page.locator(f"{chart} canvas").count() >= 1
                box = page.locator(chart).bounding_box()
                assert box and box["height"] >= 300
            page.locator("#quality-score-chart canvas").first.hover()
            page.screenshot(path="/tmp/xinyong-quality.png", full_page=True)
        finally:
            browser.close()
    assert outside == [], f"requests left the platform (CDN?): {outside}"
    assert not problems, f"console errors (CSP violations?): {problems}"
    assert "script-src 'self'" in PAGE_CSP
