"""公示状态 pages: ``/my/records`` (我的信用记录) and ``/records/{record_id}/lifecycle`` (a record's timeline).

* ``/my/records``: a subject's own current records with their status (公示中, 异议中, 已修复, ...), and, where
  possible, the links 提出异议 (``/objections/new?record_id=ID``) and 申请信用修复 (``/repairs/new?record_id=ID``);
  the credit office opens it with ``?subject_id=`` (a paper application). ``?as_of=`` shows another day.
* ``/records/{record_id}/lifecycle``: staff (``records.read``) see the regime, severity, minimum and maximum ends,
  the later regime's end, the status on a day, every effect on the record; the record's department (and the
  credit office) registers a revocation with the form (CSRF token), refused input shown again with its reason.

Login required; what each caller may see and do is decided by ``records.queries`` and ``records.revocation``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.records import queries
from xinyong.records.revocation import DOCUMENT_MAX, REASON_MAX, revoke_record
from xinyong.records.status import STATUS_LABELS
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


def parse_day(raw: str | None, field: str = "as_of") -> date | None:
    """A date typed in a form or query (YYYY-MM-DD); None when blank; ``InvalidInput`` otherwise."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD（收到“{text[:20]}”）", field=field) from None


def _subject_param(raw: str | None) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise InvalidInput("信用主体编号无效", field="subject_id")
    return int(text)


@router.get("/my/records")
def my_records(request: Request, ctx: Login, as_of: str | None = None, subject_id: str | None = None) -> Response:
    """The subject's own records with status and the objection / repair links where possible."""
    context: dict[str, Any] = {
        "nav": "my",
        "page": None,
        "error": None,
        "as_of": as_of or "",
        "subject_id": subject_id or "",
    }
    try:
        context["page"] = queries.own_records(ctx, parse_day(as_of), subject_id=_subject_param(subject_id))
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        context["error"] = exc.message
        return render(request, "lifecycle_my.html", context, status_code=exc.status)
    return render(request, "lifecycle_my.html", context)


def _lifecycle_page(
    request: Request,
    ctx: Context,
    record_id: int,
    *,
    as_of: date | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    view = queries.record_lifecycle(ctx, record_id, as_of)
    context = {
        "nav": "",
        "view": view,
        "status_labels": STATUS_LABELS,
        "form": form or {"revoked_on": ctx.today.isoformat()},
        "error": error,
        "done": done,
        "reason_max": REASON_MAX,
        "document_max": DOCUMENT_MAX,
        "today": ctx.today,
    }
    return render(request, "lifecycle_record.html", context, status_code=status)


@router.get("/records/{record_id}/lifecycle")
def record_lifecycle(request: Request, record_id: RecordId, ctx: Login, as_of: str | None = None) -> Response:
    """A record's publicity timeline and status on a day; the revoke form for its department."""
    try:
        day = parse_day(as_of)
    except InvalidInput as exc:
        return _lifecycle_page(request, ctx, record_id, error=exc.message, status=422)
    done = "已登记撤销：该记录自撤销日起显示为“已撤销”，不再公示。" if request.query_params.get("done") else None
    return _lifecycle_page(request, ctx, record_id, as_of=day, done=done)


@router.post("/records/{record_id}/revoke", dependencies=[Csrf])
def revoke(
    request: Request,
    record_id: RecordId,
    ctx: Login,
    revoked_on: Annotated[str, Form(max_length=20)] = "",
    document: Annotated[str, Form(max_length=DOCUMENT_MAX * 2)] = "",
    reason: Annotated[str, Form(max_length=REASON_MAX * 2)] = "",
) -> Response:
    """Register the revocation; the page again with the reason when refused."""
    form = {"revoked_on": revoked_on, "document": document, "reason": reason}
    try:
        day = parse_day(revoked_on, "revoked_on")
        if day is None:
            raise InvalidInput("请填写撤销日期", field="revoked_on")
        revoke_record(ctx, record_id, day, reason, document)
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _lifecycle_page(request, ctx, record_id, form=form, error=exc.message, status=exc.status)
    return RedirectResponse(f"/records/{record_id}/lifecycle?done=1", status_code=303)
