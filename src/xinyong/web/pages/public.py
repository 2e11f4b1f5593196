"""Public pages: the portal home (live figures, charts, latest articles, entry points), its figures as JSON,
search (with an htmx results fragment), the subject page, the code permalink.

* ``/``: ``portal.figures.cached_home_figures`` (a short in-process cache: the figures cost eight counting queries
  once a minute, not per reader) and ``portal.queries.latest_articles``; the charts are drawn by
  ``static/js/portal.js`` from the JSON in each chart's ``data-chart`` (no inline script: CSP), with the numbers
  in a table beside each for readers without scripts and for print.
* ``/portal/figures.json``: the same figures, cacheable for the cache's lifetime.
* ``/subjects/{id}``: the registration facts, 双公示 records in publicity, published commitments, entries in
  force on the public lists (失信 and 红名单), the ways to object, apply for repair and get or verify a credit
  report. Credit evaluation grades are not public (``evaluation.read`` is a staff permission; supervision keeps
  them out of its public pages too), so the page does not show them. Natural persons have no public page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.catalog.items import load_catalog
from xinyong.errors import InvalidInput
from xinyong.portal import figures as portal_figures
from xinyong.portal import public_reads
from xinyong.portal.queries import latest_articles
from xinyong.records import publication, queries
from xinyong.settings import get_settings
from xinyong.subjects import public as lookup
from xinyong.subjects.schemas import SearchPage
from xinyong.web.deps import get_context, get_public_context
from xinyong.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PublicContext = Annotated[Context, Depends(get_public_context)]
Viewer = Annotated[Context, Depends(get_context)]
NEWS_ON_HOME = 5


@dataclass(frozen=True)
class Pager:
    """Links to the neighbouring result pages."""

    number: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Entry:
    """An entry point of the home page."""

    label: str
    url: str
    hint: str


ENTRY_POINTS: tuple[Entry, ...] = (
    Entry("“双公示”信息", "/gongshi/licence", "行政许可、行政处罚决定公示"),
    Entry("信用名单", "/lists/public", "失信名单与接收的名单"),
    Entry("红名单", "/lists/public?kind=red", "守合同重信用、诚信示范企业"),
    Entry("信用承诺", "/commitments/public", "告知承诺与主动承诺公示"),
    Entry("双随机抽查结果", "/inspections/public", "抽查计划、抽取复核与结果"),
    Entry("异议申诉", "/objections", "对公示信息提出异议（需登录）"),
    Entry("信用修复", "/repairs", "申请修复与办理进度（需登录）"),
    Entry("信用报告核验", "/reports/verify", "按报告编号核验真伪"),
    Entry("诚信评选", "/selections", "诚信企业评选结果"),
    Entry("创新案例", "/innovation-cases", "信用建设创新案例库"),
)


def _pager(page: SearchPage) -> Pager:
    def url(offset: int) -> str:
        return "/search?" + urlencode({"q": page.query, **({"offset": offset} if offset else {})})

    more = page.offset + page.limit < page.total or (page.total_is_lower_bound and len(page.items) == page.limit)
    return Pager(
        number=page.offset // page.limit + 1,
        prev_url=url(max(page.offset - page.limit, 0)) if page.offset > 0 else None,
        next_url=url(page.offset + page.limit) if more else None,
    )


# --------------------------------------------------------------------------------------------- home
def china_day(at: datetime) -> date:
    """The day in China of a stored instant (SQLite hands back naive UTC)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(clock.CHINA_TZ).date()


def _charts(f: portal_figures.HomeFigures) -> dict[str, str]:
    """The JSON each chart container carries for ``static/js/portal.js``."""

    def dump(data: dict[str, Any]) -> str:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    return {
        "records": dump(
            {"months": f.months, "series": [{"name": s.label, "data": s.values} for s in f.records_by_month]}
        ),
        "lists": dump(
            {
                "names": [x.name for x in f.lists_by_type],
                "values": [x.count for x in f.lists_by_type],
                "kinds": [x.kind for x in f.lists_by_type],
            }
        ),
        "repairs": dump({"months": f.months, "values": f.repairs_by_month}),
    }


@router.get("/")
def index(request: Request, ctx: PublicContext) -> Response:
    """Home page: the search box, live figures and charts, the latest news and policies, the entry points."""
    figures = portal_figures.cached_home_figures(ctx.session, ctx.today)
    context = {
        "nav": "home",
        "q": "",
        "page": None,
        "error": None,
        "figures": figures,
        "charts": _charts(figures),
        "news": latest_articles(ctx.session, NEWS_ON_HOME, "news"),
        "policies": latest_articles(ctx.session, NEWS_ON_HOME, "policy"),
        "entries": ENTRY_POINTS,
        "china_day": china_day,
    }
    return render(request, "index.html", context)


@router.get("/portal/figures.json")
def figures_json(ctx: PublicContext) -> Response:
    """The home page's figures and chart series as JSON (public; cacheable for the figures' lifetime)."""
    figures = portal_figures.cached_home_figures(ctx.session, ctx.today)
    ttl = max(portal_figures.ttl_seconds(), 0)
    return JSONResponse(figures.as_json(), headers={"Cache-Control": f"public, max-age={ttl}"})


# --------------------------------------------------------------------------------------------- search
@router.get("/search")
def search(
    request: Request,
    ctx: PublicContext,
    q: str = "",
    offset: Annotated[int, Query(ge=0, le=lookup.MAX_OFFSET)] = 0,
) -> Response:
    """Results page; with ``HX-Request`` only the results fragment (live search box)."""
    page: SearchPage | None = None
    error: str | None = None
    if q.strip():
        try:
            page = lookup.search_public(ctx, q, offset=offset)
        except InvalidInput as exc:
            error = exc.message
    context = {"nav": "search", "q": q, "page": page, "pager": _pager(page) if page else None, "error": error}
    if is_htmx(request):
        # htmx swaps only 2xx answers: a bad query is shown inside the fragment.
        return render(request, "_results.html", context)
    return render(request, "search.html", context, status_code=422 if error else 200)


# --------------------------------------------------------------------------------------------- subject
def _record_actions(viewer: Context, owner: bool, records: list[Any]) -> dict[int, tuple[bool, bool]]:
    """Record id → (may object, may apply for repair) for the subject's own account; empty for everyone else."""
    if not owner:
        return {}
    found: dict[int, tuple[bool, bool]] = {}
    for r in records:
        actions = queries.own_record_actions(viewer, r.id, viewer.today)
        if actions is not None:
            found[r.id] = actions
    return found


@router.get("/subjects/{subject_id}")
def subject_page(request: Request, subject_id: int, ctx: PublicContext, viewer: Viewer) -> Response:
    """One subject as the public sees it (natural persons: 404): records, commitments, list entries, and the
    ways to object, repair and get or verify a credit report."""
    subject = lookup.public_subject(ctx, subject_id)
    records = publication.public_records_of_subject(ctx, subject_id)
    entries = public_reads.subject_list_entries(ctx, subject_id)
    owner = viewer.role == "subject" and viewer.subject_id == subject_id
    context = {
        "nav": "search",
        "subject": subject,
        "records": records,
        "item_names": {item_id: item.name for item_id, item in load_catalog().items.items()},
        "commitments": public_reads.subject_commitments(ctx, subject_id),
        "dishonesty_entries": [e for e in entries if e.kind != "red"],
        "red_entries": [e for e in entries if e.kind == "red"],
        "owner": owner,
        "logged_in": viewer.role != "public",
        "actions": _record_actions(viewer, owner, records),
        "objection_open": get_settings().objection_open_to_public,
        "today": ctx.today,
    }
    return render(request, "subject.html", context)


@router.get("/s/{uscc}")
def by_code(request: Request, uscc: str, ctx: PublicContext) -> Response:
    """Permalink by code: redirect to the subject, or list the candidates of a duplicate code (重码)."""
    try:
        subject = lookup.subject_by_code(ctx, uscc)
    except lookup.DuplicateCode as dup:
        return render(request, "duplicate.html", {"nav": "search", "uscc": dup.uscc, "candidates": dup.candidates})
    return RedirectResponse(f"/subjects/{subject.id}", status_code=302)
