"""Pages of 一键查询 (issue #7): an officer checks a code and records feedback per measure, uploads a batch file and
sees every position, reads the feedback dashboard; the credit office tracks the ledger (overdue highlighted,
progress form); errors in Chinese; SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company, departments, ric, uscc
from list_factories import department, published_entry
from xinyong.auth.context import Context
from xinyong.lists.checks import codes_from_file
from xinyong.lists.models import CheckFeedback, ListCheck, MeasureProgress
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

LOCATION = re.compile(r"^/checks/(\d+)$")
PERSON_RIC = ric("19880808", "456")


def browser(db: Session, role: str, name: str, department_id: int | None = None) -> dict[str, str]:
    """A logged-in browser: the session cookie only (forms carry their CSRF token)."""
    headers = login_headers(db, add_account(db, name, role, department_id=department_id))
    db.commit()
    return {"Cookie": headers["Cookie"]}


@pytest.fixture
def debtor(db: Session, ctx: Context) -> Subject:
    departments(db)
    firm = company(ctx, "广州页面欠薪有限公司", 41)
    published_entry(db, firm, "wage_arrears", published_on=date(2026, 3, 2))
    db.commit()
    return firm


@pytest.fixture
def officer(db: Session, debtor: Subject) -> dict[str, str]:
    return browser(db, "department_officer", "page_czj", department(db, "czj").id)


def post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, str], **extra: object):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False, **extra
    )


def test_an_officer_checks_and_records_feedback(api: TestClient, db: Session, debtor: Subject, officer: dict) -> None:
    form = api.get("/checks", headers=officer)
    assert form.status_code == 200 and "联合奖惩一键查询" in form.text and "政府采购" in form.text
    assert "还没有查询记录" in form.text
    done = post(api, "/checks", "/checks", officer, {"code": debtor.uscc, "scenario": "procurement", "as_of": ""})
    assert done.status_code == 303, done.text[:500]
    found = LOCATION.match(done.headers["location"])
    assert found
    page = api.get(done.headers["location"], headers=officer)
    text = unescape(page.text)
    assert page.status_code == 200 and "命中名单" in text and "拖欠农民工工资失信联合惩戒对象名单" in text
    assert "限制参与政府采购活动" in text and "国务院令第724号" in text and "广州市番禺区财政局" in text
    assert 'name="measure_id" value="wage_procurement"' in page.text
    url = done.headers["location"]
    missing_reason = post(api, url, f"{url}/feedback", officer, {"measure_id": "wage_procurement", "applied": "0"})
    assert missing_reason.status_code == 422 and "须说明原因" in unescape(missing_reason.text)
    saved = post(
        api,
        url,
        f"{url}/feedback",
        officer,
        {"measure_id": "wage_procurement", "applied": "0", "reason": "合同已于列入前签订"},
    )
    assert saved.status_code == 303
    after = unescape(api.get(url, headers=officer).text)
    assert "已反馈：" in after and "合同已于列入前签订" in after and 'name="measure_id"' not in after
    assert db.scalar(select(func.count()).select_from(CheckFeedback)) == 1
    recent = unescape(api.get("/checks", headers=officer).text)
    assert debtor.uscc in recent and "1 / 1" in recent


def test_bad_checks_show_the_form_again(api: TestClient, db: Session, debtor: Subject, officer: dict) -> None:
    unknown = post(api, "/checks", "/checks", officer, {"code": debtor.uscc, "scenario": "", "as_of": ""})
    assert unknown.status_code == 422 and "可用的场景" in unescape(unknown.text)
    wrong = PERSON_RIC[:-1] + ("0" if PERSON_RIC[-1] != "0" else "1")
    malformed = post(api, "/checks", "/checks", officer, {"code": wrong, "scenario": "procurement", "as_of": ""})
    assert malformed.status_code == 422 and wrong not in malformed.text  # an ID number is never echoed
    empty = post(api, "/checks", "/checks", officer, {"code": " ", "scenario": "procurement", "as_of": ""})
    assert empty.status_code == 422 and "请填写统一社会信用代码或身份证号码" in unescape(empty.text)
    assert db.scalar(select(func.count()).select_from(ListCheck)) == 0
    other = browser(db, "department_officer", "page_zjj", department(db, "zjj").id)
    mine = post(api, "/checks", "/checks", officer, {"code": debtor.uscc, "scenario": "bidding", "as_of": ""})
    assert api.get(mine.headers["location"], headers=other).status_code == 403
    bank = browser(db, "bank", "page_bank")
    assert api.get("/checks", headers=bank).status_code == 403
    assert api.get("/checks", follow_redirects=False).status_code == 303  # to the login form


def test_a_batch_file_is_checked_position_by_position(
    api: TestClient, db: Session, ctx: Context, debtor: Subject, officer: dict
) -> None:
    register_subject(ctx, SubjectIn(kind="natural_person", name="钱某", ric=PERSON_RIC))
    db.commit()
    content = f"统一社会信用代码,名称\n{debtor.uscc},广州页面欠薪有限公司\nnot-a-code,\n\n{uscc(42)}\n{PERSON_RIC}\n"
    shown = api.get("/checks", headers=officer)
    result = api.post(
        "/checks/batch",
        headers=officer,
        data={"csrf_token": form_token(shown.text), "scenario": "procurement"},
        files={"file": ("codes.csv", content.encode("gbk"), "text/csv")},
    )
    assert result.status_code == 200, result.text[:500]
    text = unescape(result.text)
    assert "共 4 个代码：记录查询 3 次" in text and "命中名单 1 个，无效代码 1 个" in text
    assert "限制参与政府采购活动" in text and "平台未登记该代码" in text and PERSON_RIC not in text
    assert db.scalar(select(func.count()).select_from(ListCheck)) == 3
    no_file = api.post(
        "/checks/batch", headers=officer, data={"csrf_token": form_token(shown.text), "scenario": "procurement"}
    )
    assert no_file.status_code == 422 and "请选择要上传的文件" in unescape(no_file.text)


def test_codes_from_file() -> None:
    assert codes_from_file(b"code\nA\n\nB,x\n") == ["A", "B"]
    assert codes_from_file("\ufeff91440113MA0000001X\n".encode()) == ["91440113MA0000001X"]
    with pytest.raises(Exception, match="空的"):
        codes_from_file(b"  \n")


def test_rates_dashboard(api: TestClient, db: Session, debtor: Subject, officer: dict) -> None:
    done = post(api, "/checks", "/checks", officer, {"code": debtor.uscc, "scenario": "procurement", "as_of": ""})
    url = done.headers["location"]
    post(api, url, f"{url}/feedback", officer, {"measure_id": "wage_procurement", "applied": "1"})
    office = browser(db, "credit_office_staff", "page_office")
    page = api.get("/checks/rates", headers=office)
    text = unescape(page.text)
    assert page.status_code == 200 and "广州市番禺区财政局" in text and "100.0%" in text and "合计" in text
    bad = api.get("/checks/rates", headers=office, params={"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert bad.status_code == 422 and "晚于截止日" in unescape(bad.text)
    own = unescape(api.get("/checks/rates", headers=officer).text)
    assert "（本部门）" in own


def test_the_office_tracks_the_ledger(api: TestClient, db: Session, debtor: Subject, officer: dict) -> None:
    office = browser(db, "credit_office_staff", "ledger_office")
    page = api.get("/measures", headers=office)
    text = unescape(page.text)
    assert page.status_code == 200 and "失信约束措施台账" in text and "国办发〔2020〕49号" in text
    assert "measure-overdue" not in page.text and 'action="/measures/serious_financing/progress"' in page.text
    late = api.get("/measures", headers=office, params={"as_of": "2027-01-04"})
    assert 'id="measure-serious_financing" class="notice-warn measure-overdue"' in late.text
    assert "逾期未完成修订、废止的措施：serious_financing" in unescape(late.text)
    saved = post(
        api,
        "/measures",
        "/measures/serious_financing/progress",
        office,
        {"note": "修订稿已印发", "done": "1", "reported_on": "2026-11-27"},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/measures#measure-serious_financing"
    assert db.scalar(select(func.count()).select_from(MeasureProgress)) == 1
    after = api.get("/measures", headers=office, params={"as_of": "2027-01-04"})
    assert "measure-overdue" not in after.text and "修订稿已印发" in after.text
    refused = post(api, "/measures", "/measures/wage_bidding/progress", office, {"note": "x", "done": "1"})
    assert refused.status_code == 422 and "保留" in unescape(refused.text)
    # an officer reads the ledger without the progress forms, and may not post one
    shown = api.get("/measures", headers=officer)
    assert shown.status_code == 200 and "登记进展" not in shown.text
    denied = post(api, "/measures", "/measures/serious_financing/progress", officer, {"note": "x"})
    assert denied.status_code == 403
