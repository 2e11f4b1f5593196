"""JSON API ``/api/v1/integrity``: 公务员诚信档案与录用调任核查 (issue #11 item 1).

Files of natural persons (opened by name and resident ID number; the number only ever comes back masked), their
records and trainings, withdrawal of an entry, record checks for recruitment and transfer (录用、调任) with the
stored result sheet and its .xlsx. Callers: the credit office, and officers of the integrity departments named in
``rules/integrity.yaml`` (others: 403). Rules: ``xinyong.government.integrity``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.government import integrity, integrity_queries
from xinyong.government.integrity_export import XLSX, sheet_filename, sheet_xlsx
from xinyong.government.integrity_schemas import (
    CheckIn,
    CheckOut,
    CheckRow,
    EntryIn,
    EntryOut,
    FileIn,
    FileOut,
    FileRow,
    WithdrawIn,
)
from xinyong.government.models import IntegrityEntry
from xinyong.web.downloads import attachment
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/integrity", tags=["公务员诚信档案与录用调任核查"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
WRITE = [*SECURED, *CSRF]


def _entry_out(ctx: Context, entry: IntegrityEntry) -> EntryOut:
    entries = integrity_queries.entries_of(ctx.session, entry.file_id)
    return integrity_queries.entry_out(entry, integrity_queries.withdrawn_by(entries))


@router.get(
    "/files",
    response_model=list[FileRow],
    summary="诚信档案列表与查找",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
)
def list_files(
    ctx: LoggedIn,
    q: Annotated[str, Query(max_length=64, description="姓名关键词")] = "",
    ric: Annotated[str, Query(max_length=40, description="公民身份号码（精确查找）")] = "",
    body_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="工作单位")] = None,
    limit: Annotated[int, Query(ge=1, le=integrity_queries.LIST_MAX)] = 50,
) -> list[FileRow]:
    """Files, newest first; the search is audited."""
    return integrity_queries.list_files(ctx, q=q, ric=ric, body_id=body_id, limit=limit)


@router.post(
    "/files",
    response_model=FileOut,
    status_code=201,
    summary="建立诚信档案",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def open_file(data: FileIn, ctx: LoggedIn) -> FileOut:
    """Open the file of a person (registered as a natural-person subject when unknown; the number encrypted)."""
    return integrity_queries.file_view(ctx, integrity.open_file(ctx, data))


@router.get(
    "/files/{file_id}",
    response_model=FileOut,
    summary="诚信档案详情",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def read_file(file_id: Id, ctx: LoggedIn) -> FileOut:
    """A file with every entry (withdrawn ones marked) and the training hours of the period; audited."""
    return integrity_queries.read_file(ctx, file_id)


@router.post(
    "/files/{file_id}/entries",
    response_model=EntryOut,
    status_code=201,
    summary="登记诚信记录或培训",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=WRITE,
)
def add_entry(file_id: Id, data: EntryIn, ctx: LoggedIn) -> EntryOut:
    """A record (category of rules/integrity.yaml) or a training (with hours)."""
    return _entry_out(ctx, integrity.add_entry(ctx, file_id, data))


@router.post(
    "/entries/{entry_id}/withdraw",
    response_model=EntryOut,
    status_code=201,
    summary="撤回诚信档案条目",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def withdraw_entry(entry_id: Id, data: WithdrawIn, ctx: LoggedIn) -> EntryOut:
    """Writes the withdrawing entry (returned); the original stays, marked withdrawn."""
    return _entry_out(ctx, integrity.withdraw_entry(ctx, entry_id, data.reason))


@router.get(
    "/checks",
    response_model=list[CheckRow],
    summary="录用、调任核查记录",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
)
def list_checks(
    ctx: LoggedIn,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=integrity_queries.LIST_MAX)] = 50,
) -> list[CheckRow]:
    """Recent checks (a department officer: its own department's)."""
    return integrity_queries.list_checks(ctx, subject_id=subject_id, limit=limit)


@router.post(
    "/checks",
    response_model=CheckOut,
    status_code=201,
    summary="录用、调任社会信用记录核查",
    responses=error_responses(*DENIED, 409, 422),
    dependencies=WRITE,
)
def run_check(data: CheckIn, ctx: LoggedIn) -> CheckOut:
    """Run a check with purpose and reason; the stored, numbered result sheet."""
    return integrity_queries.check_view(ctx, integrity.run_check(ctx, data))


@router.get(
    "/checks/{check_id}",
    response_model=CheckOut,
    summary="核查结果单",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def read_check(check_id: Id, ctx: LoggedIn) -> CheckOut:
    """A stored check with its sheet; audited."""
    return integrity_queries.read_check(ctx, check_id)


@router.get(
    "/checks/{check_id}/sheet.xlsx",
    summary="核查结果单（Excel）",
    responses={200: {"content": {XLSX: {}}}, **error_responses(*DENIED, 404)},
    dependencies=SECURED,
)
def sheet_download(check_id: Id, ctx: LoggedIn) -> Response:
    """The result sheet as .xlsx; the download is audited as a read of the check."""
    check = integrity_queries.read_check(ctx, check_id)
    return Response(
        sheet_xlsx(check), media_type=XLSX, headers={"Content-Disposition": attachment(sheet_filename(check))}
    )
