"""The credit office's articles (``portal.publish``): create, edit, publish and withdraw news, policies, publicity
campaign articles and credit innovation cases (信用创新案例), work-plan item 十七.

Every body is cleaned with the allowlist of ``rules/portal.yaml`` before it is stored (``portal.sanitise``); what
was removed comes back as warnings for the editor. An edit carries the ``lock_version`` the editor saw (409 when
someone else saved first). A withdrawn article is gone for the public (404, like one that never existed) and can
be published again. Every change appends one audit event; nothing here commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.portal.models import ARTICLE_KINDS, ARTICLE_STATUSES, Article
from xinyong.portal.rules import portal_rules
from xinyong.portal.sanitise import sanitise
from xinyong.records import cases

PUBLISH = "portal.publish"
LABEL = "该文章"
_TAGS = re.compile(r"<[^>]*>")
_BREAKS = re.compile(r"[\r\n\t]")


@dataclass(frozen=True)
class Saved:
    """An article as stored, and what cleaning removed from its body."""

    article: Article
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Fields:
    """An article's checked fields (body cleaned)."""

    kind: str
    title: str
    summary: str
    source: str
    body_html: str
    campaign: str
    unit: str
    scenario: str
    warnings: tuple[str, ...]


def campaign_name(value: str | None) -> str:
    """The campaign a tag names (its code or its name) as stored (the name); "" for none; ``InvalidInput``
    listing the campaigns otherwise."""
    text = (value or "").strip()
    if not text:
        return ""
    book = portal_rules()
    found = book.campaign(text) or next((c for c in book.campaigns if c.name == text), None)
    if found is None:
        known = "、".join(f"{c.code}（{c.name}）" for c in book.campaigns)
        raise InvalidInput(f"没有宣传节点“{text[:40]}”，可用：{known}", field="campaign")
    return found.name


def check_kind(kind: str | None) -> str:
    """``kind`` if it is an article kind; ``InvalidInput`` naming the kinds otherwise."""
    if kind not in ARTICLE_KINDS:
        known = "、".join(f"{k}（{v}）" for k, v in ARTICLE_KINDS.items())
        raise InvalidInput(f"文章类别应为 {known}", field="kind")
    return kind


def _line(value: str | None, what: str, field: str, max_len: int, *, required: bool = False) -> str:
    text = cases.clean_text(value, what, field, max_len=max_len, min_len=1 if required else 0)
    if _BREAKS.search(text):
        raise InvalidInput(f"{what}不能换行", field=field)
    return text


def check_fields(
    kind: str,
    title: str,
    body_html: str,
    *,
    summary: str = "",
    source: str = "",
    campaign: str = "",
    unit: str = "",
    scenario: str = "",
) -> Fields:
    """Every field checked and the body cleaned; ``InvalidInput`` naming the field and why."""
    limits = portal_rules().limits
    kind = check_kind(kind)
    title = _line(title, "标题", "title", limits.title_max, required=True)
    summary = cases.clean_text(summary, "摘要", "summary", max_len=limits.summary_max)
    source = _line(source, "来源", "source", limits.source_max)
    unit = _line(unit, "实施单位", "unit", limits.unit_max)
    scenario = (scenario or "").strip()
    if kind == "innovation_case":
        if not unit:
            raise InvalidInput("信用创新案例请填写实施单位（镇街或部门）", field="unit")
        book = portal_rules()
        found = book.scenario(scenario) or next((s for s in book.innovation_scenarios if s.name == scenario), None)
        if found is None:
            known = "、".join(f"{s.code}（{s.name}）" for s in book.innovation_scenarios)
            raise InvalidInput(f"请选择信用创新案例的应用场景：{known}", field="scenario")
        scenario = found.code
    elif unit or scenario:
        raise InvalidInput("只有信用创新案例填写实施单位和应用场景", field="unit" if unit else "scenario")
    raw = body_html or ""
    if not raw.strip():
        raise InvalidInput("请填写正文", field="body_html")
    if len(raw) > limits.body_max:
        raise InvalidInput(f"正文过长（最多 {limits.body_max} 个字符，当前 {len(raw)} 个）", field="body_html")
    if "\x00" in raw:
        raise InvalidInput("正文含有不可见的控制字符", field="body_html")
    cleaned = sanitise(raw)
    if not _TAGS.sub("", cleaned.html).strip() and "<img" not in cleaned.html:
        reasons = "；".join(cleaned.warnings) or "只有空白"
        raise InvalidInput(f"正文清理后没有可显示的内容（{reasons}）", field="body_html")
    return Fields(
        kind=kind,
        title=title,
        summary=summary,
        source=source,
        body_html=cleaned.html,
        campaign=campaign_name(campaign),
        unit=unit,
        scenario=scenario,
        warnings=cleaned.warnings,
    )


def get_article(ctx: Context, article_id: int) -> Article:
    """The article ``article_id`` (any status); ``NotFound`` otherwise. No permission check: callers check."""
    found = fetch(ctx.session, Article, article_id) if isinstance(article_id, int) else None
    if found is None:
        raise NotFound(f"文章 {article_id} 不存在", field="article_id")
    return found


def _detail(article: Article, **extra: object) -> dict[str, object]:
    return {"kind": article.kind, "title": article.title, "status": article.status, **extra}


# --------------------------------------------------------------------------------------------- actions
def create_article(
    ctx: Context,
    kind: str,
    title: str,
    body_html: str,
    *,
    summary: str = "",
    source: str = "",
    campaign: str = "",
    unit: str = "",
    scenario: str = "",
    publish: bool = False,
) -> Saved:
    """A new draft (published at once when ``publish``), its body cleaned; the warnings say what was removed."""
    require(ctx, PUBLISH)
    fields = check_fields(
        kind, title, body_html, summary=summary, source=source, campaign=campaign, unit=unit, scenario=scenario
    )
    article = Article(
        kind=fields.kind,
        title=fields.title,
        summary=fields.summary,
        body_html=fields.body_html,
        campaign=fields.campaign,
        source=fields.source,
        unit=fields.unit,
        scenario=fields.scenario,
        status="published" if publish else "draft",
        published_at=ctx.at if publish else None,
        withdrawn_at=None,
        withdraw_reason="",
        author=ctx.actor,
        created_at=ctx.at,
        updated_at=ctx.at,
        updated_by=ctx.actor,
    )
    ctx.session.add(article)
    ctx.session.flush()
    audit.record(
        ctx, "portal.article_create", "portal_article", article.id, _detail(article, removed=list(fields.warnings))
    )
    return Saved(article, fields.warnings)


def edit_article(
    ctx: Context,
    article_id: int,
    expected_version: int | None,
    kind: str,
    title: str,
    body_html: str,
    *,
    summary: str = "",
    source: str = "",
    campaign: str = "",
    unit: str = "",
    scenario: str = "",
) -> Saved:
    """Replace the article's fields (a published one changes on the site at once); 409 on a stale version."""
    require(ctx, PUBLISH)
    article = get_article(ctx, article_id)
    cases.check_expected_version(article.lock_version, expected_version, LABEL)
    fields = check_fields(
        kind, title, body_html, summary=summary, source=source, campaign=campaign, unit=unit, scenario=scenario
    )
    changed = [
        name
        for name in ("kind", "title", "summary", "source", "body_html", "campaign", "unit", "scenario")
        if getattr(article, name) != getattr(fields, name)
    ]
    for name in changed:
        setattr(article, name, getattr(fields, name))
    article.updated_at = ctx.at
    article.updated_by = ctx.actor
    cases.flush_locked(ctx, LABEL)
    audit.record(
        ctx,
        "portal.article_edit",
        "portal_article",
        article.id,
        _detail(article, changed=changed, removed=list(fields.warnings)),
    )
    return Saved(article, fields.warnings)


def publish_article(ctx: Context, article_id: int, expected_version: int | None) -> Article:
    """Draft or withdrawn → published (the first publication's time is kept on a re-publication)."""
    require(ctx, PUBLISH)
    article = get_article(ctx, article_id)
    cases.check_expected_version(article.lock_version, expected_version, LABEL)
    if article.status == "published":
        raise Conflict("该文章已发布", code="article_state")
    before = article.status
    article.status = "published"
    article.published_at = article.published_at or ctx.at
    article.withdrawn_at = None
    article.updated_at = ctx.at
    article.updated_by = ctx.actor
    cases.flush_locked(ctx, LABEL)
    audit.record(ctx, "portal.article_publish", "portal_article", article.id, _detail(article, before=before))
    return article


def withdraw_article(ctx: Context, article_id: int, expected_version: int | None, reason: str) -> Article:
    """Published → withdrawn (gone for the public), with the reason."""
    require(ctx, PUBLISH)
    article = get_article(ctx, article_id)
    cases.check_expected_version(article.lock_version, expected_version, LABEL)
    if article.status != "published":
        label = ARTICLE_STATUSES.get(article.status, article.status)
        raise Conflict(f"该文章当前为“{label}”，只有已发布的文章可以撤下", code="article_state")
    reason = _line(reason, "撤下原因", "reason", 500, required=True)
    article.status = "withdrawn"
    article.withdrawn_at = ctx.at
    article.withdraw_reason = reason
    article.updated_at = ctx.at
    article.updated_by = ctx.actor
    cases.flush_locked(ctx, LABEL)
    audit.record(ctx, "portal.article_withdraw", "portal_article", article.id, _detail(article, reason=reason))
    return article
