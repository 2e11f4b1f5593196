"""``/api/v1/sandbox`` (issue #10 items 3 and 4): an officer lists the views, submits a query and gets the release
(groups under k withheld and counted), reads its own queries; an invalid or over-budget query is answered 422 in
Chinese and is still stored and audited; the office reads every query with its seed and reproduces a release; a
bank starts a federated demo run and sees its own institution's runs, the office every run. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.audit import AuditEvent
from xinyong.privacy.models import SandboxQuery
from xinyong.subjects.models import Department, Subject

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def _district(db: Session) -> None:
    db.add_all(
        Subject(
            kind="legal_person", name=f"企业{i}", township_code="440113007" if i < 11 else "440113008", created_at=AT
        )
        for i in range(14)
    )
    db.commit()


def test_the_sandbox_journey(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    _district(db)
    officer = login_headers(db, add_account(db, "sb_officer", "department_officer", department_id=departments[0].id))
    office = login_headers(db, add_account(db, "sb_office", "credit_office_staff"))
    db.commit()

    views = api.get("/api/v1/sandbox/views", headers=officer).json()
    assert views["policy"]["k"] == 10 and views["policy"]["spent_epsilon_today"] == 0
    assert "township" in {d["key"] for v in views["views"] if v["key"] == "subjects" for d in v["dimensions"]}

    body = {"view": "subjects", "by": ["township"], "measures": ["subjects"], "epsilon": 1.0}
    released = api.post("/api/v1/sandbox/queries", json=body, headers=officer)
    assert released.status_code == 201, released.text
    out = released.json()
    assert out["status"] == "suppressed" and out["suppressed_groups"] == 1 and out["noise_seed"] is None
    assert [r["group"] for r in out["result"]] == [{"township": "440113007"}]

    refused = api.post("/api/v1/sandbox/queries", json=body | {"by": ["name"]}, headers=officer)
    assert refused.status_code == 422 and "不允许按 name 分组" in refused.json()["message"]
    for _ in range(2):
        api.post("/api/v1/sandbox/queries", json=body, headers=officer)
    over = api.post("/api/v1/sandbox/queries", json=body, headers=officer)
    assert over.status_code == 422 and "今日隐私预算不足" in over.json()["message"]
    assert over.json()["field"] == "epsilon"

    mine = api.get("/api/v1/sandbox/queries/mine", headers=officer).json()
    assert [q["status"] for q in mine] == ["refused", "suppressed", "suppressed", "refused", "suppressed"]
    assert db.scalar(select(SandboxQuery).where(SandboxQuery.status == "refused").limit(1)) is not None
    outcomes = db.scalars(select(AuditEvent.outcome).where(AuditEvent.action == "sandbox.query")).all()
    assert sorted(outcomes) == ["refused", "refused", "suppressed", "suppressed", "suppressed"]

    everything = api.get("/api/v1/sandbox/queries", headers=office).json()
    assert len(everything) == 5 and everything[-1]["noise_seed"]
    assert api.get("/api/v1/sandbox/queries", headers=officer).status_code == 403
    again = api.post(f"/api/v1/sandbox/queries/{out['id']}/reproduce", headers=office)
    assert again.status_code == 200 and again.json() == out["result"]
    assert api.get(f"/api/v1/sandbox/queries/{out['id']}", headers=office).json()["noise_seed"]
    other = login_headers(db, add_account(db, "sb_other", "department_officer", department_id=departments[1].id))
    db.commit()
    assert api.get(f"/api/v1/sandbox/queries/{out['id']}", headers=other).status_code == 404


def test_federated_runs_by_bank_and_office(api: TestClient, db: Session) -> None:
    bank = login_headers(db, add_account(db, "fl_bank", "bank", institution="番禺农商银行"))
    office = login_headers(db, add_account(db, "fl_office", "credit_office_staff"))
    db.commit()
    run = api.post(
        "/api/v1/sandbox/federated/runs", json={"rows": 300, "features": 3, "key_bits": 1024, "seed": 4}, headers=bank
    )
    assert run.status_code == 201, run.text
    out = run.json()
    assert out["institution"] == "番禺农商银行" and out["status"] == "within_tolerance"
    assert abs(out["accuracy"] - out["central_accuracy"]) <= out["tolerance"]
    api.post("/api/v1/sandbox/federated/runs", json={"rows": 300, "features": 3, "key_bits": 1024}, headers=office)
    assert [r["institution"] for r in api.get("/api/v1/sandbox/federated/runs", headers=bank).json()] == [
        "番禺农商银行"
    ]
    assert len(api.get("/api/v1/sandbox/federated/runs", headers=office).json()) == 2
    too_big = api.post("/api/v1/sandbox/federated/runs", json={"rows": 50_000, "key_bits": 1024}, headers=bank)
    assert too_big.status_code == 422 and "样本数" in too_big.json()["message"]
    weak = api.post("/api/v1/sandbox/federated/runs", json={"rows": 300, "key_bits": 512}, headers=bank)
    assert weak.status_code == 422 and "密钥长度" in weak.json()["message"]
