"""The portal's public pages: the home page (live figures, charts, latest news and policies, entry points), its
figures as cacheable JSON, the subject page's new sections (list entries, commitments, objection and repair
entry points, credit reports), the phone menu and the print stylesheet."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from live import launch, serving
from principals import add_account, login_headers
from sqlalchemy.orm import Session
from webdata import Registry, register_hefeng

from factories import company, market_regulator
from list_factories import published_entry
from records_factories import make_batch, make_record
from testdb import app_database
from xinyong.auth.context import Context, system_context
from xinyong.db.session import session_scope
from xinyong.portal import figures
from xinyong.portal.models import Article
from xinyong.records import commitments as cm
from xinyong.subjects.models import Department
from xinyong.web.app import create_app
from xinyong.web.templating import STATIC_DIR

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_figures() -> Iterator[None]:
    figures.clear_cache()
    yield
    figures.clear_cache()


def article(db: Session, kind: str, title: str, *, status: str = "published", at: datetime = AT) -> Article:
    row = Article(
        kind=kind,
        title=title,
        summary="",
        body_html="<p>正文</p>",
        campaign="",
        source="区信用办",
        status=status,
        published_at=at if status == "published" else None,
        author="office",
        created_at=at,
        updated_at=at,
    )
    db.add(row)
    db.flush()
    return row


def chart(html: str, chart_id: str) -> dict:  # type: ignore[type-arg]
    found = re.search(rf'id="{chart_id}" class="chart" data-chart="([^"]*)"', html)
    assert found is not None, chart_id
    return json.loads(unescape(found.group(1)))


def test_home_page_shows_live_figures_charts_and_entry_points(
    client: TestClient, db: Session, registry: Registry, departments: tuple[Department, Department]
) -> None:
    dept, _ = departments
    batch = make_batch(db, dept)
    make_record(db, batch, doc_no="番市监罚〔2026〕1号", decided_on=date(2026, 11, 2), subject=registry.hefeng)
    make_record(db, batch, doc_no="番市监罚〔2026〕2号", decided_on=date(2026, 10, 9), subject=registry.hefeng)
    published_entry(db, registry.hefeng, "contract_honouring", published_on=date(2026, 7, 2))
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert 'data-figure="subjects">5<' in html  # the registry fixture: 5 subjects
    assert 'data-figure="records-this-month">1<' in html and 'data-figure="lists-red">1<' in html
    assert 'data-figure="lists-dishonesty">0<' in html and 'data-figure="repairs-this-year">0<' in html
    assert "数据截至 2026年11月27日" in html and 'href="/gongshi/penalty">行政处罚</a> 1' in html
    records = chart(html, "chart-records")
    assert records["months"][-1] == "2026-11" and len(records["months"]) == 12
    penalty = next(s for s in records["series"] if s["name"] == "行政处罚")
    assert penalty["data"][-2:] == [1, 1]
    lists = chart(html, "chart-lists")
    assert lists["values"][lists["names"].index("守合同重信用企业")] == 1 and "red" in lists["kinds"]
    assert chart(html, "chart-repairs")["values"] == [0] * 12
    assert '<script src="/static/js/portal.js" defer></script>' in html and "echarts.min.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    entry_points = ("/gongshi/licence", "/lists/public?kind=red", "/commitments/public", "/inspections/public")
    entry_points += ("/objections", "/repairs", "/reports/verify", "/selections", "/innovation-cases")
    for href in entry_points:
        assert f'href="{href}"' in html, href
    assert 'hx-get="/search"' in html  # the search box stays on the home page
    assert "暂无发布的信用动态" in html and "暂无发布的政策法规" in html


def test_home_page_lists_the_latest_published_news_and_policies(client: TestClient, db: Session) -> None:
    news = article(db, "news", "番禺区开展诚信宣传月活动")
    policy = article(db, "policy", "广州市公共信用信息管理规定", at=datetime(2026, 11, 1, 2, tzinfo=UTC))
    article(db, "news", "尚未发布的草稿", status="draft")
    article(db, "innovation_case", "信用创新案例一则")
    html = client.get("/").text
    assert f'<a href="/news/{news.id}">番禺区开展诚信宣传月活动</a>' in html
    assert f'<a href="/news/{policy.id}">广州市公共信用信息管理规定</a>' in html
    assert '<time datetime="2026-11-20">2026年11月20日</time>' in html
    assert "尚未发布的草稿" not in html and "信用创新案例一则" not in html
    assert 'href="/news">更多信用动态' in html and 'href="/policies">更多政策法规' in html


def test_home_escapes_stored_titles(client: TestClient, db: Session) -> None:
    article(db, "news", "<script>alert(1)</script>标题")
    html = client.get("/").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;标题" in html


def test_figures_json_is_public_and_cacheable(client: TestClient, registry: Registry) -> None:
    r = client.get("/portal/figures.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.headers["cache-control"] == "public, max-age=60"
    data = r.json()
    assert data["as_of"] == "2026-11-27" and data["subjects_total"] == 5
    assert {c["key"] for c in data["subjects_by_kind"]} == {"legal_person", "individual_business", "natural_person"}
    assert len(data["months"]) == 12 and len(data["repairs_by_month"]) == 12


def test_figures_are_cached_between_readers(client: TestClient, ctx: Context, registry: Registry) -> None:
    assert client.get("/portal/figures.json").json()["subjects_total"] == 5
    company(ctx, "广州新登记贸易有限公司", 501)
    assert client.get("/portal/figures.json").json()["subjects_total"] == 5  # within the minute
    figures.clear_cache()
    assert client.get("/portal/figures.json").json()["subjects_total"] == 6


def test_subject_page_shows_lists_commitments_and_remedies(
    client: TestClient, db: Session, registry: Registry, departments: tuple[Department, Department]
) -> None:
    dept, _ = departments
    firm = registry.hefeng
    signer = Context(session=db, actor="hefeng", role="subject", subject_id=firm.id)
    kept = {"kind": "approval_substitute", "text": "承诺属实。", "signer_name": "陈国强"}
    cm.sign_commitment(signer, subject_id=firm.id, department_id=dept.id, matter="食品经营许可", **kept)  # type: ignore[arg-type]
    repair = kept | {"kind": "repair"}
    cm.sign_commitment(signer, subject_id=firm.id, department_id=dept.id, matter="修复承诺事项", **repair)  # type: ignore[arg-type]
    employer = published_entry(db, firm, "wage_arrears", published_on=date(2026, 3, 2))
    published_entry(db, registry.person, "wage_arrears", published_on=date(2026, 3, 2), parent=employer)
    published_entry(db, firm, "contract_honouring", published_on=date(2026, 7, 2), expires_on=date(2028, 6, 30))
    published_entry(db, firm, "samr_serious_illegal", published_on=date(2026, 1, 2), expires_on=date(2026, 6, 1))
    html = client.get(f"/subjects/{firm.id}").text
    lists = html[html.index('id="lists-heading"') : html.index('id="commitments-heading"')]
    dishonesty = lists[: lists.index("list-heading-red")]
    red = lists[lists.index("list-heading-red") :]
    assert "拖欠农民工工资失信联合惩戒对象名单" in dishonesty and "测试列入事由" in dishonesty
    assert "守合同重信用企业" in red and "2028年6月30日" in red and "拖欠农民工工资" not in red
    assert "市场监督管理严重违法失信名单" not in lists  # expired on 2026-06-01
    assert "王禾丰" not in html and "王**" not in html  # responsible persons are not listed on the page
    commitments = html[html.index('id="commitments-heading"') : html.index('id="remedies-heading"')]
    assert "食品经营许可" in commitments and "审批替代型" in commitments and "修复承诺事项" not in commitments
    remedies = html[html.index('id="remedies-heading"') :]
    assert 'href="/my/records"' in remedies and 'href="/repairs/new"' in remedies
    assert 'href="/reports/verify"' in html and "核验信用报告" in html
    assert 'href="/my/reports"' not in html and "下载信用报告" not in html  # not the subject's own account
    assert "/objections/new" not in html
    assert "信用评价等级不对外公开" in html


def test_subject_page_without_entries_or_commitments(client: TestClient, registry: Registry) -> None:
    html = client.get(f"/subjects/{registry.hefeng.id}").text
    for text in ("不在公开的失信名单上", "不在红名单上", "没有公示中的信用承诺", "没有处于公示期内"):
        assert text in html
    assert client.get(f"/subjects/{registry.person.id}").status_code == 404  # natural persons have no page


def test_the_subject_itself_gets_its_report_and_record_links(
    client: TestClient, db: Session, registry: Registry, departments: tuple[Department, Department]
) -> None:
    firm = registry.hefeng
    record = make_record(
        db, make_batch(db, departments[0]), doc_no="番市监罚〔2026〕9号", decided_on=date(2026, 11, 2), subject=firm
    )
    owner = login_headers(db, add_account(db, "hefeng_owner", "subject", subject_id=firm.id))
    html = client.get(f"/subjects/{firm.id}", headers=owner).text
    assert '<a class="button" href="/my/reports">下载信用报告</a>' in html
    assert f'href="/objections/new?record_id={record.id}"' in html
    assert 'href="/my/reports" aria-current' not in html and '<a href="/my/reports">我的报告</a>' in html  # nav
    other = login_headers(db, add_account(db, "other_owner", "subject", subject_id=registry.shop.id))
    html = client.get(f"/subjects/{firm.id}", headers=other).text
    assert "下载信用报告" not in html and "/objections/new" not in html


def test_anyone_may_object_when_the_setting_opens_objections(
    client: TestClient,
    db: Session,
    registry: Registry,
    departments: tuple[Department, Department],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from xinyong.settings import get_settings

    record = make_record(
        db,
        make_batch(db, departments[0]),
        doc_no="番市监罚〔2026〕9号",
        decided_on=date(2026, 11, 2),
        subject=registry.hefeng,
    )
    monkeypatch.setenv("XINYONG_OBJECTION_OPEN_TO_PUBLIC", "true")
    get_settings.cache_clear()
    assert f'href="/objections/new?record_id={record.id}"' in client.get(f"/subjects/{registry.hefeng.id}").text


def test_nav_folds_into_a_menu_and_names_the_new_pages(client: TestClient, db: Session, registry: Registry) -> None:
    html = client.get("/").text
    assert '<details class="nav-menu">' in html and '<summary class="nav-toggle">' in html
    assert '<nav class="site-nav" aria-label="主导航">' in html
    assert '<a class="skip-link" href="#main">跳到正文</a>' in html and '<main id="main" class="wrap">' in html
    public_links = {
        "/news": "新闻动态",
        "/selections": "诚信评选",
        "/innovation-cases": "创新案例",
        "/reports/verify": "报告核验",
        "/lists/public": "信用名单",
        "/gongshi/licence": "双公示",
    }
    for href, label in public_links.items():
        assert f'<a href="{href}">{label}</a>' in html
    assert '<a href="/" aria-current="page">首页</a>' in html and '<a href="/login">登录</a>' in html
    assert "/portal/admin" not in html and "/my/reports" not in html
    office = login_headers(db, add_account(db, "office_nav", "credit_office_staff"))
    html = client.get(f"/subjects/{registry.hefeng.id}", headers=office).text  # a page that reads the login
    assert '<nav class="site-nav role-nav" aria-label="工作导航">' in html
    assert '<a href="/reports">信用报告</a>' in html and '<a href="/portal/admin">内容管理</a>' in html
    assert '<a href="/search" aria-current="page">信用查询</a>' in html


def test_stylesheet_has_the_phone_menu_and_print_rules() -> None:
    css = (STATIC_DIR / "css" / "app.css").read_text(encoding="utf-8")
    assert "@media print" in css and "@media (max-width: 760px)" in css
    print_rules = css[css.index("@media print") :]
    for selector in (".site-header", ".nav-menu", ".footer-links", ".search-form", ".export-links", "form"):
        assert selector in print_rules
    assert "attr(href)" in print_rules and "color: #000" in print_rules
    assert ".nav-menu::details-content" in css and ".nav-toggle" in css
    js = (STATIC_DIR / "js" / "portal.js").read_text(encoding="utf-8")
    assert "echarts.init" in js and "data-chart" in js and "chart-records" in js


@pytest.fixture
def live_portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """uvicorn over a fresh SQLite file with one company, a penalty this month and a red-list entry."""
    with app_database(monkeypatch, f"sqlite:///{tmp_path / 'portal.db'}"):
        with session_scope() as session:
            ctx = system_context(session, actor="browser-test")
            firm = register_hefeng(ctx)
            dept = market_regulator()
            session.add(dept)
            session.flush()
            make_record(
                session,
                make_batch(session, dept),
                doc_no="番市监罚〔2026〕1号",
                decided_on=date(2026, 11, 2),
                subject=firm,
            )
            published_entry(session, firm, "contract_honouring", published_on=date(2026, 7, 2))
        with serving(create_app()) as url:
            yield url


@pytest.mark.browser
def test_phone_menu_charts_and_print_in_chromium(live_portal: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            desktop = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
            desktop.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            desktop.on("pageerror", lambda e: problems.append(str(e)))
            desktop.goto(f"{live_portal}/")
            nav = desktop.get_by_role("navigation", name="主导航")
            expect(nav.get_by_role("link", name="双随机一公开")).to_be_visible()  # no menu button on a wide screen
            expect(desktop.locator("summary.nav-toggle")).to_be_hidden()
            for chart_id in ("chart-records", "chart-lists", "chart-repairs"):
                expect(desktop.locator(f"#{chart_id} canvas")).to_have_count(1)  # drawn by ECharts
            assert desktop.locator("details.chart-data[open]").count() == 0  # tables folded once drawn
            desktop.emulate_media(media="print")
            expect(desktop.locator(".site-header")).to_be_hidden()
            expect(desktop.locator(".search-form")).to_be_hidden()
            expect(desktop.locator("#chart-records")).to_be_hidden()
            expect(desktop.locator(".chart-data table").first).to_be_visible()  # the numbers print instead

            phone = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
            phone.goto(f"{live_portal}/")
            link = phone.get_by_role("navigation", name="主导航").get_by_role("link", name="双随机一公开")
            expect(link).to_be_hidden()
            phone.locator("summary.nav-toggle").click()
            expect(link).to_be_visible()
            link.click()
            phone.wait_for_url("**/inspections/public")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways page scroll
        finally:
            browser.close()
    assert problems == [], problems
