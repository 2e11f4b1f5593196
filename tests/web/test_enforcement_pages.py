"""Enforcement-case pages (issue #11 item 4): the office imports a notice through the form (a refused file shows
every row error and the rejected rows to download, nothing stored), the list shows overdue badges, the case page
records rectification on a town's behalf and closes, the summary page and its export link. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import io
import re
from html import unescape

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import departments
from government.enforcement_data import COURT, PERIOD, csv_bytes, row, towns
from xinyong.auth.context import Context
from xinyong.government.enforcement_import import import_notice
from xinyong.government.models import EnforcementCase


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object], **kw: object):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    token = form_token(shown.text)
    return api.post(action, headers=headers, data={"csrf_token": token, **data}, follow_redirects=False, **kw)


def test_import_form_reports_rows_then_imports(api: TestClient, db: Session, ctx: Context) -> None:
    a, b, c = towns(ctx)
    db.commit()
    office = _browser(db, "enf_page_office", "credit_office_staff")
    bad = _post(
        api,
        "/enforcement/import",
        "/enforcement/import",
        office,
        {"period": PERIOD, "court": COURT},
        files={"file": ("bad.csv", csv_bytes([row(a, 1), row(b, 1)]), "text/csv")},
    )
    page = unescape(bad.text)
    assert bad.status_code == 422 and "错误行（2 处" in page and "在文件中重复" in page
    assert db.scalar(select(EnforcementCase)) is None
    link = re.search(r'href="data:[^;]+;base64,([^"]+)"', bad.text)
    assert link is not None
    sheet = load_workbook(io.BytesIO(base64.b64decode(link[1])))["数据"]
    assert [r[-2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["1", "2"]
    ok = _post(
        api,
        "/enforcement/import",
        "/enforcement/import",
        office,
        {"period": PERIOD, "court": COURT},
        files={"file": ("ok.csv", csv_bytes([row(x, i) for i, x in enumerate((a, b, c), start=1)]), "text/csv")},
    )
    shown = unescape(ok.text)
    assert ok.status_code == 200 and "案件 3 件" in shown and "市桥街道 2 件" in shown
    listing = unescape(api.get(f"/enforcement?period={PERIOD}", headers=office).text)
    assert listing.count("（2026）粤0113执") == 3 and "逾期</span>" not in listing


def test_case_page_rectify_on_behalf_close_and_summary(api: TestClient, db: Session, ctx: Context) -> None:
    a, _, _ = towns(ctx)
    db.commit()
    office = _browser(db, "enf_page_office2", "credit_office_staff")
    imported = _post(
        api,
        "/enforcement/import",
        "/enforcement/import",
        office,
        {"period": PERIOD, "court": COURT},
        files={"file": ("one.csv", csv_bytes([row(a, 7)]), "text/csv")},
    )
    assert imported.status_code == 200
    case = db.scalars(select(EnforcementCase)).one()
    page = f"/enforcement/cases/{case.id}"
    empty = _post(api, page, f"{page}/rectify", office, {"note": " "})
    assert empty.status_code == 422 and "请填写整改情况" in unescape(empty.text)
    done = _post(api, page, f"{page}/rectify", office, {"note": "已支付执行款", "evidence": "凭证1号"})
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=rectify"
    closed = _post(api, page, f"{page}/close", office, {"outcome": "performed", "closed_on": "2026-11-26"})
    assert closed.status_code == 303
    detail = unescape(api.get(page, headers=office).text)
    assert "区信用办代市桥街道登记" in detail and "执行完毕（2026-11-26）" in detail and "重新打开</button>" in detail
    summary = unescape(api.get("/enforcement/summary?period=2026-11", headers=office).text)
    assert "市桥街道" in summary and "/api/v1/enforcement/summary/export?period=2026-11&format=xlsx" in summary
    overdue = unescape(api.get("/enforcement?overdue=1", headers=office).text)
    assert "没有符合条件的执行案件" in overdue
    bad_period = api.get("/enforcement/summary?period=2026-13", headers=office)
    assert bad_period.status_code == 422


def test_department_officer_sees_no_forms_for_another_units_case(api: TestClient, db: Session, ctx: Context) -> None:
    a, _, _ = towns(ctx)
    case_id = import_notice(ctx, PERIOD, COURT, "x.csv", csv_bytes([row(a, 9)])).case_ids[0]
    dept, _ = departments(db)
    officer = _browser(db, "enf_page_officer", "department_officer", department_id=dept.id)
    shown = unescape(api.get(f"/enforcement/cases/{case_id}", headers=officer).text)
    assert "（2026）粤0113执9号" in shown and "登记整改情况" not in shown and "结案</button>" not in shown
    assert api.get("/enforcement/import", headers=officer).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(api: TestClient) -> None:
    for page in ("/enforcement", "/enforcement/summary", "/enforcement/import"):
        shown = api.get(page, follow_redirects=False)
        assert shown.status_code in (303, 401) and "执行标的" not in shown.text
