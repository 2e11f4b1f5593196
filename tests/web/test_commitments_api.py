"""信用承诺 over JSON (``/api/v1/commitments``): types and the public list, signing by the subject and recording by
a department (by USCC), the 告知承诺 refusal as a 409, the department feed a department system polls with its
token, the detail, verification with the version (a stale one is a 409) and a breach becoming a credit record."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

import factories
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.records.models import Commitment, CreditRecord
from xinyong.subjects.models import Department, Subject

URL = "/api/v1/commitments"
_SERIAL = itertools.count(1)


@pytest.fixture
def firm(ctx: Context) -> Subject:
    return factories.company(ctx, "广州禾丰贸易有限公司", 1)


@pytest.fixture
def dept(departments: tuple[Department, Department]) -> Department:
    return departments[0]


def subject_headers(db: Session, subject: Subject) -> dict[str, str]:
    return login_headers(db, add_account(db, f"s_{next(_SERIAL)}", "subject", subject_id=subject.id))


def officer_headers(db: Session, department: Department, name: str = "officer") -> dict[str, str]:
    return login_headers(
        db, add_account(db, f"o_{name}_{next(_SERIAL)}", "department_officer", department_id=department.id)
    )


def body(department: Department, **changes: object) -> dict[str, object]:
    return {
        "kind": "approval_substitute",
        "department_id": department.id,
        "matter": "食品经营许可",
        "signer_name": "李四",
    } | changes


def test_types_and_public_list_need_no_login(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    types = api.get(f"{URL}/types").json()
    assert [t["kind"] for t in types] == ["approval_substitute", "certification", "voluntary", "industry", "repair"]
    assert types[0]["label"] == "审批替代型" and types[0]["notice"] is True and types[0]["verify_days"] == 60
    api.post(URL, json=body(dept), headers=subject_headers(db, firm))
    page = api.get(f"{URL}/public", params={"q": "禾丰"}).json()
    assert page["total"] == 1 and page["items"][0]["kind_label"] == "审批替代型"
    assert page["items"][0]["status_label"] == "待核查"
    assert "text" not in page["items"][0] and "signer_name" not in page["items"][0]
    assert api.get(f"{URL}/public", params={"q": "x" * 51}).status_code == 422


def test_subject_signs_with_the_standard_text(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    response = api.post(URL, json=body(dept), headers=subject_headers(db, firm))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["subject_id"] == firm.id and data["recorded_by"] == "subject" and data["status"] == "signed"
    assert data["verify_due"] == "2027-01-26" and data["version"] == 1
    assert firm.name in data["text"] and dept.name in data["text"] and "食品经营许可" in data["text"]
    again = api.post(URL, json=body(dept), headers=subject_headers(db, firm))
    assert again.status_code == 409 and "请勿重复提交" in again.json()["message"]


def test_subject_cannot_sign_for_another(api: TestClient, db: Session, ctx: Context, firm: Subject, dept) -> None:
    other = factories.company(ctx, "广州另一家贸易有限公司", 2)
    response = api.post(URL, json=body(dept, subject_id=other.id), headers=subject_headers(db, firm))
    assert response.status_code == 403
    assert db.scalar(select(Commitment.id)) is None


def test_department_records_by_uscc_for_its_own_department(
    api: TestClient, db: Session, firm: Subject, departments: tuple[Department, Department]
) -> None:
    own, other = departments
    headers = officer_headers(db, own)
    paper = {
        "kind": "voluntary",
        "uscc": firm.uscc,
        "matter": "守法经营",
        "text": "本单位承诺守法经营。",
        "signer_name": "王五",
    }
    response = api.post(URL, json=paper, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["department_id"] == own.id and response.json()["recorded_by"] == "department"
    assert response.json()["text"] == "本单位承诺守法经营。"
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "commitment")).all()
    assert actions == ["commitments.record"]  # one event for the change, no read of the answer
    assert api.post(URL, json=paper | {"department_id": other.id, "matter": "x"}, headers=headers).status_code == 403
    unknown = api.post(URL, json=paper | {"uscc": factories.uscc(555)}, headers=headers)
    assert unknown.status_code == 404 and "未在主体库登记" in unknown.json()["message"]
    office = login_headers(db, add_account(db, "office", "credit_office_staff"))
    missing = api.post(URL, json=paper | {"matter": "y"}, headers=office)
    assert missing.status_code == 422 and "所涉部门" in missing.json()["message"]


def test_bad_body_is_a_422(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    headers = subject_headers(db, firm)
    assert api.post(URL, json=body(dept, kind="promise"), headers=headers).status_code == 422
    blank = api.post(URL, json=body(dept, matter="  "), headers=headers)
    assert blank.status_code == 422 and "承诺事项不能为空" in blank.json()["message"]
    assert api.post(URL, json=body(dept, department_id=999_999), headers=headers).status_code == 404


def test_serious_bad_credit_is_refused_notice_commitments(
    api: TestClient, db: Session, firm: Subject, dept: Department
) -> None:
    record = make_record(
        db, make_batch(db, dept), doc_no="番市监罚〔2026〕9号", decided_on=date(2026, 6, 1), subject=firm
    )
    record.severity = "serious"
    db.flush()
    headers = subject_headers(db, firm)
    refused = api.post(URL, json=body(dept, kind="certification"), headers=headers)
    assert refused.status_code == 409 and "不适用告知承诺制" in refused.json()["message"]
    assert api.post(URL, json=body(dept, kind="voluntary"), headers=headers).status_code == 201


def test_department_token_polls_its_feed(api: TestClient, db: Session, firm: Subject, departments) -> None:
    own, other = departments
    signer = subject_headers(db, firm)
    first = api.post(URL, json=body(own), headers=signer).json()
    api.post(URL, json=body(other), headers=signer)
    token = token_headers(issue_token(db, "department_officer", scopes=["commitments.read"], department_id=own.id))
    feed = api.get(f"{URL}/feed", params={"since": "2026-11-27"}, headers=token).json()
    assert [r["id"] for r in feed["items"]] == [first["id"]] and feed["department_id"] == own.id
    assert feed["items"][0]["verify_due"] == "2027-01-26" and feed["items"][0]["overdue"] is False
    assert api.get(f"{URL}/feed", params={"since": "2026-11-28"}, headers=token).json()["total"] == 0
    assert api.get(f"{URL}/feed", params={"department_id": other.id}, headers=token).status_code == 403
    narrow = token_headers(issue_token(db, "department_officer", scopes=["subjects.read"], department_id=own.id))
    assert api.get(f"{URL}/feed", headers=narrow).status_code == 403
    assert api.get(f"{URL}/feed", params={"status": "lost"}, headers=token).status_code == 422


def test_verify_kept_then_stale_form(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    created = api.post(URL, json=body(dept), headers=subject_headers(db, firm)).json()
    officer = officer_headers(db, dept)
    detail = api.get(f"{URL}/{created['id']}", headers=officer).json()
    verdict = {"outcome": "kept", "reason": "经数据共享核查属实", "version": detail["version"]}
    done = api.post(f"{URL}/{created['id']}/verify", json=verdict, headers=officer)
    assert done.status_code == 200 and done.json()["status"] == "kept" and done.json()["version"] == 2
    assert [s["action"] for s in done.json()["history"]] == ["sign", "verify"]
    regulator = login_headers(db, add_account(db, "inspector", "regulator"))
    late = {"outcome": "breached", "reason": "违约", "version": detail["version"]}
    stale = api.post(f"{URL}/{created['id']}/verify", json=late, headers=regulator)
    assert stale.status_code == 409 and "已被他人处理" in stale.json()["message"]
    assert api.get(f"{URL}/{created['id']}", headers=officer).json()["status"] == "kept"


def test_breach_creates_a_credit_record(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    created = api.post(URL, json=body(dept), headers=subject_headers(db, firm)).json()
    verdict = {"outcome": "breached", "reason": "承诺不实", "false_commitment": True, "version": 1}
    done = api.post(f"{URL}/{created['id']}/verify", json=verdict, headers=officer_headers(db, dept))
    assert done.status_code == 200, done.text
    record = db.get(CreditRecord, done.json()["breach_record_id"])
    assert record is not None and record.item_id == "commitment_breach" and record.subject_id == firm.id
    assert done.json()["false_commitment"] is True


def test_who_reads_a_commitment_and_mine(
    api: TestClient, db: Session, ctx: Context, firm: Subject, departments
) -> None:
    own, other = departments
    created = api.post(URL, json=body(own), headers=subject_headers(db, firm)).json()
    assert api.get(f"{URL}/{created['id']}", headers=officer_headers(db, other, "other")).status_code == 403
    assert api.get(f"{URL}/{created['id']}").status_code == 401
    assert api.get(f"{URL}/999999", headers=officer_headers(db, own)).status_code == 404
    mine = api.get(f"{URL}/mine", headers=subject_headers(db, firm)).json()
    assert [r["id"] for r in mine] == [created["id"]]
    office = login_headers(db, add_account(db, "office", "credit_office_staff"))
    assert [r["id"] for r in api.get(f"{URL}/mine", params={"subject_id": firm.id}, headers=office).json()] == [
        created["id"]
    ]


def test_office_toggles_publication(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    created = api.post(URL, json=body(dept), headers=subject_headers(db, firm)).json()
    office = login_headers(db, add_account(db, "office", "credit_office_staff"))
    hidden = api.post(f"{URL}/{created['id']}/publication", json={"published": False}, headers=office)
    assert hidden.status_code == 200 and hidden.json()["published"] is False
    assert api.get(f"{URL}/public").json()["total"] == 0
    officer = officer_headers(db, dept)
    assert api.post(f"{URL}/{created['id']}/publication", json={"published": True}, headers=officer).status_code == 403


def test_cookie_calls_need_the_csrf_header(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    headers = subject_headers(db, firm)
    response = api.post(URL, json=body(dept), headers={"Cookie": headers["Cookie"]})
    assert response.status_code == 403
    assert db.scalar(select(Commitment.id)) is None
