"""公务员诚信档案 pages: the office finds and opens a file (refused input shown again, the ID number never echoed),
adds a record and a training, withdraws the record, runs a check from the form (a short reason refused with its
reason) and gets the printable sheet and its .xlsx; an officer of a department that keeps no files is refused; the
forms carry the CSRF token. SQLite and PostgreSQL."""

from __future__ import annotations

import io
from html import unescape

from fastapi.testclient import TestClient
from httpx import Response
from matrix_integrity import CIVIL_SERVANT, CIVIL_SERVANT_RIC, integrity_department
from openpyxl import load_workbook
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

import factories
from xinyong.government.models import IntegrityCheck, IntegrityEntry, IntegrityFile


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object]) -> Response:
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def test_office_pages_from_file_to_printed_sheet(api: TestClient, db: Session) -> None:
    me = _browser(db, "office_pages", "credit_office_staff")
    index = api.get("/integrity", headers=me)
    assert index.status_code == 200 and "建立诚信档案" in index.text and "区委组织部" in unescape(index.text)
    no_token = api.post("/integrity/files", headers=me, data={"name": CIVIL_SERVANT}, follow_redirects=False)
    assert no_token.status_code == 403
    bad = _post(api, "/integrity", "/integrity/files", me, {"name": CIVIL_SERVANT, "ric": "440113198802140000"})
    assert bad.status_code == 422 and "公民身份号码无效" in unescape(bad.text) and "440113198802140000" not in bad.text
    opened = _post(
        api, "/integrity", "/integrity/files", me, {"name": CIVIL_SERVANT, "ric": CIVIL_SERVANT_RIC, "position": "科员"}
    )
    assert opened.status_code == 303, opened.text[:300]
    page_url = opened.headers["location"].split("?")[0]
    file_id = int(page_url.rsplit("/", 1)[1])
    page = api.get(opened.headers["location"], headers=me)
    assert "已建立诚信档案" in page.text and CIVIL_SERVANT_RIC not in page.text and CIVIL_SERVANT_RIC[-4:] in page.text
    record = {"kind": "record", "category": "admonishment", "title": "诫勉谈话", "occurred_on": "2026-04-02"}
    assert _post(api, page_url, f"{page_url}/entries", me, record).status_code == 303
    refused = _post(api, page_url, f"{page_url}/entries", me, {**record, "occurred_on": "2026-13-01"})
    assert refused.status_code == 422 and "发生日期格式应为" in unescape(refused.text)
    training = {"kind": "training", "category": "online_course", "title": "诚信专题", "occurred_on": "2026-08-01"}
    assert _post(api, page_url, f"{page_url}/entries", me, {**training, "hours": "abc"}).status_code == 422
    assert _post(api, page_url, f"{page_url}/entries", me, {**training, "hours": "4"}).status_code == 303
    entry = db.scalar(select(IntegrityEntry).where(IntegrityEntry.category == "admonishment"))
    assert entry is not None
    page = unescape(api.get(page_url, headers=me).text)
    assert "诫勉谈话" in page and "不良" in page and "4.0 学时" in page
    # a check while the admonishment is in force
    check = {"name": CIVIL_SERVANT, "ric": CIVIL_SERVANT_RIC, "purpose": "recruitment", "reason": "录用"}
    short = _post(api, "/integrity/checks/new", "/integrity/checks", me, check)
    assert short.status_code == 422 and "核查事由过短" in unescape(short.text)
    done = _post(api, "/integrity/checks/new", "/integrity/checks", me, {**check, "reason": "2026年度公务员录用考察"})
    assert done.status_code == 303
    sheet = unescape(api.get(done.headers["location"], headers=me).text)
    assert (
        "ZWCX-2026-000001" in sheet and "有不良记录" in sheet and "诫勉谈话" in sheet and CIVIL_SERVANT_RIC not in sheet
    )
    assert "print-only" in sheet and "sheet.xlsx" in sheet
    xlsx = api.get(done.headers["location"] + "/sheet.xlsx", headers=me)
    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row if c]
    assert "ZWCX-2026-000001" in cells and "诫勉谈话" in cells
    # withdraw the admonishment: the next check is clear
    withdrawn = _post(
        api, page_url, f"/integrity/entries/{entry.id}/withdraw", me, {"file_id": file_id, "reason": "录入错误"}
    )
    assert withdrawn.status_code == 303 and withdrawn.headers["location"].endswith("done=withdrawn")
    again = _post(api, "/integrity/checks/new", "/integrity/checks", me, {**check, "reason": "2026年度公务员录用考察"})
    assert "未发现不良记录" in unescape(api.get(again.headers["location"], headers=me).text)
    assert len(list(db.scalars(select(IntegrityCheck)))) == 2
    listed = unescape(api.get("/integrity", params={"q": "李"}, headers=me).text)
    assert CIVIL_SERVANT in listed and "ZWCX-2026-000002" in listed


def test_pages_refuse_departments_without_files(api: TestClient, db: Session) -> None:
    market, _ = factories.departments(db)
    outsider = _browser(db, "scjgj_pages", "department_officer", department_id=market.id)
    assert api.get("/integrity", headers=outsider).status_code == 403
    assert api.get("/integrity/checks/new", headers=outsider).status_code == 403
    anonymous = api.get("/integrity", follow_redirects=False)  # not logged in: to the login page
    assert anonymous.status_code in (303, 401) and "建立诚信档案" not in anonymous.text
    assert db.scalar(select(IntegrityFile)) is None


def test_organisation_department_checks_a_candidate_without_a_file(api: TestClient, db: Session) -> None:
    zzb = integrity_department(db, "zzb")
    me = _browser(db, "zzb_pages", "department_officer", department_id=zzb.id)
    number = factories.ric("19990909", "099")
    form = {
        "name": "蒋考生",
        "ric": number,
        "purpose": "recruitment",
        "reason": "2026年度考试录用公务员考察",
        "as_of": "",
    }
    done = _post(api, "/integrity/checks/new", "/integrity/checks", me, form)
    assert done.status_code == 303, done.text[:300]
    sheet = unescape(api.get(done.headers["location"], headers=me).text)
    assert "此人未建立公务员诚信档案" in sheet and "未建立诚信档案" in sheet and number not in sheet
    assert "二、诚信教育培训" not in sheet
    check = db.scalar(select(IntegrityCheck))
    assert check is not None and check.department_id == zzb.id
    index = unescape(api.get("/integrity", headers=me).text)
    assert check.sheet_no in index
