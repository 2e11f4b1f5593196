"""The government-integrity overview in headless Chromium over a live server (issue #11 item 7): every chart is
drawn (an ECharts canvas in each figure) from the JSON in the page, the tables stay below, and on a phone nothing
overflows the screen's width. Setup through the services (a body, an arrears entry) plus a record and a campaign
row inserted as setup; the clock is pinned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from live import serving
from test_portal_browser import PASSWORD, login, open_browser

from government import gov_factories as g
from testdb import app_database
from xinyong.auth import accounts
from xinyong.auth.context import system_context
from xinyong.campaigns.models import Campaign
from xinyong.db.session import session_scope
from xinyong.government import arrears
from xinyong.government.arrears_schemas import EntryIn
from xinyong.government.models import GovIntegrityRecord
from xinyong.settings import get_settings
from xinyong.web.app import create_app

CHARTS = ("contracts", "arrears", "cases", "records", "campaigns")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("XINYONG_COOKIE_SECURE", "false")
    with app_database(monkeypatch, f"sqlite:///{tmp_path / 'overview.db'}"):
        get_settings.cache_clear()
        with session_scope() as session:
            ctx = system_context(session, actor="browser-test")
            accounts.create_account(
                ctx, "office", "区信用办管理员", PASSWORD, "credit_office_admin", must_change_password=False
            )
            soe = g.soe(ctx)
            arrears.record_entry(
                ctx,
                EntryIn(debtor_id=soe.id, creditor_name="番禺某公司", amount=Decimal(500), arose_on=date(2026, 3, 1)),
            )
            at = datetime(2026, 10, 3, 8, 0)
            session.add(
                GovIntegrityRecord(
                    body_id=soe.id,
                    source_kind="enforcement_case",
                    source_id=1,
                    summary="执行案件",
                    occurred_on=date(2026, 10, 3),
                    recorded_by="setup",
                    recorded_at=at,
                )
            )
            session.add(
                Campaign(
                    code="ZX-1",
                    name="商贸流通领域专项治理",
                    sectors=["trade"],
                    lead_unit="kgsxj",
                    units=[g.SHIQIAO],
                    starts_on=date(2026, 3, 1),
                    ends_on=date(2026, 12, 31),
                    created_by="setup",
                    created_at=at,
                )
            )
        with serving(create_app()) as url:
            yield url
    get_settings.cache_clear()


@pytest.mark.browser
def test_every_chart_is_drawn_and_fits_a_phone(site: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            for width, height in ((1366, 768), (390, 844)):
                page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": height})
                login(page, site, "office")
                page.goto(f"{site}/government/overview")
                for name in CHARTS:
                    expect(page.locator(f"#gov-{name}-chart canvas")).to_have_count(1)
                expect(page.locator(".gov-overview-arrears")).to_be_visible()
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{width}px: the page is {overflow}px wider than the screen"
                page.close()
        finally:
            browser.close()
