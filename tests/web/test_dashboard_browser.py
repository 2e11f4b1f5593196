"""The leadership dashboard in headless Chromium over a live server (issue #12 item 3): on a 16:9 wall screen
every chart is drawn (an ECharts canvas in each panel) — the cache is off here, so the page comes as its shell
and its script fetches the figures and fills in every panel; the page polls the
JSON endpoint and shows a record loaded after it opened; on a phone nothing overflows the screen's width.

Setup through the services (the intake, the monitoring run, the 2021 work plan); the clock is pinned.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from live import serving
from test_portal_browser import PASSWORD, SCJGJ_USCC, load_penalty, login, open_browser
from webdata import register_hefeng

from testdb import app_database
from workplan.plans import load_2021
from xinyong.auth import accounts
from xinyong.auth.context import system_context
from xinyong.dashboard import figures
from xinyong.dashboard.config import dashboard_config
from xinyong.db.session import session_scope
from xinyong.evaluation.models import EvaluationRun
from xinyong.monitoring import service as monitoring
from xinyong.settings import get_settings
from xinyong.subjects.models import Department
from xinyong.web.app import create_app
from xinyong.web.pages import dashboard as dashboard_page

FETCHED_MS = 60_000  # the figures are not cached here: the page is the shell, filled by its fetch (computed then)
CHARTS = ("records", "quality", "grades", "lists", "cases", "monitoring", "workplan")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    """A migrated SQLite file: the market regulator with two penalties, an evaluation run, two monitoring months,
    the 2021 plan and the office's account; figures not cached, the page allowed to poll every second."""
    monkeypatch.setenv("XINYONG_COOKIE_SECURE", "false")
    monkeypatch.setenv("XINYONG_PORTAL_FIGURES_TTL_SECONDS", "0")
    quick = dashboard_config().model_copy(update={"refresh_min_seconds": 1})
    monkeypatch.setattr(dashboard_page, "dashboard_config", lambda: quick)
    figures.clear_cache()
    with app_database(monkeypatch, f"sqlite:///{tmp_path / 'dashboard.db'}"):
        get_settings.cache_clear()
        with session_scope() as session:
            ctx = system_context(session, actor="browser-test")
            department = Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc=SCJGJ_USCC)
            session.add(department)
            session.flush()
            register_hefeng(ctx)
            accounts.create_account(
                ctx, "office", "区信用办管理员", PASSWORD, "credit_office_admin", must_change_password=False
            )
            at = datetime(2026, 11, 1, tzinfo=UTC)
            session.add(
                EvaluationRun(
                    model="general",
                    model_version=1,
                    as_of=date(2026, 11, 1),
                    started_at=at,
                    finished_at=at,
                    subjects=10,
                    grades={"A": 4, "B": 3, "C": 2, "D": 1},
                    actor="browser-test",
                )
            )
            load_2021(ctx)
            department_id = department.id
        load_penalty(department_id, 9101, "2026-10-12")
        with session_scope() as session:
            ctx = system_context(session, actor="browser-test")
            monitoring.run_month(ctx, "2026-10")
            monitoring.run_month(ctx, "2026-11")
        with serving(create_app()) as url:
            yield url, department_id
    figures.clear_cache()
    get_settings.cache_clear()


@pytest.mark.browser
def test_wall_screen_draws_every_chart_and_refreshes(site: tuple[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, department_id = site
    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1920, "height": 1080})
            login(page, url, "office")
            page.goto(f"{url}/dashboard?refresh=3")  # spaced: a poll holds the write lock while computing
            expect(page.locator("#chart-workplan canvas")).to_have_count(1, timeout=FETCHED_MS)  # last drawn
            drawn = [n for n in CHARTS if page.locator(f"#chart-{n} canvas").count()]
            assert drawn == list(CHARTS), (drawn, page.locator(".dash-grid").inner_text()[:1500])
            for name in CHARTS:
                expect(page.locator(f"#chart-{name} canvas")).to_have_count(1)
            box = page.locator("#chart-records").bounding_box()
            assert box and box["width"] > 300 and box["height"] > 200
            columns = page.evaluate(
                "getComputedStyle(document.querySelector('.dash-grid')).gridTemplateColumns.split(' ').length"
            )
            assert columns == 4  # the wall screen's grid
            expect(page.locator('[data-k="records_total"]')).to_have_text("1")
            fcp = page.evaluate(
                "performance.getEntriesByType('paint').filter(e => e.name === 'first-contentful-paint')"
                ".map(e => e.startTime)[0]"
            )
            assert fcp is not None and fcp > 0

            load_penalty(department_id, 9102, "2026-11-20")  # after the page opened
            expect(page.locator('[data-k="records_total"]')).to_have_text("2", timeout=FETCHED_MS)
            expect(page.locator('[data-k="records_this_month"]')).to_have_text("1")
            assert page.evaluate("window.__dashboardPolls") >= 1
        finally:
            browser.close()


@pytest.mark.browser
def test_on_a_laptop_and_a_phone(site: tuple[str, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = site
    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            for width, height, columns in ((1366, 768, 2), (390, 844, 1)):
                page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": height})
                login(page, url, "office")
                page.goto(f"{url}/dashboard")
                expect(page.locator("#chart-workplan canvas")).to_have_count(1, timeout=FETCHED_MS)  # last drawn
                expect(page.locator("#chart-monitoring canvas")).to_have_count(1)
                shown = page.evaluate(
                    "getComputedStyle(document.querySelector('.dash-grid')).gridTemplateColumns.split(' ').length"
                )
                assert shown == columns
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{width}px: the page is {overflow}px wider than the screen"
                page.close()
        finally:
            browser.close()
