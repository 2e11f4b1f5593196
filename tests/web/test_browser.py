"""End to end in headless Chromium: live search with htmx, then the subject page (live uvicorn, SQLite file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live import launch, require_chromium, serving
from webdata import HEFENG, HEFENG_USCC, register, register_hefeng

from testdb import app_database
from xinyong.auth.context import system_context
from xinyong.db.session import session_scope
from xinyong.web.app import create_app

SCREENSHOT = Path("/tmp/xinyong-search.png")


@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """uvicorn in a background thread on a free port, over a freshly migrated SQLite file with two subjects."""
    with app_database(monkeypatch, f"sqlite:///{tmp_path / 'browser.db'}"):
        with session_scope() as session:
            ctx = system_context(session, actor="browser-test")
            register_hefeng(ctx)
            register(ctx, kind="legal_person", name="广州番禺丰收农业发展有限公司", uscc="91350100M000100Y43")
        with serving(create_app()) as url:
            yield url


@pytest.mark.browser
def test_live_search_then_subject_page(live_server: str) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    outside: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1200, "height": 800})
            page.on("request", lambda req: None if req.url.startswith(live_server) else outside.append(req.url))
            page.goto(f"{live_server}/")
            expect(page.get_by_role("heading", name="公共信用信息查询")).to_be_visible()
            expect(page.get_by_label("信用主体查询")).to_be_visible()
            page.evaluate("window.__noReload = true")

            page.locator("#q").press_sequentially("禾丰", delay=50)
            result = page.locator("#results").get_by_role("link", name=HEFENG)
            expect(result).to_be_visible(timeout=10_000)
            expect(page.locator("#results")).to_contain_text("共 1 条")
            assert page.evaluate("window.__noReload") is True, "the results must arrive without a full reload"
            assert "q=" in page.url  # hx-push-url keeps the address bar shareable
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            result.click()
            page.wait_for_url("**/subjects/*")
            expect(page.get_by_role("heading", name=HEFENG)).to_be_visible()
            expect(page.locator("dl.facts")).to_contain_text(HEFENG_USCC)
            expect(page.locator("dl.facts")).to_contain_text("市桥街道")
        finally:
            browser.close()
    assert outside == [], f"requests left the platform (CDN?): {outside}"
