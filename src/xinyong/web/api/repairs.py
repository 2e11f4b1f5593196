"""``/api/v1/repairs``: 信用修复 (credit repair) over JSON.

Applicants (a subject for its own records, the credit office for a paper application) check eligibility
(``/records/{record_id}/eligibility``) and apply for a record (``/records/{record_id}``), either as JSON
(materials base64-encoded) or as ``multipart/form-data`` (``.../upload``, materials as files); external lists
("一站式") the same way under ``/subjects/{subject_id}/external``. Whether the caller may apply is checked from
the path before an upload is read (403 first). Handlers (the deciding department for its own records, the
credit office for all) read their queue and decide: accept / refuse / extend / grant / reject, each carrying the
``expected_version`` they were shown (409 ``stale_case`` when someone else acted first). The credit office records
the external authorities' results. State-changing cookie calls send ``X-CSRF-Token`` (``CSRF``). Every rule
lives in ``records.repairs``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput
from xinyong.records import repairs
from xinyong.records.repair_schemas import Eligibility, RepairDetail, RepairPage, RepairRow
from xinyong.settings import get_settings
from xinyong.web.api.intake import safe_filename
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/repairs", tags=["信用修复"], dependencies=SECURED)

RepairId = Annotated[int, Path(ge=1, le=MAX_ID, description="信用修复申请编号")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="信用记录编号")]
SubjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="信用主体编号（本主体）")]
FileId = Annotated[int, Path(ge=1, le=MAX_ID, description="材料文件编号")]
Version = Annotated[
    int, Field(ge=1, le=2**31 - 1, description="办理人看到的申请版本号（lock_version），防止覆盖他人处理")
]
Offset = Annotated[int, Query(ge=0, le=repairs.MAX_OFFSET, description="跳过的条数")]
Limit = Annotated[int, Query(ge=1, le=repairs.MAX_LIMIT, description="每页条数")]
ACTION_ERRORS = error_responses(*DENIED, 404, 409, 422)


# --------------------------------------------------------------------------------------------- bodies
class FileB64(BaseModel):
    """A material file in a JSON request."""

    filename: str = Field(min_length=1, max_length=255, description="文件名（PDF、JPG、PNG、DOCX、XLSX）")
    content_base64: str = Field(min_length=1, description="文件内容（Base64）")


class ApplyIn(BaseModel):
    """An application for the repair of a platform record."""

    obligations: str = Field(min_length=1, max_length=repairs.OBLIGATIONS_MAX, description="履行法定义务情况说明")
    commitment_text: str = Field(min_length=1, max_length=repairs.COMMITMENT_MAX, description="信用修复承诺内容")
    signer_name: str = Field(min_length=1, max_length=repairs.SIGNER_MAX, description="承诺人（签署人）姓名")
    files: list[FileB64] = Field(default=[], max_length=50, description="证明材料")


class ExternalIn(BaseModel):
    """An application for the repair of an entry on an external list."""

    external_list: str = Field(
        min_length=1, max_length=32, description="外部名单：court_dishonest_debtor / customs_dishonest / ..."
    )
    external_ref: str = Field(min_length=1, max_length=repairs.REF_MAX, description="名单信息编号（案号、文书号）")
    obligations: str = Field(min_length=1, max_length=repairs.OBLIGATIONS_MAX, description="履行法定义务情况说明")
    files: list[FileB64] = Field(default=[], max_length=50, description="证明材料")


class AcceptIn(BaseModel):
    expected_version: Version
    note: str = Field(default="", max_length=repairs.REASON_MAX, description="受理意见（可选）")


class ReasonIn(BaseModel):
    expected_version: Version
    reason: str = Field(min_length=1, max_length=repairs.REASON_MAX, description="理由（告知申请人）")


class ExternalResultIn(BaseModel):
    expected_version: Version
    result: Literal["granted", "rejected", "in_progress"] = Field(description="外部机关办理结果")
    note: str = Field(min_length=1, max_length=repairs.REASON_MAX, description="办理情况说明")


# --------------------------------------------------------------------------------------------- helpers
def _decoded(files: list[FileB64]) -> list[repairs.FileIn]:
    out: list[repairs.FileIn] = []
    limit = get_settings().case_file_max_bytes
    for f in files:
        if len(f.content_base64) > limit * 4 // 3 + 8:
            raise InvalidInput(f"材料“{f.filename}”超过 {get_settings().case_file_max_mb} MB 上限", field="files")
        try:
            content = base64.b64decode(f.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"材料“{f.filename}”的内容不是有效的 Base64 编码", field="files") from None
        out.append((f.filename, content))
    return out


def read_uploads(files: list[UploadFile] | None) -> list[repairs.FileIn]:
    """The uploaded files' names and contents, each read up to one byte past the size limit (the service then
    refuses it by size)."""
    limit = get_settings().case_file_max_bytes
    return [(safe_filename(f.filename), f.file.read(limit + 1)) for f in files or [] if f.filename]


# --------------------------------------------------------------------------------------------- applying
def _record_applicant(record_id: RecordId, ctx: LoggedIn) -> Context:
    """The caller, if it may apply for this record (403 before the upload is read)."""
    repairs.may_apply_for(ctx, record_id)
    return ctx


def _subject_applicant(subject_id: SubjectId, ctx: LoggedIn) -> Context:
    repairs.may_apply_external(ctx, subject_id)
    return ctx


RecordApplicant = Annotated[Context, Depends(_record_applicant)]
SubjectApplicant = Annotated[Context, Depends(_subject_applicant)]


@router.get(
    "/records/{record_id}/eligibility",
    response_model=Eligibility,
    summary="信用修复条件检查",
    responses=error_responses(*DENIED, 404, 422),
)
def eligibility(
    record_id: RecordId,
    ctx: LoggedIn,
    as_of: Annotated[date | None, Query(description="按哪一天检查（YYYY-MM-DD，默认今天）")] = None,
) -> Eligibility:
    """Whether the record may be repaired, each condition with its reason; the commitment template and the
    materials to upload. Another subject's record answers only that it is not the caller's."""
    return repairs.check_eligibility(ctx, record_id, as_of)


@router.post(
    "/records/{record_id}",
    response_model=RepairRow,
    status_code=201,
    summary="申请信用修复（JSON）",
    responses=ACTION_ERRORS,
    dependencies=CSRF,
)
def apply_json(record_id: RecordId, data: ApplyIn, ctx: RecordApplicant) -> RepairRow:
    """Apply for the repair of a record (materials base64-encoded); signs the 信用修复型 commitment."""
    app = repairs.apply_for_repair(
        ctx, record_id, data.obligations, data.commitment_text, data.signer_name, _decoded(data.files)
    )
    return repairs.summary(ctx, app)


@router.post(
    "/records/{record_id}/upload",
    response_model=RepairRow,
    status_code=201,
    summary="申请信用修复（表单上传材料）",
    responses=ACTION_ERRORS,
    dependencies=CSRF,
)
def apply_upload(
    record_id: RecordId,
    ctx: RecordApplicant,
    obligations: Annotated[str, Form(min_length=1, max_length=repairs.OBLIGATIONS_MAX, description="履行义务说明")],
    commitment_text: Annotated[str, Form(min_length=1, max_length=repairs.COMMITMENT_MAX, description="承诺内容")],
    signer_name: Annotated[str, Form(min_length=1, max_length=repairs.SIGNER_MAX, description="承诺人姓名")],
    files: Annotated[list[UploadFile] | None, File(description="证明材料（可多个）")] = None,
) -> RepairRow:
    """Apply for the repair of a record with the materials as uploaded files."""
    app = repairs.apply_for_repair(ctx, record_id, obligations, commitment_text, signer_name, read_uploads(files))
    return repairs.summary(ctx, app)


@router.post(
    "/subjects/{subject_id}/external",
    response_model=RepairRow,
    status_code=201,
    summary="外部名单信用修复申请（JSON，一站式转办）",
    responses=ACTION_ERRORS,
    dependencies=CSRF,
)
def apply_external_json(subject_id: SubjectId, data: ExternalIn, ctx: SubjectApplicant) -> RepairRow:
    """Apply for the repair of an external list entry; routed to its authority and tracked here."""
    app = repairs.apply_external(
        ctx, subject_id, data.external_list, data.external_ref, data.obligations, _decoded(data.files)
    )
    return repairs.summary(ctx, app)


@router.post(
    "/subjects/{subject_id}/external/upload",
    response_model=RepairRow,
    status_code=201,
    summary="外部名单信用修复申请（表单上传材料）",
    responses=ACTION_ERRORS,
    dependencies=CSRF,
)
def apply_external_upload(
    subject_id: SubjectId,
    ctx: SubjectApplicant,
    external_list: Annotated[str, Form(min_length=1, max_length=32, description="外部名单代码")],
    external_ref: Annotated[str, Form(min_length=1, max_length=repairs.REF_MAX, description="名单信息编号")],
    obligations: Annotated[str, Form(min_length=1, max_length=repairs.OBLIGATIONS_MAX, description="履行义务说明")],
    files: Annotated[list[UploadFile] | None, File(description="证明材料（可多个）")] = None,
) -> RepairRow:
    """The external-list application with the materials as uploaded files."""
    app = repairs.apply_external(ctx, subject_id, external_list, external_ref, obligations, read_uploads(files))
    return repairs.summary(ctx, app)


# --------------------------------------------------------------------------------------------- reading
@router.get("", response_model=RepairPage, summary="信用修复办理队列", responses=error_responses(*DENIED, 422))
def handler_queue(
    ctx: LoggedIn,
    status: Annotated[
        str | None, Query(max_length=16, description="open（办理中，默认）、all（全部）或状态代码，如 accepted")
    ] = "open",
    overdue: Annotated[bool, Query(description="只看超期的申请")] = False,
    kind: Annotated[
        Literal["record", "external"] | None, Query(description="record 本平台记录 / external 外部名单")
    ] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="认定部门（区信用办可选）")] = None,
    offset: Offset = 0,
    limit: Limit = repairs.DEFAULT_LIMIT,
) -> RepairPage:
    """The handler's applications with due dates and overdue flags: a department's own, all for the credit office."""
    return repairs.queue(
        ctx,
        status=None if status == "all" else status,
        overdue=overdue,
        kind=kind,
        department_id=department_id,
        offset=offset,
        limit=limit,
    )


@router.get("/mine", response_model=RepairPage, summary="我的信用修复申请", responses=error_responses(*DENIED, 422))
def mine(ctx: LoggedIn, offset: Offset = 0, limit: Limit = repairs.DEFAULT_LIMIT) -> RepairPage:
    """The applicant's own applications (a subject's; a credit-office account's paper applications)."""
    return repairs.my_repairs(ctx, offset=offset, limit=limit)


@router.get(
    "/{repair_id}",
    response_model=RepairDetail,
    summary="信用修复申请详情",
    responses=error_responses(*DENIED, 404, 422),
)
def detail(repair_id: RepairId, ctx: LoggedIn) -> RepairDetail:
    """An application with its statement, commitment, history, files and the actions the caller may take."""
    return repairs.repair_detail(ctx, repair_id)


@router.get(
    "/{repair_id}/files/{file_id}",
    summary="下载信用修复材料",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        **error_responses(*DENIED, 404, 422),
    },
)
def download(repair_id: RepairId, file_id: FileId, ctx: LoggedIn) -> Response:
    """One material file as uploaded (its readers only)."""
    found = repairs.repair_file(ctx, repair_id, file_id)
    return file_response(found.content, found.content_type, found.filename)


def file_response(content: bytes, content_type: str, filename: str) -> Response:
    """A download (never rendered inline: the browser saves it)."""
    disposition = f"attachment; filename=\"file\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=content_type, headers={"Content-Disposition": disposition})


# --------------------------------------------------------------------------------------------- handling
@router.post(
    "/{repair_id}/accept", response_model=RepairRow, summary="受理", responses=ACTION_ERRORS, dependencies=CSRF
)
def accept(repair_id: RepairId, data: AcceptIn, ctx: LoggedIn) -> RepairRow:
    """Accept a complete application (the deciding department or the credit office)."""
    return repairs.summary(ctx, repairs.accept(ctx, repair_id, data.expected_version, data.note))


@router.post(
    "/{repair_id}/refuse", response_model=RepairRow, summary="不予受理", responses=ACTION_ERRORS, dependencies=CSRF
)
def refuse(repair_id: RepairId, data: ReasonIn, ctx: LoggedIn) -> RepairRow:
    """Refuse to accept (e.g. incomplete materials), with the reason."""
    return repairs.summary(ctx, repairs.refuse(ctx, repair_id, data.reason, data.expected_version))


@router.post(
    "/{repair_id}/extend", response_model=RepairRow, summary="延长审核期限", responses=ACTION_ERRORS, dependencies=CSRF
)
def extend(repair_id: RepairId, data: ReasonIn, ctx: LoggedIn) -> RepairRow:
    """Extend the decision deadline once, with the reason."""
    return repairs.summary(ctx, repairs.extend(ctx, repair_id, data.reason, data.expected_version))


@router.post(
    "/{repair_id}/grant", response_model=RepairRow, summary="准予修复", responses=ACTION_ERRORS, dependencies=CSRF
)
def grant(repair_id: RepairId, data: ReasonIn, ctx: LoggedIn) -> RepairRow:
    """Grant the repair: the record stops being published, shared as in force, evaluated and listed from today."""
    return repairs.summary(ctx, repairs.grant(ctx, repair_id, data.reason, data.expected_version))


@router.post(
    "/{repair_id}/reject", response_model=RepairRow, summary="不予修复", responses=ACTION_ERRORS, dependencies=CSRF
)
def reject(repair_id: RepairId, data: ReasonIn, ctx: LoggedIn) -> RepairRow:
    """Refuse the repair after review, with the reason."""
    return repairs.summary(ctx, repairs.reject(ctx, repair_id, data.reason, data.expected_version))


@router.post(
    "/{repair_id}/external-result",
    response_model=RepairRow,
    summary="登记外部名单办理结果",
    responses=ACTION_ERRORS,
    dependencies=CSRF,
)
def external_result(repair_id: RepairId, data: ExternalResultIn, ctx: LoggedIn) -> RepairRow:
    """The credit office records the external authority's progress or decision (no effect on platform records)."""
    return repairs.summary(
        ctx, repairs.record_external_result(ctx, repair_id, data.result, data.note, data.expected_version)
    )
