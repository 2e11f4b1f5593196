"""End to end in headless Chromium: live search with htmx, then the subject page (live uvicorn, SQLite file)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from webdata import HEFENG, HEFENG_USCC, register

from xinyong.auth.context import system_context
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine, reset_caches, session_scope
from xinyong.settings import get_settings
from xinyong.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path("/tmp/xinyong-search.png")


@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """uvicorn in a background thread on a free port, over a freshly migrated SQLite file with two subjects."""
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_caches()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with session_scope() as session:
        ctx = system_context(session, actor="browser-test")
        register(
            ctx,
            kind="legal_person",
            name=HEFENG,
            uscc=HEFENG_USCC,
            township_code="440113007",
            legal_representative="陈国强",
            registered_on=date(2015, 3, 18),
        )
        register(ctx, kind="legal_person", name="广州番禺丰收农业发展有限公司", uscc="91350100M000100Y43")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        reset_caches()
        get_settings.cache_clear()


@pytest.mark.browser
def test_live_search_then_subject_page(live_server: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make installs it) to run browser tests")
    from playwright.sync_api import expect, sync_playwright

    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
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
