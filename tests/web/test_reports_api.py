"""Credit reports over the JSON API (issue #8): a subject issues its own report (CSRF required with the cookie),
another subject's is refused, the credit office issues by USCC with a purpose; lists, the signed document and the
PDF / HTML downloads for the owner and the office (an office read audited); the public verification answers
authentic, facts changed after a new penalty, unknown, and 422 for a malformed number; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.subjects.models import Department, Subject

REPORTS = "/api/v1/reports"


@pytest.fixture(autouse=True)
def report_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A signing key of the test's own."""
    monkeypatch.setenv("XINYONG_REPORT_KEY_FILE", str(tmp_path / "report-ed25519.pem"))
    monkeypatch.setenv("XINYONG_PUBLIC_BASE_URL", "https://credit.panyu.example")
    yield


@dataclass
class Desk:
    market: Department
    firm: Subject
    other: Subject
    owner: dict[str, str]
    stranger: dict[str, str]
    office: dict[str, str]


@pytest.fixture
def desk(db: Session, ctx: Context, departments: tuple[Department, Department]) -> Desk:
    market, _ = departments
    firm = company(ctx, "广州报告接口有限公司", 811)
    other = company(ctx, "广州报告无关有限公司", 812)
    make_record(db, make_batch(db, market), doc_no="番市监罚〔2025〕811号", decided_on=date(2025, 4, 1), subject=firm)
    desk = Desk(
        market=market,
        firm=firm,
        other=other,
        owner=login_headers(db, add_account(db, "rp_owner", "subject", subject_id=firm.id)),
        stranger=login_headers(db, add_account(db, "rp_other", "subject", subject_id=other.id)),
        office=login_headers(db, add_account(db, "rp_office", "credit_office_staff")),
    )
    db.commit()
    return desk


SPECIAL = {
    "kind": "special",
    "period_start": "2024-01-01",
    "period_end": "2026-11-27",
    "domains": ["market_supervision"],
}


def test_a_subject_issues_reads_and_downloads_its_own_report(api: TestClient, desk: Desk) -> None:
    made = api.post(REPORTS, json=SPECIAL, headers=desk.owner)
    assert made.status_code == 201, made.text
    body = made.json()
    number, code = body["number"], body["check_code"]
    assert body["subject_id"] == desk.firm.id and body["kind_label"].startswith("专用信用报告")
    assert body["links"]["pdf"] == f"{REPORTS}/{number}.pdf"
    assert body["links"]["verify"] == f"https://credit.panyu.example/reports/verify/{number}?c={code}"
    listed = api.get(REPORTS, headers=desk.owner).json()
    assert listed["total"] == 1 and listed["items"][0]["number"] == number
    assert api.get(REPORTS, headers=desk.stranger).json()["total"] == 0
    detail = api.get(f"{REPORTS}/{number}", headers=desk.owner).json()
    assert detail["content"]["header"]["number"] == number and detail["signature"] and detail["key_id"]
    section = detail["content"]["facts"]["sections"][0]
    assert section["summary"] == "发现违法违规记录 1 条"
    pdf = api.get(f"{REPORTS}/{number}.pdf", headers=desk.owner)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf" and "attachment" in pdf.headers["content-disposition"]
    html = api.get(f"{REPORTS}/{number}.html", headers=desk.owner)
    assert html.status_code == 200 and number in html.text and html.headers["content-type"].startswith("text/html")


def test_the_cookie_alone_cannot_issue(api: TestClient, desk: Desk) -> None:
    cookie_only = {"Cookie": desk.owner["Cookie"]}
    refused = api.post(REPORTS, json={"kind": "public"}, headers=cookie_only)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"


def test_other_subjects_reports_are_refused(api: TestClient, db: Session, desk: Desk) -> None:
    refused = api.post(REPORTS, json={"kind": "public", "subject_id": desk.firm.id}, headers=desk.stranger)
    assert refused.status_code == 403 and "本主体" in refused.json()["message"]
    number = api.post(REPORTS, json={"kind": "public"}, headers=desk.owner).json()["number"]
    for path in (f"{REPORTS}/{number}", f"{REPORTS}/{number}.pdf", f"{REPORTS}/{number}.html"):
        assert api.get(path, headers=desk.stranger).status_code == 403
    bank = token_headers(issue_token(db, "bank", institution="广州农商银行番禺支行"))
    db.commit()
    assert api.post(REPORTS, json={"kind": "public", "subject_id": desk.firm.id}, headers=bank).status_code == 403
    assert api.get(f"{REPORTS}/{number}", headers=bank).status_code == 403


def test_the_office_issues_by_code_with_a_purpose_and_its_reads_are_audited(
    api: TestClient, db: Session, desk: Desk
) -> None:
    no_purpose = api.post(REPORTS, json={"kind": "public", "uscc": desk.firm.uscc}, headers=desk.office)
    assert no_purpose.status_code == 422 and no_purpose.json()["field"] == "purpose"
    made = api.post(
        REPORTS, json={"kind": "public", "uscc": desk.firm.uscc, "purpose": "贷款审批"}, headers=desk.office
    )
    assert made.status_code == 201 and made.json()["issued_by_office"] is True
    number = made.json()["number"]
    issued = db.scalar(select(AuditEvent).where(AuditEvent.action == "reports.issue", AuditEvent.target_id == number))
    assert issued is not None and issued.detail["purpose"] == "贷款审批"
    assert api.get(f"{REPORTS}/{number}.html", headers=desk.office).status_code == 200
    read = db.scalar(select(AuditEvent).where(AuditEvent.action == "read.credit_report"))
    assert read is not None and read.target_id == number and read.detail["as"] == "html"
    assert api.get(REPORTS, params={"subject_id": desk.other.id}, headers=desk.office).json()["total"] == 0
    missing = api.post(REPORTS, json={"kind": "public", "purpose": "测试"}, headers=desk.office)
    assert missing.status_code == 422 and missing.json()["field"] == "subject"


def test_public_verification(api: TestClient, db: Session, desk: Desk) -> None:
    made = api.post(REPORTS, json=SPECIAL, headers=desk.owner).json()
    number, code = made["number"], made["check_code"]
    verified = api.get(f"{REPORTS}/verify/{number}", params={"c": code})
    assert verified.status_code == 200
    body = verified.json()
    assert body["verdict"] == "authentic" and body["facts_changed"] is False
    assert body["report"]["subject_name"] == "广州报告接口有限公司"
    make_record(
        db, make_batch(db, desk.market), doc_no="番市监罚〔2026〕813号", decided_on=date(2026, 8, 3), subject=desk.firm
    )
    db.commit()
    changed = api.get(f"{REPORTS}/verify/{number}", params={"c": code}).json()
    assert changed["verdict"] == "authentic" and changed["facts_changed"] is True
    assert changed["facts_message"] == "报告出具后相关信息已发生变化"
    assert changed["changes"][0]["added"] == ["行政处罚信息 番市监罚〔2026〕813号（2026-08-03）"]
    forged = api.get(f"{REPORTS}/verify/{number}", params={"c": "ZZZZZZZZ" if code != "ZZZZZZZZ" else "YYYYYYYY"})
    assert forged.json()["verdict"] == "forged"
    unknown = api.get(f"{REPORTS}/verify/PY-20261127-0000-0000-0000").json()
    assert unknown["verdict"] == "unknown" and unknown["message"] == "查无此报告编号，该报告不是本平台出具的。"


@pytest.mark.parametrize("number", ["abc", "PY-20261199-0000-0000-0000", "PY-20261127-0000-0000-000U"])
def test_a_malformed_number_is_422_with_a_clear_message(api: TestClient, number: str) -> None:
    answer = api.get(f"{REPORTS}/verify/{number}")
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid" and body["field"] == "number" and "报告编号" in body["message"]
    assert "Traceback" not in answer.text
