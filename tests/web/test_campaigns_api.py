"""``/api/v1/campaigns`` (issue #11 item 6): the office runs the detection and creates a campaign over JSON, adds
the run's violators, the lead department's token reports progress and updates a target, and the campaign's
violators come back with their counts; bad input is 422, another department 403; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy.orm import Session

from campaigns import campaign_factories as cf
from xinyong.auth.context import Context

AS_OF = cf.AS_OF


def test_api_journey(api: TestClient, db: Session, ctx: Context) -> None:
    market = cf.market(db)
    other = cf.department(db, "jtj", "广州市番禺区交通运输局", 4)
    b = cf.batch(db, market)
    repeat = cf.firm(ctx, 51)
    cf.penalties(db, b, repeat, [AS_OF - timedelta(days=d) for d in (1, 2, 3)], "警告")
    office = login_headers(db, add_account(db, "cmp_api_office", "credit_office_staff"))
    market_token = token_headers(issue_token(db, "department_officer", department_id=market.id))
    other_token = token_headers(issue_token(db, "department_officer", department_id=other.id))
    db.commit()

    query = api.get("/api/v1/campaigns/violators", params={"as_of": "2026-11-27"}, headers=market_token)
    assert query.status_code == 200 and [r["category"] for r in query.json()["rows"]] == ["警告"]
    assert api.get("/api/v1/campaigns/violators", params={"min_count": 1}, headers=office).status_code == 422
    run = api.post("/api/v1/campaigns/violators/runs", json={"as_of": "2026-11-27"}, headers=office)
    assert run.status_code == 201 and run.json()["subjects"] == 1
    run_id = run.json()["id"]
    rows = api.get(f"/api/v1/campaigns/violators/runs/{run_id}", headers=market_token).json()
    assert rows["rows"][0]["penalties"] == 3 and rows["run_id"] == run_id
    xlsx = api.get(f"/api/v1/campaigns/violators/runs/{run_id}/export", params={"format": "xlsx"}, headers=office)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    body = {
        "code": "ZX-API-1",
        "name": "“屡禁不止、屡罚不改”严重违法失信行为专项治理",
        "sectors": ["repeat_violations"],
        "lead_unit": "scjgj",
        "units": ["440113007"],
        "starts_on": "2026-11-01",
        "ends_on": "2026-12-31",
    }
    assert api.post("/api/v1/campaigns", json=body | {"sectors": []}, headers=office).status_code == 422
    made = api.post("/api/v1/campaigns", json=body, headers=office)
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert api.post("/api/v1/campaigns", json=body, headers=office).status_code == 409
    added = api.post(f"/api/v1/campaigns/{cid}/targets/from-run", json={"run_id": run_id}, headers=office)
    assert added.json() == {"added": 1, "run_id": run_id}  # repeat_violations covers every penalty
    shown = api.get(f"/api/v1/campaigns/{cid}/violators", headers=other_token).json()
    assert shown[0]["uscc"] == repeat.uscc and shown[0]["categories"][0]["penalties"] == 3

    target = api.get(f"/api/v1/campaigns/{cid}/targets", headers=office).json()["rows"][0]
    moved = api.post(f"/api/v1/campaigns/targets/{target['id']}", json={"status": "punished"}, headers=market_token)
    assert moved.status_code == 200 and moved.json()["status_label"] == "已惩戒"
    assert (
        api.post(
            f"/api/v1/campaigns/targets/{target['id']}", json={"status": "closed"}, headers=other_token
        ).status_code
        == 403
    )
    progress = {"note": "约谈企业负责人", "figures": {"interviewed": 1}}
    assert api.post(f"/api/v1/campaigns/{cid}/progress", json=progress, headers=market_token).status_code == 201
    assert api.post(f"/api/v1/campaigns/{cid}/progress", json=progress, headers=other_token).status_code == 403
    bad = api.post(f"/api/v1/campaigns/{cid}/progress", json=progress | {"figures": {"x": 1}}, headers=market_token)
    assert bad.status_code == 422
    detail = api.get(f"/api/v1/campaigns/{cid}", headers=office).json()
    assert detail["by_status"]["punished"] == 1
    assert {p["unit"]["code"]: p["figures"]["interviewed"] for p in detail["progress"]}["scjgj"] == 1
    closed = api.post(f"/api/v1/campaigns/{cid}/close", json={"result": "惩戒 1 家"}, headers=office)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert [c["code"] for c in api.get("/api/v1/campaigns?status=closed", headers=office).json()] == ["ZX-API-1"]
