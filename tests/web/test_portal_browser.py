"""The portal's main journeys in headless Chromium over a live server (issue #8, item 4), as a new user tries them:

* an enterprise searches itself, opens its subject page, downloads its 专用信用报告 as PDF; a bank officer opens the
  QR code's address and sees the report verified; after a new penalty is loaded the same address says the facts
  changed since issue;
* the enterprise objects to a penalty from its own records page;
* the credit office writes a news article (with a script in it) and publishes it; a reader opens it from /news and
  the script is gone.

Accounts log in through the login form with real passwords; the data are loaded through the services.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from live import launch, require_chromium, serving
from webdata import HEFENG, HEFENG_USCC, register_hefeng

from factories import uscc
from intake_rows import penalty_row
from testdb import app_database
from xinyong.auth import accounts
from xinyong.auth.context import system_context
from xinyong.db.session import session_scope
from xinyong.intake import service as intake
from xinyong.settings import get_settings
from xinyong.subjects.models import Department
from xinyong.web.app import create_app

PASSWORD = "Browser-Journey-2026!"
SCJGJ_USCC = uscc(801, authority="1", org_type="1")


@dataclass(frozen=True)
class Site:
    """The live server and what the journeys need to know about its data."""

    url: str
    department_id: int
    subject_id: int


def _penalty(n: int, decided_on: str) -> dict[str, str]:
    return penalty_row(
        n,
        SCJGJ_USCC,
        subject_name=HEFENG,
        uscc=HEFENG_USCC,
        doc_no=f"番市监罚〔2026〕{n}号",
        decided_on=decided_on,
        valid_until="2027-11-19",
    )


def load_penalty(department_id: int, n: int, decided_on: str) -> None:
    """One penalty on 禾丰 through the intake service, as the market regulator's push would load it."""
    with session_scope() as session:
        ctx = system_context(session, actor="browser-test")
        summary = intake.submit_rows(ctx, "penalty", department_id, [_penalty(n, decided_on)])
        assert summary.accepted == 1, summary


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A migrated SQLite file with the market regulator, 禾丰 with one penalty, the office and 禾丰's accounts."""
    monkeypatch.setenv("XINYONG_COOKIE_SECURE", "false")  # plain http on 127.0.0.1
    monkeypatch.setenv("XINYONG_REPORT_KEY_FILE", str(tmp_path / "report-key.pem"))
    with app_database(monkeypatch, f"sqlite:///{tmp_path / 'portal.db'}"):
        get_settings.cache_clear()
        with session_scope() as session:
            ctx = system_context(session, actor="browser-test")
            department = Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc=SCJGJ_USCC)
            session.add(department)
            session.flush()
            firm = register_hefeng(ctx)
            accounts.create_account(
                ctx, "office", "区信用办管理员", PASSWORD, "credit_office_admin", must_change_password=False
            )
            accounts.create_account(
                ctx, "hefeng", "禾丰经办人", PASSWORD, "subject", subject_id=firm.id, must_change_password=False
            )
            ids = (department.id, firm.id)
        load_penalty(ids[0], 9001, "2026-06-15")
        with serving(create_app()) as url:
            yield Site(url=url, department_id=ids[0], subject_id=ids[1])


def login(page: Any, base: str, username: str) -> None:
    """Log in through the form, as a person does."""
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, page.content()[:2000]


def open_browser(pw: Any) -> Any:
    require_chromium()
    return launch(pw)


@pytest.mark.browser
def test_objection_entry_from_own_records(site: Site) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
            login(page, site.url, "hefeng")
            page.goto(f"{site.url}/my/records")
            expect(page.get_by_text("番市监罚〔2026〕9001号").first).to_be_visible()
            page.get_by_role("link", name="提出异议").first.click()
            page.wait_for_url("**/objections/new?record_id=*")
            page.fill("#reasons", "该处罚决定已被复议机关撤销，平台公示的信息与事实不符，请予更正并停止公示。")
            page.get_by_role("button", name="提交异议").click()
            page.wait_for_url(re.compile(r".*/objections/\d+\?done=submitted"))
            expect(page.locator("main")).to_contain_text("番市监罚〔2026〕9001号")
        finally:
            browser.close()


@pytest.mark.browser
def test_news_article_published_and_read(site: Site) -> None:
    from playwright.sync_api import expect, sync_playwright

    title = "区信用办开展诚信宣传月活动"
    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = office.new_page()
            login(page, site.url, "office")
            page.goto(f"{site.url}/portal/admin/articles/new?kind=news")
            page.fill("#title", title)
            page.fill(
                "#body_html",
                "<p>全区开展诚信宣传进社区活动。</p><script>window.__pwned = 1</script>"
                '<p><img src="x" onerror="window.__pwned = 2">宣传资料发放 2,000 份。</p>',
            )
            page.check("input[name=publish]")
            page.get_by_role("button", name="保存").click()
            page.wait_for_load_state("networkidle")
            expect(page.locator("main")).to_contain_text("script")  # the editor is told what was removed
            office.close()

            reader = browser.new_page(locale="zh-CN")
            reader.goto(f"{site.url}/news")
            reader.get_by_role("link", name=title).click()
            reader.wait_for_url(re.compile(r".*/news/\d+$"))
            expect(reader.get_by_role("heading", name=title)).to_be_visible()
            expect(reader.locator("main")).to_contain_text("全区开展诚信宣传进社区活动。")
            expect(reader.locator("main")).to_contain_text("宣传资料发放 2,000 份。")
            assert reader.evaluate("window.__pwned") is None
            assert "<script>window.__pwned" not in reader.content()
        finally:
            browser.close()


@pytest.mark.browser
def test_enterprise_downloads_special_report_and_a_bank_verifies_it(site: Site, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright
    from pypdf import PdfReader

    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            firm = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page = firm.new_page()
            login(page, site.url, "hefeng")
            page.goto(f"{site.url}/search")
            page.locator("#q").press_sequentially("禾丰", delay=30)
            page.locator("#results").get_by_role("link", name=HEFENG).click()
            page.wait_for_url("**/subjects/*")
            page.get_by_role("link", name="下载信用报告").first.click()
            page.wait_for_url("**/my/reports*")

            page.check("input[name=kind][value=special]")
            page.fill("#period_start", "2025-01-01")
            page.fill("#period_end", "2026-11-27")
            page.check("input[name=domains][value=market_supervision]")
            page.get_by_role("button", name="出具并签名").click()
            page.wait_for_load_state("networkidle")
            pdf_link = page.locator("main").get_by_role("link", name="下载 PDF").first
            expect(pdf_link).to_be_visible()
            with page.expect_download() as download:
                pdf_link.click()
            saved = tmp_path / "report.pdf"
            download.value.save_as(saved)
            text = re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(saved).pages))  # cells wrap
            assert "专用信用报告" in text and HEFENG in text and "番市监罚〔2026〕9001号" in text
            verify_href = page.locator("main").get_by_role("link", name="核验页").first.get_attribute("href")
            assert verify_href and verify_href.startswith("/reports/verify/") and "?c=" in verify_href
            number = verify_href.split("/")[-1].split("?")[0]
            assert number in text  # the PDF carries the number the QR code's address verifies
            firm.close()

            bank = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})  # the officer's phone
            bank.goto(site.url + verify_href)
            expect(bank.locator("main")).to_contain_text("真实有效")
            expect(bank.locator("main")).to_contain_text(HEFENG)
            expect(bank.locator("main")).not_to_contain_text("已发生变化")
            bank.screenshot(path=str(tmp_path / "verified.png"), full_page=True)

            load_penalty(site.department_id, 9002, "2026-11-20")
            bank.reload()
            expect(bank.locator("main")).to_contain_text("真实有效")
            expect(bank.locator("main")).to_contain_text("报告出具后相关信息已发生变化")
            expect(bank.locator("main")).to_contain_text("番市监罚〔2026〕9002号")
        finally:
            browser.close()
