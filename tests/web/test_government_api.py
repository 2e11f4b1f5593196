"""``/api/v1/government``: bodies registered and reassigned, a contract registered (inconsistent amounts refused with
the difference), alerts as of a day, a term paid, a declared default listed as a government-integrity record, the
import's row report (nothing stored) and the export. SQLite and PostgreSQL."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from principals import add_account, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from government import gov_factories as g
from xinyong.government.models import GovContract

BASE = "/api/v1/government"


def office(db: Session) -> dict[str, str]:
    return login_headers(db, add_account(db, "office1", "credit_office_staff"))


def contract(body_id: int, amount: str = "200000.00", second: str = "150000.00") -> dict[str, object]:
    return {
        "contract_no": "PY-API-001",
        "title": "社区养老服务采购合同",
        "body_id": body_id,
        "counterparty_name": "广州市番禺康养服务有限公司",
        "amount": amount,
        "signed_on": "2026-05-01",
        "ends_on": "2026-12-31",
        "terms": [
            {"seq": 1, "kind": "payment", "description": "首期款", "due_on": "2026-06-30", "amount": "50000.00"},
            {"seq": 2, "kind": "payment", "description": "尾款", "due_on": "2026-12-03", "amount": second},
        ],
    }


def test_bodies_and_contract_lifecycle(api: TestClient, db: Session, ctx) -> None:  # type: ignore[no-untyped-def]
    h = office(db)
    r = api.post(
        f"{BASE}/bodies",
        json={"name": "广州市番禺区测试街道办事处", "uscc": g.body_uscc(1), "kind": "organ", "unit_code": g.SHIQIAO},
        headers=h,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["unit_label"] and body["kind_label"] == "党政机关"
    moved = api.post(f"{BASE}/bodies/{body['id']}/unit", json={"unit_code": g.DALONG}, headers=h)
    assert moved.status_code == 200 and moved.json()["unit_code"] == g.DALONG
    assert [b["id"] for b in api.get(f"{BASE}/bodies", headers=h).json()] == [body["id"]]

    bad = api.post(f"{BASE}/contracts", json=contract(body["id"], second="100000.00"), headers=h)
    assert bad.status_code == 422 and "少 50,000.00 元" in bad.json()["message"]
    created = api.post(f"{BASE}/contracts", json=contract(body["id"]), headers=h)
    assert created.status_code == 201, created.text
    detail = created.json()
    assert [t["state"] for t in detail["terms"]] == ["past_grace", "due_soon"]

    alerts = api.get(f"{BASE}/alerts", params={"as_of": "2026-06-29"}, headers=h).json()
    assert [(a["seq"], a["kind"]) for a in alerts] == [(1, "due_soon")]
    paid = api.post(
        f"{BASE}/terms/{detail['terms'][0]['id']}/done",
        json={"done_on": "2026-07-02", "paid_amount": "50000"},
        headers=h,
    )
    assert paid.status_code == 200 and paid.json()["paid"] == "50000.00"
    listed = api.get(f"{BASE}/contracts", params={"alert": True}, headers=h).json()
    assert [(c["contract_no"], c["due_soon"]) for c in listed] == [("PY-API-001", 1)]

    declared = api.post(f"{BASE}/contracts/{detail['id']}/default", json={"reason": "尾款争议经法院判决"}, headers=h)
    assert declared.status_code == 200 and declared.json()["status"] == "defaulted"
    records = api.get(f"{BASE}/records", headers=h).json()
    assert len(records) == 1 and records[0]["source_id"] == detail["id"] and records[0]["amount"] == "150000.00"

    export = api.get(f"{BASE}/contracts/export", params={"format": "xlsx"}, headers=h)
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None and sheet.cell(2, 1).value == "PY-API-001"


def test_import_reports_rows_and_stores_nothing(api: TestClient, db: Session, ctx) -> None:  # type: ignore[no-untyped-def]
    office_body = g.town_office(ctx)
    db.commit()
    header = (
        "合同编号,合同名称,政府方名称,相对方名称,合同金额（元）,签订日期,"
        "节点序号,节点类型,节点说明,应履行日期,节点金额（元）"
    )
    rows = [
        f"HT-1,合同一,{office_body.name},甲公司,100,2026-02-01,1,付款,首付,2026-03-01,100",
        "HT-2,合同二,不存在的单位,乙公司,100,2026-02-01,1,付款,首付,2026-03-01,100",
    ]
    content = ("\n".join([header, *rows]) + "\n").encode()
    h = office(db)
    r = api.post(f"{BASE}/contracts/import", files={"file": ("合同.csv", content, "text/csv")}, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"row": 2, "field": "政府方名称", "reason": "公共机构名录中没有“不存在的单位”，请先登记该政府方"}
    ]
    assert db.scalar(select(func.count()).select_from(GovContract)) == 0
    good = ("\n".join([header, rows[0]]) + "\n").encode()
    ok = api.post(f"{BASE}/contracts/import", files={"file": ("合同.csv", good, "text/csv")}, headers=h)
    assert ok.status_code == 200 and ok.json()["contracts"] == 1
