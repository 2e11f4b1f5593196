"""Arrears pages (issue #11 item 3): the office records an entry and payments through the forms (a refusal shown
again with the reason), the ledger filters and exports, the progress page shows the new-arrears figure against
zero, a firm files a complaint for itself and the office accepts it into the ledger; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import Registry

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.government import arrears
from xinyong.government.arrears_schemas import EntryIn
from xinyong.government.models import ArrearsComplaint, ArrearsEntry


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


def test_office_records_pays_and_sees_new_arrears_back_to_zero(api: TestClient, db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    db.commit()
    office = _browser(db, "arrears_office", "credit_office_staff")
    bad = _post(
        api,
        "/arrears/new",
        "/arrears/new",
        office,
        {"debtor_id": str(soe.id), "creditor_name": "番禺某建材公司", "amount": "-5", "arose_on": "2026-03-01"},
    )
    assert bad.status_code == 422 and "金额" in unescape(bad.text) and 'value="-5"' in bad.text
    ok = _post(
        api,
        "/arrears/new",
        "/arrears/new",
        office,
        {"debtor_id": str(soe.id), "creditor_name": "番禺某建材公司", "amount": "5000", "arose_on": "2026-03-01"},
    )
    assert ok.status_code == 303
    entry = db.scalars(select(ArrearsEntry)).one()
    assert ok.headers["location"] == f"/arrears/{entry.id}?done=entry"
    progress = unescape(api.get("/arrears/progress", headers=office).text)
    assert 'data-new-arrears="1"' in progress and "5,000.00" in progress
    too_much = _post(
        api,
        f"/arrears/{entry.id}",
        f"/arrears/{entry.id}/payments",
        office,
        {"amount": "6000", "paid_on": "2026-11-20"},
    )
    assert too_much.status_code == 422 and "超过尚欠金额" in unescape(too_much.text)
    paid = _post(
        api,
        f"/arrears/{entry.id}",
        f"/arrears/{entry.id}/payments",
        office,
        {"amount": "5000", "paid_on": "2026-11-20"},
    )
    assert paid.status_code == 303
    detail = unescape(api.get(f"/arrears/{entry.id}", headers=office).text)
    assert "已清偿" in detail and "2026-11-20" in detail and "登记清偿</button>" not in detail
    assert 'data-new-arrears="0"' in api.get("/arrears/progress?as_of=2026-11-20", headers=office).text
    assert 'data-new-arrears="1"' in api.get("/arrears/progress?as_of=2026-11-19", headers=office).text


def test_ledger_filters_and_exports(api: TestClient, db: Session, ctx: Context) -> None:
    soe, office_body = g.soe(ctx), g.town_office(ctx)
    arrears.record_entry(
        ctx, EntryIn(debtor_id=soe.id, creditor_name="甲建材公司", amount=Decimal(10), arose_on=date(2026, 1, 5))
    )
    arrears.record_entry(
        ctx,
        EntryIn(debtor_id=office_body.id, creditor_name="乙物业公司", amount=Decimal(20), arose_on=date(2025, 1, 5)),
    )
    db.commit()
    reader = _browser(db, "arrears_reader", "regulator")
    page = unescape(api.get("/arrears?kind=soe", headers=reader).text)
    assert "甲建材公司" in page and "乙物业公司" not in page and "format=xlsx" in page
    page = unescape(api.get("/arrears?year=2025", headers=reader).text)
    assert "乙物业公司" in page and "甲建材公司" not in page
    csv = api.get("/api/v1/arrears/entries/export?kind=soe&format=csv", headers=reader)
    assert csv.status_code == 200 and "甲建材公司" in csv.text and "乙物业公司" not in csv.text
    xlsx = api.get("/api/v1/arrears/entries/export?format=xlsx", headers=reader)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert api.get("/arrears/new", headers=reader).status_code == 403


def test_firm_complains_and_office_accepts(api: TestClient, db: Session, ctx: Context, registry: Registry) -> None:
    soe = g.soe(ctx)
    db.commit()
    firm = _browser(db, "arrears_firm", "subject", subject_id=registry.hefeng.id)
    ok = _post(
        api,
        "/my/arrears",
        "/my/arrears",
        firm,
        {"debtor_name": soe.name, "amount": "3000", "description": "货款逾期未付", "contact": "13812345678"},
    )
    assert ok.status_code == 303
    mine = unescape(api.get("/my/arrears", headers=firm).text)
    assert soe.name in mine and "待受理" in mine
    complaint = db.scalars(select(ArrearsComplaint)).one()
    office = _browser(db, "arrears_desk", "credit_office_staff")
    desk = unescape(api.get("/arrears/complaints", headers=office).text)
    assert "138****5678" in desk and "13812345678" not in desk
    accepted = _post(
        api,
        "/arrears/complaints",
        f"/arrears/complaints/{complaint.id}/accept",
        office,
        {"debtor_id": str(soe.id), "arose_on": "2026-05-01"},
    )
    assert accepted.status_code == 303
    entry = db.scalars(select(ArrearsEntry)).one()
    assert entry.complaint_id == complaint.id and entry.creditor_id == registry.hefeng.id
    assert "已受理入账" in unescape(api.get("/my/arrears", headers=firm).text)
    assert api.get("/arrears/complaints", headers=firm).status_code == 403


def test_dispute_reject_and_on_behalf_forms(api: TestClient, db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    entry = arrears.record_entry(
        ctx, EntryIn(debtor_id=soe.id, creditor_name="丙机电公司", amount=Decimal(70), arose_on=date(2026, 6, 1))
    )
    db.commit()
    office = _browser(db, "arrears_disputes", "credit_office_staff")
    no_reason = _post(api, f"/arrears/{entry.id}", f"/arrears/{entry.id}/dispute", office, {"disputed": "1"})
    assert no_reason.status_code == 422 and "理由" in unescape(no_reason.text)
    ok = _post(
        api, f"/arrears/{entry.id}", f"/arrears/{entry.id}/dispute", office, {"disputed": "1", "reason": "验收争议"}
    )
    assert ok.status_code == 303
    assert "撤销争议" in unescape(api.get(f"/arrears/{entry.id}", headers=office).text)
    filed = _post(
        api,
        "/arrears/complaints",
        "/arrears/complaints",
        office,
        {
            "complainant_name": "丁小微企业",
            "debtor_name": soe.name,
            "amount": "300",
            "description": "电话投诉：货款未付",
        },
    )
    assert filed.status_code == 303
    complaint = db.scalars(select(ArrearsComplaint)).one()
    assert complaint.complainant_name == "丁小微企业" and complaint.debtor_id == soe.id
    rejected = _post(
        api, "/arrears/complaints", f"/arrears/complaints/{complaint.id}/reject", office, {"reason": "已通过诉讼解决"}
    )
    assert rejected.status_code == 303
    desk = unescape(api.get("/arrears/complaints?status=rejected", headers=office).text)
    assert "丁小微企业" in desk and "已通过诉讼解决" in desk
