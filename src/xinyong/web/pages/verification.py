"""Pages ``/cases``: 失信案例核查 (issue #7, work-plan item 八) for the credit office and the departments' officers.

* ``/cases``: the dashboard (open cases per stage, overdue ones, closed per outcome) and the case list, filtered by
  stage, department (the office) and overdue; a department sees its own cases.
* ``/cases/new`` (the credit office): register a reported case and assign it to a department and a handler.
* ``/cases/{id}``: the report, the stage timeline (核查 → 记录 → 监管 → 惩戒 → 整改 → 教育, each with what it must
  produce, its result and date), the current stage's form (founded or not at 核查; the subject's credit records
  at 记录 and list entries at 惩戒 to link; the outcome at 教育), reassigning, the office's early closing, evidence
  upload and download, the history.

What each caller may see and do is decided by ``lists.verification`` and ``lists.verification_queries``; a refused
form is shown again with the Chinese reason. Every form carries the case version the page showed: acting after
someone else re-renders the case with the 409 message, never overwriting their work. Every form posts the CSRF
token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.service import subject_by_ref
from xinyong.lists import verification, verification_queries
from xinyong.lists.verification_rules import CLOSED
from xinyong.subjects.departments import list_departments
from xinyong.web import csrf
from xinyong.web.api.objections import read_uploads
from xinyong.web.deps import require_login
from xinyong.web.downloads import case_file_response
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
FileId = Annotated[int, Path(ge=1, le=MAX_ID)]
NAV = "cases"
TEXT = 20000
DONE = {
    "opened": "案件已登记，并已通知承办部门。",
    "complete": "本环节办理情况已记录，案件进入下一环节。",
    "closed": "案件已办结。",
    "reassign": "已改派。",
    "files": "材料已上传。",
}


# --------------------------------------------------------------------------------------------- form helpers
def _int_or_none(raw: str, label: str, field: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise InvalidInput(f"{label}无效，请从列表中选择", field=field)
    return int(text)


def _version(raw: str) -> int:
    value = _int_or_none(raw, "版本号", "lock_version")
    if value is None:
        raise InvalidInput("表单缺少版本号，请刷新页面后重试", field="lock_version")
    return value


def _subject_id(ctx: Context, raw: str) -> int | None:
    """A subject typed as its id or USCC (optional); not found is a form error, not a 404 page."""
    if not raw.strip():
        return None
    try:
        return subject_by_ref(ctx, raw).id
    except NotFound:
        raise InvalidInput(
            f"主体库中没有“{raw.strip()}”：请填写主体编号或统一社会信用代码，或留空只填当事人名称", field="subject"
        ) from None


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------- the list
@router.get("/cases")
def list_page(
    request: Request,
    ctx: Login,
    stage: Annotated[str, Query(max_length=16)] = "",
    department_id: Annotated[str, Query(max_length=20)] = "",
    overdue: Annotated[str, Query(max_length=8)] = "",
    as_of: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The dashboard counts and the cases, most urgent first."""
    require(ctx, verification.READ)
    book = verification.rules()
    overdue_only = overdue in ("1", "on", "true")
    day = _day(as_of) or ctx.today
    error = None
    rows: list[Any] = []
    own = ctx.department_id if ctx.role == "department_officer" else None
    try:
        department = own or _int_or_none(department_id, "承办部门", "department_id")
        rows = verification_queries.list_cases(
            ctx, stage=stage or None, department_id=department, overdue=overdue_only, as_of=day
        )
        counts = verification_queries.case_counts(ctx, as_of=day, department_id=department)
    except InvalidInput as exc:
        error = exc.message
        counts = verification_queries.case_counts(ctx, as_of=day, department_id=own)
    context = {
        "nav": NAV,
        "rows": rows,
        "counts": counts,
        "stages": book.stages,
        "outcomes": book.outcomes,
        "stage": stage,
        "department_id": department_id,
        "overdue_only": overdue_only,
        "as_of": day,
        "departments": [] if own else list_departments(ctx.session),
        "may_open": allowed(ctx.role, verification.OPEN),
        "error": error,
    }
    return render(request, "case_list.html", context, status_code=422 if error else 200)


# --------------------------------------------------------------------------------------------- new
def _new_page(
    request: Request, ctx: Context, form: dict[str, str], *, error: str | None = None, status: int = 200
) -> Response:
    book = verification.rules()
    context = {
        "nav": NAV,
        "form": form,
        "error": error,
        "sources": book.sources,
        "departments": list_departments(ctx.session),
        "first": book.first,
        "limits": book.limits,
    }
    return render(request, "case_new.html", context, status_code=status)


@router.get("/cases/new")
def new_page(request: Request, ctx: Login) -> Response:
    """The registration form (the credit office)."""
    require(ctx, verification.OPEN)
    return _new_page(request, ctx, {})


@router.post("/cases/new", dependencies=[Csrf])
def open_case(
    request: Request,
    ctx: Login,
    title: Annotated[str, Form(max_length=400)] = "",
    subject: Annotated[str, Form(max_length=64)] = "",
    subject_name: Annotated[str, Form(max_length=400)] = "",
    source: Annotated[str, Form(max_length=32)] = "",
    source_ref: Annotated[str, Form(max_length=400)] = "",
    summary: Annotated[str, Form(max_length=TEXT)] = "",
    department_id: Annotated[str, Form(max_length=20)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Register the case, then show it; an invalid form comes back with the reason and what was typed."""
    require(ctx, verification.OPEN)
    form = {
        "title": title,
        "subject": subject,
        "subject_name": subject_name,
        "source": source,
        "source_ref": source_ref,
        "summary": summary,
        "department_id": department_id,
        "owner": owner,
    }
    made: list[int] = []

    def run() -> None:
        department = _int_or_none(department_id, "承办部门", "department_id")
        if department is None:
            raise InvalidInput("请选择承办部门", field="department_id")
        case = verification.open_case(
            ctx, title, _subject_id(ctx, subject), subject_name, source, source_ref, summary, department, owner
        )
        made.append(case.id)

    refused = attempt(ctx, run)
    if refused is not None:
        return _new_page(request, ctx, form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/cases/{made[0]}?done=opened", status_code=303)


# --------------------------------------------------------------------------------------------- one case
def _detail_page(
    request: Request, ctx: Context, case_id: int, *, error: str | None = None, status: int = 200, done: str = ""
) -> Response:
    detail = verification_queries.get_case(ctx, case_id)
    book = verification.rules()
    current = book.stage(detail.stage)
    context = {
        "nav": NAV,
        "c": detail,
        "current": current,
        "is_first": current is not None and current.code == book.first.code,
        "is_last": current is not None and current.code == book.last.code,
        "next_stage": book.next_stage(current.code) if current else None,
        "closed": detail.stage == CLOSED,
        "departments": list_departments(ctx.session) if "close" in detail.actions else [],
        "error": error,
        "done": DONE.get(done, ""),
        "limits": book.limits,
    }
    return render(request, "case_detail.html", context, status_code=status)


@router.get("/cases/{case_id}")
def case_page(
    request: Request, case_id: CaseId, ctx: Login, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """The report, timeline, links, files and history; the forms of what the caller may do next."""
    return _detail_page(request, ctx, case_id, done=done)


def _act(request: Request, ctx: Context, case_id: int, action: str, run: Callable[[], object]) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:  # the case as stored, with the reason (409 when someone else acted first)
        return _detail_page(request, ctx, case_id, error=refused.message, status=refused.status)
    return RedirectResponse(f"/cases/{case_id}?done={action}", status_code=303)


@router.post("/cases/{case_id}/complete", dependencies=[Csrf])
def complete(
    request: Request,
    case_id: CaseId,
    ctx: Login,
    lock_version: Annotated[str, Form(max_length=20)] = "",
    stage: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=TEXT)] = "",
    founded: Annotated[str, Form(max_length=8)] = "",
    subject: Annotated[str, Form(max_length=64)] = "",
    record_id: Annotated[str, Form(max_length=20)] = "",
    list_entry_id: Annotated[str, Form(max_length=20)] = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
    next_owner: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Record the current stage's result and move on (or close, at 核查 not founded and at the last stage)."""
    closes: list[bool] = []

    def run() -> None:
        found = {"yes": True, "no": False}.get(founded.strip()) if founded.strip() else None
        if founded.strip() and found is None:
            raise InvalidInput("核查结论应为“属实”或“不属实”", field="founded")
        done = verification.complete_stage(
            ctx,
            case_id,
            note,
            _version(lock_version),
            next_owner or None,
            _int_or_none(record_id, "信用记录", "record_id"),
            _int_or_none(list_entry_id, "名单条目", "list_entry_id"),
            found,
            stage=stage or None,
            outcome=outcome or None,
            subject_id=_subject_id(ctx, subject),
        )
        closes.append(done.stage == CLOSED)

    refused = attempt(ctx, run)
    if refused is not None:
        return _detail_page(request, ctx, case_id, error=refused.message, status=refused.status)
    return RedirectResponse(f"/cases/{case_id}?done={'closed' if closes[0] else 'complete'}", status_code=303)


@router.post("/cases/{case_id}/reassign", dependencies=[Csrf])
def reassign(
    request: Request,
    case_id: CaseId,
    ctx: Login,
    lock_version: Annotated[str, Form(max_length=20)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    department_id: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """Another handler (and, for the office, another department)."""
    return _act(
        request,
        ctx,
        case_id,
        "reassign",
        lambda: verification.reassign(
            ctx,
            case_id,
            owner,
            _version(lock_version),
            department_id=_int_or_none(department_id, "承办部门", "department_id"),
            note=note,
        ),
    )


@router.post("/cases/{case_id}/close", dependencies=[Csrf])
def close(
    request: Request,
    case_id: CaseId,
    ctx: Login,
    lock_version: Annotated[str, Form(max_length=20)] = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """The credit office closes the open case early (移送, 并案, 撤销)."""
    return _act(
        request,
        ctx,
        case_id,
        "closed",
        lambda: verification.close_case(ctx, case_id, outcome, note, _version(lock_version)),
    )


@router.post("/cases/{case_id}/files", dependencies=[Csrf])
def upload(
    request: Request,
    case_id: CaseId,
    ctx: Login,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Attach evidence files to the open case."""

    def run() -> None:
        uploads = read_uploads(files or [])
        if not uploads:
            raise InvalidInput("请选择要上传的材料文件", field="files")
        for name, content in uploads:
            verification.attach(ctx, case_id, name, content)

    return _act(request, ctx, case_id, "files", run)


@router.get("/cases/{case_id}/files/{file_id}")
def file_content(case_id: CaseId, file_id: FileId, ctx: Login) -> Response:
    """Download one evidence file (audited)."""
    row = verification_queries.case_file_content(ctx, case_id, file_id)
    return case_file_response(row)
