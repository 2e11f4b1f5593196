"""``/api/v1/personal-scores`` (issue #9 item 2): the office runs the scoring and reads runs and the band
distribution; a citizen sees its own band, score, reasons in plain Chinese and history; an enterprise account
gets 422; the office's read of a person is masked and audited. SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from incentives.scoring_setup import AS_OF, EXPECTED, build
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.subjects.models import Department


def test_the_journey(api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]) -> None:
    people = build(ctx, departments)
    office = login_headers(db, add_account(db, "ps_office", "credit_office_staff"))
    citizen = login_headers(db, add_account(db, "ps_citizen", "subject", subject_id=people["mixed"].id))
    firm = login_headers(db, add_account(db, "ps_firm", "subject", subject_id=people["firm"].id))

    assert api.get("/api/v1/personal-scores/me", headers=citizen).status_code == 404  # not scored yet
    assert api.post("/api/v1/personal-scores/runs", json={}, headers=citizen).status_code == 403
    bad = api.post("/api/v1/personal-scores/runs", json={"model": "nope"}, headers=office)
    assert bad.status_code == 422 and bad.json()["field"] == "model"
    first = api.post("/api/v1/personal-scores/runs", json={"as_of": "2026-04-30"}, headers=office)
    assert first.status_code == 201 and first.json()["persons"] == len(EXPECTED)
    run = api.post("/api/v1/personal-scores/runs", json={"as_of": AS_OF.isoformat()}, headers=office).json()
    assert run["current"] is True and run["as_of"] == AS_OF.isoformat()

    runs = api.get("/api/v1/personal-scores/runs", headers=office).json()
    assert [r["current"] for r in runs] == [True, False]
    dist = api.get("/api/v1/personal-scores/distribution", headers=office).json()
    counts = {b["band"]: b["persons"] for b in dist["bands"]}
    assert counts == {"excellent": 0, "very_good": 1, "good": 6, "fair": 1, "poor": 4}
    assert dist["bands"][2]["range"] == "[600, 700)" and dist["run"]["run_id"] == run["run_id"]
    older = api.get("/api/v1/personal-scores/distribution", params={"run_id": first.json()["run_id"]}, headers=office)
    assert older.json()["run"]["as_of"] == "2026-04-30"

    mine = api.get("/api/v1/personal-scores/me", headers=citizen).json()
    assert (mine["score"], mine["band"], mine["band_label"]) == (570, "fair", "信用一般")
    assert mine["name"] == "诚信mixed" and mine["band_range"] == "[550, 600)"
    texts = [r["text"] for r in mine["reasons"]]
    assert texts[0] == "近两年内经核查认定违背的信用承诺（含虚假承诺）：1 条，扣 60 分"
    assert "近两年内经核查履行的信用承诺：2 条，加 20 分" in texts
    assert [(h["as_of"], h["score"], h["current"]) for h in mine["history"]] == [
        ("2026-04-30", 550, False),
        (AS_OF.isoformat(), 570, True),
    ]
    assert "信访" in mine["note"]  # says what is never used

    refused = api.get("/api/v1/personal-scores/me", headers=firm)
    assert refused.status_code == 422 and "自然人" in refused.json()["message"]

    seen = api.get(f"/api/v1/personal-scores/subjects/{people['capped'].id}", headers=office).json()
    assert seen["name"] == "诚" + "*" * 7 and seen["score"] == 410
    assert seen["reasons"][0]["text"].endswith("（本项最多扣 240 分）")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "read.personal_score")).first()
    assert event is not None and event.target_id == str(people["capped"].id)
    assert api.get(f"/api/v1/personal-scores/subjects/{people['firm'].id}", headers=office).status_code == 422
    assert api.get(f"/api/v1/personal-scores/subjects/{people['mixed'].id}", headers=citizen).status_code == 403
