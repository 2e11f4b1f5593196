"""``/api/v1/objections`` and ``/api/v1/notifications`` over HTTP: the applicant submits (JSON and multipart with
evidence), the office accepts and hands over, the provider verifies with its API token, the applicant reads
the decision and its notifications; the issue's bad input answers with Chinese messages and the right status
(404, 403, 409 for a double submission and for a handler deciding on a stale version, 422)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy.orm import Session

from factories import company, departments
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Subject

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
REASONS = "该处罚决定已被复议机关撤销，请更正"


class Setup:
    def __init__(self, ctx: Context) -> None:
        db = ctx.session
        self.db = db
        self.dept, self.other_dept = departments(db)
        self.firm: Subject = company(ctx, "广州禾丰贸易有限公司", 1)
        self.other_firm: Subject = company(ctx, "广州另一贸易有限公司", 2)
        self.batch = make_batch(db, self.dept)
        self.record = self.penalty("番市监罚〔2026〕1号")
        self.subject = login_headers(db, add_account(db, "firm", "subject", subject_id=self.firm.id))
        self.other = login_headers(db, add_account(db, "other", "subject", subject_id=self.other_firm.id))
        self.office = login_headers(db, add_account(db, "office", "credit_office_staff"))
        self.officer = login_headers(db, add_account(db, "officer", "department_officer", department_id=self.dept.id))
        self.token = token_headers(issue_token(db, "department_officer", department_id=self.dept.id))

    def penalty(self, doc_no: str, subject: Subject | None = None) -> CreditRecord:
        return make_record(
            self.db,
            self.batch,
            doc_no=doc_no,
            decided_on=date(2026, 6, 1),
            subject=subject or self.firm,
            publicity_end=date(2027, 5, 31),
        )


@pytest.fixture
def s(ctx: Context) -> Setup:
    return Setup(ctx)


def submit(api: TestClient, headers: dict[str, str], record_id: int, **over: Any) -> Any:
    body = {"record_id": record_id, "reasons": REASONS, "contact": "13812345678", **over}
    return api.post("/api/v1/objections", json=body, headers=headers)


def test_the_whole_case_over_the_api(api: TestClient, s: Setup, db: Session) -> None:
    made = submit(api, s.subject, s.record.id)
    assert made.status_code == 201, made.text
    body = made.json()
    oid = body["id"]
    assert (body["status"], body["step"], body["due"], body["version"]) == ("submitted", "accept", "2026-12-01", 1)
    mine = api.get("/api/v1/objections", headers=s.subject).json()
    assert [o["id"] for o in mine] == [oid]
    queue = api.get("/api/v1/objections/queue", headers=s.office).json()
    assert [(o["id"], o["status_label"]) for o in queue] == [(oid, "待受理")]
    detail = api.get(f"/api/v1/objections/{oid}", headers=s.office).json()
    assert detail["contact"] == "13812345678" and detail["actions"] == ["accept", "refuse", "withdraw"]
    assert api.get(f"/api/v1/objections/{oid}", headers=s.subject).json()["contact"] == "138****5678"

    accepted = api.post(f"/api/v1/objections/{oid}/accept", json={"version": 1}, headers=s.office)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    # a second handler still holding version 1 decides after the first: 409, nothing overwritten
    stale = api.post(f"/api/v1/objections/{oid}/refuse", json={"version": 1, "reason": "不予受理"}, headers=s.office)
    assert stale.status_code == 409 and stale.json()["error"] == "stale_case"
    assert "已被他人处理" in stale.json()["message"]
    handed = api.post(
        f"/api/v1/objections/{oid}/self-check",
        json={"version": 2, "result": "pass_to_provider", "note": "平台数据与报送一致"},
        headers=s.office,
    )
    assert handed.status_code == 200 and handed.json()["step"] == "verify"
    assert [o["id"] for o in api.get("/api/v1/objections/queue", headers=s.token).json()] == [oid]
    verified = api.post(
        f"/api/v1/objections/{oid}/verify",
        json={"version": 3, "outcome": "upheld", "reason": "经核查处罚决定有效"},
        headers=s.token,
    )
    assert verified.status_code == 200, verified.text
    final = api.get(f"/api/v1/objections/{oid}", headers=s.subject).json()
    assert (final["status"], final["outcome"], final["outcome_label"]) == ("closed", "upheld", "维持原记录")
    assert [h["action"] for h in final["history"]] == ["submit", "accept", "hand_over", "upheld"]

    notes = api.get("/api/v1/notifications", headers=s.subject).json()
    assert [n["kind"] for n in notes][:1] == ["decision"] and "经核查处罚决定有效" in notes[0]["message"]
    read = api.post(f"/api/v1/notifications/{notes[0]['id']}/read", headers=s.subject)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = api.get("/api/v1/notifications", params={"unread_only": True}, headers=s.subject).json()
    assert notes[0]["id"] not in [n["id"] for n in unread]
    office_notes = api.get("/api/v1/notifications", headers=s.office).json()
    assert office_notes and all(n["id"] not in [m["id"] for m in notes] for n in office_notes)
    assert api.post(f"/api/v1/notifications/{office_notes[0]['id']}/read", headers=s.subject).status_code == 404


def test_evidence_files_by_multipart(api: TestClient, s: Setup) -> None:
    made = api.post(
        "/api/v1/objections/upload",
        data={"record_id": str(s.record.id), "reasons": REASONS, "requested_correction": "删除该记录"},
        files=[
            ("files", ("复议决定书.pdf", PDF, "application/pdf")),
            ("files", ("照片.png", b"\x89PNG\r\n\x1a\n0", "image/png")),
        ],
        headers=s.subject,
    )
    assert made.status_code == 201, made.text
    oid = made.json()["id"]
    files = api.get(f"/api/v1/objections/{oid}", headers=s.subject).json()["files"]
    assert [f["filename"] for f in files] == ["复议决定书.pdf", "照片.png"]
    download = api.get(f"/api/v1/objections/{oid}/files/{files[0]['id']}", headers=s.officer)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in download.headers["content-disposition"]
    assert api.get(f"/api/v1/objections/{oid}/files/{files[0]['id']}", headers=s.other).status_code == 403
    bad = api.post(
        "/api/v1/objections/upload",
        data={"record_id": str(s.penalty("番市监罚〔2026〕2号").id), "reasons": REASONS},
        files=[("files", ("木马.exe", b"MZ", "application/octet-stream"))],
        headers=s.subject,
    )
    assert bad.status_code == 422 and "类型不受支持" in bad.json()["message"]


def test_bad_input_answers(api: TestClient, s: Setup) -> None:
    missing = submit(api, s.subject, 987654)
    assert missing.status_code == 404 and "不存在" in missing.json()["message"]
    theirs = submit(api, s.subject, s.penalty("番市监罚〔2026〕3号", subject=s.other_firm).id)
    assert theirs.status_code == 403 and "不是本主体" in theirs.json()["message"]
    short = submit(api, s.subject, s.record.id, reasons="有误")
    assert short.status_code == 422 and short.json()["field"] == "reasons"
    assert submit(api, s.subject, s.record.id).status_code == 201
    twice = submit(api, s.subject, s.record.id)
    assert twice.status_code == 409 and twice.json()["error"] == "duplicate_objection"
    cookie_only = {"Cookie": s.subject["Cookie"]}
    assert submit(api, cookie_only, s.record.id).status_code == 403  # no CSRF header
    assert submit(api, s.officer, s.record.id).status_code == 403
    assert api.get("/api/v1/objections/queue", params={"status": "lost"}, headers=s.office).status_code == 422
    assert api.get("/api/v1/objections/999999", headers=s.office).status_code == 404


def test_withdrawal_and_department_scope(api: TestClient, s: Setup) -> None:
    oid = submit(api, s.subject, s.record.id).json()["id"]
    assert api.get(f"/api/v1/objections/{oid}", headers=s.officer).status_code == 200
    other_officer = login_headers(
        s.db, add_account(s.db, "officer2", "department_officer", department_id=s.other_dept.id)
    )
    assert api.get(f"/api/v1/objections/{oid}", headers=other_officer).status_code == 403
    assert api.post(f"/api/v1/objections/{oid}/withdraw", headers=s.other).status_code == 403
    done = api.post(f"/api/v1/objections/{oid}/withdraw", headers=s.subject)
    assert done.status_code == 200 and done.json()["outcome"] == "withdrawn"
    again = api.post(f"/api/v1/objections/{oid}/withdraw", headers=s.subject)
    assert again.status_code == 409 and "已办结" in again.json()["message"]


def test_verification_belongs_to_the_provider(api: TestClient, s: Setup, db: Session) -> None:
    oid = submit(api, s.subject, s.record.id).json()["id"]
    api.post(f"/api/v1/objections/{oid}/accept", json={"version": 1}, headers=s.office)
    api.post(
        f"/api/v1/objections/{oid}/self-check", json={"version": 2, "result": "pass_to_provider"}, headers=s.office
    )
    other_officer = login_headers(
        s.db, add_account(s.db, "officer3", "department_officer", department_id=s.other_dept.id)
    )
    body = {"version": 3, "outcome": "upheld", "reason": "无误"}
    refused = api.post(f"/api/v1/objections/{oid}/verify", json=body, headers=other_officer)
    assert refused.status_code == 403 and "本部门" in refused.json()["message"]
    assert api.post(f"/api/v1/objections/{oid}/verify", json=body, headers=s.subject).status_code == 403
    assert api.post(f"/api/v1/objections/{oid}/verify", json=body, headers=s.officer).status_code == 200
