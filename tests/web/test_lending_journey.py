"""The issue's "done when" for 信易贷, tried through the pages as new users would: the credit office registers a
bank and its credit-loan product; an SME registers on the platform, posts a need and authorises that one bank;
the bank sees the need, reads the SME's credit data and records a credit loan (the need is met); a second bank
is refused, and the refusal is in the audit log; the office sees the loan in the statistics and exports them."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from principals import BANK, OTHER_BANK, add_account, form_token, issue_token, login_headers, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import HEFENG, HEFENG_USCC, Registry

from xinyong import clock
from xinyong.auth.models import AuditEvent
from xinyong.lending.models import FinancialInstitution, FinancingNeed


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _submit(api: TestClient, page: str, action: str, who: dict[str, str], data: dict[str, object]) -> str:
    shown = api.get(page, headers=who)
    assert shown.status_code == 200, shown.text[:300]
    done = api.post(action, headers=who, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False)
    assert done.status_code == 303, unescape(done.text)[:2000]
    return done.headers["location"]


def test_sme_bank_office_journey(api: TestClient, db: Session, registry: Registry) -> None:
    office = _browser(db, "xyd_office", "credit_office_staff")
    sme = _browser(db, "xyd_sme", "subject", subject_id=registry.hefeng.id)
    bank = _browser(db, "xyd_bank", "bank", institution=BANK)
    other = _browser(db, "xyd_other", "bank", institution=OTHER_BANK)

    # the office registers two banks, and a credit-loan product of the first
    for name, code in ((BANK, "91440113MA59BK0001"), (OTHER_BANK, "91440113MA59BK0002")):
        _submit(
            api, "/lending/admin", "/lending/admin/institutions", office, {"name": name, "uscc": code, "kind": "bank"}
        )
    ours = db.scalars(select(FinancialInstitution).where(FinancialInstitution.name == BANK)).one()
    product = {"institution_id": str(ours.id), "name": "信易贷·诚信贷", "loan_type": "credit", "rate_min": "3.5"}
    product |= {"rate_max": "4.5", "amount_max": "300", "term_months_max": "24"}
    _submit(api, "/lending/admin", "/lending/admin/products", office, product)
    assert "信易贷·诚信贷" in unescape(api.get("/lending").text)  # the public sees the product

    # the SME registers, posts a need, authorises the one bank
    _submit(api, "/my/lending", "/my/lending/register", sme, {"sector": "manufacturing", "contact_name": "陈经理"})
    need = {"amount": "150", "term_months": "12", "purpose": "购置冷链设备", "loan_type": "credit"}
    _submit(api, "/my/lending", "/my/lending/needs", sme, need)
    until = (clock.today() + timedelta(days=60)).isoformat()
    grant = {"institution_id": str(ours.id), "valid_to": until, "scopes": ["basic", "credit"]}
    _submit(api, "/my/lending", "/my/lending/authorise", sme, grant)

    # the bank sees the need, reads the data and records a credit loan
    desk = unescape(api.get("/lending/institution", headers=bank).text)
    assert HEFENG in desk and "已授权，查询" in desk
    data = api.get(f"/lending/institution?uscc={HEFENG_USCC}", headers=bank)
    assert data.status_code == 200 and "公共信用综合评价" in unescape(data.text)
    api_read = api.get(
        f"/api/v1/lending/credit/{HEFENG_USCC}", headers=token_headers(issue_token(db, "bank", institution=BANK))
    )
    assert api_read.status_code == 200 and api_read.json()["subject"]["name"] == HEFENG
    need_id = db.scalars(select(FinancingNeed.id)).one()
    loan = {"need_id": str(need_id), "approved": "1", "amount": "150", "rate": "3.85", "loan_type": "credit"}
    _submit(api, "/lending/institution", "/lending/institution/outcomes", bank, loan)
    assert "已满足" in unescape(api.get("/my/lending", headers=sme).text)

    # the second bank is refused, and the refusal is in the audit log
    refused = api.get(f"/lending/institution?uscc={HEFENG_USCC}", headers=other)
    assert refused.status_code == 403 and "查询被拒绝" in unescape(refused.text)
    denied = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "bank.query", AuditEvent.outcome == "denied")
    ).all()
    assert [(e.detail["institution"], e.detail["scope"], e.target_id) for e in denied] == [
        (OTHER_BANK, "credit", str(registry.hefeng.id))
    ]

    # the office sees it in the statistics and exports them
    stats = unescape(api.get("/lending/stats?dimension=institution", headers=office).text)
    assert BANK in stats and "100.0%" in stats
    town = api.get("/api/v1/lending/stats", params={"dimension": "town"}, headers=office).json()
    [row] = town["rows"]
    assert (row["label"], row["registrations"], row["needs_met"], row["approved_amount"]) == (
        "市桥街道",
        1,
        1,
        "150.000000",
    )
    csv = api.get("/api/v1/lending/stats/export", params={"dimension": "sector", "format": "csv"}, headers=office)
    assert csv.status_code == 200 and "制造业,1,1,1,150" in csv.text
