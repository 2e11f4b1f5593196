"""``/api/v1/enforcement`` (issue #11 item 4): a notice imported over multipart (201), a refused file answered 422
with every ``{row, field, reason}`` and nothing stored, the rejected rows as .xlsx, the same file twice 409, then
rectify / close / reopen, the filters and the monthly summary with its exports. SQLite and PostgreSQL."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from principals import add_account, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from government import gov_factories as g
from government.enforcement_data import COURT, PERIOD, csv_bytes, row, towns
from xinyong.auth.context import Context
from xinyong.government.models import EnforcementCase
from xinyong.subjects.models import Department

BASE = "/api/v1/enforcement"


def _upload(api: TestClient, headers: dict[str, str], content: bytes, period: str = PERIOD, path: str = "/notices"):
    files = {"file": ("10月通报.csv", content, "text/csv")}
    data = {"period": period, "court": COURT}
    return api.post(f"{BASE}{path}", headers=headers, data=data, files=files)


def test_import_then_rectify_close_and_summary(api: TestClient, db: Session, ctx: Context) -> None:
    offices = towns(ctx)
    soe = g.soe(ctx)
    db.commit()
    office = login_headers(db, add_account(db, "enf_office", "credit_office_staff"))
    content = csv_bytes([*(row(b, i) for i, b in enumerate(offices, start=1)), row(soe, 4)])
    made = _upload(api, office, content)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["notice"]["cases"] == 4 and body["by_unit"] == {g.SHIQIAO: 2, g.DALONG: 1, "czj": 1}
    again = _upload(api, office, content)
    assert again.status_code == 409 and "不能重复导入" in again.json()["message"]
    ids = body["case_ids"]
    finance = db.scalar(select(Department).where(Department.code == "czj"))
    if finance is None:
        finance = Department(code="czj", name="广州市番禺区财政局", uscc=g.body_uscc(720))
        db.add(finance)
        db.flush()
    officer = login_headers(db, add_account(db, "enf_czj", "department_officer", department_id=finance.id))
    refused = api.post(f"{BASE}/cases/{ids[0]}/rectify", headers=officer, json={"note": "不是本单位的案件"})
    assert refused.status_code == 403 and "市桥街道" in refused.json()["message"]
    own = api.post(f"{BASE}/cases/{ids[3]}/rectify", headers=officer, json={"note": "已拨付", "evidence": "番财1号"})
    assert own.status_code == 200 and own.json()["status"] == "rectifying"
    behalf = api.post(f"{BASE}/cases/{ids[0]}/rectify", headers=office, json={"note": "已支付执行款"})
    assert behalf.status_code == 200 and "代市桥街道登记" in behalf.json()["steps"][-1]["note"]
    closed = api.post(f"{BASE}/cases/{ids[0]}/close", headers=office, json={"outcome": "performed"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "执行完毕"
    bad_outcome = api.post(f"{BASE}/cases/{ids[1]}/close", headers=office, json={"outcome": "随便"})
    assert bad_outcome.status_code == 422 and bad_outcome.json()["field"] == "outcome"
    reopened = api.post(f"{BASE}/cases/{ids[0]}/reopen", headers=office, json={"reason": "法院恢复执行"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "assigned"
    moved = api.post(f"{BASE}/cases/{ids[1]}/reassign", headers=office, json={"unit_code": g.DALONG, "reason": "划转"})
    assert moved.status_code == 200 and moved.json()["unit_label"] == "大龙街道"
    dalong = api.get(f"{BASE}/cases", headers=office, params={"unit_code": g.DALONG}).json()
    assert sorted(c["id"] for c in dalong) == sorted([ids[1], ids[2]])
    late = api.get(f"{BASE}/cases", headers=office, params={"overdue": "true", "as_of": "2027-06-01"}).json()
    assert len(late) == 4 and all(c["overdue"] for c in late)
    summary = api.get(f"{BASE}/summary", headers=office, params={"period": PERIOD}).json()
    assert summary["total"]["new_cases"] == 4 and [r["unit_kind"] for r in summary["rows"]][-1] == "department"
    xlsx = api.get(f"{BASE}/summary/export", headers=office, params={"period": PERIOD, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][0] == "责任单位" and table[-1][0] == "合计" and table[-1][2] == 4
    csv = api.get(f"{BASE}/summary/export", headers=office, params={"period": PERIOD, "format": "csv"})
    assert "大龙街道" in csv.content.decode("utf-8-sig")


def test_refused_file_lists_every_row_and_stores_nothing(api: TestClient, db: Session, ctx: Context) -> None:
    a, _, _ = towns(ctx)
    db.commit()
    office = login_headers(db, add_account(db, "enf_office2", "credit_office_staff"))
    stranger = [*row(a, 2)]
    stranger[2], stranger[3] = "番禺区某不存在的办事处", ""
    content = csv_bytes([row(a, 1), row(a, 1), stranger], "gbk")
    refused = _upload(api, office, content)
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(1, "案号"), (2, "案号"), (3, "被执行人名称")]
    assert "番禺区某不存在的办事处" in errors[2]["reason"]
    assert db.scalar(select(func.count()).select_from(EnforcementCase)) == 0
    sheet = _upload(api, office, content, path="/notices/rejected")
    assert sheet.status_code == 200 and sheet.headers["x-rejected-rows"] == "3"
    rows = list(load_workbook(io.BytesIO(sheet.content))["数据"].iter_rows(values_only=True))
    assert len(rows) == 4 and "不在公共机构名录" in str(rows[3][-1])
    regulator = login_headers(db, add_account(db, "enf_reg", "regulator"))
    assert _upload(api, regulator, content).status_code == 403
    assert api.get(f"{BASE}/cases", headers=regulator).status_code == 200
