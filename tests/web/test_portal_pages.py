"""Portal pages (issue #8): the office writes an article on the form (what cleaning removed is shown; CSRF; a stale
form 409), publishes and withdraws it; the public reads /news, /policies, /campaigns, /innovation-cases and
/news/{id} (a body stored by another path is cleaned again: no script from user input ever reaches the page); a
selection is opened, nominated, reviewed and published through the forms and its winners appear on /selections/{id}
and the public red list — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from factories import company
from list_factories import published_entry
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.portal import articles
from xinyong.portal.models import Article
from xinyong.subjects.models import Department

ARTICLE = re.compile(r'action="/portal/admin/articles/(\d+)"')
VERSION = re.compile(r'name="lock_version" value="(\d+)"')
PUBLISH_VERSION = re.compile(r'/publish">\s*<input[^>]+>\s*<input type="hidden" name="lock_version" value="(\d+)"')
LATER = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


def browser(db: Session, role: str, name: str, department: Department | None = None) -> dict[str, str]:
    """A logged-in browser: the session cookie only (forms carry their CSRF token)."""
    headers = login_headers(db, add_account(db, name, role, department_id=department.id if department else None))
    db.commit()
    return {"Cookie": headers["Cookie"]}


def post_form(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object]):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def version(html: str) -> str:
    found = VERSION.search(html)
    assert found
    return found.group(1)


def test_an_article_from_the_form_to_the_public_pages(api: TestClient, db: Session, ctx: Context) -> None:
    office = browser(db, "credit_office_staff", "pp_office")
    body = (
        "<h2>活动安排</h2><p onclick=\"alert('x')\">六月开展诚信宣传月<script>alert('boom')</script></p>"
        '<iframe src="https://evil.example/"></iframe><a href="javascript:alert(1)">链接</a>'
    )
    form = {
        "kind": "campaign",
        "title": "番禺区2026年诚信宣传月启动",
        "summary": "诚信进企业、进社区",
        "campaign": "诚信宣传月",
        "body_html": body,
    }
    saved = post_form(api, "/portal/admin/articles/new", "/portal/admin/articles/new", office, form)
    assert saved.status_code == 200, saved.text[:500]  # warnings: the edit page at once
    text = unescape(saved.text)
    assert "已保存" in text and "正文已按安全规则清理" in text
    assert "删除了事件属性 onclick（<p>）" in text and "删除了 <script> 元素及其全部内容" in text
    assert "删除了 <iframe> 元素及其全部内容" in text
    found = ARTICLE.search(saved.text)
    assert found
    article_id = int(found.group(1))
    assert api.get(f"/news/{article_id}").status_code == 404  # a draft

    published = post_form(
        api, f"/portal/admin/articles/{article_id}", f"/portal/admin/articles/{article_id}/publish", office,
        {"lock_version": version(saved.text)},
    )  # fmt: skip
    assert published.status_code == 303
    page = api.get(f"/news/{article_id}")
    assert page.status_code == 200
    assert "<h2>活动安排</h2>" in page.text and "六月开展诚信宣传月" in page.text
    assert "alert(" not in page.text and "<iframe" not in page.text and "onclick" not in page.text
    assert "番禺区2026年诚信宣传月启动" in api.get("/news").text
    campaigns = unescape(api.get("/campaigns").text)
    assert "诚信宣传月" in campaigns and f'href="/news/{article_id}"' in campaigns and "信用记录关爱日" in campaigns

    # a body written to the database by another path is cleaned again when shown
    raw = Article(
        kind="policy", title="直接写入的政策", summary="", body_html="<p>第一条</p><script>alert('stored')</script>"
        '<img src="x" onerror="alert(\'img\')" alt="图">', campaign="", source="", unit="", scenario="",
        status="published", published_at=ctx.at, withdrawn_at=None, withdraw_reason="", author="sql", created_at=ctx.at,
        updated_at=ctx.at, updated_by="sql",
    )  # fmt: skip
    db.add(raw)
    db.commit()
    shown = api.get(f"/news/{raw.id}").text
    assert "第一条" in shown and "<script>alert" not in shown and "alert(" not in shown
    assert "直接写入的政策" in api.get("/policies").text

    stale = post_form(
        api, f"/portal/admin/articles/{article_id}", f"/portal/admin/articles/{article_id}", office,
        form | {"lock_version": "1", "title": "旧版本的修改"},
    )  # fmt: skip
    assert stale.status_code == 409 and "已被他人处理或更新" in unescape(stale.text)
    no_token = api.post(
        f"/portal/admin/articles/{article_id}/withdraw", headers=office, data={"lock_version": "2", "reason": "x"}
    )
    assert no_token.status_code == 403
    current = version(api.get(f"/portal/admin/articles/{article_id}", headers=office).text)
    gone = post_form(
        api, f"/portal/admin/articles/{article_id}", f"/portal/admin/articles/{article_id}/withdraw", office,
        {"lock_version": current, "reason": "活动延期"},
    )  # fmt: skip
    assert gone.status_code == 303
    assert api.get(f"/news/{article_id}").status_code == 404
    admin = unescape(api.get("/portal/admin?status=withdrawn", headers=office).text)
    assert "番禺区2026年诚信宣传月启动" in admin and "已撤下" in admin

    officer = browser(db, "department_officer", "pp_officer")
    assert api.get("/portal/admin", headers=officer).status_code == 403
    assert api.get("/portal/admin", follow_redirects=False).status_code == 303


def test_innovation_cases_and_tabs(api: TestClient, db: Session, ctx: Context) -> None:
    office = Context(session=db, actor="office", role="credit_office_staff")
    case = articles.create_article(
        office, "innovation_case", "“信用+租赁”押金减免", "<p>信用良好的租户免交押金。</p>",
        unit="小谷围街道", scenario="credit_rental", publish=True,
    ).article  # fmt: skip
    articles.create_article(office, "news", "区信用办通报信用监测结果", "<p>通报……</p>", publish=True)
    db.commit()
    cases = unescape(api.get("/innovation-cases?scenario=credit_rental").text)
    assert "“信用+租赁”押金减免" in cases and f"/innovation-cases/{case.id}" in cases and "小谷围街道" in cases
    assert "“信用+租赁”押金减免" not in api.get("/innovation-cases?scenario=credit_health").text
    assert api.get("/innovation-cases?scenario=nonsense").status_code == 422
    detail = unescape(api.get(f"/innovation-cases/{case.id}").text)
    assert "实施单位" in detail and "信用+租赁" in detail
    news = unescape(api.get("/news?kind=news").text)
    assert "区信用办通报信用监测结果" in news and "押金减免" not in news and 'aria-current="page">信用动态' in news
    assert api.get(f"/innovation-cases/{case.id + 1}").status_code == 404


def test_a_selection_through_the_forms(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    good = company(ctx, "广州页面守约有限公司", 8401)
    bad = company(ctx, "广州页面欠薪有限公司", 8402)
    published_entry(db, bad, "wage_arrears", published_on=date(2026, 3, 2))
    office = browser(db, "credit_office_staff", "ps_office")
    officer = browser(db, "department_officer", "ps_officer", market)
    opened = post_form(
        api, "/portal/admin/selections/new", "/portal/admin/selections/new", office,
        {"list_code": "contract_honouring", "year": "2026", "title": "守合同重信用企业评选", "closes_on": "2026-12-10"},
    )  # fmt: skip
    assert opened.status_code == 303, unescape(opened.text)[:400]
    selection_id = int(opened.headers["location"].split("/")[-1].split("?")[0])
    nominate = f"/selections/{selection_id}/nominate"
    reason = "合同管理制度健全，近三年无合同违法失信记录。"
    refused = post_form(api, nominate, nominate, officer, {"subject": bad.uscc, "reason": reason})
    assert refused.status_code == 422 and "拖欠农民工工资失信联合惩戒对象名单" in unescape(refused.text)
    made = post_form(api, nominate, nominate, officer, {"subject": good.uscc, "reason": reason})
    assert made.status_code == 303
    twice = post_form(api, nominate, nominate, officer, {"subject": str(good.id), "reason": reason})
    assert twice.status_code == 409 and "同一主体只能推荐一次" in unescape(twice.text)
    public = unescape(api.get(f"/selections/{selection_id}").text)
    assert "推荐中" in public and "广州页面守约有限公司" not in public and "没有处于公示期内的行政处罚" in public
    own = unescape(api.get(f"/portal/admin/selections/{selection_id}", headers=officer).text)
    assert "本部门的推荐（1）" in own and "广州页面守约有限公司" in own and "公布评选结果" not in own

    clock.set_clock(lambda: LATER)
    office = browser(db, "credit_office_staff", "ps_office_later")
    manage = f"/portal/admin/selections/{selection_id}"
    page = api.get(manage, headers=office).text
    nomination_id = re.search(r'action="/portal/admin/nominations/(\d+)/review"', page)
    assert nomination_id
    reviewed = post_form(
        api, manage, f"/portal/admin/nominations/{nomination_id.group(1)}/review", office,
        {"decision": "approve", "note": "符合条件", "lock_version": version(page)},
    )  # fmt: skip
    assert reviewed.status_code == 303
    page = api.get(manage, headers=office).text
    selection_version = PUBLISH_VERSION.search(page)
    assert selection_version
    announced = post_form(
        api,
        manage,
        f"{manage}/publish",
        office,
        {"doc_no": "番发改〔2026〕88号", "lock_version": selection_version.group(1)},
    )
    assert announced.status_code == 303, unescape(announced.text)[:500]
    public = unescape(api.get(f"/selections/{selection_id}").text)
    assert "入选名单（1）" in public and "广州页面守约有限公司" in public and "番发改〔2026〕88号" in public
    assert "广州页面守约有限公司" in unescape(api.get("/lists/public/contract_honouring").text)
    assert "已公布" in unescape(api.get("/selections").text)
