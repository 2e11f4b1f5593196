"""Pages ``/workplan``: the work-plan ledger (工作要点台账, issue #12 item 2) for staff.

* ``/workplan``: the year's items with their units by role and status badges, the period notice download, and
  (the credit office) the form loading a plan text — refused texts come back with every problem line.
* ``/workplan/items/{id}``: sub-tasks, targets, units by role, progress history, and the progress form for a
  caller who may report (a department officer named on the item; the credit office for any named unit).

Every rule is in ``xinyong.workplan``; refused forms are shown again with the Chinese reason.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.catalog.departments import load_departments
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.db.base import MAX_ID, fetch
from xinyong.errors import InvalidInput
from xinyong.subjects.models import Department
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.downloads import attachment
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render
from xinyong.workplan import notice, queries, service
from xinyong.workplan.schemas import NOTE_MAX, STATUS_LABELS, ItemDetail

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
NAV = "workplan"
DONE = {
    "loaded": "工作要点已载入。",
    "unchanged": "该年度现行工作要点与此文本相同，未作改动。",
    "progress": "进展已报送。",
}


def _day(raw: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期“{text[:10]}”格式应为 YYYY-MM-DD", field="as_of") from None


def _int(raw: str, label: str, field: str, default: int = 0) -> int:
    text = raw.strip()
    if not text:
        return default
    if not text.isdigit() or len(text) > 4:
        raise InvalidInput(f"{label}应为整数（收到“{text[:10]}”）", field=field)
    return int(text)


def _list_page(
    request: Request,
    ctx: Context,
    year_raw: str,
    as_of_raw: str,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    problems: list | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    require(ctx, queries.READ)
    years = queries.plan_years(ctx.session)
    ledger = None
    try:
        day = _day(as_of_raw) or ctx.today
        year = _int(year_raw, "年度", "year", years[0] if years else ctx.today.year)
        if year in years:
            ledger = queries.ledger(ctx, year, day)
    except InvalidInput as exc:
        error, status, day, year = exc.message, 422, ctx.today, years[0] if years else ctx.today.year
    context = {
        "nav": NAV,
        "years": years,
        "year": year,
        "as_of": day,
        "ledger": ledger,
        "labels": STATUS_LABELS,
        "may_manage": allowed(ctx.role, service.MANAGE),
        "form": form or {"year": str(year)},
        "error": error,
        "problems": problems or [],
        "done": DONE.get(done, ""),
    }
    return render(request, "workplan_list.html", context, status_code=status)


@router.get("/workplan")
def list_page(
    request: Request,
    ctx: Login,
    year: Annotated[str, Query(max_length=8)] = "",
    as_of: Annotated[str, Query(max_length=10)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The year's items (the newest loaded year by default) with units and status as of the day."""
    return _list_page(request, ctx, year, as_of, done=done)


@router.post("/workplan/load", dependencies=[Csrf])
def load(
    request: Request,
    ctx: Login,
    year: Annotated[str, Form(max_length=8)] = "",
    text: Annotated[str, Form(max_length=service.TEXT_MAX)] = "",
) -> Response:
    """Load a plan text (the credit office); a refused text comes back with every problem line."""
    require(ctx, service.MANAGE)
    created: list[bool] = []
    number: list[int] = []

    def run() -> None:
        number.append(_int(year, "年度", "year"))
        created.append(service.load_plan(ctx, text, number[0]).created)

    refused = attempt(ctx, run)
    if refused is not None:
        problems = getattr(refused, "errors", [])
        message = "工作要点文本有无法识别的内容，未载入（逐行列出如下）" if problems else refused.message
        form = {"year": year, "text": text}
        return _list_page(request, ctx, year, "", form=form, error=message, problems=problems, status=refused.status)
    return RedirectResponse(f"/workplan?year={number[0]}&done={'loaded' if created[0] else 'unchanged'}", 303)


@router.get("/workplan/notice")
def notice_download(
    ctx: Login,
    year: Annotated[int, Query(ge=2000, le=2100)],
    period: Annotated[str, Query(max_length=10)] = "",
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "xlsx",
) -> Response:
    """The period notice as .xlsx or PDF."""
    found, data = notice.notice(ctx, period, year, fmt)
    name = f"工作要点通报-{year}-{found.text}.{fmt}"
    return Response(data, media_type=notice.FORMATS[fmt], headers={"Content-Disposition": attachment(name)})


def _reporting_units(ctx: Context, detail: ItemDetail) -> list[tuple[str, str]]:
    """(code, label) of the units the caller may report for on this item."""
    if not detail.current or not allowed(ctx.role, service.REPORT):
        return []
    catalog = load_departments()
    codes = {u.code for u in detail.units if u.code}
    options: dict[str, str] = {}
    for u in detail.units:
        if u.kind in ("department", "town") and u.code:
            options[u.code] = u.label
    if "all_departments" in codes:
        options.update({d.code: d.short_name for d in catalog.departments})
    if "all_towns" in codes:
        options.update({t.code: t.name for t in PANYU_TOWNSHIPS})
    if ctx.role == "department_officer":
        own = fetch(ctx.session, Department, ctx.department_id) if ctx.department_id else None
        return [(own.code, options[own.code])] if own is not None and own.code in options else []
    return sorted(options.items())


def _item_page(
    request: Request,
    ctx: Context,
    item_id: int,
    *,
    as_of: date | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    detail = queries.item_detail(ctx, item_id, as_of)
    context = {
        "nav": NAV,
        "i": detail,
        "as_of": as_of or ctx.today,
        "units": _reporting_units(ctx, detail),
        "roles": (("lead", "牵头单位"), ("responsible", "负责单位"), ("supporting", "配合单位")),
        "form": form or {},
        "note_max": NOTE_MAX,
        "error": error,
        "done": DONE.get(done, ""),
    }
    return render(request, "workplan_item.html", context, status_code=status)


@router.get("/workplan/items/{item_id}")
def item_page(
    request: Request,
    item_id: ItemId,
    ctx: Login,
    as_of: Annotated[str, Query(max_length=10)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """An item's text, sub-tasks, targets, units by role, history and (when allowed) the progress form."""
    try:
        day = _day(as_of)
    except InvalidInput as exc:
        return _item_page(request, ctx, item_id, error=exc.message, status=422)
    return _item_page(request, ctx, item_id, as_of=day, done=done)


@router.post("/workplan/items/{item_id}/progress", dependencies=[Csrf])
def progress(
    request: Request,
    item_id: ItemId,
    ctx: Login,
    unit_code: Annotated[str, Form(max_length=32)] = "",
    status: Annotated[str, Form(max_length=16)] = "in_progress",
    percent: Annotated[str, Form(max_length=8)] = "",
    note: Annotated[str, Form(max_length=NOTE_MAX * 2)] = "",
    evidence: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Report progress for a unit on the item; refused reports come back with the reason."""
    require(ctx, service.REPORT)
    form = {"unit_code": unit_code, "status": status, "percent": percent, "note": note, "evidence": evidence}

    def run() -> None:
        value = _int(percent, "完成进度", "percent")
        service.report_progress(ctx, item_id, unit_code, note, status, value, evidence)

    refused = attempt(ctx, run)
    if refused is not None:
        return _item_page(request, ctx, item_id, form=form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/workplan/items/{item_id}?done=progress", status_code=303)
