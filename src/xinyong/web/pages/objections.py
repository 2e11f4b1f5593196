"""Pages ``/objections``: 异议 for applicants (object to a record with evidence, track it, read the decision) and
handlers (queues with due dates and overdue marks, decide the current step).

Login required (anonymous visitors go to the login page). What each caller may see and do is decided by
``records.objections``; a refused form is shown again with the Chinese reason and what was typed. Every handler
form carries the version the handler was shown: deciding after someone else re-renders the case with the 409
message ("已被他人处理或更新，请刷新后重试"), never overwriting their decision. Every form posts the CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.records import objections
from xinyong.records.objection_rules import objection_rules
from xinyong.records.objection_schemas import OUTCOME_LABELS, STATUS_LABELS
from xinyong.web import csrf
from xinyong.web.api.objections import read_uploads
from xinyong.web.deps import require_login
from xinyong.web.downloads import case_file_response
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
ObjectionId = Annotated[int, Path(ge=1, le=MAX_ID)]
FileId = Annotated[int, Path(ge=1, le=MAX_ID)]
TEXT = 20000
DONE = {
    "submitted": "异议申请已提交。处理期间该记录标注为“异议中”，结果将通过消息通知您。",
    "accept": "已受理，请在期限内完成平台自查。",
    "refuse": "已作出不予受理决定，并通知申请人。",
    "self_check": "平台自查结果已记录。",
    "verify": "核查结果已反馈，并通知申请人。",
    "withdraw": "异议申请已撤回。",
}
_LINE = re.compile(r"^\s*([^=＝:：]+?)\s*[=＝:：]\s*(.*?)\s*$")


def _holds(ctx: Context, permission: str) -> bool:
    try:
        require(ctx, permission)
    except PermissionDenied:
        return False
    return True


def _record_id(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise InvalidInput("请从本主体的信用记录中选择要提出异议的记录（记录编号无效）", field="record_id")
    return int(text)


def parse_corrections(text: str) -> dict[str, str]:
    """``字段名=值`` lines (``=``, ``：`` or ``:``) as a mapping; ``InvalidInput`` naming the line otherwise."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _LINE.match(line)
        if not found:
            raise InvalidInput(f"更正内容第 {number} 行应为“字段名=更正后的值”", field="corrected_values")
        values[found.group(1)] = found.group(2)
    return values


# --------------------------------------------------------------------------------------------- new
def _new_page(
    request: Request,
    ctx: Context,
    record_id: str,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    preview = None
    problem = error
    try:
        preview = objections.preview_record(ctx, _record_id(record_id))
    except XinyongError as exc:
        if exc.status == 401:
            raise
        problem = problem or exc.message
        status = status if error else exc.status
    context: dict[str, Any] = {
        "nav": "objections",
        "record_id": record_id,
        "preview": preview,
        "form": form or {},
        "error": problem,
        "limits": objection_rules().limits,
    }
    return render(request, "objection_new.html", context, status_code=status)


@router.get("/objections/new")
def new_objection(request: Request, ctx: Login, record_id: Annotated[str, Query(max_length=32)] = "") -> Response:
    """The objection form for one record (refused at once when the record cannot be objected to)."""
    objections.may_submit(ctx)
    return _new_page(request, ctx, record_id)


@router.post("/objections/new", dependencies=[Csrf])
def submit_objection(
    request: Request,
    ctx: Login,
    record_id: Annotated[str, Form(max_length=32)] = "",
    reasons: Annotated[str, Form(max_length=TEXT)] = "",
    requested_correction: Annotated[str, Form(max_length=TEXT)] = "",
    contact: Annotated[str, Form(max_length=500)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Submit the objection; the form again with the reason when it is refused."""
    objections.may_submit(ctx)
    form = {"reasons": reasons, "requested_correction": requested_correction, "contact": contact}
    made: list[int] = []

    def run() -> None:
        uploads = read_uploads(files or [])
        made.append(
            objections.submit_objection(ctx, _record_id(record_id), reasons, requested_correction, contact, uploads).id
        )

    savepoint = ctx.session.begin_nested()
    try:
        run()
    except XinyongError as exc:
        savepoint.rollback()
        if exc.status == 401:
            raise
        return _new_page(request, ctx, record_id, form=form, error=exc.message, status=exc.status)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return RedirectResponse(f"/objections/{made[0]}?done=submitted", status_code=303)


# --------------------------------------------------------------------------------------------- lists
@router.get("/objections")
def objection_list(
    request: Request,
    ctx: Login,
    status: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """Handlers: the queue (with due dates and overdue marks); applicants: their own objections."""
    handler = _holds(ctx, "objections.read")
    overdue_only = overdue in ("1", "on", "true")
    error = None
    if handler:
        try:
            rows = objections.queue(ctx, status=status or None, overdue_only=overdue_only)
        except InvalidInput as exc:
            rows, error = [], exc.message
    else:
        rows = objections.my_objections(ctx)
    context = {
        "nav": "objections",
        "handler": handler,
        "office": _holds(ctx, "objections.handle"),
        "rows": rows,
        "status": status,
        "overdue_only": overdue_only,
        "status_labels": STATUS_LABELS,
        "error": error,
    }
    return render(request, "objection_list.html", context, status_code=422 if error else 200)


# --------------------------------------------------------------------------------------------- one case
def _detail_page(
    request: Request, ctx: Context, objection_id: int, *, error: str | None = None, status: int = 200, done: str = ""
) -> Response:
    detail = objections.objection_detail(ctx, objection_id)
    context = {
        "nav": "objections",
        "o": detail,
        "error": error,
        "done": DONE.get(done, ""),
        "outcome_labels": OUTCOME_LABELS,
        "status_labels": STATUS_LABELS,
    }
    return render(request, "objection_detail.html", context, status_code=status)


@router.get("/objections/{objection_id}")
def objection_page(
    request: Request, objection_id: ObjectionId, ctx: Login, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """The application, deadlines, history, files, decision; the form of the caller's next step."""
    return _detail_page(request, ctx, objection_id, done=done)


def attempt(ctx: Context, run: Callable[[], object]) -> XinyongError | None:
    """Run a service call in a SAVEPOINT: a refused call leaves nothing behind (not even a failed flush), so the
    page can be rendered again on the same session. 401/403/404 propagate to the error pages."""
    savepoint = ctx.session.begin_nested()
    try:
        run()
    except XinyongError as exc:
        if savepoint.is_active:
            savepoint.rollback()
        if exc.status in (401, 403, 404):
            raise
        return exc
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    return None


def _act(request: Request, ctx: Context, objection_id: int, action: str, run: Callable[[], object]) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:  # the case as stored, with the reason (409 when someone else decided first)
        return _detail_page(request, ctx, objection_id, error=refused.message, status=refused.status)
    return RedirectResponse(f"/objections/{objection_id}?done={action}", status_code=303)


def _version(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise InvalidInput("表单缺少版本号，请刷新页面后重试", field="version")
    return int(text)


@router.post("/objections/{objection_id}/accept", dependencies=[Csrf])
def accept(
    request: Request, objection_id: ObjectionId, ctx: Login, version: Annotated[str, Form(max_length=12)] = ""
) -> Response:
    """受理."""
    return _act(request, ctx, objection_id, "accept", lambda: objections.accept(ctx, objection_id, _version(version)))


@router.post("/objections/{objection_id}/refuse", dependencies=[Csrf])
def refuse(
    request: Request,
    objection_id: ObjectionId,
    ctx: Login,
    version: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """不予受理."""
    return _act(
        request,
        ctx,
        objection_id,
        "refuse",
        lambda: objections.refuse(ctx, objection_id, reason, _version(version)),
    )


@router.post("/objections/{objection_id}/self-check", dependencies=[Csrf])
def self_check(
    request: Request,
    objection_id: ObjectionId,
    ctx: Login,
    version: Annotated[str, Form(max_length=12)] = "",
    result: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """平台自查: a platform error fixed, or hand-over to the provider."""
    return _act(
        request,
        ctx,
        objection_id,
        "self_check",
        lambda: objections.self_check(ctx, objection_id, result, note, _version(version)),  # type: ignore[arg-type]
    )


@router.post("/objections/{objection_id}/verify", dependencies=[Csrf])
def verify(
    request: Request,
    objection_id: ObjectionId,
    ctx: Login,
    version: Annotated[str, Form(max_length=12)] = "",
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=TEXT)] = "",
    corrected_values: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    """数据提供单位核查: corrected (the values, one ``字段名=值`` per line) or upheld."""

    def run() -> None:
        values = parse_corrections(corrected_values) if outcome == "corrected" else None
        if outcome != "corrected" and corrected_values.strip():
            raise InvalidInput("核查结论为“维持”时不应填写更正内容", field="corrected_values")
        objections.verify(ctx, objection_id, outcome, reason, values, _version(version))  # type: ignore[arg-type]

    return _act(request, ctx, objection_id, "verify", run)


@router.post("/objections/{objection_id}/withdraw", dependencies=[Csrf])
def withdraw(request: Request, objection_id: ObjectionId, ctx: Login) -> Response:
    """The applicant withdraws the objection."""
    return _act(request, ctx, objection_id, "withdraw", lambda: objections.withdraw(ctx, objection_id))


@router.get("/objections/{objection_id}/files/{file_id}")
def file_content(objection_id: ObjectionId, file_id: FileId, ctx: Login) -> Response:
    """Download one evidence file (audited)."""
    row = objections.case_file_content(ctx, objection_id, file_id)
    return case_file_response(row)
