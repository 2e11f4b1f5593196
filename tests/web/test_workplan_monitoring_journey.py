"""Issue #12's done-when, tried as a new user would, through the pages: the credit office loads the 2021 plan and
sees its 18 items with their units; the market-supervision bureau's officer reports progress on item 十一; the
office computes the month's monitoring through the form and the score comes from the platform's own data (the
records, cases and checks stored); the dashboard shows the same score and the same records; a notice lists the
overdue items. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from principals import add_account, form_token, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitoring import monitoring_data as md
from workplan.plans import PLAN_2021
from xinyong.auth.context import Context
from xinyong.dashboard import figures
from xinyong.monitoring.models import MonitoringRun, MonitoringValue
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department
from xinyong.workplan.queries import plan_status

ITEM_LINK = re.compile(r'href="/workplan/items/(\d+)">([^<]+)</a>')
FIGURES = re.compile(r'data-figures="([^"]*)"')


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    figures.clear_cache()
    yield
    figures.clear_cache()


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


def test_the_done_when_journey(api: TestClient, db: Session, ctx: Context) -> None:
    data = md.everything(ctx)  # the platform's own data: 双公示 records, repairs, objections, commitments, checks
    db.commit()
    office = _browser(db, "j12_office", "credit_office_staff")
    market = _browser(db, "j12_market", "department_officer", data.market)

    # 1. the credit office loads the 2021 plan and sees 18 items with their units
    loaded = _post(api, "/workplan", "/workplan/load", office, {"year": "2021", "text": PLAN_2021})
    assert loaded.status_code == 303, unescape(loaded.text)[:500]
    listing = unescape(api.get("/workplan?year=2021&as_of=2021-06-30", headers=office).text)
    items = ITEM_LINK.findall(listing)
    assert len(items) == 18
    assert "区发改局" in listing and "区市场监管局" in listing
    eleven = next(i for i, title in items if title == "加强和规范信用信息归集共享")

    # 2. the market-supervision bureau reports progress on item 十一
    reported = _post(
        api,
        f"/workplan/items/{eleven}",
        f"/workplan/items/{eleven}/progress",
        market,
        {"unit_code": "scjgj", "status": "in_progress", "percent": "70", "note": "重错码清理完成，重错码率 0.004%"},
    )
    assert reported.status_code == 303
    assert "重错码清理完成" in unescape(api.get(f"/workplan/items/{eleven}", headers=office).text)

    # 3. the monthly monitoring score reflects the platform's own data
    ran = _post(api, "/monitoring", "/monitoring/run", office, {"month": md.MONTH})
    assert ran.status_code == 303
    run = db.scalars(select(MonitoringRun).where(MonitoringRun.current)).one()
    volume = db.scalars(
        select(MonitoringValue).where(
            MonitoringValue.run_id == run.id,
            MonitoringValue.unit == "440113",
            MonitoringValue.indicator == "gongshi_volume",
        )
    ).one()
    assert (volume.numerator, volume.denominator, volume.value) == (2, 4, 500)  # two decisions, four enterprises
    page = unescape(api.get(f"/monitoring?month={md.MONTH}", headers=market).text)
    assert f"{run.district_score:.2f}" in page and "双公示及时率" in page

    # 4. the dashboard shows the same score and the platform's records
    first = api.get("/dashboard", headers=office)
    assert first.status_code == 200  # at once: the page shell while the figures are not cached yet
    figures = api.get("/api/v1/dashboard/figures", headers=office)  # what the page's script fetches
    assert figures.status_code == 200
    board = figures.json()
    assert board["monitoring"]["latest_month"] == md.MONTH
    assert board["monitoring"]["latest_score"] == round(run.district_score, 2)
    stored = db.scalar(select(func.count()).where(CreditRecord.supersedes_id.is_(None)))
    assert board["records_total"] == stored
    assert board["workplan"]["year"] == 2021 and sum(board["workplan"]["counts"].values()) == 18
    shown = api.get("/dashboard", headers=office)  # the figures are cached now: rendered inline
    assert json.loads(unescape(FIGURES.search(shown.text).group(1)))["monitoring"] == board["monitoring"]
    assert f'data-k="monitoring_score">{round(run.district_score, 2):.2f}<' in unescape(shown.text)

    # 5. a notice lists the overdue items (January's notice on last year's plan: the year-end deadlines passed)
    sheet = api.get("/workplan/notice?year=2021&period=2022-01", headers=office)
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    listed_overdue = {r[1] for r in rows if r and "已逾期" in r}
    expected = {i.title for i in plan_status(db, 2021, date(2022, 1, 31)).items if i.status == "overdue"}
    assert expected and listed_overdue == expected
    assert "加强和规范信用信息归集共享" in listed_overdue  # item 十一: reported at 70%, not done by its deadline
