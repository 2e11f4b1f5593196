"""``/api/v1/workplan`` (issue #12 item 2): the office loads the 2021 plan (18 items with units), a garbled text is
refused with its problem lines, the market-supervision bureau reports on item 十一, another unit is refused, and
the notice lists the overdue items; SQLite and PostgreSQL."""

from __future__ import annotations

from io import BytesIO

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from principals import add_account, login_headers
from sqlalchemy.orm import Session

from workplan.plans import PLAN_2021, garbled
from xinyong.subjects.models import Department


def _headers(db: Session, name: str, role: str, department: Department | None = None) -> dict[str, str]:
    return login_headers(db, add_account(db, name, role, department_id=department.id if department else None))


def test_the_journey(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    market, justice = departments
    office = _headers(db, "wp_office", "credit_office_staff")
    officer = _headers(db, "wp_market", "department_officer", market)
    other = _headers(db, "wp_justice", "department_officer", justice)

    refused = api.post("/api/v1/workplan", json={"year": 2021, "text": garbled()}, headers=office)
    assert refused.status_code == 422
    assert [p["line"] for p in refused.json()["problems"]] == [8, 27]
    assert api.get("/api/v1/workplan/years", headers=office).json() == []

    loaded = api.post("/api/v1/workplan", json={"year": 2021, "text": PLAN_2021}, headers=office)
    assert loaded.status_code == 200 and loaded.json()["created"] is True
    assert loaded.json()["plan"]["items"] == 18
    again = api.post("/api/v1/workplan", json={"year": 2021, "text": PLAN_2021}, headers=office)
    assert again.json()["created"] is False

    ledger = api.get("/api/v1/workplan/2021", params={"as_of": "2021-06-30"}, headers=officer).json()
    assert len(ledger["items"]) == 18
    eleven = ledger["items"][10]
    assert {"role": "responsible", "label": "区市场监管局"}.items() <= next(
        u for u in eleven["units"] if u["code"] == "scjgj"
    ).items()

    reported = api.post(
        f"/api/v1/workplan/items/{eleven['id']}/progress",
        json={
            "note": "重错码率 0.004%，已完成纠错",
            "percent": 90,
            "evidence": "番市监函〔2021〕8号",
            "reported_on": "2021-06-15",
        },
        headers=officer,
    )
    assert reported.status_code == 201, reported.text
    assert reported.json()["unit_code"] == "scjgj"
    item_four = ledger["items"][3]  # 区法院、区司法局、区检察院 — not the market bureau
    off = api.post(f"/api/v1/workplan/items/{item_four['id']}/progress", json={"note": "越权报送"}, headers=officer)
    assert off.status_code == 403 and "不是第（四）项" in off.json()["message"]
    assert (
        api.post(f"/api/v1/workplan/items/{eleven['id']}/progress", json={"note": "x"}, headers=other).status_code
        == 201
    )

    detail = api.get(f"/api/v1/workplan/items/{eleven['id']}", headers=office).json()
    assert [h["unit_label"] for h in detail["history"]] == ["区市场监管局", "区司法局"]
    assert detail["targets"][0]["value"] == "0.005"

    overdue = api.get("/api/v1/workplan/2021", params={"as_of": "2022-01-04", "status": "overdue"}, headers=office)
    assert len(overdue.json()["items"]) == 18

    sheet = api.get("/api/v1/workplan/2021/notice", params={"period": "2022-01"}, headers=office)
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    late = [r[0] for r in load_workbook(BytesIO(sheet.content))["逾期事项"].iter_rows(min_row=3, values_only=True)]
    assert len(late) == 18 and "（十一）" in late
    pdf = api.get("/api/v1/workplan/2021/notice", params={"period": "2021-Q2", "format": "pdf"}, headers=office)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert api.get("/api/v1/workplan/2021/notice", params={"period": "2021-13"}, headers=office).status_code == 422
    assert api.get("/api/v1/workplan/2030", headers=office).status_code == 404
