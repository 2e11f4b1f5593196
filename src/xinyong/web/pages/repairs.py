"""信用修复 pages (issue #5): the applicant's side (eligibility first, then the application with the commitment and
materials; external lists; tracking and reading the decision) and the handler's side (the queue with due dates
and overdue marks; the detail with the decision forms).

* ``/repairs``: a subject's own applications; for department officers and the credit office the handling queue
  (filters: status, overdue, kind). The credit office also sees the paper applications it entered.
* ``/repairs/new``: without ``record_id`` a subject sees its own negative records with their eligibility (staff
  type a record number); with ``record_id`` the eligibility is shown first, each unmet condition with its reason,
  and only an eligible record gets the form (statement of obligations, the 信用修复承诺书 pre-filled from
  ``rules/repair.yaml``, signer, materials).
* ``/repairs/external/new``: an application for an external list, routed to its authority.
* ``/repairs/{id}``: the detail, history and files; for the deciding department / the credit office the forms of
  the actions open to them, each carrying the version that was shown (a stale form gets a 409 page).

Login required; every rule is in ``records.repairs``. Forms post with the session's CSRF token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.permissions import ROLES, PermissionDenied, allowed
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.records import repairs
from xinyong.records.cases import StaleCase
from xinyong.records.repair_rules import repair_rules
from xinyong.records.repair_schemas import STATUS_LABELS
from xinyong.web import csrf
from xinyong.web.api.repairs import file_response, read_uploads
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
RepairId = Annotated[int, Path(ge=1, le=MAX_ID)]
FileId = Annotated[int, Path(ge=1, le=MAX_ID)]
NAV = "repairs"
LIMIT = 50
ACTIONS = ("accept", "refuse", "extend", "grant", "reject", "result")
DONE = {
    "accept": "已受理",
    "refuse": "已作出不予受理决定",
    "extend": "已延长审核期限",
    "grant": "已准予修复：该记录自今日起停止公示",
    "reject": "已作出不予修复决定",
    "result": "已登记外部机关办理结果",
}


def _local_time(at: datetime) -> str:
    """``2026-11-27 10:00`` in China time."""
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    return moment.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _int(raw: str, label: str, field: str) -> int:
    text = raw.strip()
    if not text.isdigit() or len(text) > 18 or not 0 < int(text) <= MAX_ID:
        raise InvalidInput(f"{label}应为正整数", field=field)
    return int(text)


def _is_handler(ctx: Context) -> bool:
    return allowed(ctx.role, "repairs.read")


def _is_applicant(ctx: Context) -> bool:
    return allowed(ctx.role, "repairs.apply")


def _require_some(ctx: Context) -> None:
    if not (_is_handler(ctx) or allowed(ctx.role, "lifecycle.read_own")):
        raise PermissionDenied(ctx.role, "repairs.read")


# --------------------------------------------------------------------------------------------- lists
@router.get("/repairs")
def list_page(
    request: Request,
    ctx: Login,
    status: Annotated[str, Query(max_length=16)] = "open",
    overdue: Annotated[str, Query(max_length=8)] = "",
    kind: Annotated[str, Query(max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=repairs.MAX_OFFSET)] = 0,
) -> Response:
    """The subject's applications, or the handler's queue (the credit office: also its paper applications)."""
    _require_some(ctx)
    error = None
    queue = None
    mine = None
    if _is_handler(ctx):
        try:
            queue = repairs.queue(
                ctx,
                status=None if status in ("all", "") else status,
                overdue=overdue in ("1", "on", "true"),
                kind=kind or None,
                offset=offset,
                limit=LIMIT,
            )
        except InvalidInput as exc:
            error = exc.message
    if allowed(ctx.role, "lifecycle.read_own"):
        mine = repairs.my_repairs(ctx, limit=LIMIT)
    context: dict[str, Any] = {
        "nav": NAV,
        "queue": queue,
        "mine": mine,
        "filters": {"status": status, "overdue": overdue, "kind": kind},
        "status_labels": STATUS_LABELS,
        "may_apply": _is_applicant(ctx),
        "is_subject": ctx.role == "subject",
        "offset": offset,
        "limit": LIMIT,
        "error": error,
    }
    return render(request, "repair_list.html", context, status_code=422 if error else 200)


# --------------------------------------------------------------------------------------------- applying
def _new_page(
    request: Request,
    ctx: Context,
    record_id: int | None,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    verdict = repairs.check_eligibility(ctx, record_id) if record_id else None
    choices = repairs.repairable_records(ctx) if record_id is None and ctx.subject_id is not None else []
    values = dict(form or {})
    if verdict is not None:
        values.setdefault("commitment_text", verdict.commitment_text)
    context: dict[str, Any] = {
        "nav": NAV,
        "record_id": record_id,
        "verdict": verdict,
        "choices": choices,
        "is_subject": ctx.role == "subject",
        "form": values,
        "max_files": repair_rules().application.max_files,
        "error": error,
    }
    return render(request, "repair_new.html", context, status_code=status)


@router.get("/repairs/new")
def new_page(request: Request, ctx: Login, record_id: Annotated[str, Query(max_length=20)] = "") -> Response:
    """Eligibility first, then the application form for an eligible record."""
    repairs.require_applicant(ctx)
    if not record_id.strip():
        return _new_page(request, ctx, None)
    try:
        number = _int(record_id, "记录编号", "record_id")
    except InvalidInput as exc:
        return _new_page(request, ctx, None, error=exc.message, status=422)
    return _new_page(request, ctx, number)


@router.post("/repairs/new", dependencies=[Csrf])
def apply(
    request: Request,
    ctx: Login,
    record_id: Annotated[str, Form(max_length=20)] = "",
    obligations: Annotated[str, Form(max_length=repairs.OBLIGATIONS_MAX + 100)] = "",
    commitment_text: Annotated[str, Form(max_length=repairs.COMMITMENT_MAX + 100)] = "",
    signer_name: Annotated[str, Form(max_length=repairs.SIGNER_MAX + 20)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Submit the application; its page on success, the form with the reason otherwise."""
    repairs.require_applicant(ctx)
    form = {"obligations": obligations, "commitment_text": commitment_text, "signer_name": signer_name}
    number = _int(record_id, "记录编号", "record_id")
    savepoint = ctx.session.begin_nested()  # a refused application leaves nothing behind, whatever step refused it
    try:
        app = repairs.apply_for_repair(ctx, number, obligations, commitment_text, signer_name, read_uploads(files))
    except XinyongError as exc:
        savepoint.rollback()
        if exc.status in (401, 403, 404):
            raise
        return _new_page(request, ctx, number, form=form, error=exc.message, status=exc.status)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return RedirectResponse(f"/repairs/{app.id}?done=submit", status_code=303)


def _external_page(
    request: Request, ctx: Context, *, form: dict[str, str] | None = None, error: str | None = None, status: int = 200
) -> Response:
    context: dict[str, Any] = {
        "nav": NAV,
        "lists": repair_rules().external_lists,
        "is_subject": ctx.role == "subject",
        "form": form or {},
        "max_files": repair_rules().application.max_files,
        "error": error,
    }
    return render(request, "repair_external_new.html", context, status_code=status)


@router.get("/repairs/external/new")
def external_page(request: Request, ctx: Login) -> Response:
    """The external-list application form ("一站式"): the lists with their authorities and channels."""
    repairs.require_applicant(ctx)
    return _external_page(request, ctx)


@router.post("/repairs/external/new", dependencies=[Csrf])
def apply_external(
    request: Request,
    ctx: Login,
    subject_id: Annotated[str, Form(max_length=20)] = "",
    external_list: Annotated[str, Form(max_length=40)] = "",
    external_ref: Annotated[str, Form(max_length=repairs.REF_MAX + 20)] = "",
    obligations: Annotated[str, Form(max_length=repairs.OBLIGATIONS_MAX + 100)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Route the application to the list's authority; its page on success."""
    repairs.require_applicant(ctx)
    form = {
        "subject_id": subject_id,
        "external_list": external_list,
        "external_ref": external_ref,
        "obligations": obligations,
    }
    try:
        subject = ctx.subject_id if ctx.role == "subject" else _int(subject_id, "信用主体编号", "subject_id")
        if subject is None:
            raise InvalidInput("账户未关联信用主体", field="subject_id")
        if not external_list:
            raise InvalidInput("请选择外部名单", field="external_list")
        app = repairs.apply_external(ctx, subject, external_list, external_ref, obligations, read_uploads(files))
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _external_page(request, ctx, form=form, error=exc.message, status=exc.status)
    return RedirectResponse(f"/repairs/{app.id}?done=submit", status_code=303)


# --------------------------------------------------------------------------------------------- detail
def _detail_page(
    request: Request,
    ctx: Context,
    repair_id: int,
    *,
    error: str | None = None,
    notice: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    detail = repairs.repair_detail(ctx, repair_id)
    listed = repair_rules().external_lists.get(detail.external_list or "")
    context: dict[str, Any] = {
        "nav": NAV,
        "r": detail,
        "listed": listed,
        "status_labels": STATUS_LABELS,
        "roles": ROLES,
        "local_time": _local_time,
        "error": error,
        "notice": notice,
        "form": form or {},
    }
    return render(request, "repair_detail.html", context, status_code=status)


@router.get("/repairs/{repair_id}")
def detail_page(
    request: Request, repair_id: RepairId, ctx: Login, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """An application: facts, statement, commitment, files, history and the reader's decision forms."""
    notice = "申请已提交" if done == "submit" else DONE.get(done)
    return _detail_page(request, ctx, repair_id, notice=notice)


@router.post("/repairs/{repair_id}/decide", dependencies=[Csrf])
def decide(
    request: Request,
    repair_id: RepairId,
    ctx: Login,
    action: Annotated[str, Form(max_length=16)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=repairs.REASON_MAX + 100)] = "",
    result: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """One handler action with the version that was shown; back to the detail with the outcome."""
    form = {"action": action, "reason": reason, "result": result}
    try:
        if action not in ACTIONS:
            raise InvalidInput("未知的办理操作", field="action")
        expected = _int(version, "版本号", "version")
        if action == "accept":
            repairs.accept(ctx, repair_id, expected, reason)
        elif action == "refuse":
            repairs.refuse(ctx, repair_id, reason, expected)
        elif action == "extend":
            repairs.extend(ctx, repair_id, reason, expected)
        elif action == "grant":
            repairs.grant(ctx, repair_id, reason, expected)
        elif action == "reject":
            repairs.reject(ctx, repair_id, reason, expected)
        else:
            repairs.record_external_result(ctx, repair_id, result, reason, expected)
    except StaleCase:
        raise  # the 409 page: someone else acted first (the failed flush leaves nothing to render from)
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail_page(request, ctx, repair_id, error=exc.message, form=form, status=exc.status)
    return RedirectResponse(f"/repairs/{repair_id}?done={action}", status_code=303)


@router.get("/repairs/{repair_id}/files/{file_id}")
def download(repair_id: RepairId, file_id: FileId, ctx: Login) -> Response:
    """A material file (its readers only), as a download."""
    found = repairs.repair_file(ctx, repair_id, file_id)
    return file_response(found.content, found.content_type, found.filename)
