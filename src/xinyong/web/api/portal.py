"""``/api/v1/portal``: the portal's articles and honest-enterprise selections (issue #8, work-plan item 十七).

Public (no credential, ``portal.read``): published articles (list with kind, campaign and scenario filters and
paging; one article with its cleaned body — a draft or withdrawn one is 404), the campaigns and scenarios, the
selections (rules while open, winners once published; natural persons never shown).

The credit office (``portal.publish``) manages articles under ``/admin/articles`` (drafts included): create, edit
with the ``lock_version`` it saw (409 when someone else saved first), publish, withdraw; the answer of a save lists
what cleaning removed from the body. Selections: the office (``selections.manage``) opens rounds, reviews
nominations and publishes results (winners put on the red list, all or nothing); departments' officers and the
office (``selections.nominate``) nominate and read a round with their nominations. State changes by cookie also
send ``X-CSRF-Token``. The rules live in ``portal.articles``, ``portal.selections`` and their query modules.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.portal import article_queries, articles, selection_queries, selections
from xinyong.portal.schemas import (
    ArticleAdmin,
    ArticleAdminPage,
    ArticleEdit,
    ArticleIn,
    ArticleKind,
    ArticleOut,
    ArticlePage,
    ArticleSaved,
    ArticleStatus,
    CampaignOut,
    NominationIn,
    NominationOut,
    PublicSelection,
    PublishSelectionIn,
    ReviewIn,
    ScenarioOut,
    SelectionCard,
    SelectionDetail,
    SelectionIn,
    VersionIn,
    WithdrawIn,
)
from xinyong.web.deps import get_public_context
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/portal", tags=["门户网站"])

PublicContext = Annotated[Context, Depends(get_public_context)]
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="文章编号")]
SelectionId = Annotated[int, Path(ge=1, le=MAX_ID, description="评选编号")]
NominationId = Annotated[int, Path(ge=1, le=MAX_ID, description="推荐编号")]
Offset = Annotated[int, Query(ge=0, le=article_queries.MAX_OFFSET, description="跳过的条数")]
Limit = Annotated[int, Query(ge=1, le=article_queries.MAX_LIMIT, description="每页条数")]
SECURED_CHANGE = [*SECURED, *CSRF]
CHANGE_RESPONSES = error_responses(*DENIED, 404, 409, 422)


def _saved(ctx: Context, saved: articles.Saved) -> ArticleSaved:
    ctx.session.commit()  # committed before answering
    return ArticleSaved(article=article_queries.admin_out(saved.article), warnings=list(saved.warnings))


# --------------------------------------------------------------------------------------------- public
@router.get("/articles", response_model=ArticlePage, summary="已发布的文章", responses=error_responses(422))
def public_articles(
    ctx: PublicContext,
    kind: Annotated[ArticleKind | None, Query(description="类别")] = None,
    campaign: Annotated[str | None, Query(max_length=40, description="宣传节点代码或名称")] = None,
    scenario: Annotated[str | None, Query(max_length=40, description="信用创新案例应用场景代码")] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> ArticlePage:
    """Published articles, newest first: news (信用动态), policies (政策法规), campaign articles (诚信宣传) and
    innovation cases (信用创新案例)."""
    return article_queries.public_articles(
        ctx, kind=kind, campaign=campaign, scenario=scenario, offset=offset, limit=limit
    )


@router.get(
    "/articles/{article_id}", response_model=ArticleOut, summary="一篇已发布的文章", responses=error_responses(404, 422)
)
def public_article(article_id: ArticleId, ctx: PublicContext) -> ArticleOut:
    """The article with its cleaned body; 404 for a draft, a withdrawn article or one that does not exist."""
    return article_queries.public_article(ctx, article_id)


@router.get("/campaigns", response_model=list[CampaignOut], summary="诚信宣传节点")
def campaigns(ctx: PublicContext) -> list[CampaignOut]:
    """The publicity campaigns articles may be tagged with (rules/portal.yaml), next one first, with sources."""
    return article_queries.campaigns_out(ctx.today)


@router.get("/scenarios", response_model=list[ScenarioOut], summary="信用创新案例应用场景")
def scenarios() -> list[ScenarioOut]:
    """The application scenarios innovation cases are filed under (rules/portal.yaml)."""
    return article_queries.scenarios_out()


@router.get("/selections", response_model=list[SelectionCard], summary="诚信评选")
def public_selections(ctx: PublicContext) -> list[SelectionCard]:
    """Every selection round: open ones with their closing day, published ones with their winners' count."""
    return selection_queries.public_selections(ctx)


@router.get(
    "/selections/{selection_id}",
    response_model=PublicSelection,
    summary="诚信评选详情",
    responses=error_responses(404, 422),
)
def public_selection(selection_id: SelectionId, ctx: PublicContext) -> PublicSelection:
    """The round's red list, criteria, legal basis and eligibility rules; its winners once published (nominees
    are not public before; natural persons are never shown)."""
    return selection_queries.public_selection(ctx, selection_id)


# --------------------------------------------------------------------------------------------- office: articles
@router.get(
    "/admin/articles",
    response_model=ArticleAdminPage,
    summary="文章管理列表（含草稿）",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def office_articles(
    ctx: LoggedIn,
    status: Annotated[
        ArticleStatus | None, Query(description="draft 草稿 / published 已发布 / withdrawn 已撤下")
    ] = None,
    kind: Annotated[ArticleKind | None, Query(description="类别")] = None,
    q: Annotated[str | None, Query(max_length=50, description="标题中的字词")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> ArticleAdminPage:
    """Every article, last changed first (the credit office)."""
    return article_queries.office_articles(ctx, status=status, kind=kind, q=q, offset=offset, limit=limit)


@router.get(
    "/admin/articles/{article_id}",
    response_model=ArticleAdmin,
    summary="文章（任意状态）",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 422),
)
def office_article(article_id: ArticleId, ctx: LoggedIn) -> ArticleAdmin:
    """One article with its stored (cleaned) body and version, whatever its status."""
    return article_queries.office_article(ctx, article_id)


@router.post(
    "/admin/articles",
    response_model=ArticleSaved,
    status_code=201,
    summary="新建文章",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def create_article(data: ArticleIn, ctx: LoggedIn) -> ArticleSaved:
    """A draft (published at once with ``publish``); ``warnings`` lists what cleaning removed from the body."""
    saved = articles.create_article(ctx, data.kind, data.title, data.body_html, publish=data.publish, **data.extras())
    return _saved(ctx, saved)


@router.put(
    "/admin/articles/{article_id}",
    response_model=ArticleSaved,
    summary="修改文章",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def edit_article(article_id: ArticleId, data: ArticleEdit, ctx: LoggedIn) -> ArticleSaved:
    """Replace the article's fields; 409 when the version is not the stored one (someone else saved first)."""
    saved = articles.edit_article(
        ctx, article_id, data.lock_version, data.kind, data.title, data.body_html, **data.extras()
    )
    return _saved(ctx, saved)


@router.post(
    "/admin/articles/{article_id}/publish",
    response_model=ArticleAdmin,
    summary="发布文章",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def publish_article(article_id: ArticleId, data: VersionIn, ctx: LoggedIn) -> ArticleAdmin:
    """A draft or withdrawn article goes (back) on the site."""
    article = articles.publish_article(ctx, article_id, data.lock_version)
    ctx.session.commit()
    return article_queries.admin_out(article)


@router.post(
    "/admin/articles/{article_id}/withdraw",
    response_model=ArticleAdmin,
    summary="撤下文章",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def withdraw_article(article_id: ArticleId, data: WithdrawIn, ctx: LoggedIn) -> ArticleAdmin:
    """A published article leaves the site (404 to the public from now on), with the reason."""
    article = articles.withdraw_article(ctx, article_id, data.lock_version, data.reason)
    ctx.session.commit()
    return article_queries.admin_out(article)


# --------------------------------------------------------------------------------------------- staff: selections
@router.get(
    "/admin/selections",
    response_model=list[SelectionCard],
    summary="评选管理列表",
    dependencies=SECURED,
    responses=error_responses(*DENIED),
)
def office_selections(ctx: LoggedIn) -> list[SelectionCard]:
    """Every round with its counts (the office and the nominating departments)."""
    return selection_queries.office_selections(ctx)


@router.get(
    "/admin/selections/{selection_id}",
    response_model=SelectionDetail,
    summary="评选详情（含推荐）",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 422),
)
def selection_detail(selection_id: SelectionId, ctx: LoggedIn) -> SelectionDetail:
    """The round with its nominations (all for the office, its own for a department) and today's eligibility
    problems of each; the read is audited."""
    return selection_queries.selection_detail(ctx, selection_id)


@router.post(
    "/admin/selections",
    response_model=SelectionDetail,
    status_code=201,
    summary="发起评选",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def open_selection(data: SelectionIn, ctx: LoggedIn) -> SelectionDetail:
    """A new round for a red list (kind ``red`` under rules/lists); 409 when the list already has an unpublished
    round for the year."""
    selection = selections.open_selection(ctx, data.list_code, data.year, data.title, data.closes_on, data.description)
    ctx.session.commit()
    return selection_queries.selection_detail(ctx, selection.id)


@router.post(
    "/selections/{selection_id}/nominations",
    response_model=NominationOut,
    status_code=201,
    summary="推荐评选对象",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def nominate(selection_id: SelectionId, data: NominationIn, ctx: LoggedIn) -> NominationOut:
    """Nominate a subject until the closing day: 422 with every reason when it is not eligible, 409 after the
    closing day or when it was nominated before in this round."""
    nomination = selections.nominate(ctx, selection_id, data.subject_id, data.reason)
    ctx.session.commit()
    return _nomination(ctx, nomination.selection_id, nomination.id)


def _nomination(ctx: Context, selection_id: int, nomination_id: int) -> NominationOut:
    detail = selection_queries.selection_detail(ctx, selection_id)
    return next(n for n in detail.nominations_list if n.id == nomination_id)


@router.post(
    "/admin/nominations/{nomination_id}/review",
    response_model=NominationOut,
    summary="评审推荐",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def review(nomination_id: NominationId, data: ReviewIn, ctx: LoggedIn) -> NominationOut:
    """Approve (eligibility checked again) or reject (a note required), after the closing day and before
    publication; 409 on a stale version."""
    nomination = selections.review(ctx, nomination_id, data.decision, data.note, data.lock_version)
    ctx.session.commit()
    return _nomination(ctx, nomination.selection_id, nomination.id)


@router.post(
    "/admin/selections/{selection_id}/publish",
    response_model=SelectionDetail,
    summary="公布评选结果（列入红名单）",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def publish_selection(selection_id: SelectionId, data: PublishSelectionIn, ctx: LoggedIn) -> SelectionDetail:
    """Every approved nominee is proposed, decided and published on the red list in one transaction; 409 naming
    the nominee when one fails (nothing is listed then), or while nominations are unreviewed."""
    selections.publish_selection(ctx, selection_id, data.doc_no, data.lock_version)
    ctx.session.commit()
    return selection_queries.selection_detail(ctx, selection_id)
