"""Public pages: home, search (with an htmx results fragment), subject page, code permalink."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.catalog.items import load_catalog
from xinyong.errors import InvalidInput
from xinyong.records import publication
from xinyong.subjects import public as lookup
from xinyong.subjects.schemas import SearchPage
from xinyong.web.deps import get_public_context
from xinyong.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PublicContext = Annotated[Context, Depends(get_public_context)]


@dataclass(frozen=True)
class Pager:
    """Links to the neighbouring result pages."""

    number: int
    prev_url: str | None
    next_url: str | None


def _pager(page: SearchPage) -> Pager:
    def url(offset: int) -> str:
        return "/search?" + urlencode({"q": page.query, **({"offset": offset} if offset else {})})

    more = page.offset + page.limit < page.total or (page.total_is_lower_bound and len(page.items) == page.limit)
    return Pager(
        number=page.offset // page.limit + 1,
        prev_url=url(max(page.offset - page.limit, 0)) if page.offset > 0 else None,
        next_url=url(page.offset + page.limit) if more else None,
    )


@router.get("/")
def index(request: Request) -> Response:
    """Home page with the search box."""
    return render(request, "index.html", {"nav": "home", "q": "", "page": None, "error": None})


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


@router.get("/subjects/{subject_id}")
def subject_page(request: Request, subject_id: int, ctx: PublicContext) -> Response:
    """One subject as the public sees it (natural persons: 404)."""
    subject = lookup.public_subject(ctx, subject_id)
    records = publication.public_records_of_subject(ctx, subject_id)
    item_names = {item_id: item.name for item_id, item in load_catalog().items.items()}
    return render(
        request, "subject.html", {"nav": "search", "subject": subject, "records": records, "item_names": item_names}
    )


@router.get("/s/{uscc}")
def by_code(request: Request, uscc: str, ctx: PublicContext) -> Response:
    """Permalink by code: redirect to the subject, or list the candidates of a duplicate code (重码)."""
    try:
        subject = lookup.subject_by_code(ctx, uscc)
    except lookup.DuplicateCode as dup:
        return render(request, "duplicate.html", {"nav": "search", "uscc": dup.uscc, "candidates": dup.candidates})
    return RedirectResponse(f"/subjects/{subject.id}", status_code=302)
