"""Pages: 公务员诚信档案与录用调任核查 (issue #11 item 1).

* ``/integrity``: find files (name fragment or exact ID number), open a file, recent checks.
* ``/integrity/files/{id}``: a file with its entries (withdrawn ones marked), the forms to add a record or a
  training, withdraw an entry, and run a check for this person (the ID number is typed again: it is never shown).
* ``/integrity/checks/new`` and ``POST /integrity/checks``: the check form (purpose, reason, as-of day).
* ``/integrity/checks/{id}``: the printable result sheet (navigation and forms hidden in print) and its .xlsx.

Login required; who may do what is decided by ``government.integrity`` (credit office, integrity departments).
Refused input is shown again with its reason (the ID number is never echoed back); forms carry the CSRF token. The
forms' values go to the services unvalidated by pydantic (``model_construct``): the services check every field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.government import bodies, integrity, integrity_queries
from xinyong.government.integrity_export import XLSX, sheet_filename, sheet_xlsx
from xinyong.government.integrity_rules import integrity_rules
from xinyong.government.integrity_schemas import CheckIn, EntryIn, FileIn
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.downloads import attachment
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Form(max_length=2000)]
NAV = "integrity"


def _day(raw: str, field: str, label: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD（收到“{text[:20]}”）", field=field) from None


def _id(raw: str, field: str, label: str) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise InvalidInput(f"{label}无效", field=field)
    return int(text)


def _hours(raw: str) -> Decimal | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput("培训学时应为数字", field="hours") from None


def _rules_context() -> dict[str, Any]:
    rules = integrity_rules()
    return {
        "categories": rules.categories,
        "training_categories": rules.training.categories,
        "purposes": rules.purposes,
        "reason_min": rules.reason_min_length,
        "reason_max": rules.reason_max_length,
        "training": rules.training,
        "departments": integrity_queries.integrity_department_names(rules),
    }


# --------------------------------------------------------------------------------------------- index
def _index(
    request: Request,
    ctx: Context,
    *,
    q: str = "",
    ric: str = "",
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {"nav": NAV, "q": q, "form": form or {}, "error": error, "files": [], "checks": []}
    try:
        context["files"] = integrity_queries.list_files(ctx, q=q, ric=ric)
    except InvalidInput as exc:
        context["error"], status = exc.message, 422
    context["checks"] = integrity_queries.list_checks(ctx, limit=20)
    context["bodies"] = bodies.list_bodies(ctx)
    context.update(_rules_context())
    return render(request, "integrity_index.html", context, status_code=status)


@router.get("/integrity")
def index(request: Request, ctx: Login, q: str = "", ric: str = "") -> Response:
    """Find files, open one, recent checks."""
    return _index(request, ctx, q=q[:64], ric=ric[:40])


@router.post("/integrity/files", dependencies=[Csrf])
def open_file(
    request: Request,
    ctx: Login,
    name: Annotated[str, Form(max_length=200)] = "",
    ric: Annotated[str, Form(max_length=80)] = "",
    body_id: Annotated[str, Form(max_length=20)] = "",
    position: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Open a file; the index again with the reason when refused (the ID number is not echoed back)."""
    form = {"name": name, "body_id": body_id, "position": position}
    try:
        data = FileIn.model_construct(
            name=name, ric=ric, body_id=_id(body_id, "body_id", "工作单位"), position=position
        )
        found = integrity.open_file(ctx, data)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _index(request, ctx, form=form, error=exc.message, status=exc.status)
    return RedirectResponse(f"/integrity/files/{found.id}?done=opened", status_code=303)


# --------------------------------------------------------------------------------------------- a file
DONE = {
    "opened": "已建立诚信档案。",
    "entry": "已登记。",
    "withdrawn": "已撤回：原条目保留并标注为已撤回，核查时不再计入。",
}


def _file_page(
    request: Request,
    ctx: Context,
    file_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    view = integrity_queries.read_file(ctx, file_id)
    context: dict[str, Any] = {
        "nav": NAV,
        "view": view,
        "form": form or {},
        "error": error,
        "done": DONE.get(done or ""),
        "today": ctx.today,
    }
    context.update(_rules_context())
    return render(request, "integrity_file.html", context, status_code=status)


@router.get("/integrity/files/{file_id}")
def file_detail(request: Request, file_id: Id, ctx: Login, done: str = "") -> Response:
    """A file with its entries and the forms."""
    return _file_page(request, ctx, file_id, done=done)


@router.post("/integrity/files/{file_id}/entries", dependencies=[Csrf])
def add_entry(
    request: Request,
    file_id: Id,
    ctx: Login,
    kind: Annotated[str, Form(max_length=16)] = "",
    category: Annotated[str, Form(max_length=32)] = "",
    title: Annotated[str, Form(max_length=400)] = "",
    detail: Text = "",
    occurred_on: Annotated[str, Form(max_length=20)] = "",
    hours: Annotated[str, Form(max_length=20)] = "",
    source: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Add a record or a training; the page again with the reason when refused."""
    form = {"kind": kind, "category": category, "title": title, "detail": detail, "occurred_on": occurred_on}
    form |= {"hours": hours, "source": source}
    try:
        day = _day(occurred_on, "occurred_on", "发生日期")
        if day is None:
            raise InvalidInput("请填写发生日期", field="occurred_on")
        data = EntryIn.model_construct(
            kind=kind,
            category=category,
            title=title,
            detail=detail,
            occurred_on=day,
            hours=_hours(hours),
            source=source,
        )
        integrity.add_entry(ctx, file_id, data)
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _file_page(request, ctx, file_id, form=form, error=exc.message, status=exc.status)
    return RedirectResponse(f"/integrity/files/{file_id}?done=entry", status_code=303)


@router.post("/integrity/entries/{entry_id}/withdraw", dependencies=[Csrf])
def withdraw(
    request: Request,
    entry_id: Id,
    ctx: Login,
    file_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Withdraw an entry with a reason."""
    try:
        entry = integrity.withdraw_entry(ctx, entry_id, reason)
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _file_page(request, ctx, file_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/integrity/files/{entry.file_id}?done=withdrawn", status_code=303)


# --------------------------------------------------------------------------------------------- checks
def _check_form(
    request: Request, ctx: Context, form: dict[str, str], error: str | None = None, status: int = 200
) -> Response:
    integrity_queries.scope(ctx, integrity_queries.CHECK)
    context: dict[str, Any] = {"nav": NAV, "form": form, "error": error, "today": ctx.today}
    context.update(_rules_context())
    return render(request, "integrity_check_form.html", context, status_code=status)


@router.get("/integrity/checks/new")
def check_form(request: Request, ctx: Login, name: str = "") -> Response:
    """The check form (name prefilled from a file; the ID number is always typed)."""
    return _check_form(request, ctx, {"name": name[:64], "as_of": ctx.today.isoformat()})


@router.post("/integrity/checks", dependencies=[Csrf])
def run_check(
    request: Request,
    ctx: Login,
    name: Annotated[str, Form(max_length=200)] = "",
    ric: Annotated[str, Form(max_length=80)] = "",
    purpose: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
    as_of: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Run the check; the sheet page, or the form again with the reason."""
    form = {"name": name, "purpose": purpose, "reason": reason, "as_of": as_of}
    try:
        data = CheckIn.model_construct(
            name=name, ric=ric, purpose=purpose, reason=reason, as_of=_day(as_of, "as_of", "核查基准日")
        )
        check = integrity.run_check(ctx, data)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _check_form(request, ctx, form, exc.message, exc.status)
    return RedirectResponse(f"/integrity/checks/{check.id}", status_code=303)


@router.get("/integrity/checks/{check_id}")
def sheet_page(request: Request, check_id: Id, ctx: Login) -> Response:
    """The printable result sheet."""
    check = integrity_queries.read_check(ctx, check_id)
    return render(request, "integrity_sheet.html", {"nav": NAV, "check": check, "sheet": check.sheet})


@router.get("/integrity/checks/{check_id}/sheet.xlsx")
def sheet_download(check_id: Id, ctx: Login) -> Response:
    """The result sheet as .xlsx."""
    check = integrity_queries.read_check(ctx, check_id)
    return Response(
        sheet_xlsx(check), media_type=XLSX, headers={"Content-Disposition": attachment(sheet_filename(check))}
    )
