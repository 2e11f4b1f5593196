"""``/workplan`` pages (issue #12 item 2): the office loads the plan through the form (a garbled text comes back
line by line, the text kept), the list shows 18 items with units and badges, the market bureau's officer reports
on item 十一 through the item page, an off-item officer sees no form, the notice downloads; SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from workplan.plans import PLAN_2021, garbled
from xinyong.subjects.models import Department

ITEM_LINK = re.compile(r'href="/workplan/items/(\d+)">([^<]+)</a>')


def _browser(db: Session, name: str, role: str, department: Department | None = None) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, department_id=department.id if department else None))
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, str]):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def test_load_list_report_and_notice(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    office = _browser(db, "wpp_office", "credit_office_staff")
    officer = _browser(db, "wpp_market", "department_officer", market)

    bad = _post(api, "/workplan", "/workplan/load", office, {"year": "2021", "text": garbled()})
    assert bad.status_code == 422
    page = unescape(bad.text)
    assert "第 8 行" in page and "第 27 行" in page and "随便写的一行说明" in page  # the text is kept

    ok = _post(api, "/workplan", "/workplan/load", office, {"year": "2021", "text": PLAN_2021})
    assert ok.status_code == 303 and ok.headers["location"] == "/workplan?year=2021&done=loaded"
    listing = unescape(api.get("/workplan?year=2021&as_of=2021-06-30", headers=officer).text)
    items = ITEM_LINK.findall(listing)
    assert len(items) == 18
    assert "载入工作要点" not in listing  # officers do not load plans
    eleven = next(i for i, title in items if title == "加强和规范信用信息归集共享")
    four = next(i for i, title in items if title == "着力强化司法公信建设")

    item_page = unescape(api.get(f"/workplan/items/{eleven}", headers=officer).text)
    assert "区市场监管局" in item_page and "重错码率 <= 0.005%" in item_page
    assert '<option value="scjgj"' in item_page
    done = _post(
        api,
        f"/workplan/items/{eleven}",
        f"/workplan/items/{eleven}/progress",
        officer,
        {
            "unit_code": "scjgj",
            "status": "in_progress",
            "percent": "60",
            "note": "已完成存量重错码纠错",
            "evidence": "",
        },
    )
    assert done.status_code == 303
    assert "已完成存量重错码纠错" in api.get(f"/workplan/items/{eleven}", headers=office).text
    bad_percent = _post(
        api,
        f"/workplan/items/{eleven}",
        f"/workplan/items/{eleven}/progress",
        officer,
        {"unit_code": "scjgj", "percent": "ninety", "note": "进度写错"},
    )
    assert bad_percent.status_code == 422 and "完成进度应为整数" in unescape(bad_percent.text)

    assert "报送进展" not in api.get(f"/workplan/items/{four}", headers=officer).text  # not on item 四

    sheet = api.get("/workplan/notice?year=2021&period=2021-06", headers=officer)
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")


def test_pages_need_staff(api: TestClient, db: Session) -> None:
    assert api.get("/workplan", follow_redirects=False).status_code == 303  # to the login
    subject = _browser(db, "wpp_subject", "subject")
    assert api.get("/workplan", headers=subject).status_code == 403
