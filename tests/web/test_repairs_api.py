"""信用修复 over JSON (``/api/v1/repairs``): eligibility, applying as JSON and as an upload, the handler's decisions
with the version they saw, the record leaving the public API once granted, external lists, downloads, CSRF
and the error shapes (on SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import Registry

from factories import departments
from repairs_factories import COMMITMENT, OBLIGATIONS, PDF, SIGNER, penalty_record
from xinyong.auth.models import AuditEvent
from xinyong.records.models import CreditRecord, RepairApplication
from xinyong.subjects.models import Department

B64 = base64.b64encode(PDF).decode()


@dataclass
class Parties:
    dept: Department
    other_dept: Department
    record: CreditRecord
    firm: dict[str, str]
    shop: dict[str, str]
    officer: dict[str, str]
    other_officer: dict[str, str]
    office: dict[str, str]


@pytest.fixture
def parties(db: Session, registry: Registry) -> Parties:
    dept, other_dept = departments(db)
    record = penalty_record(db, dept, registry.hefeng)
    return Parties(
        dept=dept,
        other_dept=other_dept,
        record=record,
        firm=login_headers(db, add_account(db, "u_hefeng", "subject", subject_id=registry.hefeng.id)),
        shop=login_headers(db, add_account(db, "u_shop", "subject", subject_id=registry.shop.id)),
        officer=login_headers(db, add_account(db, "u_officer", "department_officer", department_id=dept.id)),
        other_officer=login_headers(db, add_account(db, "u_other", "department_officer", department_id=other_dept.id)),
        office=login_headers(db, add_account(db, "u_office", "credit_office_staff")),
    )


def apply_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "obligations": OBLIGATIONS,
        "commitment_text": COMMITMENT,
        "signer_name": SIGNER,
        "files": [{"filename": "履行完毕证明.pdf", "content_base64": B64}],
    }
    body.update(changes)
    return body


def apply_json(api: TestClient, p: Parties) -> dict[str, object]:
    response = api.post(f"/api/v1/repairs/records/{p.record.id}", json=apply_body(), headers=p.firm)
    assert response.status_code == 201, response.text
    return response.json()


def test_eligibility_answers_with_reasons(api: TestClient, parties: Parties) -> None:
    p = parties
    mine = api.get(f"/api/v1/repairs/records/{p.record.id}/eligibility", headers=p.firm)
    assert mine.status_code == 200 and mine.json()["eligible"] is True
    assert mine.json()["materials"][0]["name"] == "履行完毕证明"
    early = api.get(
        f"/api/v1/repairs/records/{p.record.id}/eligibility", params={"as_of": "2025-09-02"}, headers=p.firm
    ).json()
    assert early["eligible"] is False and "2025-09-03 起方可申请" in early["reasons"][0]
    theirs = api.get(f"/api/v1/repairs/records/{p.record.id}/eligibility", headers=p.shop).json()
    assert theirs["eligible"] is False and theirs["doc_no"] is None and "不属于本主体" in theirs["reasons"][0]
    missing = api.get("/api/v1/repairs/records/999999/eligibility", headers=p.firm)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_apply_decide_grant_and_the_record_leaves_the_public_api(
    api: TestClient, db: Session, parties: Parties
) -> None:
    p = parties
    assert api.get(f"/api/v1/gongshi/penalty/{p.record.id}").status_code == 200
    row = apply_json(api, p)
    assert (row["status"], row["status_label"], row["accept_due"], row["handler"]) == (
        "submitted",
        "待受理",
        "2026-12-02",
        p.dept.name,
    )
    again = api.post(f"/api/v1/repairs/records/{p.record.id}", json=apply_body(), headers=p.firm)
    assert again.status_code == 409 and "请勿重复提交" in again.json()["message"]
    rid = row["id"]
    queue = api.get("/api/v1/repairs", headers=p.officer).json()
    assert [r["id"] for r in queue["items"]] == [rid]
    assert api.get("/api/v1/repairs", headers=p.other_officer).json()["total"] == 0
    assert api.get(f"/api/v1/repairs/{rid}", headers=p.other_officer).status_code == 403
    detail = api.get(f"/api/v1/repairs/{rid}", headers=p.officer).json()
    assert detail["actions"] == ["accept", "refuse"] and detail["commitment"]["signer_name"] == SIGNER
    accepted = api.post(f"/api/v1/repairs/{rid}/accept", json={"expected_version": 1}, headers=p.officer)
    assert accepted.status_code == 200 and accepted.json()["decide_due"] == "2026-12-08"
    stale = api.post(f"/api/v1/repairs/{rid}/grant", json={"expected_version": 1, "reason": "准予"}, headers=p.office)
    assert stale.status_code == 409 and stale.json()["error"] == "stale_case"
    version = accepted.json()["lock_version"]
    granted = api.post(
        f"/api/v1/repairs/{rid}/grant", json={"expected_version": version, "reason": "已履行义务"}, headers=p.officer
    )
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    assert api.get(f"/api/v1/gongshi/penalty/{p.record.id}").status_code == 404
    assert api.get(f"/api/v1/gongshi/penalty/{p.record.id}", params={"as_of": "2026-11-26"}).status_code == 200
    history = [e["action"] for e in api.get(f"/api/v1/repairs/{rid}", headers=p.firm).json()["history"]]
    assert history == ["submit", "accept", "grant"]
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith("repairs."))))
    assert {"repairs.apply", "repairs.accept", "repairs.grant"} <= actions


def test_apply_with_an_upload_and_download_the_material(api: TestClient, parties: Parties) -> None:
    p = parties
    response = api.post(
        f"/api/v1/repairs/records/{p.record.id}/upload",
        data={"obligations": OBLIGATIONS, "commitment_text": COMMITMENT, "signer_name": SIGNER},
        files=[
            ("files", ("缴款凭证.pdf", PDF, "application/pdf")),
            ("files", ("照片.png", b"\x89PNG\r\n\x1a\n0", "image/png")),
        ],
        headers=p.firm,
    )
    assert response.status_code == 201, response.text
    rid = response.json()["id"]
    files = api.get(f"/api/v1/repairs/{rid}", headers=p.firm).json()["files"]
    assert [f["filename"] for f in files] == ["缴款凭证.pdf", "照片.png"]
    download = api.get(f"/api/v1/repairs/{rid}/files/{files[0]['id']}", headers=p.officer)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert api.get(f"/api/v1/repairs/{rid}/files/{files[0]['id']}", headers=p.shop).status_code == 403


def test_bad_input_answers_422_or_403(api: TestClient, parties: Parties) -> None:
    p = parties
    url = f"/api/v1/repairs/records/{p.record.id}"
    bad64 = api.post(url, json=apply_body(files=[{"filename": "a.pdf", "content_base64": "@@@"}]), headers=p.firm)
    assert bad64.status_code == 422 and bad64.json()["field"] == "files"
    no_files = api.post(url, json=apply_body(files=[]), headers=p.firm)
    assert no_files.status_code == 422 and "履行完毕证明" in no_files.json()["message"]
    exe = base64.b64encode(b"MZ").decode()
    wrong_type = api.post(url, json=apply_body(files=[{"filename": "a.exe", "content_base64": exe}]), headers=p.firm)
    assert wrong_type.status_code == 422
    assert api.post(url, json=apply_body(), headers=p.shop).status_code == 403
    assert api.post(url, json=apply_body(), headers=p.officer).status_code == 403
    no_csrf = api.post(url, json=apply_body(), headers={"Cookie": p.firm["Cookie"]})
    assert no_csrf.status_code == 403 and no_csrf.json()["error"] == "csrf_failed"
    assert api.post(url, json=apply_body()).status_code == 401


def test_refuse_extend_and_reject_over_http(api: TestClient, parties: Parties) -> None:
    p = parties
    rid = apply_json(api, p)["id"]
    empty = api.post(f"/api/v1/repairs/{rid}/refuse", json={"expected_version": 1, "reason": ""}, headers=p.officer)
    assert empty.status_code == 422
    refused = api.post(
        f"/api/v1/repairs/{rid}/refuse", json={"expected_version": 1, "reason": "缺少缴款凭证"}, headers=p.officer
    )
    assert refused.json()["status"] == "refused"
    rid = apply_json(api, p)["id"]  # a complete application after the refusal
    v = api.post(f"/api/v1/repairs/{rid}/accept", json={"expected_version": 1}, headers=p.office).json()["lock_version"]
    extended = api.post(
        f"/api/v1/repairs/{rid}/extend", json={"expected_version": v, "reason": "核实"}, headers=p.office
    )
    assert extended.status_code == 200 and extended.json()["decide_due"] == "2026-12-15"
    v = extended.json()["lock_version"]
    twice = api.post(f"/api/v1/repairs/{rid}/extend", json={"expected_version": v, "reason": "再延"}, headers=p.office)
    assert twice.status_code == 409
    rejected = api.post(
        f"/api/v1/repairs/{rid}/reject", json={"expected_version": v, "reason": "整改未完成"}, headers=p.office
    )
    assert rejected.json()["status"] == "rejected"
    assert api.get(f"/api/v1/gongshi/penalty/{p.record.id}").status_code == 200
    mine = api.get("/api/v1/repairs/mine", headers=p.firm).json()
    assert {r["status"] for r in mine["items"]} == {"refused", "rejected"}
    assert api.get("/api/v1/repairs", params={"status": "all"}, headers=p.officer).json()["total"] == 2
    assert api.get("/api/v1/repairs", params={"status": "bogus"}, headers=p.officer).status_code == 422


def test_external_lists_are_routed_and_tracked(
    api: TestClient, db: Session, parties: Parties, registry: Registry
) -> None:
    p = parties
    body = {"external_list": "business_abnormal", "external_ref": "穗番市监异〔2025〕8号", "obligations": "已补报年报"}
    url = f"/api/v1/repairs/subjects/{registry.hefeng.id}/external"
    created = api.post(url, json=body, headers=p.firm)
    assert created.status_code == 201, created.text
    row = created.json()
    assert (row["kind"], row["status"], row["external_list_name"]) == ("external", "routed", "经营异常名录")
    assert "市场监督管理部门" in row["handler"]
    assert api.post(url, json=body, headers=p.firm).status_code == 409
    unknown = api.post(url, json=body | {"external_list": "nope"}, headers=p.firm)
    assert unknown.status_code == 422 and unknown.json()["field"] == "external_list"
    assert (
        api.post(f"/api/v1/repairs/subjects/{registry.shop.id}/external", json=body, headers=p.firm).status_code == 403
    )
    rid = row["id"]
    result = {"expected_version": 1, "result": "granted", "note": "登记机关已移出经营异常名录"}
    assert api.post(f"/api/v1/repairs/{rid}/external-result", json=result, headers=p.officer).status_code == 403
    done = api.post(f"/api/v1/repairs/{rid}/external-result", json=result, headers=p.office)
    assert done.status_code == 200 and done.json()["status"] == "granted"
    detail = api.get(f"/api/v1/repairs/{rid}", headers=p.firm).json()
    assert detail["decision_reason"] == "登记机关已移出经营异常名录" and "3 个工作日" in detail["external_channel"]
    assert db.scalar(select(RepairApplication.record_id).where(RepairApplication.id == rid)) is None
    upload = api.post(
        url + "/upload",
        data={"external_list": "customs_dishonest", "external_ref": "海关1号", "obligations": "已缴清"},
        files=[("files", ("凭证.pdf", PDF, "application/pdf"))],
        headers=p.firm,
    )
    assert upload.status_code == 201 and upload.json()["external_list"] == "customs_dishonest"
