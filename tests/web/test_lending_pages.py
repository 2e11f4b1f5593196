"""信易贷 pages: the public product list, the SME's registration / need / authorisation forms (refused input shown
again with the reason), the institution's matching needs, credit query (refusal shown and audited) and outcome
form, the office's institution and product forms and the statistics page with its chart data and export links;
the forms carry the CSRF token; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from matrix_lending import credit_grant, institution, need_of
from principals import BANK, OTHER_BANK, add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import HEFENG_USCC, Registry

from xinyong import clock
from xinyong.auth.models import AuditEvent
from xinyong.lending.models import FinancialInstitution, FinancingNeed, LoanOutcome


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object]):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def test_public_page_lists_products(api: TestClient, db: Session) -> None:
    institution(db)
    page = unescape(api.get("/lending").text)
    assert "信易贷·税信贷" in page and BANK in page and "信用贷款" in page
    assert "3.45–4.35" in page
    assert "信易贷·税信贷" not in unescape(api.get("/lending?loan_type=mortgage").text)


def test_sme_pages(api: TestClient, db: Session, registry: Registry) -> None:
    inst = institution(db)
    me = _browser(db, "sme1", "subject", subject_id=registry.hefeng.id)
    page = api.get("/my/lending", headers=me)
    assert page.status_code == 200 and "注册信易贷平台" in page.text
    no_token = api.post("/my/lending/register", headers=me, data={"sector": "manufacturing"}, follow_redirects=False)
    assert no_token.status_code == 403
    ok = _post(api, "/my/lending", "/my/lending/register", me, {"sector": "manufacturing", "contact_name": "陈经理"})
    assert ok.status_code == 303 and ok.headers["location"] == "/my/lending?done=registered"
    bad = _post(
        api,
        "/my/lending",
        "/my/lending/needs",
        me,
        {"amount": "-3", "term_months": "12", "purpose": "周转", "loan_type": "credit"},
    )
    assert bad.status_code == 422 and "融资金额" in unescape(bad.text) and 'value="-3"' in bad.text
    ok = _post(
        api,
        "/my/lending",
        "/my/lending/needs",
        me,
        {"amount": "80", "term_months": "12", "purpose": "周转", "loan_type": "credit"},
    )
    assert ok.status_code == 303
    need = db.scalars(select(FinancingNeed)).one()
    until = (clock.today() + timedelta(days=30)).isoformat()
    ok = _post(
        api,
        "/my/lending",
        "/my/lending/authorise",
        me,
        {"institution_id": str(inst.id), "valid_to": until, "scopes": ["basic", "credit"]},
    )
    assert ok.status_code == 303, ok.text
    page = unescape(api.get("/my/lending", headers=me).text)
    assert "征集中" in page and BANK in page and "有效" in page
    ok = _post(api, "/my/lending", f"/my/lending/needs/{need.id}/withdraw", me, {})
    assert ok.status_code == 303
    db.refresh(need)
    assert need.status == "withdrawn"
    # a bank is not an SME
    banker = _browser(db, "bank1", "bank", institution=BANK)
    assert api.get("/my/lending", headers=banker).status_code == 403


def test_institution_pages(api: TestClient, db: Session, registry: Registry) -> None:
    inst = institution(db)
    institution(db, OTHER_BANK, "91440113MA59BK0009")
    need = need_of(db, registry.hefeng, amount="100")
    credit_grant(db, registry.hefeng, inst)
    db.commit()
    banker = _browser(db, "bank1", "bank", institution=BANK)
    page = unescape(api.get("/lending/institution", headers=banker).text)
    assert registry.hefeng.name in page and "已授权，查询" in page
    data = unescape(api.get(f"/lending/institution?uscc={HEFENG_USCC}", headers=banker).text)
    assert "公共信用综合评价" in data and HEFENG_USCC in data
    other = _browser(db, "bank2", "bank", institution=OTHER_BANK)
    refused = api.get(f"/lending/institution?uscc={HEFENG_USCC}", headers=other)
    assert refused.status_code == 403 and "查询被拒绝" in unescape(refused.text)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "bank.query").order_by(AuditEvent.id)).all()
    assert [(e.outcome, e.detail["institution"]) for e in events] == [("ok", BANK), ("denied", OTHER_BANK)]
    bad = _post(
        api,
        "/lending/institution",
        "/lending/institution/outcomes",
        banker,
        {"need_id": str(need.id), "approved": "1", "amount": "", "rate": "4"},
    )
    assert bad.status_code == 422 and "批准金额" in unescape(bad.text)
    ok = _post(
        api,
        "/lending/institution",
        "/lending/institution/outcomes",
        banker,
        {"need_id": str(need.id), "approved": "1", "amount": "100", "rate": "3.9", "loan_type": "credit"},
    )
    assert ok.status_code == 303, ok.text
    outcome = db.scalars(select(LoanOutcome)).one()
    assert outcome.credit_loan and db.get(FinancingNeed, need.id).status == "met"  # type: ignore[union-attr]


def test_office_pages(api: TestClient, db: Session) -> None:
    office = _browser(db, "office1", "credit_office_staff")
    ok = _post(
        api,
        "/lending/admin",
        "/lending/admin/institutions",
        office,
        {"name": BANK, "uscc": "91440113MA59BK0001", "kind": "bank"},
    )
    assert ok.status_code == 303
    inst = db.scalars(select(FinancialInstitution)).one()
    bad = _post(
        api,
        "/lending/admin",
        "/lending/admin/products",
        office,
        {
            "institution_id": str(inst.id),
            "name": "贷",
            "loan_type": "credit",
            "rate_min": "5",
            "rate_max": "4",
            "amount_max": "100",
            "term_months_max": "12",
        },
    )
    assert bad.status_code == 422 and "利率上限不能低于下限" in unescape(bad.text)
    ok = _post(
        api,
        "/lending/admin",
        "/lending/admin/products",
        office,
        {
            "institution_id": str(inst.id),
            "name": "贷",
            "loan_type": "credit",
            "rate_min": "3",
            "rate_max": "4",
            "amount_max": "100",
            "term_months_max": "12",
        },
    )
    assert ok.status_code == 303
    stats = unescape(api.get("/lending/stats?dimension=institution", headers=office).text)
    assert 'id="lending-stats-chart"' in stats and "/static/js/lending.js" in stats
    assert "format=xlsx" in stats and "合计" in stats
    sme = _browser(db, "nobody", "regulator")
    assert api.get("/lending/admin", headers=sme).status_code == 403
    assert api.get("/lending/stats", headers=sme).status_code == 403
