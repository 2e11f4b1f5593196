"""Pages of the portal's own content (issue #8, work-plan item 十七): articles, innovation cases, selections.

Public: ``/news`` (every kind, with tabs 信用动态 / 政策法规 / 诚信宣传 / 信用创新案例), ``/news/{id}`` (the stable
address of any published article), ``/policies``, ``/campaigns`` (grouped by campaign, next one first),
``/innovation-cases`` (+ ``/{id}``, filtered by scenario), ``/selections`` and ``/selections/{id}`` (rules while
open, winners once published). An article body is shown with ``|safe`` only because it was cleaned on save; it is
cleaned again on the way out (``portal.article_queries.public_article``).

The credit office: ``/portal/admin`` (articles with drafts, selections), the article form (a plain textarea for
HTML; what cleaning removed is shown after saving), publish and withdraw; opening a selection, reviewing its
nominations and publishing the results. Departments' officers and the office: ``/portal/nominations`` (open
rounds, one's own nominations) and ``/selections/{id}/nominate``. Every form posts the CSRF token and the version
it showed (409 re-renders the page with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.service import subject_by_ref
from xinyong.lists.types import list_catalogue
from xinyong.portal import article_queries, articles, selection_queries, selections
from xinyong.portal.models import ARTICLE_KINDS, ARTICLE_STATUSES
from xinyong.portal.rules import portal_rules
from xinyong.portal.sanitise import clean_html
from xinyong.records.cases import in_china
from xinyong.web import csrf
from xinyong.web.deps import get_public_context, require_login
from xinyong.web.forms import required_day
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
PublicContext = Annotated[Context, Depends(get_public_context)]
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID)]
SelectionId = Annotated[int, Path(ge=1, le=MAX_ID)]
NominationId = Annotated[int, Path(ge=1, le=MAX_ID)]
PageNo = Annotated[str, Query(max_length=8)]
BODY_MAX = 200_000
TEXT = 4000
ADMIN_NAV = "portal_admin"
DONE = {
    "saved": "已保存。",
    "published": "已发布，公众现在可以看到。",
    "withdrawn": "已撤下，公众不再能看到该文章。",
    "opened": "评选已发起，各部门可在截止日前推荐。",
    "reviewed": "评审意见已记录。",
    "nominated": "推荐已提交，区信用办将在截止后评审。",
    "announced": "评选结果已公布，评审通过的对象已列入红名单。",
}
TABS = (
    ("all", "全部", "/news"),
    ("news", "信用动态", "/news?kind=news"),
    ("policy", "政策法规", "/policies"),
    ("campaign", "诚信宣传", "/campaigns"),
    ("innovation_case", "信用创新案例", "/innovation-cases"),
)


def china_day(at: datetime | None) -> date | None:
    """The day in China of a stored moment."""
    return in_china(at).date() if at else None


def _page_number(raw: str) -> int:
    text = (raw or "1").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= 500 else 1


def _tabs(current: str) -> list[dict[str, object]]:
    return [{"label": label, "url": url, "current": key == current} for key, label, url in TABS]


def _base(nav: str) -> dict[str, Any]:
    return {"nav": nav, "china_day": china_day}


# --------------------------------------------------------------------------------------------- public lists
def _article_list(
    request: Request, ctx: Context, *, kind: str | None, tab: str, title: str, nav: str, page: str, **extra: Any
) -> Response:
    size = portal_rules().limits.page_size
    number = _page_number(page)
    scenario = extra.pop("scenario", "") or None
    error = None
    try:
        shown = article_queries.public_articles(
            ctx, kind=kind, scenario=scenario, offset=(number - 1) * size, limit=size
        )
    except InvalidInput as exc:
        error = exc.message
        shown = article_queries.public_articles(ctx, kind=kind, limit=size)
    pages = max(1, -(-shown.total // size))
    params = {k: v for k, v in (("kind", request.query_params.get("kind", "")), ("scenario", scenario or "")) if v}
    context = _base(nav) | {
        "page_base": f"{request.url.path}?{urlencode(params)}&" if params else f"{request.url.path}?",
        "title": title,
        "tabs": _tabs(tab),
        "shown": shown,
        "number": number,
        "pages": pages,
        "error": error,
        **extra,
    }
    return render(request, "portal_news.html", context, status_code=422 if error else 200)


@router.get("/news")
def news(
    request: Request, ctx: PublicContext, kind: Annotated[str, Query(max_length=20)] = "", page: PageNo = "1"
) -> Response:
    """Published articles of every kind (or one kind), newest first."""
    chosen = kind if kind in ARTICLE_KINDS else None
    title = ARTICLE_KINDS[chosen] if chosen else "新闻动态"
    return _article_list(request, ctx, kind=chosen, tab=chosen or "all", title=title, nav="news", page=page)


@router.get("/policies")
def policies(request: Request, ctx: PublicContext, page: PageNo = "1") -> Response:
    """Published policies and regulations (政策法规)."""
    return _article_list(request, ctx, kind="policy", tab="policy", title="政策法规", nav="policies", page=page)


@router.get("/innovation-cases")
def innovation_cases(
    request: Request, ctx: PublicContext, scenario: Annotated[str, Query(max_length=40)] = "", page: PageNo = "1"
) -> Response:
    """The library of credit innovation cases (信用创新案例), filtered by scenario."""
    return _article_list(
        request,
        ctx,
        kind="innovation_case",
        tab="innovation_case",
        title="信用创新案例",
        nav="innovation_cases",
        page=page,
        scenario=scenario,
        scenarios=portal_rules().innovation_scenarios,
        chosen_scenario=scenario,
    )


@router.get("/campaigns")
def campaigns(request: Request, ctx: PublicContext) -> Response:
    """Campaign articles grouped by campaign (诚信宣传月, 信用记录关爱日 …), the next campaign first."""
    context = _base("campaigns") | {
        "tabs": _tabs("campaign"),
        "groups": article_queries.campaign_groups(ctx, ctx.today),
        "calendar": article_queries.campaigns_out(ctx.today),
    }
    return render(request, "portal_campaigns.html", context)


def _article_page(request: Request, ctx: Context, article_id: int, kind: str | None) -> Response:
    article = article_queries.public_article(ctx, article_id, kind)
    nav = "innovation_cases" if article.kind == "innovation_case" else "news"
    return render(request, "portal_article.html", _base(nav) | {"a": article})


@router.get("/news/{article_id}")
def article(request: Request, article_id: ArticleId, ctx: PublicContext) -> Response:
    """One published article (any kind); a draft or withdrawn one is 404."""
    return _article_page(request, ctx, article_id, None)


@router.get("/innovation-cases/{article_id}")
def innovation_case(request: Request, article_id: ArticleId, ctx: PublicContext) -> Response:
    """One published innovation case."""
    return _article_page(request, ctx, article_id, "innovation_case")


@router.get("/selections")
def public_selections(request: Request, ctx: PublicContext) -> Response:
    """Selection rounds: open ones with their closing day, published ones with their winners."""
    context = _base("selections") | {"rows": selection_queries.public_selections(ctx)}
    return render(request, "portal_selections.html", context)


@router.get("/selections/{selection_id}")
def public_selection(request: Request, selection_id: SelectionId, ctx: PublicContext) -> Response:
    """A round's rules (list, criteria, basis, eligibility) and, once published, its winners."""
    context = _base("selections") | {"s": selection_queries.public_selection(ctx, selection_id)}
    return render(request, "portal_selection.html", context)


# --------------------------------------------------------------------------------------------- office: articles
@router.get("/portal/admin")
def admin(
    request: Request,
    ctx: Login,
    status: Annotated[str, Query(max_length=16)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=50)] = "",
    page: PageNo = "1",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Articles (drafts and withdrawn included) and selection rounds."""
    require(ctx, articles.PUBLISH)
    size = 50
    number = _page_number(page)
    error = None
    try:
        shown = article_queries.office_articles(
            ctx, status=status or None, kind=kind or None, q=q, offset=(number - 1) * size, limit=size
        )
    except InvalidInput as exc:
        error = exc.message
        shown = article_queries.office_articles(ctx, limit=size)
    context = _base(ADMIN_NAV) | {
        "shown": shown,
        "status": status,
        "kind": kind,
        "q": q,
        "number": number,
        "pages": max(1, -(-shown.total // size)),
        "kinds": ARTICLE_KINDS,
        "statuses": ARTICLE_STATUSES,
        "rounds": selection_queries.office_selections(ctx) if allowed(ctx.role, selections.NOMINATE) else [],
        "may_manage": allowed(ctx.role, selections.MANAGE),
        "error": error,
        "done": DONE.get(done, ""),
    }
    return render(request, "portal_admin.html", context, status_code=422 if error else 200)


def _form_page(
    request: Request,
    ctx: Context,
    form: dict[str, str],
    *,
    article: Any = None,
    warnings: tuple[str, ...] = (),
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    book = portal_rules()
    context = _base(ADMIN_NAV) | {
        "form": form,
        "article": article,
        "preview": clean_html(article.body_html) if article is not None else "",
        "warnings": warnings,
        "error": error,
        "done": DONE.get(done, ""),
        "kinds": ARTICLE_KINDS,
        "statuses": ARTICLE_STATUSES,
        "campaigns": book.campaigns,
        "scenarios": book.innovation_scenarios,
        "limits": book.limits,
    }
    return render(request, "portal_article_form.html", context, status_code=status)


def _form_of(a: Any) -> dict[str, str]:
    return {
        "kind": a.kind,
        "title": a.title,
        "summary": a.summary,
        "source": a.source,
        "campaign": a.campaign,
        "unit": a.unit,
        "scenario": a.scenario,
        "body_html": a.body_html,
        "lock_version": str(a.lock_version),
    }


def _version(raw: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**31:
        raise InvalidInput("表单缺少版本号，请刷新页面后重试", field="lock_version")
    return int(text)


@router.get("/portal/admin/articles/new")
def new_article(request: Request, ctx: Login, kind: Annotated[str, Query(max_length=20)] = "news") -> Response:
    """The empty article form."""
    require(ctx, articles.PUBLISH)
    return _form_page(request, ctx, {"kind": kind if kind in ARTICLE_KINDS else "news"})


class ArticleForm(BaseModel):
    """The article form's fields (one shape for a new article and an edit; ``publish`` only on a new one,
    ``lock_version`` only on an edit)."""

    kind: str = Field("", max_length=20)
    title: str = Field("", max_length=400)
    summary: str = Field("", max_length=1000)
    source: str = Field("", max_length=400)
    campaign: str = Field("", max_length=40)
    unit: str = Field("", max_length=400)
    scenario: str = Field("", max_length=40)
    body_html: str = Field("", max_length=BODY_MAX)
    lock_version: str = Field("", max_length=20)
    publish: str = Field("", max_length=8)

    def extras(self) -> dict[str, str]:
        """The service's keyword fields."""
        return {k: getattr(self, k) for k in ("summary", "source", "campaign", "unit", "scenario")}


def _saved(
    request: Request, ctx: Context, form: ArticleForm, run: Callable[[], articles.Saved], article: Any = None
) -> Response:
    """Run a save; a refusal shows the form as typed with the reason (beside ``article``, the stored one of an
    edit), warnings show the stored article at once (what cleaning removed), else redirect to the article."""
    made: list[articles.Saved] = []
    refused = attempt(ctx, lambda: made.append(run()))
    if refused is not None:
        shown = form.model_dump(exclude={"publish"})
        return _form_page(request, ctx, shown, article=article, error=refused.message, status=refused.status)
    a = made[0].article
    if made[0].warnings:
        return _form_page(request, ctx, _form_of(a), article=a, warnings=made[0].warnings, done="saved")
    return RedirectResponse(f"/portal/admin/articles/{a.id}?done=saved", status_code=303)


@router.post("/portal/admin/articles/new", dependencies=[Csrf])
def create_article(request: Request, ctx: Login, form: Annotated[ArticleForm, Form()]) -> Response:
    """Save a new article (published at once when ``publish`` is ticked)."""
    require(ctx, articles.PUBLISH)
    publish = form.publish in ("1", "on", "true")
    return _saved(
        request,
        ctx,
        form,
        lambda: articles.create_article(ctx, form.kind, form.title, form.body_html, publish=publish, **form.extras()),
    )


@router.get("/portal/admin/articles/{article_id}")
def edit_page(
    request: Request, article_id: ArticleId, ctx: Login, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """The article's form with its current (cleaned) body, a preview, and publish or withdraw."""
    require(ctx, articles.PUBLISH)
    a = articles.get_article(ctx, article_id)
    return _form_page(request, ctx, _form_of(a), article=a, done=done)


def _article_action(
    request: Request, ctx: Context, article_id: int, action: str, run: Callable[[], object]
) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:  # the article as stored, with the reason (409 when someone else saved first)
        a = articles.get_article(ctx, article_id)
        return _form_page(request, ctx, _form_of(a), article=a, error=refused.message, status=refused.status)
    return RedirectResponse(f"/portal/admin/articles/{article_id}?done={action}", status_code=303)


@router.post("/portal/admin/articles/{article_id}", dependencies=[Csrf])
def save_article(request: Request, article_id: ArticleId, ctx: Login, form: Annotated[ArticleForm, Form()]) -> Response:
    """Save the edit on the version the form showed; a refusal keeps what was typed, with the reason."""
    require(ctx, articles.PUBLISH)
    a = articles.get_article(ctx, article_id)
    return _saved(
        request,
        ctx,
        form,
        lambda: articles.edit_article(
            ctx, article_id, _version(form.lock_version), form.kind, form.title, form.body_html, **form.extras()
        ),
        article=a,
    )


@router.post("/portal/admin/articles/{article_id}/publish", dependencies=[Csrf])
def publish_article(
    request: Request, article_id: ArticleId, ctx: Login, lock_version: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Put the article (back) on the site."""
    require(ctx, articles.PUBLISH)
    return _article_action(
        request,
        ctx,
        article_id,
        "published",
        lambda: articles.publish_article(ctx, article_id, _version(lock_version)),
    )


@router.post("/portal/admin/articles/{article_id}/withdraw", dependencies=[Csrf])
def withdraw_article(
    request: Request,
    article_id: ArticleId,
    ctx: Login,
    lock_version: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Take the article off the site, with the reason."""
    require(ctx, articles.PUBLISH)
    return _article_action(
        request,
        ctx,
        article_id,
        "withdrawn",
        lambda: articles.withdraw_article(ctx, article_id, _version(lock_version), reason),
    )


# --------------------------------------------------------------------------------------------- office: selections
def _red_lists() -> list[Any]:
    return [t for t in list_catalogue().types.values() if t.kind == "red"]


def _selection_form(
    request: Request, ctx: Context, form: dict[str, str], *, error: str | None = None, status: int = 200
) -> Response:
    context = _base(ADMIN_NAV) | {"form": form, "error": error, "red_lists": _red_lists(), "year": ctx.today.year}
    return render(request, "portal_selection_new.html", context, status_code=status)


@router.get("/portal/admin/selections/new")
def new_selection(request: Request, ctx: Login) -> Response:
    """The form opening a selection round."""
    require(ctx, selections.MANAGE)
    return _selection_form(request, ctx, {"year": str(ctx.today.year)})


@router.post("/portal/admin/selections/new", dependencies=[Csrf])
def open_selection(
    request: Request,
    ctx: Login,
    list_code: Annotated[str, Form(max_length=40)] = "",
    year: Annotated[str, Form(max_length=8)] = "",
    title: Annotated[str, Form(max_length=400)] = "",
    closes_on: Annotated[str, Form(max_length=20)] = "",
    description: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """Open the round, then show it."""
    require(ctx, selections.MANAGE)
    form = {"list_code": list_code, "year": year, "title": title, "closes_on": closes_on, "description": description}
    made: list[int] = []

    def run() -> None:
        text = year.strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidInput("评选年度应为四位数字年份", field="year")
        day = required_day(closes_on, "推荐截止日", "closes_on")
        made.append(selections.open_selection(ctx, list_code, int(text), title, day, description).id)

    refused = attempt(ctx, run)
    if refused is not None:
        return _selection_form(request, ctx, form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/portal/admin/selections/{made[0]}?done=opened", status_code=303)


def _manage_page(
    request: Request,
    ctx: Context,
    selection_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    detail = selection_queries.selection_detail(ctx, selection_id)
    context = _base(ADMIN_NAV) | {
        "s": detail,
        "may_manage": allowed(ctx.role, selections.MANAGE),
        "closed": ctx.today > detail.closes_on,
        "pending": sum(1 for n in detail.nominations_list if n.status == "nominated"),
        "approved": sum(1 for n in detail.nominations_list if n.status == "approved"),
        "error": error,
        "done": DONE.get(done, ""),
        "today": ctx.today,
    }
    return render(request, "portal_selection_manage.html", context, status_code=status)


@router.get("/portal/admin/selections/{selection_id}")
def manage_selection(
    request: Request, selection_id: SelectionId, ctx: Login, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """The round with its nominations (the office: all, with review forms and publication; a department: its
    own)."""
    require(ctx, selections.NOMINATE)
    return _manage_page(request, ctx, selection_id, done=done)


@router.post("/portal/admin/nominations/{nomination_id}/review", dependencies=[Csrf])
def review(
    request: Request,
    nomination_id: NominationId,
    ctx: Login,
    lock_version: Annotated[str, Form(max_length=20)] = "",
    decision: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """Approve or reject one nomination."""
    require(ctx, selections.MANAGE)
    nomination = selections.get_nomination(ctx, nomination_id)
    selection_id = nomination.selection_id
    refused = attempt(ctx, lambda: selections.review(ctx, nomination_id, decision, note, _version(lock_version)))
    if refused is not None:
        return _manage_page(request, ctx, selection_id, error=refused.message, status=refused.status)
    return RedirectResponse(f"/portal/admin/selections/{selection_id}?done=reviewed#n{nomination_id}", status_code=303)


@router.post("/portal/admin/selections/{selection_id}/publish", dependencies=[Csrf])
def publish_selection(
    request: Request,
    selection_id: SelectionId,
    ctx: Login,
    lock_version: Annotated[str, Form(max_length=20)] = "",
    doc_no: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Publish the results: the approved nominees go on the red list, all or nothing."""
    require(ctx, selections.MANAGE)
    refused = attempt(ctx, lambda: selections.publish_selection(ctx, selection_id, doc_no, _version(lock_version)))
    if refused is not None:
        return _manage_page(request, ctx, selection_id, error=refused.message, status=refused.status)
    return RedirectResponse(f"/portal/admin/selections/{selection_id}?done=announced", status_code=303)


# --------------------------------------------------------------------------------------------- nominations
@router.get("/portal/nominations")
def nominations(request: Request, ctx: Login) -> Response:
    """Rounds accepting nominations and every round (with one's own nominations behind each)."""
    require(ctx, selections.NOMINATE)
    rounds = selection_queries.office_selections(ctx)
    context = _base(ADMIN_NAV if allowed(ctx.role, articles.PUBLISH) else "selections") | {"rounds": rounds}
    return render(request, "portal_nominations.html", context)


def _nominate_page(
    request: Request,
    ctx: Context,
    selection_id: int,
    form: dict[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = _base("selections") | {
        "s": selection_queries.public_selection(ctx, selection_id),
        "form": form,
        "error": error,
        "limits": portal_rules().limits,
    }
    return render(request, "portal_nominate.html", context, status_code=status)


@router.get("/selections/{selection_id}/nominate")
def nominate_page(request: Request, selection_id: SelectionId, ctx: Login) -> Response:
    """The nomination form (departments' officers and the office)."""
    require(ctx, selections.NOMINATE)
    return _nominate_page(request, ctx, selection_id, {})


@router.post("/selections/{selection_id}/nominate", dependencies=[Csrf])
def nominate(
    request: Request,
    selection_id: SelectionId,
    ctx: Login,
    subject: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """Nominate a subject (typed as its id or USCC); an ineligible one comes back with every reason."""
    require(ctx, selections.NOMINATE)
    form = {"subject": subject, "reason": reason}

    def run() -> None:
        if not subject.strip():
            raise InvalidInput("请填写被推荐主体的统一社会信用代码或主体编号", field="subject")
        try:
            found = subject_by_ref(ctx, subject)
        except NotFound:
            raise InvalidInput(f"主体库中没有“{subject.strip()}”，请核对统一社会信用代码", field="subject") from None
        selections.nominate(ctx, selection_id, found.id, reason)

    refused = attempt(ctx, run)
    if refused is not None:
        return _nominate_page(request, ctx, selection_id, form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/portal/admin/selections/{selection_id}?done=nominated", status_code=303)
