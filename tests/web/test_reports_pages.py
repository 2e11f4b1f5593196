"""Credit report pages (issue #8): the done-when journey — an enterprise finds itself, issues its 专用信用报告 on
/my/reports (a CSRF form), downloads the PDF, a bank officer opens the QR code's address and sees 真实有效; after a
new penalty is loaded the same page says the facts changed. Also the office's /reports form (USCC, purpose,
errors keep what was typed), the report view's access, the verification form's errors; SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.reports import service
from xinyong.reports.render import qr_svg
from xinyong.subjects.models import Department

LOCATION = re.compile(r"^/reports/(PY-\d{8}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\?done=issued$")
BASE = "https://credit.panyu.example"


@pytest.fixture(autouse=True)
def report_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A signing key of the test's own."""
    monkeypatch.setenv("XINYONG_REPORT_KEY_FILE", str(tmp_path / "report-ed25519.pem"))
    monkeypatch.setenv("XINYONG_PUBLIC_BASE_URL", BASE)
    yield


def browser(db: Session, name: str, role: str, subject_id: int | None = None) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, subject_id=subject_id))
    db.commit()
    return {"Cookie": headers["Cookie"]}


def post_form(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object]) -> Response:
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def test_an_enterprise_downloads_its_special_report_and_a_bank_verifies_it(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    firm = company(ctx, "广州专用报告旅程有限公司", 821)
    db.commit()
    owner = browser(db, "rp_journey", "subject", firm.id)
    found = api.get("/search", params={"q": "专用报告旅程"})
    assert found.status_code == 200 and "广州专用报告旅程有限公司" in found.text
    form = api.get("/my/reports", headers=owner)
    assert form.status_code == 200 and "市场监管" in form.text and 'name="domains"' in form.text
    made = post_form(
        api,
        "/my/reports",
        "/my/reports",
        owner,
        {
            "kind": "special",
            "period_start": "2024-01-01",
            "period_end": "2026-11-27",
            "domains": ["market_supervision", "tax", "social_insurance"],
            "purpose": "招标投标",
        },
    )
    assert made.status_code == 303, unescape(made.text)[:500]
    location = LOCATION.match(made.headers["location"])
    assert location
    number = location.group(1)
    view = api.get(made.headers["location"], headers=owner)
    assert view.status_code == 200 and "报告已出具" in view.text and "未发现违法违规记录" in view.text
    pdf = api.get(f"/api/v1/reports/{number}.pdf", headers=owner)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    report = service.find(db, number)
    assert report is not None
    url = service.verify_url(report)
    assert url.startswith(f"{BASE}/reports/verify/{number}?c=")
    assert str(qr_svg(url)) in view.text  # the QR code points there
    bank_officer = api.get(url.removeprefix(BASE))  # no login: the public page
    assert bank_officer.status_code == 200
    page = unescape(bank_officer.text)
    assert "真实有效" in page and "报告出具后相关信息未发生变化" in page and "广州专用报告旅程有限公司" in page
    assert "市场监管、税务、人力资源和社会保障" in page
    make_record(db, make_batch(db, market), doc_no="番市监罚〔2026〕821号", decided_on=date(2026, 9, 9), subject=firm)
    db.commit()
    again = unescape(api.get(url.removeprefix(BASE)).text)
    assert "真实有效" in again and "报告出具后相关信息已发生变化" in again
    assert "市场监管：新增 行政处罚信息 番市监罚〔2026〕821号（2026-09-09）" in again


def test_a_form_error_keeps_what_was_typed(api: TestClient, db: Session, ctx: Context) -> None:
    firm = company(ctx, "广州报告表单有限公司", 822)
    db.commit()
    owner = browser(db, "rp_form", "subject", firm.id)
    refused = post_form(
        api,
        "/my/reports",
        "/my/reports",
        owner,
        {"kind": "special", "period_start": "2019-01-01", "period_end": "2026-11-27", "domains": ["tax"]},
    )
    assert refused.status_code == 422
    text = unescape(refused.text)
    assert "查询期间最长 5 年" in text and 'value="2019-01-01"' in text
    no_token = api.post("/my/reports", headers=owner, data={"kind": "public"}, follow_redirects=False)
    assert no_token.status_code == 403


def test_the_office_issues_by_code_and_lists(api: TestClient, db: Session, ctx: Context) -> None:
    firm = company(ctx, "广州报告代办有限公司", 823)
    db.commit()
    office = browser(db, "rp_office_page", "credit_office_staff")
    assert api.get("/my/reports", headers=office, follow_redirects=False).headers["location"] == "/reports"
    missing = post_form(api, "/reports", "/reports", office, {"subject": firm.uscc, "kind": "public", "purpose": ""})
    assert missing.status_code == 422 and "须填写用途" in unescape(missing.text)
    made = post_form(
        api, "/reports", "/reports", office, {"subject": firm.uscc, "kind": "public", "purpose": "贷款审批"}
    )
    assert made.status_code == 303
    listed = api.get("/reports", params={"subject": firm.uscc}, headers=office)
    assert listed.status_code == 200 and "广州报告代办有限公司" in listed.text and "贷款审批" in listed.text
    unknown = api.get("/reports", params={"subject": "91440113MA0000000X"}, headers=office)
    assert unknown.status_code == 200 and "notice-error" in unknown.text


def test_report_pages_are_for_the_owner_and_the_office(api: TestClient, db: Session, ctx: Context) -> None:
    firm = company(ctx, "广州报告查看有限公司", 824)
    other = company(ctx, "广州报告旁人有限公司", 825)
    owner_ctx = Context(session=db, actor="owner", role="subject", subject_id=firm.id)
    number = service.issue_report(owner_ctx, firm.id, "public").number
    db.commit()
    assert api.get(f"/reports/{number}", headers=browser(db, "rp_view", "subject", firm.id)).status_code == 200
    assert api.get(f"/reports/{number}", headers=browser(db, "rp_view_o", "subject", other.id)).status_code == 403
    assert api.get(f"/reports/{number}", headers=browser(db, "rp_view_r", "regulator")).status_code == 403
    assert api.get("/reports", headers=browser(db, "rp_view_b", "bank")).status_code == 403
    anonymous = api.get(f"/reports/{number}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_the_verification_form(api: TestClient) -> None:
    empty = api.get("/reports/verify")
    assert empty.status_code == 200 and 'name="number"' in empty.text
    unknown = unescape(api.get("/reports/verify", params={"number": "PY-20261127-0000-0000-0000"}).text)
    assert "查无此报告" in unknown and "该报告不是本平台出具的" in unknown
    malformed = api.get("/reports/verify/not-a-number")
    assert malformed.status_code == 422 and "报告编号格式不正确" in unescape(malformed.text)
