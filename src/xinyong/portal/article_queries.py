"""Read side of the portal's articles: the public lists and pages (published only, bodies cleaned again on the way
out), the campaigns and scenarios, and the credit office's list with drafts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput, NotFound
from xinyong.portal.articles import PUBLISH, campaign_name, check_kind, get_article
from xinyong.portal.models import ARTICLE_KINDS, ARTICLE_STATUSES, Article
from xinyong.portal.rules import Campaign, portal_rules
from xinyong.portal.sanitise import clean_html
from xinyong.portal.schemas import (
    ArticleAdmin,
    ArticleAdminPage,
    ArticleCardOut,
    ArticleOut,
    ArticlePage,
    CampaignOut,
    ScenarioOut,
)

READ = "portal.read"
MAX_LIMIT = 100
MAX_OFFSET = 10_000
QUERY_MAX = 50


def article_url(article: Article) -> str:
    """The stable public address of an article."""
    return f"/innovation-cases/{article.id}" if article.kind == "innovation_case" else f"/news/{article.id}"


def scenario_label(code: str) -> str:
    found = portal_rules().scenario(code) if code else None
    return found.name if found else code


def _card(a: Article) -> ArticleCardOut:
    assert a.published_at is not None
    return ArticleCardOut(
        id=a.id,
        kind=a.kind,
        kind_label=ARTICLE_KINDS.get(a.kind, a.kind),
        title=a.title,
        summary=a.summary,
        source=a.source,
        campaign=a.campaign,
        unit=a.unit,
        scenario=a.scenario,
        scenario_label=scenario_label(a.scenario),
        published_at=a.published_at,
        url=article_url(a),
    )


def admin_out(a: Article, *, body: bool = True) -> ArticleAdmin:
    """The office's view of an article (the stored, already cleaned body when ``body``)."""
    return ArticleAdmin(
        id=a.id,
        kind=a.kind,
        kind_label=ARTICLE_KINDS.get(a.kind, a.kind),
        title=a.title,
        summary=a.summary,
        source=a.source,
        campaign=a.campaign,
        unit=a.unit,
        scenario=a.scenario,
        scenario_label=scenario_label(a.scenario),
        status=a.status,
        status_label=ARTICLE_STATUSES.get(a.status, a.status),
        published_at=a.published_at,
        withdrawn_at=a.withdrawn_at,
        withdraw_reason=a.withdraw_reason,
        author=a.author,
        created_at=a.created_at,
        updated_at=a.updated_at,
        updated_by=a.updated_by,
        lock_version=a.lock_version,
        body_html=a.body_html if body else "",
    )


def check_page(offset: int, limit: int) -> None:
    """Paging bounds, with Chinese messages."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {MAX_LIMIT} 之间", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"分页位置应在 0 到 {MAX_OFFSET} 之间", field="offset")


def _published() -> Select[tuple[Article]]:
    return select(Article).where(Article.status == "published", Article.published_at.is_not(None))


def _scenario_code(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    book = portal_rules()
    found = book.scenario(text) or next((s for s in book.innovation_scenarios if s.name == text), None)
    if found is None:
        raise InvalidInput(f"没有应用场景“{text[:40]}”", field="scenario")
    return found.code


# --------------------------------------------------------------------------------------------- public
def public_articles(
    ctx: Context,
    *,
    kind: str | None = None,
    campaign: str | None = None,
    scenario: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> ArticlePage:
    """Published articles (of a kind, a campaign, a scenario), newest first."""
    require(ctx, READ)
    check_page(offset, limit)
    stmt = _published()
    kind = check_kind(kind) if kind else None
    if kind:
        stmt = stmt.where(Article.kind == kind)
    tag = campaign_name(campaign) or None
    if tag:
        stmt = stmt.where(Article.campaign == tag)
    code = _scenario_code(scenario)
    if code:
        stmt = stmt.where(Article.scenario == code)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = ctx.session.scalars(
        stmt.order_by(Article.published_at.desc(), Article.id.desc()).offset(offset).limit(limit)
    )
    return ArticlePage(
        kind=kind,
        campaign=tag,
        scenario=code,
        total=total,
        offset=offset,
        limit=limit,
        items=[_card(a) for a in rows],
    )


def public_article(ctx: Context, article_id: int, kind: str | None = None) -> ArticleOut:
    """A published article (of ``kind`` when given) with its body cleaned again; ``NotFound`` for a draft, a
    withdrawn one or one that does not exist (the public cannot tell them apart)."""
    require(ctx, READ)
    try:
        found = get_article(ctx, article_id)
    except NotFound:
        found = None
    if found is None or found.status != "published" or found.published_at is None or (kind and found.kind != kind):
        raise NotFound("该文章不存在或已撤下", field="article_id")
    return ArticleOut(**_card(found).model_dump(), body_html=clean_html(found.body_html))


def campaigns_out(as_of: date) -> list[CampaignOut]:
    """The campaigns, in the order they next come round from ``as_of``."""
    return [
        CampaignOut(code=c.code, name=c.name, when=c.when, next_start=c.next_start(as_of), source=c.source)
        for c in portal_rules().campaigns_by_next(as_of)
    ]


def scenarios_out() -> list[ScenarioOut]:
    """The innovation-case scenarios."""
    return [ScenarioOut(code=s.code, name=s.name, source=s.source) for s in portal_rules().innovation_scenarios]


@dataclass(frozen=True)
class CampaignGroup:
    """A campaign and its published articles (``campaign`` None: campaign articles without a tag)."""

    campaign: Campaign | None
    articles: list[ArticleCardOut]


def campaign_groups(ctx: Context, as_of: date, per_group: int = 10) -> list[CampaignGroup]:
    """Published articles tagged with a campaign, grouped by campaign (next one first), then untagged campaign
    articles; campaigns with nothing published are left out."""
    require(ctx, READ)
    rows = ctx.session.scalars(
        _published()
        .where(or_(Article.campaign != "", Article.kind == "campaign"))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(500)
    )
    by_tag: dict[str, list[ArticleCardOut]] = {}
    for a in rows:
        by_tag.setdefault(a.campaign, []).append(_card(a))
    groups = [
        CampaignGroup(c, by_tag[c.name][:per_group])
        for c in portal_rules().campaigns_by_next(as_of)
        if by_tag.get(c.name)
    ]
    if by_tag.get(""):
        groups.append(CampaignGroup(None, by_tag[""][:per_group]))
    return groups


# --------------------------------------------------------------------------------------------- office
def office_articles(
    ctx: Context,
    *,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ArticleAdminPage:
    """Every article (drafts and withdrawn included), last changed first; bodies left out."""
    require(ctx, PUBLISH)
    check_page(offset, limit)
    stmt = select(Article)
    if status:
        if status not in ARTICLE_STATUSES:
            known = "、".join(f"{k}（{v}）" for k, v in ARTICLE_STATUSES.items())
            raise InvalidInput(f"文章状态应为 {known}", field="status")
        stmt = stmt.where(Article.status == status)
    if kind:
        stmt = stmt.where(Article.kind == check_kind(kind))
    text = (q or "").strip()
    if len(text) > QUERY_MAX:
        raise InvalidInput(f"查询词过长（最多 {QUERY_MAX} 个字）", field="q")
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Article.title.like(f"%{escaped}%", escape="\\"))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = ctx.session.scalars(stmt.order_by(Article.updated_at.desc(), Article.id.desc()).offset(offset).limit(limit))
    return ArticleAdminPage(total=total, offset=offset, limit=limit, items=[admin_out(a, body=False) for a in rows])


def office_article(ctx: Context, article_id: int) -> ArticleAdmin:
    """One article with its stored body, whatever its status (the credit office)."""
    require(ctx, PUBLISH)
    return admin_out(get_article(ctx, article_id))


def kind_counts(ctx: Context, kinds: Sequence[str] = tuple(ARTICLE_KINDS)) -> dict[str, int]:
    """Published articles per kind (for the tabs)."""
    require(ctx, READ)
    rows = ctx.session.execute(
        _published().with_only_columns(Article.kind, func.count()).where(Article.kind.in_(kinds)).group_by(Article.kind)
    )
    counts = {k: 0 for k in kinds}
    counts.update({str(k): int(n) for k, n in rows})
    return counts
