"""``/api/v1/lists``: 失信名单与红名单 (issue #7) — the list types, the listing procedure (propose → notice →
defence → decision → publication → removal, or drop), documents, received-list imports and the public lists.

The list types and ``/public/...`` need no credential (``lists.read_public``; natural persons' names masked,
ID numbers never shown). Everything else declares the shared security schemes: reading needs ``lists.read``
(department officers see their own department's entries), the procedure ``lists.manage`` and imports
``lists.import`` — a department officer only for list types its department keeps, the credit office any.
State changes by cookie also send ``X-CSRF-Token``. Every step after the proposal carries the ``lock_version``
the caller saw: 409 when someone else changed the entry first. The rules live in ``lists.entries``,
``lists.received`` and ``lists.entry_queries``; this router parses and returns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import MAX_ID, fetch
from xinyong.lists import entries, entry_queries, received
from xinyong.lists.entry_schemas import (
    STATUS_LABELS,
    DecisionIn,
    DefenceIn,
    DropIn,
    EntryDetail,
    EntryPage,
    EntryRow,
    ImportResult,
    ListTypeOut,
    NoticeIn,
    ProposeIn,
    PublicationIn,
    PublicListSummary,
    PublicPage,
    RemovalIn,
)
from xinyong.lists.models import ListEntry
from xinyong.records.cases import CaseFileOut, files_out
from xinyong.settings import get_settings
from xinyong.web.deps import get_public_context
from xinyong.web.downloads import case_file_response
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/lists", tags=["失信名单与红名单"])

PublicContext = Annotated[Context, Depends(get_public_context)]
EntryId = Annotated[int, Path(ge=1, le=MAX_ID, description="名单条目编号")]
FileId = Annotated[int, Path(ge=1, le=MAX_ID, description="材料编号")]
SubjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="主体编号")]
ListCode = Annotated[str, Path(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_]{1,39}$", description="名单代码")]
Status = Literal["proposed", "noticed", "decided", "published", "removed", "dropped"]
SECURED_CHANGE = [*SECURED, *CSRF]
CHANGE_RESPONSES = error_responses(*DENIED, 404, 409, 422)
BINARY = {"type": "string", "format": "binary"}
Q = Annotated[str | None, Query(max_length=100, description="主体名称片段或统一社会信用代码")]
Offset = Annotated[int, Query(ge=0, le=entry_queries.MAX_OFFSET, description="跳过的条数")]
Limit = Annotated[int, Query(ge=1, le=entry_queries.MAX_LIMIT, description="每页条数")]


def _entry_manager(entry_id: EntryId, ctx: LoggedIn) -> Context:
    """``lists.manage`` on the entry's list (before a multipart body is read)."""
    require(ctx, entries.MANAGE)
    found = fetch(ctx.session, ListEntry, entry_id)
    if found is not None:
        entries.check_scope(ctx, found.department_id, None, entries.MANAGE)
    return ctx


def _importer(ctx: LoggedIn) -> Context:
    require(ctx, received.IMPORT)
    return ctx


EntryManager = Annotated[Context, Depends(_entry_manager)]
Importer = Annotated[Context, Depends(_importer)]


# --------------------------------------------------------------------------------------------- public
@router.get("/types", response_model=list[ListTypeOut], summary="名单类型（设立依据、认定标准、期限与移出条件）")
def types() -> list[ListTypeOut]:
    """Every list type: legal basis, issuing department, criteria, notice and defence periods (working days),
    duration, exit conditions, early-removal rule, remedies."""
    return entry_queries.list_types()


@router.get("/public", response_model=list[PublicListSummary], summary="公开的信用名单", responses=error_responses(422))
def public_lists(
    ctx: PublicContext, as_of: Annotated[date | None, Query(description="查询日期（默认今天）")] = None
) -> list[PublicListSummary]:
    """The public lists and how many subjects are on each on ``as_of``."""
    return entry_queries.public_lists(ctx, as_of)


@router.get(
    "/public/{list_code}", response_model=PublicPage, summary="公开的名单条目", responses=error_responses(404, 422)
)
def public_list(
    list_code: ListCode,
    ctx: PublicContext,
    as_of: Annotated[date | None, Query(description="查询日期（默认今天，不能晚于今天）")] = None,
    q: Q = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PublicPage:
    """The subjects on a public list on ``as_of``: natural persons' names masked, ID numbers never shown,
    responsible persons listed with their employer (masked)."""
    return entry_queries.public_entries(ctx, list_code, as_of=as_of, q=q, offset=offset, limit=limit)


# --------------------------------------------------------------------------------------------- staff reads
@router.get(
    "/entries",
    response_model=EntryPage,
    summary="名单条目列表",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def list_entries(
    ctx: LoggedIn,
    list_code: Annotated[str | None, Query(max_length=40, description="名单类型代码")] = None,
    status: Annotated[
        Status | None, Query(description="状态：" + "、".join(f"{k} {v}" for k, v in STATUS_LABELS.items()))
    ] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="认定部门编号")] = None,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="主体编号")] = None,
    q: Q = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> EntryPage:
    """Entries, newest first (department officers: their own department's)."""
    return entry_queries.list_entries(
        ctx,
        list_code=list_code,
        status=status,
        department_id=department_id,
        subject_id=subject_id,
        q=q,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/entries/{entry_id}",
    response_model=EntryDetail,
    summary="名单条目详情（各步骤、期限、责任人、办理记录、材料）",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 422),
)
def entry(entry_id: EntryId, ctx: LoggedIn) -> EntryDetail:
    """One entry with every step's dates and documents, the notice text, deadlines, history and files."""
    return entry_queries.entry_detail(ctx, entry_id)


@router.get(
    "/subjects/{subject_id}/entries",
    response_model=list[EntryRow],
    summary="主体的名单条目",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 422),
)
def subject_entries(subject_id: SubjectId, ctx: LoggedIn) -> list[EntryRow]:
    """Every entry of one subject (as a listed subject or a responsible person), newest first."""
    return entry_queries.subject_entries(ctx, subject_id)


@router.get(
    "/entries/{entry_id}/files/{file_id}",
    summary="下载名单条目材料",
    response_class=Response,
    dependencies=SECURED,
    responses={200: {"content": {"application/octet-stream": {"schema": BINARY}}, "description": "材料文件"}}
    | error_responses(*DENIED, 404, 422),
)
def file_content(entry_id: EntryId, file_id: FileId, ctx: LoggedIn) -> Response:
    """One document of the entry (readers of the entry; the download is audited)."""
    row = entry_queries.entry_file(ctx, entry_id, file_id)
    return case_file_response(row)


# --------------------------------------------------------------------------------------------- the procedure
@router.post(
    "/entries",
    response_model=EntryRow,
    status_code=201,
    summary="拟列入（失信名单、红名单）",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def propose(data: ProposeIn, ctx: LoggedIn) -> EntryRow:
    """Propose a subject (with its responsible persons where the list lists them). 409 naming the existing
    entry when the subject is already on (or proposed for) the list."""
    found = entries.propose(
        ctx, data.list_code, data.subject_id, data.reasons, data.basis, data.case_ref, data.responsible_person_ids
    )
    return entry_queries.summary(ctx, found)


@router.post(
    "/entries/{entry_id}/notice",
    response_model=EntryRow,
    summary="送达列入前告知书",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def notice(entry_id: EntryId, data: NoticeIn, ctx: LoggedIn) -> EntryRow:
    """Record the prior notice (reasons, basis, rights) served on ``served_on``; the defence period's last
    working day is computed and the subject notified."""
    return entry_queries.summary(
        ctx, entries.serve_notice(ctx, entry_id, data.doc_no, data.served_on, data.lock_version)
    )


@router.post(
    "/entries/{entry_id}/defence",
    response_model=EntryRow,
    summary="登记陈述申辩",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def defence(entry_id: EntryId, data: DefenceIn, ctx: LoggedIn) -> EntryRow:
    """A statement received within the defence period (a late one is refused with the period's last day)."""
    found = entries.record_defence(ctx, entry_id, data.text, data.received_on, data.lock_version)
    return entry_queries.summary(ctx, found)


@router.post(
    "/entries/{entry_id}/decision",
    response_model=EntryRow,
    summary="作出列入决定",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def decision(entry_id: EntryId, data: DecisionIn, ctx: LoggedIn) -> EntryRow:
    """The written decision: dishonesty lists only after the notice and once the defence period has ended."""
    found = entries.decide(ctx, entry_id, data.doc_no, data.decided_on, data.defence_outcome, data.lock_version)
    return entry_queries.summary(ctx, found)


@router.post(
    "/entries/{entry_id}/drop",
    response_model=EntryRow,
    summary="不予列入",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def drop(entry_id: EntryId, data: DropIn, ctx: LoggedIn) -> EntryRow:
    """End a proposal before the decision, with the reason."""
    return entry_queries.summary(ctx, entries.drop(ctx, entry_id, data.reason, data.lock_version))


@router.post(
    "/entries/{entry_id}/publication",
    response_model=EntryRow,
    summary="列入并公示",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def publication(entry_id: EntryId, data: PublicationIn, ctx: LoggedIn) -> EntryRow:
    """The entry is on the list (checks, public pages) from ``published_on``."""
    return entry_queries.summary(ctx, entries.publish(ctx, entry_id, data.published_on, data.lock_version))


@router.post(
    "/entries/{entry_id}/removal",
    response_model=EntryRow,
    summary="移出名单",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def removal(entry_id: EntryId, data: RemovalIn, ctx: LoggedIn) -> EntryRow:
    """Expiry, early removal (the type's rule: months after the decision or correction, a commitment),
    repair or revocation; 409 when the subject is not on the list on ``removed_on``."""
    found = entries.remove(
        ctx,
        entry_id,
        data.reason,
        data.removed_on,
        data.note,
        data.corrected_on,
        data.commitment_text,
        data.lock_version,
    )
    return entry_queries.summary(ctx, found)


@router.post(
    "/entries/{entry_id}/files",
    response_model=list[CaseFileOut],
    status_code=201,
    summary="上传名单条目材料（告知书、送达回证、决定书、清偿凭证、信用承诺书等）",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def add_files(
    entry_id: EntryId,
    ctx: EntryManager,
    files: Annotated[list[UploadFile], File(description="PDF、JPG、PNG、DOCX、XLSX")],
) -> list[CaseFileOut]:
    """Attach documents to the entry (each checked by content); the entry's files are returned."""
    limit = get_settings().case_file_max_bytes
    for upload in files:
        entries.attach(ctx, entry_id, upload.filename or "", upload.file.read(limit + 1))
    return files_out(ctx.session, entries.CASE, entry_id)


# --------------------------------------------------------------------------------------------- received lists
@router.post(
    "/imports",
    response_model=ImportResult,
    summary="导入接收名单（CSV / Excel）",
    dependencies=SECURED_CHANGE,
    responses=CHANGE_RESPONSES,
)
def import_list(
    ctx: Importer,
    list_code: Annotated[str, Form(min_length=1, max_length=40, description="接收名单代码，如 samr_serious_illegal")],
    source_ref: Annotated[str, Form(min_length=1, max_length=200, description="来源批次或文号")],
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GBK）或 Excel（.xlsx），表头为中文列名")],
    partial: Annotated[bool, Form(description="部分接收：正确行导入、错误行退回")] = False,
) -> ImportResult:
    """Import a received list from its source's file. 422 with every row error (nothing imported) unless
    ``partial``; re-importing the same file adds nothing."""
    limit = get_settings().intake_max_file_bytes
    content = file.file.read(limit + 1)
    return received.import_received(ctx, list_code, file.filename or "", content, source_ref, partial=partial)
