"""``/api/v1/arrears`` (issue #11 item 3): the done-when journey through the API — an SOE entry arising this year
makes the new-arrears figure 1, payments clear it and the figure is 0 as of the payment day, still 1 the day
before; complaints filed by a firm are listed for it only. SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import Registry

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.auth.models import Account


def _token(db: Session, role: str, **scope: object) -> dict[str, str]:
    """Headers of a logged-in caller (cookie and CSRF token)."""
    n = len(list(db.scalars(select(Account.id))))
    headers = login_headers(db, add_account(db, f"arrears_api_{n}", role, **scope))  # type: ignore[arg-type]
    db.commit()
    return headers


def test_done_when_journey(api: TestClient, db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    db.commit()
    office = _token(db, "credit_office_staff")
    made = api.post(
        "/api/v1/arrears/entries",
        headers=office,
        json={"debtor_id": soe.id, "creditor_name": "番禺某机电公司", "amount": "80000.00", "arose_on": "2026-04-01"},
    )
    assert made.status_code == 201, made.text
    entry = made.json()
    assert entry["debtor_kind"] == "soe" and entry["due_on"] == "2026-05-31"
    assert api.get("/api/v1/arrears/summary", headers=office).json()["new_arrears"]["count"] == 1
    for amount, day in (("30000", "2026-10-10"), ("50000", "2026-11-02")):
        paid = api.post(
            f"/api/v1/arrears/entries/{entry['id']}/payments", headers=office, json={"amount": amount, "paid_on": day}
        )
        assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "cleared" and len(paid.json()["payments"]) == 2
    on_day = api.get("/api/v1/arrears/summary?as_of=2026-11-02", headers=office).json()["new_arrears"]
    day_before = api.get("/api/v1/arrears/summary?as_of=2026-11-01", headers=office).json()["new_arrears"]
    assert on_day["count"] == 0 and on_day["met"] is True
    assert day_before["count"] == 1 and day_before["amount"] == "50000.00"
    over = api.post(
        f"/api/v1/arrears/entries/{entry['id']}/payments", headers=office, json={"amount": "1", "paid_on": "2026-11-03"}
    )
    assert over.status_code == 409


def test_unregistered_debtor_is_refused(api: TestClient, db: Session) -> None:
    office = _token(db, "credit_office_staff")
    bad = api.post(
        "/api/v1/arrears/entries",
        headers=office,
        json={"debtor_name": "未登记的某公司", "creditor_name": "某企业", "amount": "1", "arose_on": "2026-04-01"},
    )
    assert bad.status_code == 422 and "不在公共机构名录中" in bad.text


def test_firm_sees_only_its_own_complaints(api: TestClient, db: Session, ctx: Context, registry: Registry) -> None:
    g.soe(ctx)
    firm = _token(db, "subject", subject_id=registry.hefeng.id)
    shop = _token(db, "subject", subject_id=registry.shop.id)
    body = {"debtor_name": "某区属国有企业", "amount": "900", "description": "工程款未付", "contact": "13800001111"}
    filed = api.post("/api/v1/arrears/complaints", headers=firm, json=body)
    assert filed.status_code == 201, filed.text
    assert filed.json()["complainant_id"] == registry.hefeng.id and filed.json()["contact_masked"] == "138****1111"
    assert [c["id"] for c in api.get("/api/v1/arrears/complaints", headers=firm).json()] == [filed.json()["id"]]
    assert api.get("/api/v1/arrears/complaints", headers=shop).json() == []
    other = api.post("/api/v1/arrears/complaints", headers=shop, json=body | {"complainant_id": registry.hefeng.id})
    assert other.status_code == 403
    office = _token(db, "credit_office_staff")
    rejected = api.post(
        f"/api/v1/arrears/complaints/{filed.json()['id']}/reject",
        headers=office,
        json={"reason": "非机关事业单位或国企"},
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
