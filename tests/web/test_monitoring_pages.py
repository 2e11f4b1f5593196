"""``/monitoring`` page (issue #12 item 1): the office runs a month through the form, sees the district and
township scores, the indicator table with warnings and the trend data; enters a manual value (a refused value
comes back with the reason and the form kept); a planted record fails the negative check in red; an officer sees
only its department's manual indicators. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from monitoring import monitoring_data as md
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.subjects.models import Department


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


def test_run_read_enter_and_negative_check(api: TestClient, db: Session, ctx: Context) -> None:
    data = md.everything(ctx)
    office = _browser(db, "monp_office", "credit_office_staff")
    officer = _browser(db, "monp_justice", "department_officer", data.justice)

    empty = unescape(api.get(f"/monitoring?month={md.MONTH}", headers=office).text)
    assert "尚未计算" in empty and "计算监测指标" in empty
    done = _post(api, "/monitoring", "/monitoring/run", office, {"month": md.MONTH})
    assert done.status_code == 303 and done.headers["location"] == f"/monitoring?month={md.MONTH}&done=run"
    page = unescape(api.get(done.headers["location"], headers=office).text)
    assert "负面清单检查通过" in page and "沙头街道" in page and "双公示及时率" in page
    assert "低于预警值" in page and "未填报" in page
    assert f'"months": ["{md.MONTH}"]' in page  # the trend chart's data

    refused = _post(
        api,
        "/monitoring",
        "/monitoring/entries",
        office,
        {"month": md.MONTH, "indicator": "xinyidai", "unit": "440113", "value": "很多", "evidence": "信易贷月报"},
    )
    assert (
        refused.status_code == 422 and "应为数字" in unescape(refused.text) and "信易贷月报" in unescape(refused.text)
    )
    entered = _post(
        api,
        "/monitoring",
        "/monitoring/entries",
        office,
        {"month": md.MONTH, "indicator": "xinyidai", "unit": "440113", "value": "85", "evidence": "信易贷平台11月报"},
    )
    assert entered.status_code == 303
    assert "信易贷平台11月报" in unescape(api.get(entered.headers["location"], headers=office).text)

    officer_page = unescape(api.get(f"/monitoring?month={md.MONTH}", headers=officer).text)
    assert '<option value="compliance_done"' in officer_page and '<option value="xinyidai"' not in officer_page
    assert "计算监测指标" not in officer_page

    batch = make_batch(db, data.market, submitted_on=date(2026, 11, 21))
    make_record(db, batch, doc_no="番罚〔2026〕99号", decided_on=date(2026, 11, 20), category="拖欠物业费")
    db.commit()
    live = unescape(api.get(f"/monitoring?month={md.MONTH}&check=1", headers=office).text)
    assert "检查未通过" in live and "番罚〔2026〕99号" in live
    _post(api, "/monitoring", "/monitoring/run", office, {"month": md.MONTH})
    stored = unescape(api.get(f"/monitoring?month={md.MONTH}", headers=office).text)
    assert "负面清单检查未通过" in stored and "monitoring-negative-failed" in stored


def test_readers_only(api: TestClient, db: Session) -> None:
    bank = _browser(db, "monp_bank", "bank")
    assert api.get("/monitoring", headers=bank, follow_redirects=False).status_code == 403
    auditor = _browser(db, "monp_regulator", "regulator")
    shown = api.get("/monitoring?month=2026-13", headers=auditor)
    assert shown.status_code == 422 and "YYYY-MM" in unescape(shown.text)
