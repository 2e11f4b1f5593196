"""信用承诺 pages: the public list, the two-step signing form (CSRF token from the page), recording by a
department by USCC, the subject's and the department's lists with due dates and overdue marks, the detail with
its history and the verification form carrying the version (a stale form shows a 409 page)."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

import factories
from xinyong.auth.context import Context
from xinyong.records import commitments as cm
from xinyong.records.models import Commitment
from xinyong.subjects.models import Department, Subject

_SERIAL = itertools.count(1)
VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def firm(ctx: Context) -> Subject:
    return factories.company(ctx, "广州禾丰贸易有限公司", 1)


@pytest.fixture
def dept(departments: tuple[Department, Department]) -> Department:
    return departments[0]


def browser(db: Session, role: str, **scope: object) -> dict[str, str]:
    """A logged-in browser: the session cookie only (forms carry the CSRF token)."""
    headers = login_headers(db, add_account(db, f"p_{role}_{next(_SERIAL)}", role, **scope))
    return {"Cookie": headers["Cookie"]}


def signed(db: Session, firm: Subject, dept: Department, **changes: str) -> Commitment:
    values = {"kind": "approval_substitute", "matter": "食品经营许可", "text": "承诺属实。", "signer_name": "李四"}
    values |= changes
    return cm.sign_commitment(
        Context(session=db, actor="hefeng", role="subject", subject_id=firm.id),
        subject_id=firm.id,
        department_id=dept.id,
        **values,  # type: ignore[arg-type]
    )


def test_public_page_lists_published_commitments(api: TestClient, db: Session, firm: Subject, dept) -> None:
    signed(db, firm, dept)
    signed(db, firm, dept, kind="repair", matter="修复事项")  # not published
    page = api.get("/commitments/public")
    assert page.status_code == 200
    assert "信用承诺公示" in page.text and firm.name in page.text and "审批替代型" in page.text
    assert "修复事项" not in page.text and "共 1 条" in page.text
    assert "未找到匹配的信用承诺" in api.get("/commitments/public", params={"q": "没有这家"}).text
    assert "<script>" not in page.text.split("</head>")[1]


def test_subject_signs_online_in_two_steps(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    me = browser(db, "subject", subject_id=firm.id)
    step1 = api.get("/commitments/new", headers=me)
    assert step1.status_code == 200 and "第一步" in step1.text and "第二步" not in step1.text
    params = {"kind": "certification", "department_id": str(dept.id), "matter": "食品经营许可"}
    step2 = api.get("/commitments/new", params=params, headers=me)
    assert step2.status_code == 200 and "第二步" in step2.text
    assert firm.name in step2.text and dept.name in step2.text  # the template, filled in
    token = form_token(step2.text)
    text = cm.default_text(
        Context(session=db, actor="t", role="system"), "certification", firm.id, dept.id, "食品经营许可"
    )
    form = params | {"text": text, "signer_name": "李四", "csrf_token": token}
    done = api.post("/commitments/new", data=form, headers=me, follow_redirects=False)
    assert done.status_code == 303, done.text[:300]
    row = db.scalar(select(Commitment))
    assert row is not None and done.headers["location"] == f"/commitments/{row.id}"
    assert (row.kind, row.subject_id, row.department_id, row.text) == ("certification", firm.id, dept.id, text)
    detail = api.get(done.headers["location"], headers=me)
    assert "证明事项告知承诺" in detail.text and "2027年1月26日" in detail.text and "在线签署" in detail.text
    assert "提交核查结果" not in detail.text  # the subject does not verify
    mine = api.get("/commitments", headers=me)
    assert "我的信用承诺" in mine.text and f'href="/commitments/{row.id}"' in mine.text
    again = api.post("/commitments/new", data=form, headers=me)
    assert again.status_code == 409 and "请勿重复提交" in again.text


def test_signing_errors_are_shown_in_chinese(api: TestClient, db: Session, firm: Subject, dept: Department) -> None:
    me = browser(db, "subject", subject_id=firm.id)
    token = form_token(api.get("/commitments/new", headers=me).text)
    form = {"kind": "voluntary", "department_id": str(dept.id), "matter": "守法经营", "text": "", "signer_name": "李四"}
    blank = api.post("/commitments/new", data=form | {"csrf_token": token}, headers=me)
    assert blank.status_code == 422 and "承诺内容不能为空" in blank.text
    no_token = api.post("/commitments/new", data=form | {"text": "承诺。"}, headers=me)
    assert no_token.status_code == 403
    assert db.scalar(select(Commitment.id)) is None


def test_department_records_a_paper_commitment_by_uscc(
    api: TestClient, db: Session, firm: Subject, dept: Department
) -> None:
    officer = browser(db, "department_officer", department_id=dept.id)
    params = {"kind": "voluntary", "matter": "守法经营", "uscc": firm.uscc}
    step2 = api.get("/commitments/new", params=params, headers=officer)
    assert step2.status_code == 200 and "录入纸质信用承诺" in step2.text and firm.name in step2.text
    unknown = api.get("/commitments/new", params=params | {"uscc": factories.uscc(999)}, headers=officer)
    assert unknown.status_code == 404 and "未在主体库登记" in unknown.text and "第二步" not in unknown.text
    form = params | {"text": "本单位承诺守法经营。", "signer_name": "王五", "csrf_token": form_token(step2.text)}
    done = api.post("/commitments/new", data=form, headers=officer, follow_redirects=False)
    assert done.status_code == 303
    row = db.scalar(select(Commitment))
    assert row is not None and row.recorded_by == "department" and row.department_id == dept.id


def test_department_list_shows_due_dates_and_overdue_marks(
    api: TestClient, db: Session, ctx: Context, firm: Subject, departments
) -> None:
    own, other = departments
    row = signed(db, firm, own)
    signed(db, firm, other, matter="别的部门的事项")
    cm.flag_overdue(ctx, date(2027, 2, 1))
    officer = browser(db, "department_officer", department_id=own.id)
    page = api.get("/commitments", headers=officer)
    assert page.status_code == 200 and "信用承诺清单" in page.text
    assert f'href="/commitments/{row.id}"' in page.text and "别的部门的事项" not in page.text
    assert "2027年1月26日" in page.text and "已逾期" in page.text
    assert "共 1 条" in api.get("/commitments", params={"overdue": "1"}, headers=officer).text
    assert "共 0 条" in api.get("/commitments", params={"status": "kept"}, headers=officer).text
    office = browser(db, "credit_office_staff")
    assert "别的部门的事项" in api.get("/commitments", headers=office).text
    filtered = api.get("/commitments", params={"department_id": str(other.id)}, headers=office)
    assert "别的部门的事项" in filtered.text and "食品经营许可" not in filtered.text
    assert api.get("/commitments", params={"department_id": "abc"}, headers=office).status_code == 422
    assert api.get("/commitments", headers=browser(db, "bank", institution="某银行")).status_code == 403


def test_verify_form_with_version_and_stale_form(api: TestClient, db: Session, firm: Subject, dept) -> None:
    row = signed(db, firm, dept)
    officer = browser(db, "department_officer", department_id=dept.id)
    page = api.get(f"/commitments/{row.id}", headers=officer)
    assert page.status_code == 200 and "提交核查结果" in page.text
    found = VERSION_FIELD.search(page.text)
    assert found is not None
    version = found.group(1)
    form = {"outcome": "kept", "reason": "经核查属实", "version": version, "csrf_token": form_token(page.text)}
    done = api.post(f"/commitments/{row.id}/verify", data=form, headers=officer, follow_redirects=False)
    assert done.status_code == 303
    after = api.get(f"/commitments/{row.id}", headers=officer)
    assert "已履约" in after.text and "经核查属实" in after.text and "提交核查结果" not in after.text
    regulator = browser(db, "regulator")
    late = {"outcome": "breached", "reason": "违约", "version": version}
    token = form_token(api.get(f"/commitments/{row.id}", headers=regulator).text)
    stale = api.post(f"/commitments/{row.id}/verify", data=late | {"csrf_token": token}, headers=regulator)
    assert stale.status_code == 409 and "已被他人处理" in stale.text
    db.refresh(row)
    assert row.status == "kept" and row.breach_record_id is None


def test_invalid_verification_is_shown_and_nothing_changes(
    api: TestClient, db: Session, firm: Subject, dept: Department
) -> None:
    row = signed(db, firm, dept)
    officer = browser(db, "department_officer", department_id=dept.id)
    page = api.get(f"/commitments/{row.id}", headers=officer)
    form = {"outcome": "breached", "reason": " ", "version": str(row.lock_version), "csrf_token": form_token(page.text)}
    answer = api.post(f"/commitments/{row.id}/verify", data=form, headers=officer)
    assert answer.status_code == 422 and "违约事实不能为空" in answer.text
    no_version = api.post(f"/commitments/{row.id}/verify", data=form | {"version": ""}, headers=officer)
    assert no_version.status_code == 422 and "版本号" in no_version.text
    db.refresh(row)
    assert row.status == "signed"


def test_detail_is_refused_to_others_and_anonymous_goes_to_login(
    api: TestClient, db: Session, ctx: Context, firm: Subject, departments
) -> None:
    own, other = departments
    row = signed(db, firm, own)
    assert (
        api.get(f"/commitments/{row.id}", headers=browser(db, "department_officer", department_id=other.id)).status_code
        == 403
    )
    stranger = factories.company(ctx, "广州另一家贸易有限公司", 2)
    assert api.get(f"/commitments/{row.id}", headers=browser(db, "subject", subject_id=stranger.id)).status_code == 403
    anonymous = api.get(f"/commitments/{row.id}", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/login")
    assert api.get("/commitments/new", headers=browser(db, "regulator")).status_code == 403


def test_office_hides_a_commitment_from_the_public_page(api: TestClient, db: Session, firm: Subject, dept) -> None:
    row = signed(db, firm, dept)
    office = browser(db, "credit_office_staff")
    page = api.get(f"/commitments/{row.id}", headers=office)
    assert "撤下公示" in page.text
    form = {"published": "0", "csrf_token": form_token(page.text)}
    assert (
        api.post(f"/commitments/{row.id}/publication", data=form, headers=office, follow_redirects=False).status_code
        == 303
    )
    assert "食品经营许可" not in api.get("/commitments/public").text
