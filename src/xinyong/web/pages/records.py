"""双公示 pages: ``/gongshi/{item_id}`` (tabs 行政许可 / 行政处罚, search box, paginated table, an htmx results
fragment) and ``/gongshi/{item_id}/{record_id}`` (one record's 公开 fields, personal data masked, its status
公示中 / 异议中 and the end of publicity in force; the owner's objection and repair links).

Both read as the anonymous public whoever is logged in (``get_public_context``), through
``xinyong.records.publication``; column headings are the catalogue's field labels. Only the owner's links look
at the login (``records.queries.own_record_actions``).

``/gongshi/{item_id}/export.csv`` and ``export.xlsx`` (linked from the list with the same ``q``): every record the
list shows, with the list's columns and masking (``portal.public_reads.gongshi_rows``, ``web.exports``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.catalog.items import DataItem, load_catalog
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput
from xinyong.portal.public_reads import gongshi_rows
from xinyong.records import publication, queries
from xinyong.records.schemas import PublicPage, PublicRecordRow
from xinyong.web.deps import get_context, get_public_context
from xinyong.web.exports import Column, ExportFormat, export_response
from xinyong.web.templating import cn_date, is_htmx, render

router = APIRouter(include_in_schema=False)
PublicContext = Annotated[Context, Depends(get_public_context)]
Format = Annotated[ExportFormat, Path(description="csv 或 xlsx")]
PAGE_SIZE = 20


@dataclass(frozen=True)
class Tab:
    """One 双公示 data item as a tab."""

    item_id: str
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Pager:
    """Links to the neighbouring pages of a list."""

    number: int
    prev_url: str | None
    next_url: str | None


def _tabs(current: str) -> list[Tab]:
    catalog = load_catalog()
    return [
        Tab(item_id, catalog.item(item_id).name.removesuffix("信息"), f"/gongshi/{item_id}", item_id == current)
        for item_id in publication.dual_publicity_item_ids()
    ]


def _headings(item: DataItem) -> dict[str, str]:
    """Column headings from the catalogue labels of the fields playing each role."""

    def label(role: str | None, fallback: str) -> str:
        return item.field(role).label if role else fallback

    roles = item.roles
    return {
        "name": label(roles.subject_name, "行政相对人名称"),
        "uscc": label(roles.uscc, "统一社会信用代码"),
        "doc_no": label(roles.document, "文书号"),
        "category": label(roles.category, "类别"),
        "decided_on": label(roles.decided_on, "决定日期"),
        "authority": label(roles.authority, "机关"),
    }


def _pager(page: PublicPage) -> Pager:
    def url(offset: int) -> str:
        query = {**({"q": page.q} if page.q else {}), **({"offset": offset} if offset else {})}
        return f"/gongshi/{page.item_id}" + (f"?{urlencode(query)}" if query else "")

    last = min(page.total, publication.MAX_OFFSET + page.limit)
    return Pager(
        number=page.offset // page.limit + 1,
        prev_url=url(max(page.offset - page.limit, 0)) if page.offset > 0 else None,
        next_url=url(page.offset + page.limit) if page.offset + page.limit < last else None,
    )


@router.get("/gongshi")
def gongshi_home() -> Response:
    """The first 双公示 tab (行政许可)."""
    items = publication.dual_publicity_item_ids()
    return RedirectResponse(f"/gongshi/{items[0]}" if items else "/", status_code=302)


@router.get("/gongshi/{item_id}")
def gongshi_list(
    request: Request,
    item_id: str,
    ctx: PublicContext,
    q: str = "",
    offset: Annotated[int, Query(ge=0, le=publication.MAX_OFFSET)] = 0,
) -> Response:
    """The list of one 双公示 item; with ``HX-Request`` only the results fragment (live search)."""
    item = publication.public_item(item_id)
    page: PublicPage | None = None
    error: str | None = None
    try:
        page = publication.search_public(ctx, item.id, q=q, offset=offset, limit=PAGE_SIZE)
    except InvalidInput as exc:
        error = exc.message
    context = {
        "nav": "gongshi",
        "item": item,
        "tabs": _tabs(item.id),
        "q": q,
        "page": page,
        "pager": _pager(page) if page else None,
        "headings": _headings(item),
        "exports": export_urls(item.id, q),
        "error": error,
    }
    if is_htmx(request):
        return render(request, "gongshi_results.html", context)  # htmx swaps only 2xx: errors shown inside
    return render(request, "gongshi.html", context, status_code=422 if error else 200)


def export_urls(item_id: str, q: str) -> dict[str, str]:
    """The export links of a list with its search text."""
    query = f"?{urlencode({'q': q.strip()})}" if q.strip() else ""
    return {fmt: f"/gongshi/{item_id}/export.{fmt}{query}" for fmt in ("csv", "xlsx")}


def _columns(item: DataItem) -> list[Column[PublicRecordRow]]:
    headings = _headings(item)
    return [
        Column(headings["name"], lambda r: r.subject_name),
        Column("主体类别", lambda r: r.subject_kind_label),
        Column(headings["uscc"], lambda r: r.uscc, text=True),
        Column(headings["doc_no"], lambda r: r.doc_no, text=True),
        Column(headings["category"], lambda r: r.category),
        Column(headings["decided_on"], lambda r: r.decided_on),
        Column(headings["authority"], lambda r: r.authority),
        Column("状态", lambda r: r.status_label),
    ]


@router.get("/gongshi/{item_id}/export.{fmt}")
def gongshi_export(
    item_id: str,
    fmt: Format,
    ctx: PublicContext,
    q: Annotated[str, Query(max_length=publication.MAX_QUERY * 2)] = "",
) -> Response:
    """Every record of the list (with ``q``) as CSV or Excel: the list's public columns, persons masked."""
    item, rows = gongshi_rows(ctx, item_id, q)
    return export_response(fmt, f"双公示-{item.name}", _columns(item), rows.total, rows.read)


@router.get("/gongshi/{item_id}/{record_id}")
def gongshi_record(
    request: Request,
    item_id: str,
    record_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    ctx: PublicContext,
    viewer: Annotated[Context, Depends(get_context)],
) -> Response:
    """One published record: its 公开 fields only, a natural person's name masked, its status (公示中 / 异议中)
    and the end of publicity in force today; for the logged-in subject that owns it, the links to object and to
    apply for credit repair where possible."""
    record = publication.public_detail(ctx, item_id, record_id)
    item = publication.public_item(item_id)
    dates = {f.key for f in item.fields if f.type == "date"}
    # The end of publicity heads the page (the end in force today); a stated 公示截止期 is not repeated below.
    shown = [(f.label, _shown(f.value, f.key in dates)) for f in record.fields if f.key != item.roles.publicity_end]
    actions = queries.own_record_actions(viewer, record.id, record.as_of)
    context = {
        "nav": "gongshi",
        "item": item,
        "record": record,
        "shown": shown,
        "can_object": bool(actions and actions[0]),
        "can_repair": bool(actions and actions[1]),
        "owner": actions is not None,
    }
    return render(request, "gongshi_record.html", context)


def _shown(value: str | None, is_date: bool) -> str:
    """A field value for the page: dates as ``2026年11月20日``, blanks as a dash."""
    if not value:
        return "—"
    if is_date:
        try:
            return cn_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value
