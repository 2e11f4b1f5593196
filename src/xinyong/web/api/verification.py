"""``/api/v1/cases``: 失信案例核查 (issue #7, work-plan item 八) — reported dishonesty cases through 核查 → 记录 → 监管
→ 惩戒 → 整改 → 教育 with owners, working-day deadlines, evidence and outcome.

The rulebook (``/rules``) needs no credential. Everything else declares the shared security schemes: the credit
office (``verification.open``) registers, reassigns to another department and closes cases early; the owning
department's officers (and its API token) and the office (``verification.handle``) complete stages, reassign the
handler and upload evidence; readers (``verification.read``) list, count and open cases — a department its own
only. Changes carry the ``lock_version`` the caller saw: 409 (``stale_case``) when someone changed the case first,
409 (``wrong_stage``) when the named stage is not the current one. State changes by cookie also send
``X-CSRF-Token``. The rules live in ``lists.verification``; this router parses and returns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput
from xinyong.lists import verification, verification_queries
from xinyong.lists.verification_schemas import CaseCounts, CaseDetail, CaseRow, RulesOut
from xinyong.records.cases import CaseFileOut, files_out
from xinyong.web.api.objections import read_uploads
from xinyong.web.downloads import case_file_response
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/cases", tags=["失信案例核查"])

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="案件编号")]
FileId = Annotated[int, Path(ge=1, le=MAX_ID, description="材料编号")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
TEXT_MAX = 20000  # the service enforces the rulebook's limits with Chinese messages
BINARY = {"type": "string", "format": "binary"}
SECURED_CHANGE = [*SECURED, *CSRF]
CHANGE_RESPONSES = error_responses(*DENIED, 404, 409, 422)


# --------------------------------------------------------------------------------------------- callers
def _reader(ctx: LoggedIn) -> Context:
    require(ctx, verification.READ)
    return ctx


def _office(ctx: LoggedIn) -> Context:
    require(ctx, verification.OPEN)
    return ctx


def _handler(case_id: CaseId, ctx: LoggedIn) -> Context:
    """403 before the body is looked at when the caller may not handle this case (another department's)."""
    verification.handled_case(ctx, case_id)
    return ctx


Reader = Annotated[Context, Depends(_reader)]
Office = Annotated[Context, Depends(_office)]
Handler = Annotated[Context, Depends(_handler)]


# --------------------------------------------------------------------------------------------- bodies
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseIn(Strict):
    """A reported case to register."""

    title: str = Field(max_length=200, description="案件名称")
    subject_id: Id | None = Field(default=None, description="当事人在主体库中的编号（已知时）")
    subject_name: str = Field(default="", max_length=200, description="当事人名称（反映的名称；有主体编号时可不填）")
    source: str = Field(max_length=24, description="案件来源代码（GET /api/v1/cases/rules 的 sources）")
    source_ref: str = Field(default="", max_length=200, description="来源编号，如 12345 工单号、移送函文号")
    summary: str = Field(max_length=TEXT_MAX, description="反映的失信问题")
    department_id: Id = Field(description="承办部门编号")
    owner: str = Field(max_length=128, description="经办人")


class VersionIn(Strict):
    lock_version: Id = Field(description="乐观锁版本号（案件详情中的 lock_version）")


class CompleteIn(VersionIn):
    """The result of the current stage."""

    stage: str = Field(max_length=16, description="办理的环节代码，须为当前环节（按核查→记录→监管→惩戒→整改→教育顺序）")
    note: str = Field(max_length=TEXT_MAX, description="本环节情况：核查情况、记录、监管、惩戒、整改结果、教育情况")
    founded: bool | None = Field(default=None, description="核查环节必填：反映的问题是否属实（false 即以不属实办结）")
    subject_id: Id | None = Field(default=None, description="核查环节可确定当事人（主体库编号）")
    record_id: Id | None = Field(default=None, description="记录环节：关联的本案当事人信用记录编号")
    list_entry_id: Id | None = Field(default=None, description="惩戒环节：关联的本案当事人名单条目编号")
    outcome: str | None = Field(default=None, max_length=24, description="最后一个环节必填：办结结果代码")
    next_owner: str | None = Field(default=None, max_length=128, description="下一环节经办人（不填则不变）")


class ReassignIn(VersionIn):
    owner: str = Field(max_length=128, description="新的经办人")
    department_id: Id | None = Field(default=None, description="改由该部门承办（仅区信用办）")
    note: str = Field(default="", max_length=TEXT_MAX, description="改派说明")


class CloseIn(VersionIn):
    outcome: str = Field(max_length=24, description="办结结果代码（closed_by: office 的结果，如 transferred）")
    note: str = Field(max_length=TEXT_MAX, description="办结说明")


# --------------------------------------------------------------------------------------------- reads
@router.get("/rules", response_model=RulesOut, summary="失信案例核查规则（环节、期限、来源、办结结果）")
def rules() -> RulesOut:
    """The six stages in order with what each must produce and its period in working days, the case sources and
    the outcomes (rules/verification.yaml)."""
    return verification_queries.rules_out()


@router.get(
    "",
    response_model=list[CaseRow],
    summary="失信案例列表",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def cases(
    ctx: Reader,
    stage: Annotated[str | None, Query(max_length=16, description="环节代码，或 open 办理中 / closed 已办结")] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="承办部门")] = None,
    overdue: Annotated[bool, Query(description="只看办理中且当前环节已超期的")] = False,
    as_of: Annotated[date | None, Query(description="判断超期的基准日（默认今天）")] = None,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="当事人主体编号")] = None,
    limit: Annotated[int, Query(ge=1, le=verification_queries.LIST_LIMIT)] = 200,
) -> list[CaseRow]:
    """Cases, most urgent first; a department sees its own."""
    return verification_queries.list_cases(
        ctx, stage=stage, department_id=department_id, overdue=overdue, as_of=as_of, subject_id=subject_id, limit=limit
    )


@router.get(
    "/counts",
    response_model=CaseCounts,
    summary="各环节案件数与超期数",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def counts(
    ctx: Reader,
    as_of: Annotated[date | None, Query(description="判断超期的基准日（默认今天）")] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="承办部门")] = None,
) -> CaseCounts:
    """Open cases per stage, overdue ones, closed ones per outcome (a department: its own)."""
    return verification_queries.case_counts(ctx, as_of=as_of, department_id=department_id)


@router.get(
    "/{case_id}",
    response_model=CaseDetail,
    summary="失信案例详情",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 422),
)
def case_detail(case_id: CaseId, ctx: Reader) -> CaseDetail:
    """The report, the stage timeline, linked record and list entry, history and files (the read is audited)."""
    return verification_queries.get_case(ctx, case_id)


@router.get(
    "/{case_id}/files/{file_id}",
    summary="下载案件材料",
    dependencies=SECURED,
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {"schema": BINARY}}, "description": "材料文件"}}
    | error_responses(*DENIED, 404, 422),
)
def file_content(case_id: CaseId, file_id: FileId, ctx: Reader) -> Response:
    """One evidence file (readers of the case; the download is audited)."""
    row = verification_queries.case_file_content(ctx, case_id, file_id)
    return case_file_response(row)


# --------------------------------------------------------------------------------------------- changes
@router.post(
    "",
    response_model=CaseRow,
    status_code=201,
    summary="登记失信案例",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def open_case(data: CaseIn, ctx: Office) -> CaseRow:
    """Register a reported case and assign it to a department and a handler: stage 核查, due in its working days.
    409 when the source reference is already registered."""
    made = verification.open_case(
        ctx,
        data.title,
        data.subject_id,
        data.subject_name,
        data.source,
        data.source_ref,
        data.summary,
        data.department_id,
        data.owner,
    )
    return verification_queries.summary(ctx, made)


@router.post(
    "/{case_id}/complete",
    response_model=CaseRow,
    summary="办理当前环节",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def complete(case_id: CaseId, data: CompleteIn, ctx: Handler) -> CaseRow:
    """Record the current stage's result and move to the next stage with a new due date; 核查 not founded closes
    the case, the last stage closes it with the chosen outcome."""
    done = verification.complete_stage(
        ctx,
        case_id,
        data.note,
        data.lock_version,
        data.next_owner,
        data.record_id,
        data.list_entry_id,
        data.founded,
        stage=data.stage,
        outcome=data.outcome,
        subject_id=data.subject_id,
    )
    return verification_queries.summary(ctx, done)


@router.post(
    "/{case_id}/reassign",
    response_model=CaseRow,
    summary="改派经办人或承办部门",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def reassign(case_id: CaseId, data: ReassignIn, ctx: Handler) -> CaseRow:
    """Another handler; another department too (credit office only: the department is notified)."""
    done = verification.reassign(
        ctx, case_id, data.owner, data.lock_version, department_id=data.department_id, note=data.note
    )
    return verification_queries.summary(ctx, done)


@router.post(
    "/{case_id}/close",
    response_model=CaseRow,
    summary="区信用办办结（移送、并案、撤销）",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def close(case_id: CaseId, data: CloseIn, ctx: Office) -> CaseRow:
    """End an open case early with an outcome the office may choose (e.g. transferred)."""
    done = verification.close_case(ctx, case_id, data.outcome, data.note, data.lock_version)
    return verification_queries.summary(ctx, done)


@router.post(
    "/{case_id}/files",
    response_model=list[CaseFileOut],
    status_code=201,
    summary="上传案件材料",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def upload(
    case_id: CaseId,
    ctx: Handler,
    files: Annotated[list[UploadFile], File(description="证据材料：PDF、JPG、PNG、DOCX、XLSX")],
) -> list[CaseFileOut]:
    """Attach evidence to an open case (multipart form; each file checked by type and content)."""
    uploads = read_uploads(files)
    if not uploads:
        raise InvalidInput("请选择要上传的材料文件", field="files")
    made = {verification.attach(ctx, case_id, name, content).id for name, content in uploads}
    return [f for f in files_out(ctx.session, verification.CASE, case_id) if f.id in made]
