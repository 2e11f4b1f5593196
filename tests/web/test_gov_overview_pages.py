"""``/government/overview`` and ``/api/v1/government-overview`` (issue #11 item 7): the page renders its tables
(readable without scripts) and chart data, the new-arrears figure follows the date, the Excel export has one sheet
per section and the CSV export one section; a bank is refused. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal
from html import unescape

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from principals import add_account, login_headers
from sqlalchemy.orm import Session

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.government import arrears
from xinyong.government.arrears_schemas import EntryIn, PaymentIn
from xinyong.government.models import GovIntegrityRecord


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return headers


def _seed(db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    e = arrears.record_entry(
        ctx, EntryIn(debtor_id=soe.id, creditor_name="番禺某建材公司", amount=Decimal(900), arose_on=date(2026, 2, 1))
    )
    arrears.record_payment(ctx, e.id, PaymentIn(amount=Decimal(900), paid_on=date(2026, 11, 10)))
    db.add(
        GovIntegrityRecord(
            body_id=soe.id,
            source_kind="enforcement_case",
            source_id=1,
            summary="执行案件",
            occurred_on=date(2026, 10, 3),
            recorded_by="setup",
            recorded_at=datetime(2026, 10, 3, 8, 0),
        )
    )
    db.commit()


def test_page_tables_chart_and_date(api: TestClient, db: Session, ctx: Context) -> None:
    _seed(db, ctx)
    staff = _browser(db, "overview_staff", "credit_office_staff")
    page = api.get("/government/overview", headers=staff)
    assert page.status_code == 200
    text = unescape(page.text)
    assert 'data-new-arrears="0"' in text and "gov_overview.js" in text
    for title in (
        "政府合同（按状态）",
        "清理拖欠账款",
        "执行案件（按责任单位）",
        "政务失信记录（按月、来源）",
        "专项治理",
    ):
        assert title in text
    chart = json.loads(unescape(page.text.split('data-chart="', 1)[1].split('"', 1)[0]))
    assert chart["records"]["series"][2]["data"][-2] == 1  # October 2026, enforcement cases
    before = unescape(api.get("/government/overview?as_of=2026-11-09", headers=staff).text)
    assert 'data-new-arrears="1"' in before
    assert api.get("/government/overview?as_of=2026-13-01", headers=staff).status_code == 422


def test_exports_and_api(api: TestClient, db: Session, ctx: Context) -> None:
    _seed(db, ctx)
    officer = _browser(db, "overview_officer", "regulator")
    data = api.get("/api/v1/government-overview?as_of=2026-11-09", headers=officer).json()
    assert data["arrears"]["new_arrears"]["count"] == 1 and data["arrears"]["outstanding"] == "900.00"
    xlsx = api.get("/api/v1/government-overview/export?format=xlsx", headers=officer)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:2] == ["政府合同（按状态）", "清理拖欠账款"] and len(book.sheetnames) == 7
    assert book["清理拖欠账款"]["B4"].value == "900.00"  # cleared
    csv = api.get("/api/v1/government-overview/export?format=csv&section=records", headers=officer)
    assert csv.status_code == 200 and csv.text.startswith("\ufeff月份") and "2026-10" in csv.text
    bad = api.get("/api/v1/government-overview/export?format=csv&section=nope", headers=officer)
    assert bad.status_code == 422 and "contracts" in bad.text
    bank = _browser(db, "overview_bank", "bank", institution="某银行")
    assert api.get("/api/v1/government-overview", headers=bank).status_code == 403
    assert api.get("/government/overview", headers={"Cookie": bank["Cookie"]}).status_code == 403
