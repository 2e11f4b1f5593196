"""信易贷 pages in headless Chromium over a live server: the statistics chart is drawn (an ECharts canvas, no CSP
violation) and, on a phone, no lending page is wider than the screen (the SME's, the bank's, the office's)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from live import serving
from matrix_lending import bank, credit_grant, institution, need_of
from principals import BANK
from test_portal_browser import PASSWORD, login, open_browser
from webdata import register_hefeng

from testdb import app_database
from xinyong.auth import accounts
from xinyong.auth.context import system_context
from xinyong.db.session import session_scope
from xinyong.lending import service
from xinyong.lending.schemas import OutcomeIn
from xinyong.settings import get_settings
from xinyong.web.app import create_app


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file: HEFENG registered with a need met by a credit loan of BANK; accounts of the office,
    HEFENG and BANK."""
    monkeypatch.setenv("XINYONG_COOKIE_SECURE", "false")
    with app_database(monkeypatch, f"sqlite:///{tmp_path / 'lending.db'}"):
        get_settings.cache_clear()
        with session_scope() as session:
            ctx = system_context(session, actor="browser-test")
            firm = register_hefeng(ctx)
            inst = institution(session)
            need = need_of(session, firm, amount="120")
            credit_grant(session, firm, inst)
            loan = OutcomeIn(
                need_id=need.id, approved=True, amount=Decimal(120), rate=Decimal("3.9"), loan_type="credit"
            )
            service.record_outcome(bank(session), loan)
            for username, role, scope in (
                ("office", "credit_office_admin", {}),
                ("hefeng", "subject", {"subject_id": firm.id}),
                ("banker", "bank", {"institution": BANK}),
            ):
                accounts.create_account(ctx, username, username, PASSWORD, role, must_change_password=False, **scope)
        with serving(create_app()) as url:
            yield url
    get_settings.cache_clear()


@pytest.mark.browser
def test_stats_chart_and_phone_widths(site: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    violations: list[str] = []
    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            for user, pages in (
                ("office", ("/lending/stats", "/lending/stats?dimension=institution", "/lending/admin", "/lending")),
                ("hefeng", ("/my/lending",)),
                ("banker", ("/lending/institution", "/lending/institution?uscc=91440113MA59HF01XX")),
            ):
                page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
                page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
                login(page, site, user)
                for path in pages:
                    page.goto(f"{site}{path}")
                    page.wait_for_load_state("networkidle")
                    if path.startswith("/lending/stats"):
                        expect(page.locator("#lending-stats-chart canvas")).to_have_count(1)
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, f"{path}: the page is {overflow}px wider than the phone's screen"
                assert violations == []
                page.close()
        finally:
            browser.close()
