"""``/api/v1/objections``: 异议 — a subject objects to a record; the credit office accepts or refuses it and checks
the platform; the data provider's department verifies it (issue #5, rules.md §4).

Security is declared with the shared schemes (``SECURED``). Who may call what is decided by
``records.objections`` (403 otherwise): submitting — the record's subject, the credit office on a paper
application, anyone logged in for 双公示 data when ``XINYONG_OBJECTION_OPEN_TO_PUBLIC``; reading one objection and
its files — its applicant and its handlers; accept / refuse / self-check — the credit office; verify — the
provider department (own department only) or the office; withdraw — the applicant. Every handler action sends
the ``version`` it was shown: when someone else decided first the answer is 409 (``stale_case``).
State-changing cookie calls also send ``X-CSRF-Token`` (``CSRF``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, Field, StringConstraints
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import MAX_ID
from xinyong.records import objections
from xinyong.records.objection_schemas import STATUS_LABELS, ObjectionDetail, ObjectionRow
from xinyong.settings import get_settings
from xinyong.web.downloads import case_file_response
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/objections", tags=["异议"], dependencies=SECURED)

ObjectionId = Annotated[int, Path(ge=1, le=MAX_ID, description="异议编号")]
FileId = Annotated[int, Path(ge=1, le=MAX_ID, description="材料编号")]
TEXT_MAX = 20000  # the service enforces the rulebook's limits with Chinese messages
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="处理人看到的版本号（详情中的 version）")]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
BINARY = {"type": "string", "format": "binary"}
CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = error_responses(*DENIED, 404, 409, 422)


# --------------------------------------------------------------------------------------------- callers
def _submitter(ctx: LoggedIn) -> Context:
    objections.may_submit(ctx)
    return ctx


def _own_reader(ctx: LoggedIn) -> Context:
    objections.may_read_own(ctx)
    return ctx


def _reader(ctx: LoggedIn) -> Context:
    require(ctx, "objections.read")
    return ctx


def _handler(ctx: LoggedIn) -> Context:
    require(ctx, "objections.handle")
    return ctx


def _verifier(ctx: LoggedIn) -> Context:
    require(ctx, "objections.verify")
    return ctx


Submitter = Annotated[Context, Depends(_submitter)]
OwnReader = Annotated[Context, Depends(_own_reader)]
Reader = Annotated[Context, Depends(_reader)]
Handler = Annotated[Context, Depends(_handler)]
Verifier = Annotated[Context, Depends(_verifier)]


# --------------------------------------------------------------------------------------------- bodies
class ObjectionIn(BaseModel):
    """An objection without evidence files (use ``/upload`` to attach files)."""

    record_id: int = Field(ge=1, le=MAX_ID, description="信用记录编号（当前版本）")
    reasons: str = Field(max_length=TEXT_MAX, description="异议理由")
    requested_correction: str = Field(default="", max_length=TEXT_MAX, description="更正要求")
    contact: str = Field(default="", max_length=500, description="联系方式（加密保存）")


class VersionIn(BaseModel):
    """The version of the case the handler was shown."""

    version: Version


class RefuseIn(VersionIn):
    reason: str = Field(max_length=TEXT_MAX, description="不予受理的理由")


class SelfCheckIn(VersionIn):
    result: Literal["platform_error", "pass_to_provider"] = Field(
        description="platform_error：平台差错，立即更正并办结；pass_to_provider：转数据提供单位核查"
    )
    note: str = Field(default="", max_length=TEXT_MAX, description="自查说明；平台差错时写明更正内容")


class VerifyIn(VersionIn):
    outcome: Literal["corrected", "upheld"] = Field(description="corrected：更正；upheld：维持原记录")
    reason: str = Field(max_length=TEXT_MAX, description="核查说明")
    corrected_values: dict[FieldName, Annotated[str, StringConstraints(max_length=TEXT_MAX)]] | None = Field(
        default=None, description="更正后的字段值：字段键名或中文字段名 → 值（仅 corrected）"
    )


# --------------------------------------------------------------------------------------------- routes
@router.post(
    "",
    response_model=ObjectionRow,
    status_code=201,
    summary="提出异议（无附件）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=CSRF,
)
def submit(data: ObjectionIn, ctx: Submitter) -> ObjectionRow:
    """Object to the current version of a record. 409: already under objection, a double submission, a
    superseded version, or a record not in force."""
    objection = objections.submit_objection(
        ctx, data.record_id, data.reasons, data.requested_correction, data.contact, []
    )
    return objections.summary(ctx, objection)


@router.post(
    "/upload",
    response_model=ObjectionRow,
    status_code=201,
    summary="提出异议（附证明材料）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=CSRF,
)
def submit_with_files(
    ctx: Submitter,
    record_id: Annotated[int, Form(ge=1, le=MAX_ID, description="信用记录编号（当前版本）")],
    reasons: Annotated[str, Form(max_length=TEXT_MAX, description="异议理由")],
    requested_correction: Annotated[str, Form(max_length=TEXT_MAX, description="更正要求")] = "",
    contact: Annotated[str, Form(max_length=500, description="联系方式")] = "",
    files: Annotated[list[UploadFile] | None, File(description="证明材料：PDF、JPG、PNG、DOCX、XLSX")] = None,
) -> ObjectionRow:
    """Object to a record with evidence files (multipart form)."""
    objection = objections.submit_objection(
        ctx, record_id, reasons, requested_correction, contact, read_uploads(files or [])
    )
    return objections.summary(ctx, objection)


def read_uploads(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    """(file name, content) of each upload; reading stops one byte past the size limit (refused by the service)."""
    limit = get_settings().case_file_max_bytes
    return [(f.filename or "", f.file.read(limit + 1)) for f in files if f.filename or f.size]


@router.get("", response_model=list[ObjectionRow], summary="我的异议申请", responses=error_responses(*DENIED))
def mine(ctx: OwnReader) -> list[ObjectionRow]:
    """The caller's own objections, newest first."""
    return objections.my_objections(ctx)


@router.get(
    "/queue",
    response_model=list[ObjectionRow],
    summary="待办异议（经办队列）",
    responses=error_responses(*DENIED, 422),
)
def handler_queue(
    ctx: Reader,
    status: Annotated[
        Literal["submitted", "accepted", "verifying", "closed"] | None,
        Query(description="只看该状态：" + "、".join(f"{k} {v}" for k, v in STATUS_LABELS.items())),
    ] = None,
    overdue_only: Annotated[bool, Query(description="只看已超期的")] = False,
) -> list[ObjectionRow]:
    """The credit office's queue (待受理, 平台自查中) or a department's (核查中, own department), most urgent first."""
    return objections.queue(ctx, status=status, overdue_only=overdue_only)


@router.get(
    "/{objection_id}",
    response_model=ObjectionDetail,
    summary="异议详情",
    responses=error_responses(*DENIED, 404, 422),
)
def detail(objection_id: ObjectionId, ctx: LoggedIn) -> ObjectionDetail:
    """The application, deadlines, decision, history and files of one objection (applicant and handlers)."""
    return objections.objection_detail(ctx, objection_id)


@router.post(
    "/{objection_id}/accept", response_model=ObjectionRow, summary="受理", responses=CHANGE_RESPONSES, dependencies=CSRF
)
def accept(objection_id: ObjectionId, data: VersionIn, ctx: Handler) -> ObjectionRow:
    """The credit office accepts the objection (platform self-check next)."""
    return objections.summary(ctx, objections.accept(ctx, objection_id, data.version))


@router.post(
    "/{objection_id}/refuse",
    response_model=ObjectionRow,
    summary="不予受理",
    responses=CHANGE_RESPONSES,
    dependencies=CSRF,
)
def refuse(objection_id: ObjectionId, data: RefuseIn, ctx: Handler) -> ObjectionRow:
    """The credit office refuses the objection with a reason; the record is no longer 异议中."""
    return objections.summary(ctx, objections.refuse(ctx, objection_id, data.reason, data.version))


@router.post(
    "/{objection_id}/self-check",
    response_model=ObjectionRow,
    summary="平台自查",
    responses=CHANGE_RESPONSES,
    dependencies=CSRF,
)
def self_check(objection_id: ObjectionId, data: SelfCheckIn, ctx: Handler) -> ObjectionRow:
    """Platform error fixed (closed), or handed to the data provider for verification."""
    return objections.summary(ctx, objections.self_check(ctx, objection_id, data.result, data.note, data.version))


@router.post(
    "/{objection_id}/verify",
    response_model=ObjectionRow,
    summary="数据提供单位核查",
    responses=CHANGE_RESPONSES,
    dependencies=CSRF,
)
def verify(objection_id: ObjectionId, data: VerifyIn, ctx: Verifier) -> ObjectionRow:
    """The provider's verification: corrected (a new version of the record through intake) or upheld."""
    result = objections.verify(ctx, objection_id, data.outcome, data.reason, data.corrected_values, data.version)
    return objections.summary(ctx, result)


@router.post(
    "/{objection_id}/withdraw",
    response_model=ObjectionRow,
    summary="撤回异议",
    responses=CHANGE_RESPONSES,
    dependencies=CSRF,
)
def withdraw(objection_id: ObjectionId, ctx: LoggedIn) -> ObjectionRow:
    """The applicant withdraws an open objection."""
    return objections.summary(ctx, objections.withdraw(ctx, objection_id))


@router.get(
    "/{objection_id}/files/{file_id}",
    summary="下载证明材料",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {"schema": BINARY}}, "description": "材料文件"}}
    | error_responses(*DENIED, 404, 422),
)
def file_content(objection_id: ObjectionId, file_id: FileId, ctx: LoggedIn) -> Response:
    """One evidence file (applicant and handlers; the download is audited)."""
    row = objections.case_file_content(ctx, objection_id, file_id)
    return case_file_response(row)
