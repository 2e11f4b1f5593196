"""Pages: 涉党政机关和国有企业执行案件 (issue #11 item 4), for staff with ``government.read``.

* ``/enforcement``: the cases (filters: period, unit, status, overdue) with overdue badges.
* ``/enforcement/import`` (the credit office): upload the court's monthly notice; the row-level report of a refused
  file (nothing stored) with its rejected rows as a downloadable .xlsx.
* ``/enforcement/cases/{id}``: the case, its steps as a timeline, and the forms the actor may use (rectify: the
  assigned department's officer or the office on the unit's behalf; reassign, close, reopen: the office).
* ``/enforcement/summary``: the monthly summary by town and department, with CSV/Excel export.

Every rule is in ``xinyong.government.enforcement*``; refused forms come back with the Chinese reason.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.catalog.departments import load_departments
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.government import enforcement as service
from xinyong.government import enforcement_import as importer
from xinyong.government import enforcement_queries as queries
from xinyong.government.enforcement_rules import enforcement_rules
from xinyong.government.enforcement_schemas import STATUS_LABELS, ImportOut, RowError
from xinyong.settings import get_settings
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render
from xinyong.workplan.units import unit_label

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Form(max_length=2000)]
NAV = "enforcement"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DONE = {
    "rectify": "整改情况已登记。",
    "reassign": "已改派责任单位，整改期限重新起算。",
    "close": "案件已结案。",
    "reopen": "案件已重新打开并交办原责任单位。",
}


def _units() -> list[tuple[str, str]]:
    """Every township, then every catalogue department: (code, label) for the reassign form and the filter."""
    towns = [(t.code, t.name) for t in PANYU_TOWNSHIPS]
    departments = [(d.code, d.short_name) for d in load_departments().departments]
    return towns + departments


def _base(ctx: Context, **extra: Any) -> dict[str, Any]:
    return {
        "nav": NAV,
        "today": ctx.today,
        "may_import": allowed(ctx.role, importer.IMPORT),
        "may_manage": allowed(ctx.role, service.ASSIGN),
        "statuses": STATUS_LABELS,
        "money": queries.amount_text,
        "label": unit_label,
        **extra,
    }


def _day(text: str, field: str) -> date | None:
    value = text.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", field=field) from None


# --------------------------------------------------------------------------------------------- the list
@router.get("/enforcement")
def cases_page(
    request: Request,
    ctx: Login,
    period: Annotated[str, Query(max_length=7)] = "",
    unit: Annotated[str, Query(max_length=32)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """The cases with overdue badges, filtered."""
    require(ctx, queries.READ)
    form = {"period": period, "unit": unit, "status": status, "overdue": overdue}
    error = None
    rows = []
    try:
        rows = queries.cases(
            ctx,
            period=period or None,
            unit_code=unit or None,
            status=status if status in STATUS_LABELS else None,
            overdue=bool(overdue),
        )
    except InvalidInput as exc:
        error = exc.message
    context = _base(ctx, cases=rows, form=form, error=error, units=_units(), notices=queries.notices(ctx))
    return render(request, "enforcement_cases.html", context, status_code=422 if error else 200)


# --------------------------------------------------------------------------------------------- import
def _import_page(
    request: Request,
    ctx: Context,
    *,
    form: dict[str, str] | None = None,
    result: ImportOut | None = None,
    errors: list[RowError] | None = None,
    workbook: bytes = b"",
    error: str | None = None,
    status: int = 200,
) -> Response:
    require(ctx, importer.IMPORT)
    rules = enforcement_rules()
    context = _base(
        ctx,
        form=form or {"period": f"{ctx.today.replace(day=1) - timedelta(days=1):%Y-%m}", "court": ""},
        result=result,
        errors=errors or [],
        workbook=base64.b64encode(workbook).decode() if workbook else "",
        xlsx_type=XLSX,
        error=error,
        columns=rules.columns,
        workdays=rules.rectification.workdays,
        notices=queries.notices(ctx),
    )
    return render(request, "enforcement_import.html", context, status_code=status)


@router.get("/enforcement/import")
def import_page(request: Request, ctx: Login) -> Response:
    """The upload form and the notices imported so far."""
    return _import_page(request, ctx)


@router.post("/enforcement/import", dependencies=[Csrf])
def import_file(
    request: Request,
    ctx: Login,
    period: Annotated[str, Form(max_length=16)] = "",
    court: Annotated[str, Form(max_length=200)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import the file; show the stored notice, or every row error and the rejected rows (nothing stored)."""
    require(ctx, importer.IMPORT)
    form = {"period": period, "court": court}
    try:
        if file is None or not file.filename:
            raise InvalidInput("请选择法院通报文件（CSV 或 Excel）", field="file")
        content = file.file.read(get_settings().intake_max_file_bytes + 1)
        with ctx.session.begin_nested():
            result = importer.import_notice(ctx, period, court, file.filename, content)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _import_page(
            request,
            ctx,
            form=form,
            errors=getattr(exc, "errors", None),
            workbook=getattr(exc, "workbook", b""),
            error=exc.message,
            status=exc.status,
        )
    return _import_page(request, ctx, form=form, result=result)


# --------------------------------------------------------------------------------------------- one case
def _case_page(
    request: Request,
    ctx: Context,
    case_id: int,
    *,
    done: str = "",
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    case = queries.case_detail(ctx, case_id)
    mine = service.own_unit(ctx) if ctx.role == "department_officer" and ctx.department_id else None
    may_rectify = allowed(ctx.role, service.RECTIFY) and (ctx.role != "department_officer" or mine == case.unit_code)
    context = _base(
        ctx,
        case=case,
        done=DONE.get(done, ""),
        error=error,
        form=form or {},
        may_rectify=may_rectify and case.status != "closed",
        on_behalf=ctx.role != "department_officer",
        outcomes=enforcement_rules().outcome_labels(),
        units=_units(),
    )
    return render(request, "enforcement_case.html", context, status_code=status)


@router.get("/enforcement/cases/{case_id}")
def case_page(
    request: Request, ctx: Login, case_id: CaseId, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """The case, its timeline and the forms."""
    return _case_page(request, ctx, case_id, done=done)


def _act(
    request: Request, ctx: Context, case_id: int, action: str, run: Callable[[], object], form: dict[str, str]
) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:
        return _case_page(request, ctx, case_id, error=refused.message, status=refused.status, form=form)
    return RedirectResponse(f"/enforcement/cases/{case_id}?done={action}", status_code=303)


@router.post("/enforcement/cases/{case_id}/rectify", dependencies=[Csrf])
def rectify(
    request: Request, ctx: Login, case_id: CaseId, note: Text = "", evidence: Text = "", on: Text = ""
) -> Response:
    """A rectification step."""
    form = {"note": note, "evidence": evidence, "on": on}
    return _act(
        request,
        ctx,
        case_id,
        "rectify",
        lambda: service.rectify(ctx, case_id, note, evidence, _day(on, "on")),
        form,
    )


@router.post("/enforcement/cases/{case_id}/reassign", dependencies=[Csrf])
def reassign(request: Request, ctx: Login, case_id: CaseId, unit_code: Text = "", reason: Text = "") -> Response:
    """Another answerable unit."""
    form = {"unit_code": unit_code, "reason": reason}
    return _act(request, ctx, case_id, "reassign", lambda: service.reassign(ctx, case_id, unit_code, reason), form)


@router.post("/enforcement/cases/{case_id}/close", dependencies=[Csrf])
def close(
    request: Request, ctx: Login, case_id: CaseId, outcome: Text = "", closed_on: Text = "", note: Text = ""
) -> Response:
    """Close the case."""
    form = {"outcome": outcome, "closed_on": closed_on, "close_note": note}
    return _act(
        request,
        ctx,
        case_id,
        "close",
        lambda: service.close(ctx, case_id, outcome, _day(closed_on, "closed_on"), note),
        form,
    )


@router.post("/enforcement/cases/{case_id}/reopen", dependencies=[Csrf])
def reopen(request: Request, ctx: Login, case_id: CaseId, reason: Text = "") -> Response:
    """Reopen a closed case."""
    return _act(request, ctx, case_id, "reopen", lambda: service.reopen(ctx, case_id, reason), {"reopen": reason})


# --------------------------------------------------------------------------------------------- summary
@router.get("/enforcement/summary")
def summary_page(request: Request, ctx: Login, period: Annotated[str, Query(max_length=7)] = "") -> Response:
    """The month's figures by unit, with export links."""
    require(ctx, queries.READ)
    chosen = period or f"{ctx.today:%Y-%m}"
    error = None
    result = None
    try:
        result = queries.summary(ctx, chosen)
    except InvalidInput as exc:
        error = exc.message
    context = _base(ctx, period=chosen, summary=result, error=error, kinds=queries.KIND_LABELS)
    return render(request, "enforcement_summary.html", context, status_code=422 if error else 200)
