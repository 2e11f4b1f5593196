"""``/api/v1/monitoring`` (issue #12 item 1): the office runs a month, reads the district and a township, enters
a manual value that moves the score at once, reruns (history kept); a department officer enters only its own
indicators; the negative check answers ``ok``. SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy.orm import Session

from monitoring import monitoring_data as md
from xinyong.auth.context import Context
from xinyong.subjects.models import Department


def _headers(db: Session, name: str, role: str, department: Department | None = None) -> dict[str, str]:
    return login_headers(db, add_account(db, name, role, department_id=department.id if department else None))


def test_the_journey(api: TestClient, db: Session, ctx: Context) -> None:
    data = md.everything(ctx)
    office = _headers(db, "mon_office", "credit_office_staff")
    market = _headers(db, "mon_market", "department_officer", data.market)
    justice = _headers(db, "mon_justice", "department_officer", data.justice)

    model = api.get("/api/v1/monitoring/model", headers=market).json()
    assert model["version"] == 2020 and sum(g["weight"] for g in model["groups"]) == 100
    assert api.get(f"/api/v1/monitoring/months/{md.MONTH}", headers=office).status_code == 404

    run = api.post("/api/v1/monitoring/runs", json={"month": md.MONTH}, headers=office)
    assert run.status_code == 201 and run.json()["negative_ok"] is True
    district = api.get(f"/api/v1/monitoring/months/{md.MONTH}", headers=market).json()
    values = {i["code"]: i for i in district["indicators"]}
    assert values["gongshi_volume"]["value"] == 500 and values["objection_in_time"]["value"] == 50
    assert len(district["units"]) == 17
    shatou = api.get(f"/api/v1/monitoring/months/{md.MONTH}", params={"unit": md.SHATOU}, headers=office).json()
    assert {i["code"]: i["value"] for i in shatou["indicators"]}["repair_days"] == 10

    body = {
        "indicator": "compliance_done",
        "unit": "440113",
        "value": 100,
        "evidence": "合规自查报告",
        "month": md.MONTH,
    }
    assert api.post("/api/v1/monitoring/entries", json=body, headers=market).status_code == 403
    entered = api.post("/api/v1/monitoring/entries", json=body, headers=justice)
    assert entered.status_code == 201 and entered.json()["applied_to_run"] == run.json()["id"]
    after = api.get(f"/api/v1/monitoring/months/{md.MONTH}", headers=office).json()
    assert after["district_score"] == round(district["district_score"] + 4, 4)
    bad = api.post("/api/v1/monitoring/entries", json={**body, "value": 101}, headers=office)
    assert bad.status_code == 422 and bad.json()["field"] == "value"

    rerun = api.post("/api/v1/monitoring/runs", json={"month": md.MONTH}, headers=office).json()
    assert rerun["district_score"] == after["district_score"]  # the manual entry carried over
    runs = api.get(f"/api/v1/monitoring/months/{md.MONTH}/runs", headers=office).json()
    assert [r["current"] for r in runs] == [True, False]
    assert len(api.get(f"/api/v1/monitoring/months/{md.MONTH}/entries", headers=office).json()) == 1
    assert [p["month"] for p in api.get("/api/v1/monitoring/trend", headers=office).json()] == [md.MONTH]
    assert api.get("/api/v1/monitoring/negative-check", headers=office).json()["ok"] is True
    assert api.post("/api/v1/monitoring/runs", json={"month": "2026-13"}, headers=office).status_code == 422
