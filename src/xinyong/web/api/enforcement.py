"""JSON API ``/api/v1/enforcement``: 涉党政机关和国有企业执行案件 (issue #11 item 4).

The credit office imports the court's monthly notice (multipart: period, court, file; 422 with every row error
``{row, field, reason}`` and nothing stored; ``/notices/rejected`` returns the rejected rows as .xlsx), reassigns,
closes and reopens cases; the officer of the assigned department (or the office on a town's behalf) records
rectification steps; staff read the cases and the monthly summary (JSON, CSV, Excel). Rules:
``xinyong.government.enforcement*``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import MAX_ID
from xinyong.government import enforcement as service
from xinyong.government import enforcement_import as importer
from xinyong.government import enforcement_queries as queries
from xinyong.government.enforcement_schemas import (
    CaseDetail,
    CaseOut,
    CloseIn,
    ImportOut,
    NoticeOut,
    ReassignIn,
    RectifyIn,
    ReopenIn,
    SummaryOut,
    SummaryRow,
)
from xinyong.settings import get_settings
from xinyong.web import exports
from xinyong.web.downloads import attachment
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/enforcement", tags=["涉党政机关和国有企业执行案件"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Period = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="通报期次 YYYY-MM")]
WRITE = [*SECURED, *CSRF]
XLSX = exports.FORMATS["xlsx"]


def _importer(ctx: LoggedIn) -> Context:
    """``enforcement.import`` (checked before the multipart body is read)."""
    require(ctx, importer.IMPORT)
    return ctx


Importer = Annotated[Context, Depends(_importer)]
FileIn = Annotated[UploadFile, File(description="CSV（UTF-8 或 GBK）或 Excel（.xlsx），表头为中文列名")]
CourtIn = Annotated[str, Form(min_length=1, max_length=100, description="通报法院，如 广州市番禺区人民法院")]


def _read(file: UploadFile) -> bytes:
    return file.file.read(get_settings().intake_max_file_bytes + 1)


# --------------------------------------------------------------------------------------------- notices
@router.post(
    "/notices",
    response_model=ImportOut,
    status_code=201,
    summary="导入法院执行案件通报（CSV / Excel，区信用办）",
    responses=error_responses(*DENIED, 409, 422),
    dependencies=WRITE,
)
def import_notice(
    ctx: Importer,
    period: Annotated[str, Form(min_length=7, max_length=7, description="通报期次 YYYY-MM")],
    court: CourtIn,
    file: FileIn,
) -> ImportOut:
    """Import the notice and assign each case to its body's unit. 422 with every ``{row, field, reason}`` and
    nothing stored when a row is refused; 409 for a file imported before."""
    return importer.import_notice(ctx, period, court, file.filename or "", _read(file))


@router.post(
    "/notices/rejected",
    summary="通报文件的退回行（.xlsx，不导入）",
    responses=error_responses(*DENIED, 422),
    dependencies=WRITE,
    response_class=Response,
)
def rejected_rows(ctx: Importer, court: CourtIn, file: FileIn) -> Response:
    """Check the file without storing anything; the rejected rows with their reasons as .xlsx (header
    ``X-Rejected-Rows``: how many errors)."""
    checked = importer.check_notice(ctx, court, file.filename or "", _read(file))
    headers = {
        "Content-Disposition": attachment("执行案件通报-退回行.xlsx"),
        "X-Rejected-Rows": str(len(checked.errors)),
    }
    return Response(importer.rejected_workbook(checked), media_type=XLSX, headers=headers)


@router.get(
    "/notices",
    response_model=list[NoticeOut],
    summary="已导入的通报",
    responses=error_responses(*DENIED),
    dependencies=SECURED,
)
def list_notices(ctx: LoggedIn) -> list[NoticeOut]:
    """Newest period first."""
    return queries.notices(ctx)


# --------------------------------------------------------------------------------------------- cases
@router.get(
    "/cases",
    response_model=list[CaseOut],
    summary="执行案件（按期次、责任单位、状态、逾期筛选）",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
)
def list_cases(
    ctx: LoggedIn,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="通报期次")] = None,
    unit_code: Annotated[str | None, Query(max_length=32, description="责任单位代码")] = None,
    status: Annotated[Literal["open", "assigned", "rectifying", "closed"] | None, Query()] = None,
    overdue: Annotated[bool, Query(description="只看逾期未结案")] = False,
    as_of: Annotated[date | None, Query(description="逾期判断日，默认今天")] = None,
) -> list[CaseOut]:
    """Cases with their unit, deadline and overdue flag."""
    return queries.cases(ctx, period=period, unit_code=unit_code, status=status, overdue=overdue, as_of=as_of)


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="执行案件详情与办理过程",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def case_detail(case_id: Id, ctx: LoggedIn) -> CaseDetail:
    """The case and its steps, oldest first."""
    return queries.case_detail(ctx, case_id)


@router.post(
    "/cases/{case_id}/reassign",
    response_model=CaseDetail,
    summary="改派责任单位（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def reassign(case_id: Id, data: ReassignIn, ctx: LoggedIn) -> CaseDetail:
    """Another town or department, with the reason; the new unit gets a full rectification period."""
    service.reassign(ctx, case_id, data.unit_code, data.reason)
    return queries.case_detail(ctx, case_id)


@router.post(
    "/cases/{case_id}/rectify",
    response_model=CaseDetail,
    summary="登记整改情况（责任单位或区信用办代为登记）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def rectify(case_id: Id, data: RectifyIn, ctx: LoggedIn) -> CaseDetail:
    """A rectification step: the officer of the assigned department, or the office on the unit's behalf."""
    service.rectify(ctx, case_id, data.note, data.evidence, data.on)
    return queries.case_detail(ctx, case_id)


@router.post(
    "/cases/{case_id}/close",
    response_model=CaseDetail,
    summary="结案（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def close(case_id: Id, data: CloseIn, ctx: LoggedIn) -> CaseDetail:
    """Close with an outcome of ``rules/enforcement.yaml`` (code or label)."""
    service.close(ctx, case_id, data.outcome, data.closed_on, data.note)
    return queries.case_detail(ctx, case_id)


@router.post(
    "/cases/{case_id}/reopen",
    response_model=CaseDetail,
    summary="重新打开已结案件（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def reopen(case_id: Id, data: ReopenIn, ctx: LoggedIn) -> CaseDetail:
    """Assigned again to its unit with a new deadline."""
    service.reopen(ctx, case_id, data.reason)
    return queries.case_detail(ctx, case_id)


# --------------------------------------------------------------------------------------------- summary
SUMMARY_COLUMNS: tuple[exports.Column[SummaryRow], ...] = (
    exports.Column("责任单位", lambda r: r.unit_label),
    exports.Column("类别", lambda r: queries.KIND_LABELS.get(r.unit_kind, "")),
    exports.Column("本月新增案件", lambda r: r.new_cases),
    exports.Column("新增标的（元）", lambda r: str(r.new_amount)),
    exports.Column("本月结案", lambda r: r.closed),
    exports.Column("结案标的（元）", lambda r: str(r.closed_amount)),
    exports.Column("月末未结", lambda r: r.open_at_end),
    exports.Column("未结标的（元）", lambda r: str(r.open_amount)),
    exports.Column("逾期未结", lambda r: r.overdue),
)


@router.get(
    "/summary",
    response_model=SummaryOut,
    summary="执行案件月度汇总（按镇街、部门）",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
)
def summary(ctx: LoggedIn, period: Period) -> SummaryOut:
    """New, closed, open at month end and overdue cases with amounts, by unit, and the total."""
    return queries.summary(ctx, period)


@router.get(
    "/summary/export",
    summary="导出执行案件月度汇总（CSV / Excel）",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
    response_class=Response,
)
def summary_export(
    ctx: LoggedIn, period: Period, format: Annotated[Literal["csv", "xlsx"], Query()] = "xlsx"
) -> Response:
    """The summary table with its total row."""
    result = queries.summary(ctx, period)
    rows = [*result.rows, result.total]
    return exports.export_response(format, f"enforcement-summary-{period}", SUMMARY_COLUMNS, len(rows), lambda: rows)
