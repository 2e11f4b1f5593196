"""``/api/v1/intake``: departments push data items (JSON rows or a file) and read their batches and feedback.

Security is declared with the shared schemes (``SECURED``): a department's API token or a login session.
A department officer (or token) submits for its own department; the credit office names the department
(``department_id``); submitting for another department is refused (403) by the service. Pushes change state,
so cookie-authenticated calls also send ``X-CSRF-Token`` (``CSRF``).

Answer of a push: the batch summary, with HTTP 200 when the batch was loaded and 422 when it was rejected
(all-or-nothing with erroneous rows, or an unreadable file). A rejected batch is still recorded: its
``batch_id`` leads to the stored feedback (``/batches/{batch_id}`` and the ``feedback.xlsx`` workbook).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, Field, StringConstraints
from starlette.responses import JSONResponse, Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput
from xinyong.intake import queries, service
from xinyong.intake.feedback import feedback_filename, feedback_workbook
from xinyong.intake.schemas import BatchOut, BatchSummary
from xinyong.intake.templates import XLSX_MEDIA_TYPE
from xinyong.settings import Settings, get_settings
from xinyong.web.errors import ErrorBody, error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/intake", tags=["数据归集"], dependencies=SECURED)

MAX_PUSH_ROWS = Settings.model_fields["intake_max_api_rows"].default  # the documented default
MAX_KEY_LENGTH = 100
FILENAME_MAX = 255
ItemId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="数据项 ID，如 penalty")]
BatchId = Annotated[int, Path(ge=1, le=MAX_ID, description="报送批次编号")]
DepartmentParam = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="报送部门编号：区信用办代报时必填；部门用户与部门令牌默认本部门"),
]
CellValue = str | int | float | bool | None
ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_KEY_LENGTH)]
BINARY = {"type": "string", "format": "binary"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


def _submitter(ctx: LoggedIn) -> Context:
    """The caller, if allowed to submit at all (403 before the body is looked at)."""
    require(ctx, "intake.submit")
    return ctx


def _reader(ctx: LoggedIn) -> Context:
    require(ctx, "intake.read")
    return ctx


Submitter = Annotated[Context, Depends(_submitter)]
Reader = Annotated[Context, Depends(_reader)]

PUSH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": BatchSummary, "description": "批次已入库（部分接收时错误行见 errors）"},
    422: {
        "model": BatchSummary | ErrorBody,
        "description": "批次被退回：返回批次汇总（errors 列出每行每列的原因，file_error 为文件级错误）；"
        "请求本身无效（如超过行数上限、缺少 department_id）时为错误对象",
    },
    **error_responses(*DENIED, 404),
}


class PushIn(BaseModel):
    """Rows of one data item: each row maps a column (Chinese field label or English key) to its value."""

    rows: list[dict[ColumnName, CellValue]] = Field(
        description="数据行：列名（中文字段名或英文键名）→ 值；每次最多行数见设置 XINYONG_INTAKE_MAX_API_ROWS"
        f"（默认 {MAX_PUSH_ROWS}）",
    )
    partial: bool = Field(default=False, description="部分接收：正确行入库、错误行退回；默认全部接收或全部退回")


def submitting_department(ctx: Context, department_id: int | None) -> int:
    """The department a submission is for: the one named, else the caller's own; the office must name one."""
    if department_id is not None:
        return department_id
    if ctx.department_id is not None:
        return ctx.department_id
    raise InvalidInput("区信用办代部门报送时须选择报送部门（department_id）", field="department_id")


def safe_filename(name: str | None) -> str:
    """The base name of an uploaded file as recorded: no directories, no control characters, at most 255."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE_NAME.sub("", base).strip().lstrip(".") or "upload"
    return base[-FILENAME_MAX:]


def summary_response(summary: BatchSummary) -> JSONResponse:
    """200 for a loaded batch, 422 for a rejected one; the summary either way."""
    return JSONResponse(summary.model_dump(mode="json"), status_code=200 if summary.status == "loaded" else 422)


@router.post(
    "/{item_id}",
    response_model=BatchSummary,
    summary="推送数据（JSON）",
    responses=PUSH_RESPONSES,
    dependencies=CSRF,
)
def push_rows(item_id: ItemId, data: PushIn, ctx: Submitter, department_id: DepartmentParam = None) -> Response:
    """Submit rows of ``item_id`` as JSON. All-or-nothing unless ``partial``. 200: loaded; 422: rejected."""
    limit = get_settings().intake_max_api_rows
    if len(data.rows) > limit:
        raise InvalidInput(f"每次最多推送 {limit} 行，本次 {len(data.rows)} 行：请分批推送", field="rows")
    if not data.rows:
        raise InvalidInput("rows 不能为空：请至少推送一行数据", field="rows")
    department = submitting_department(ctx, department_id)
    summary = service.submit_rows(ctx, item_id, department, data.rows, partial=data.partial, channel="api")
    return summary_response(summary)


@router.post(
    "/{item_id}/file",
    response_model=BatchSummary,
    summary="上传数据文件（CSV / Excel / JSON）",
    responses=PUSH_RESPONSES,
    dependencies=CSRF,
)
def push_file(
    item_id: ItemId,
    ctx: Submitter,
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GBK）、Excel（.xlsx）或 JSON 文件；表头为中文字段名")],
    partial: Annotated[bool, Form(description="部分接收：正确行入库、错误行退回")] = False,
    department_id: DepartmentParam = None,
) -> Response:
    """Submit a file of ``item_id`` (format detected from its content). 200: loaded; 422: rejected."""
    department = submitting_department(ctx, department_id)
    summary = service.submit_file(
        ctx, item_id, department, file.file, safe_filename(file.filename), partial=partial, channel="upload"
    )
    return summary_response(summary)


@router.get(
    "/batches",
    response_model=list[BatchOut],
    summary="报送批次列表",
    responses=error_responses(*DENIED, 422),
)
def list_batches(
    ctx: Reader,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="只看该部门（部门用户限本部门）")] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_LIMIT, description="每页条数")] = 50,
    offset: Annotated[int, Query(ge=0, le=queries.MAX_OFFSET, description="跳过的条数")] = 0,
) -> list[BatchOut]:
    """Batches, newest first: a department's own (officers and tokens), every department's (credit office)."""
    return queries.list_batches(ctx, department_id, limit=limit, offset=offset)


@router.get(
    "/batches/{batch_id}",
    response_model=BatchSummary,
    summary="报送批次结果",
    responses=error_responses(*DENIED, 404, 422),
)
def get_batch(batch_id: BatchId, ctx: Reader) -> BatchSummary:
    """A batch's counts, errors and warnings as stored."""
    return queries.batch_summary(ctx, batch_id)


@router.get(
    "/batches/{batch_id}/feedback.xlsx",
    summary="下载批次校验反馈表（Excel）",
    response_class=Response,
    responses={
        200: {"content": {XLSX_MEDIA_TYPE: {"schema": BINARY}}, "description": "反馈表"},
        **error_responses(*DENIED, 404, 422),
    },
)
def feedback(batch_id: BatchId, ctx: Reader) -> Response:
    """The rows the batch did not load, erroneous cells in red with the reason, and a summary sheet."""
    return Response(
        feedback_workbook(ctx, batch_id),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{feedback_filename(batch_id)}"'},
    )
