"""Pages ``/intake``: departments upload data files and read each batch's result and feedback.

Login required (anonymous visitors go to the login page); department officers and the credit office only
(``intake.read`` / ``intake.submit``, 403 for everyone else). A department officer uploads for its own
department; credit office staff choose the department. The upload form posts with the session's CSRF token;
the result page lists at most ``MAX_SHOWN`` errors and warnings each, the rest are in the feedback workbook.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.items import load_catalog
from xinyong.catalog.queries import catalog_items
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.intake import queries, service
from xinyong.intake.feedback import CHANNEL_LABELS, feedback_filename, feedback_workbook
from xinyong.intake.templates import XLSX_MEDIA_TYPE
from xinyong.subjects.departments import list_departments
from xinyong.web import csrf
from xinyong.web.api.intake import safe_filename
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
BatchId = Annotated[int, Path(ge=1, le=MAX_ID)]
RECENT = 20
MAX_SHOWN = 500
STATUS_LABELS = {"loaded": "已入库", "rejected": "已退回"}


def _intake_page(
    request: Request, ctx: Context, *, form: dict[str, str] | None = None, error: str | None = None, status: int = 200
) -> Response:
    departments = list_departments(ctx.session)
    own = next((d for d in departments if d.id == ctx.department_id), None)
    context: dict[str, Any] = {
        "nav": "intake",
        "items": catalog_items(ctx),
        "departments": departments if ctx.department_id is None else [],
        "own_department": own,
        "choose_department": ctx.department_id is None,
        "batches": queries.list_batches(ctx, limit=RECENT),
        "status_labels": STATUS_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "form": form or {},
        "error": error,
    }
    return render(request, "intake.html", context, status_code=status)


@router.get("/intake")
def intake_page(request: Request, ctx: Login) -> Response:
    """The upload form and the recent batches (own department's for officers, all for the credit office)."""
    require(ctx, "intake.submit")
    return _intake_page(request, ctx)


def _department_choice(ctx: Context, raw: str) -> int:
    if ctx.department_id is not None:
        return ctx.department_id
    raw = raw.strip()
    if not raw:
        raise InvalidInput("请选择报送部门（区信用办代部门报送）", field="department_id")
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput("报送部门无效，请从列表中选择", field="department_id")
    return int(raw)


@router.post("/intake/upload", dependencies=[Csrf])
def upload(
    request: Request,
    ctx: Login,
    item_id: Annotated[str, Form(max_length=40)] = "",
    department_id: Annotated[str, Form(max_length=32)] = "",
    partial: Annotated[str, Form(max_length=8)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Submit the uploaded file, then show the batch's result (also when the batch was rejected)."""
    require(ctx, "intake.submit")
    form = {"item_id": item_id, "department_id": department_id, "partial": partial}
    try:
        if not item_id:
            raise InvalidInput("请选择数据项", field="item_id")
        department = _department_choice(ctx, department_id)
        if file is None or not file.filename:
            raise InvalidInput("请选择要上传的文件（CSV、Excel 或 JSON）", field="file")
        summary = service.submit_file(
            ctx,
            item_id,
            department,
            file.file,
            safe_filename(file.filename),
            partial=partial in ("1", "on", "true"),
            channel="upload",
        )
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _intake_page(request, ctx, form=form, error=exc.message, status=exc.status)
    return RedirectResponse(f"/intake/batches/{summary.batch_id}", status_code=303)


@router.get("/intake/batches/{batch_id}")
def batch_page(request: Request, batch_id: BatchId, ctx: Login) -> Response:
    """One batch: counts, file error, errors and warnings (capped), and the feedback download."""
    summary = queries.batch_summary(ctx, batch_id)
    batch = queries.batch_or_404(ctx, batch_id)
    items = load_catalog().items
    context = {
        "nav": "intake",
        "summary": summary,
        "batch": batch,
        "item_name": items[batch.item_id].name if batch.item_id in items else batch.item_id,
        "status_label": STATUS_LABELS.get(summary.status, summary.status),
        "channel_label": CHANNEL_LABELS.get(batch.channel, batch.channel),
        "errors": summary.errors[:MAX_SHOWN],
        "warnings": summary.warnings[:MAX_SHOWN],
        "max_shown": MAX_SHOWN,
    }
    return render(request, "intake_batch.html", context)


@router.get("/intake/batches/{batch_id}/feedback.xlsx")
def batch_feedback(batch_id: BatchId, ctx: Login) -> Response:
    """The batch's feedback workbook (same as the API's)."""
    return Response(
        feedback_workbook(ctx, batch_id),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{feedback_filename(batch_id)}"'},
    )
