"""Articles on the service (issue #8): the credit office creates, edits, publishes and withdraws news, policies,
campaign articles and innovation cases; bodies are cleaned before they are stored with a report of what was
removed; stale edits 409; withdrawn and draft articles are 404 to the public; permissions; audit events — on
SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select
from tests.portal.conftest import Desk

from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.portal import article_queries, articles
from xinyong.portal.models import Article
from xinyong.portal.queries import latest_articles
from xinyong.records.cases import StaleCase

BODY = "<h2>活动安排</h2><p>6月在各镇街开展<strong>诚信宣传月</strong>活动。</p>"


def test_a_draft_is_hidden_until_published_and_gone_again_when_withdrawn(desk: Desk) -> None:
    saved = articles.create_article(
        desk.office, "campaign", "番禺区启动2026年诚信宣传月", BODY, summary="诚信进企业", campaign="诚信宣传月"
    )
    article = saved.article
    assert saved.warnings == ()
    assert article.status == "draft" and article.published_at is None and article.campaign == "诚信宣传月"
    assert article_queries.public_articles(desk.public).total == 0
    with pytest.raises(NotFound):
        article_queries.public_article(desk.public, article.id)

    articles.publish_article(desk.office, article.id, article.lock_version)
    page = article_queries.public_articles(desk.public, kind="campaign")
    assert [c.title for c in page.items] == ["番禺区启动2026年诚信宣传月"]
    assert page.items[0].url == f"/news/{article.id}"
    shown = article_queries.public_article(desk.public, article.id)
    assert "<strong>诚信宣传月</strong>" in shown.body_html
    assert [c.id for c in latest_articles(desk.office.session)] == [article.id]
    assert article_queries.public_articles(desk.public, campaign="integrity_month").total == 1  # code or name
    assert article_queries.public_articles(desk.public, kind="news").total == 0

    articles.withdraw_article(desk.office, article.id, article.lock_version, "活动时间调整，稍后重新发布")
    assert article.status == "withdrawn" and article.withdraw_reason == "活动时间调整，稍后重新发布"
    with pytest.raises(NotFound, match="不存在或已撤下"):
        article_queries.public_article(desk.public, article.id)
    assert article_queries.public_articles(desk.public).total == 0
    assert latest_articles(desk.office.session) == []
    office_view = article_queries.office_articles(desk.office, status="withdrawn")
    assert [a.id for a in office_view.items] == [article.id]

    first = article.published_at
    articles.publish_article(desk.office, article.id, article.lock_version)
    assert article.published_at == first and article.withdrawn_at is None
    with pytest.raises(Conflict, match="已发布"):
        articles.publish_article(desk.office, article.id, article.lock_version)
    actions = desk.office.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "portal_article").order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "portal.article_create",
        "portal.article_publish",
        "portal.article_withdraw",
        "portal.article_publish",
    ]


def test_the_body_is_cleaned_before_it_is_stored_and_the_editor_is_told_what_went(desk: Desk) -> None:
    nasty = (
        '<p onclick="steal()" style="color:red">通知<script>alert(1)</script></p>'
        '<img src="x.png" onerror="alert(2)" alt="海报"><a href="javascript:alert(3)">点此</a>'
        '<iframe src="https://evil.example/"></iframe><a href="https://www.gov.cn/">中国政府网</a>'
    )
    saved = articles.create_article(desk.office, "news", "含危险标记的稿件", nasty, publish=True)
    stored = desk.office.session.scalar(select(Article.body_html).where(Article.id == saved.article.id))
    assert stored is not None
    for bad in ("<script", "onclick", "onerror", "style=", "javascript:", "<iframe", "alert("):
        assert bad not in stored, bad
    assert '<a href="https://www.gov.cn/" rel="noopener noreferrer">中国政府网</a>' in stored
    assert '<img src="x.png" alt="海报">' in stored
    text = "\n".join(saved.warnings)
    for told in ("onclick", "style", "<script>", "onerror", "javascript:alert(3)", "<iframe>"):
        assert told in text, told
    event = desk.office.session.scalar(select(AuditEvent).where(AuditEvent.action == "portal.article_create"))
    assert event is not None and len(event.detail["removed"]) == len(saved.warnings)


def test_a_body_that_is_nothing_but_script_is_refused_with_the_reason(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match=r"正文清理后没有可显示的内容.*script") as refused:
        articles.create_article(desk.office, "news", "空稿", "<script>alert(1)</script>")
    assert refused.value.field == "body_html"
    with pytest.raises(InvalidInput, match="请填写正文"):
        articles.create_article(desk.office, "news", "空稿", "   ")


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(desk: Desk) -> None:
    article = articles.create_article(desk.office, "policy", "广东省社会信用条例", "<p>第一条 为了……</p>").article
    seen = article.lock_version
    articles.edit_article(
        desk.office, article.id, seen, "policy", "《广东省社会信用条例》全文", "<p>第一条 为了规范社会信用管理……</p>"
    )
    assert article.lock_version == seen + 1
    with pytest.raises(StaleCase) as stale:
        articles.edit_article(desk.office, article.id, seen, "policy", "旧标题", "<p>旧正文</p>")
    assert stale.value.status == 409 and "已被他人处理或更新" in stale.value.message
    assert article.title == "《广东省社会信用条例》全文"
    with pytest.raises(StaleCase):
        articles.publish_article(desk.office, article.id, seen)
    with pytest.raises(StaleCase):
        articles.withdraw_article(desk.office, article.id, seen, "理由")
    event = desk.office.session.scalar(select(AuditEvent).where(AuditEvent.action == "portal.article_edit"))
    assert event is not None and event.detail["changed"] == ["title", "body_html"]


def test_innovation_cases_carry_a_unit_and_a_scenario(desk: Desk) -> None:
    case = articles.create_article(
        desk.office,
        "innovation_case",
        "“信用+家政”：家政服务员持证上岗",
        "<p>为家政服务员建立信用档案……</p>",
        unit="市桥街道",
        scenario="信用+家政",
        publish=True,
    ).article
    assert case.scenario == "credit_housekeeping" and case.unit == "市桥街道"
    page = article_queries.public_articles(desk.public, kind="innovation_case", scenario="credit_housekeeping")
    assert [(c.scenario_label, c.url) for c in page.items] == [("信用+家政", f"/innovation-cases/{case.id}")]
    with pytest.raises(NotFound):
        article_queries.public_article(desk.public, case.id, kind="news")
    with pytest.raises(InvalidInput, match="实施单位") as missing:
        articles.create_article(desk.office, "innovation_case", "无单位", "<p>x</p>", scenario="other")
    assert missing.value.field == "unit"
    with pytest.raises(InvalidInput, match="应用场景：credit_health"):
        articles.create_article(desk.office, "innovation_case", "无场景", "<p>x</p>", unit="区发改局")
    with pytest.raises(InvalidInput, match="只有信用创新案例"):
        articles.create_article(desk.office, "news", "新闻", "<p>x</p>", unit="区发改局")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"kind": "blog"}, "kind", "文章类别应为"),
        ({"title": ""}, "title", "请填写标题"),
        ({"title": "第一行\n第二行"}, "title", "标题不能换行"),
        ({"title": "长" * 201}, "title", "标题过长"),
        ({"campaign": "植树节"}, "campaign", "没有宣传节点“植树节”"),
        ({"summary": "摘" * 501}, "summary", "摘要过长"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(desk: Desk, change: dict[str, str], field: str, words: str) -> None:
    values = {"kind": "news", "title": "标题", "body_html": "<p>正文</p>"} | change
    kind, title, body = values.pop("kind"), values.pop("title"), values.pop("body_html")
    with pytest.raises(InvalidInput, match=words) as refused:
        articles.create_article(desk.office, kind, title, body, **values)
    assert refused.value.field == field


def test_only_the_credit_office_writes_articles(desk: Desk) -> None:
    article = articles.create_article(desk.office, "news", "区信用办召开工作会议", "<p>会议要求……</p>").article
    for who in (desk.officer, desk.public, dataclasses.replace(desk.office, role="regulator")):
        with pytest.raises(PermissionDenied):
            articles.create_article(who, "news", "越权稿件", "<p>x</p>")
        with pytest.raises(PermissionDenied):
            articles.publish_article(who, article.id, article.lock_version)
        with pytest.raises(PermissionDenied):
            article_queries.office_articles(who)
    with pytest.raises(NotFound):
        articles.publish_article(desk.office, 987654, 1)
