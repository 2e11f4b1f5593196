"""``/api/v1/lending`` over HTTP: the office registers institutions and products (validated, 422 with the field),
the SME registers, publishes a need and authorises a registered bank, the bank sees the matching need, reads the
credit data (refusals 403, audited, and the event survives the failed request), records an outcome; the office
reads and exports the statistics."""

from __future__ import annotations

import io
from datetime import timedelta

from fastapi.testclient import TestClient
from matrix_lending import institution
from openpyxl import load_workbook
from principals import BANK, OTHER_BANK, add_account, issue_token, login_headers, savepoint_client, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import HEFENG_USCC, Registry

from xinyong import clock
from xinyong.auth.models import AuditEvent


def office(db: Session) -> dict[str, str]:
    return login_headers(db, add_account(db, "office1", "credit_office_staff"))


def owner(db: Session, subject_id: int) -> dict[str, str]:
    return login_headers(db, add_account(db, f"owner{subject_id}", "subject", subject_id=subject_id))


def bank_token(db: Session, name: str = BANK) -> dict[str, str]:
    return token_headers(issue_token(db, "bank", institution=name))


def test_office_registers_institution_and_product(api: TestClient, db: Session, registry: Registry) -> None:
    h = office(db)
    r = api.post(
        "/api/v1/lending/institutions", json={"name": BANK, "uscc": "91440113MA59BK0001", "kind": "bank"}, headers=h
    )
    assert r.status_code == 201, r.text
    inst = r.json()
    assert (inst["kind_label"], inst["products"]) == ("银行业金融机构", 0)
    assert (
        api.post(
            "/api/v1/lending/institutions", json={"name": BANK, "uscc": "91440113MA59BK0001", "kind": "bank"}, headers=h
        ).status_code
        == 409
    )
    body = {
        "institution_id": inst["id"],
        "name": "税信贷",
        "loan_type": "credit",
        "rate_min": "3.45",
        "rate_max": "4.35",
        "amount_max": "300.5",
        "term_months_max": 36,
    }
    r = api.post("/api/v1/lending/products", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["credit_loan"] is True and r.json()["loan_type_label"] == "信用贷款"
    bad = api.post("/api/v1/lending/products", json={**body, "name": "x", "rate_max": "2"}, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "rate_max"
    bad = api.post("/api/v1/lending/products", json={**body, "name": "y", "amount_max": "1.0000001"}, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "amount_max"
    public = api.get("/api/v1/lending/products").json()
    assert [p["name"] for p in public] == ["税信贷"]
    # an SME may not register institutions; CSRF is required of a browser session
    sme = owner(db, registry.hefeng.id)
    assert (
        api.post(
            "/api/v1/lending/institutions",
            json={"name": "乙", "uscc": "91440113MA59BK0002", "kind": "bank"},
            headers=sme,
        ).status_code
        == 403
    )
    no_csrf = {"Cookie": h["Cookie"]}
    assert (
        api.post(
            "/api/v1/lending/institutions",
            json={"name": "乙", "uscc": "91440113MA59BK0002", "kind": "bank"},
            headers=no_csrf,
        ).status_code
        == 403
    )


def test_sme_to_bank_over_the_api(api: TestClient, db: Session, registry: Registry) -> None:
    inst = institution(db)
    firm = registry.hefeng.id
    me = owner(db, firm)
    r = api.post(
        f"/api/v1/lending/subjects/{firm}/registration",
        json={"sector": "manufacturing", "contact_name": "陈经理", "contact_phone": "13812345678"},
        headers=me,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["town_name"], r.json()["contact_phone"]) == ("市桥街道", "13812345678")
    need = api.post(
        f"/api/v1/lending/subjects/{firm}/needs",
        json={"amount": "120", "term_months": 12, "purpose": "采购原料", "loan_type": "credit"},
        headers=me,
    )
    assert need.status_code == 201, need.text
    assert need.json()["status"] == "open"
    valid_to = (clock.today() + timedelta(days=60)).isoformat()
    g = api.post(
        f"/api/v1/lending/subjects/{firm}/authorisations",
        json={"institution_id": inst.id, "valid_to": valid_to},
        headers=me,
    )
    assert g.status_code == 201, g.text
    assert g.json()["scopes"] == ["basic", "credit"]
    b = bank_token(db)
    [match] = api.get("/api/v1/lending/needs/matching", headers=b).json()
    assert (match["id"], match["authorised"]) == (need.json()["id"], True)
    data = api.get(f"/api/v1/lending/credit/{HEFENG_USCC}", headers=b)
    assert data.status_code == 200, data.text
    assert data.json()["subject"]["uscc"] == HEFENG_USCC
    assert "evaluation" in [s["id"] for s in data.json()["sections"]]
    out = api.post(
        "/api/v1/lending/outcomes",
        json={"need_id": need.json()["id"], "approved": True, "amount": "120", "rate": "3.9", "loan_type": "credit"},
        headers=b,
    )
    assert out.status_code == 201, out.text
    assert (out.json()["credit_loan"], out.json()["need_status"]) == (True, "met")
    assert api.get("/api/v1/lending/needs/matching", headers=b).json() == []
    stats = api.get("/api/v1/lending/stats", params={"dimension": "institution"}, headers=office(db)).json()
    assert stats["total"]["approved_amount"] == "120.000000" and stats["rows"][0]["label"] == BANK
    # revoked: refused
    api.post(f"/api/v1/lending/authorisations/{g.json()['id']}/revoke", headers=me)
    assert api.get(f"/api/v1/lending/credit/{HEFENG_USCC}", headers=b).status_code == 403


def test_refusals_are_audited_and_survive_the_failed_request(db: Session, registry: Registry) -> None:
    institution(db)
    institution(db, OTHER_BANK, "91440113MA59BK0009")
    db.commit()
    with savepoint_client(db, keep=False) as c:
        other = bank_token(db, OTHER_BANK)
        r = c.get(f"/api/v1/lending/credit/{HEFENG_USCC}", headers=other)
        assert r.status_code == 403 and "授权" in r.json()["message"]
        assert c.get(f"/api/v1/lending/credit/{HEFENG_USCC}", headers=bank_token(db)).status_code == 403
    stmt = select(AuditEvent).where(AuditEvent.action == "bank.query").order_by(AuditEvent.id)
    found = [(e.outcome, e.detail["institution"], e.detail["scope"]) for e in db.scalars(stmt)]
    assert found == [("denied", OTHER_BANK, "credit"), ("denied", BANK, "credit")]


def test_stats_export_csv_and_xlsx(api: TestClient, db: Session) -> None:
    h = office(db)
    csv = api.get("/api/v1/lending/stats/export", params={"dimension": "sector", "format": "csv"}, headers=h)
    assert csv.status_code == 200 and csv.text.lstrip("\ufeff").startswith("单位,注册企业数")
    assert "合计" in csv.text
    xlsx = api.get("/api/v1/lending/stats/export", params={"dimension": "town", "format": "xlsx"}, headers=h)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet["A1"].value == "单位"
    assert api.get("/api/v1/lending/stats", params={"dimension": "planet"}, headers=h).status_code == 422
