"""``/api/v1/integrity`` over HTTP: the office opens a file (the number only comes back masked), adds a record and a
training, withdraws the record, runs checks (422 with the field on bad input), reads the sheet and downloads its
.xlsx; an officer of the organisation department works within its scope, another department's officer is refused
(403 in Chinese)."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from matrix_integrity import CIVIL_SERVANT, CIVIL_SERVANT_RIC, integrity_department
from openpyxl import load_workbook
from principals import add_account, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

import factories
from xinyong.auth.models import AuditEvent
from xinyong.government.models import IntegrityCheck

BASE = "/api/v1/integrity"


def office(db: Session) -> dict[str, str]:
    return login_headers(db, add_account(db, "office_integrity", "credit_office_staff"))


def test_office_keeps_a_file_and_runs_a_check(api: TestClient, db: Session) -> None:
    h = office(db)
    r = api.post(f"{BASE}/files", json={"name": CIVIL_SERVANT, "ric": CIVIL_SERVANT_RIC, "position": "科员"}, headers=h)
    assert r.status_code == 201, r.text
    opened = r.json()
    assert CIVIL_SERVANT_RIC not in r.text and opened["ric_masked"].endswith(CIVIL_SERVANT_RIC[-4:])
    assert (
        api.post(f"{BASE}/files", json={"name": CIVIL_SERVANT, "ric": CIVIL_SERVANT_RIC}, headers=h).status_code == 409
    )
    bad = api.post(f"{BASE}/files", json={"name": "某人", "ric": "123"}, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "ric"
    fid = opened["id"]
    record = {"kind": "record", "category": "discipline", "title": "警告处分", "occurred_on": "2026-05-01"}
    r = api.post(f"{BASE}/files/{fid}/entries", json=record, headers=h)
    assert r.status_code == 201 and r.json()["adverse"] is True and r.json()["category_label"] == "党纪政务处分"
    entry_id = r.json()["id"]
    training = {"kind": "training", "category": "online_course", "title": "诚信专题", "occurred_on": "2026-09-01"}
    bad = api.post(f"{BASE}/files/{fid}/entries", json=training, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "hours"
    assert api.post(f"{BASE}/files/{fid}/entries", json={**training, "hours": "4"}, headers=h).status_code == 201
    check = {
        "name": CIVIL_SERVANT,
        "ric": CIVIL_SERVANT_RIC,
        "purpose": "transfer",
        "reason": "调任考察：拟任区财政局科员",
    }
    first = api.post(f"{BASE}/checks", json=check, headers=h)
    assert first.status_code == 201, first.text
    assert first.json()["conclusion"] == "adverse" and first.json()["sheet_no"] == "ZWCX-2026-000001"
    r = api.post(f"{BASE}/entries/{entry_id}/withdraw", json={"reason": "处分决定已被撤销"}, headers=h)
    assert r.status_code == 201 and r.json()["withdraws_id"] == entry_id
    assert api.post(f"{BASE}/entries/{entry_id}/withdraw", json={"reason": "再次"}, headers=h).status_code == 409
    second = api.post(f"{BASE}/checks", json=check, headers=h).json()
    assert second["conclusion"] == "clear" and second["sheet"]["training"]["met"] is True
    for body, field in (({**check, "reason": ""}, "reason"), ({**check, "purpose": "promotion"}, "purpose")):
        bad = api.post(f"{BASE}/checks", json=body, headers=h)
        assert bad.status_code == 422 and bad.json()["field"] == field
    view = api.get(f"{BASE}/files/{fid}", headers=h).json()
    assert view["adverse"] == 0 and [e["withdrawn_by_id"] is not None for e in view["entries"]].count(True) == 1
    assert [c["sheet_no"] for c in api.get(f"{BASE}/checks", headers=h).json()] == [
        second["sheet_no"],
        first.json()["sheet_no"],
    ]
    assert api.get(f"{BASE}/files", params={"ric": CIVIL_SERVANT_RIC}, headers=h).json()[0]["id"] == fid
    sheet = api.get(f"{BASE}/checks/{first.json()['id']}/sheet.xlsx", headers=h)
    assert sheet.status_code == 200 and "attachment" in sheet.headers["content-disposition"]
    cells = [c for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True) for c in row if c]
    assert first.json()["sheet_no"] in cells and "有不良记录" in cells and "警告处分" in cells
    assert not any(CIVIL_SERVANT_RIC in str(c) for c in cells)
    reads = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("read.integrity%")))
    assert {"read.integrity_file", "read.integrity_check"} <= set(reads)


def test_department_scope_over_http(api: TestClient, db: Session) -> None:
    market, _ = factories.departments(db)
    zzb = integrity_department(db, "zzb")
    organiser = login_headers(db, add_account(db, "zzb_officer", "department_officer", department_id=zzb.id))
    outsider = login_headers(db, add_account(db, "scjgj_officer", "department_officer", department_id=market.id))
    check = {
        "name": "冯考生",
        "ric": factories.ric("19980808", "018"),
        "purpose": "recruitment",
        "reason": "2026年公务员录用",
    }
    r = api.post(f"{BASE}/checks", json=check, headers=organiser)
    assert r.status_code == 201 and r.json()["conclusion"] == "no_file" and r.json()["department_id"] == zzb.id
    denied = api.post(f"{BASE}/checks", json=check, headers=outsider)
    assert denied.status_code == 403 and "公务员诚信档案只能由区信用办和" in denied.json()["message"]
    assert api.get(f"{BASE}/checks/{r.json()['id']}", headers=outsider).status_code == 403
    assert api.get(f"{BASE}/files", headers=outsider).status_code == 403
    assert db.scalar(select(IntegrityCheck.department_id)) == zzb.id
