"""JSON API ``/api/v1/arrears``: 清理拖欠民营企业中小企业账款 (issue #11 item 3).

The credit office (``arrears.manage``) records entries, payments, disputes and handles complaints; staff
(``government.read``) read the ledger, the clearing figures and the complaints; a firm's own account
(``arrears.complain``) files a complaint for itself and reads its own. Rules: ``xinyong.government.arrears``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from xinyong.db.base import MAX_ID
from xinyong.government import arrears, arrears_queries
from xinyong.government.arrears_schemas import (
    AcceptIn,
    ComplaintIn,
    ComplaintOut,
    DisputeIn,
    EntryDetail,
    EntryIn,
    EntryOut,
    PaymentIn,
    RejectIn,
    SummaryOut,
)
from xinyong.web import exports
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/arrears", tags=["清理拖欠民营企业中小企业账款"], dependencies=SECURED)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Status = Annotated[Literal["", "outstanding", "cleared", "disputed"], Query(description="状态")]
Kind = Annotated[Literal["", "organ", "institution", "soe"], Query(description="债务单位类别")]
Unit = Annotated[str, Query(max_length=32, description="债务单位的责任单位代码")]
Q = Annotated[str, Query(max_length=100, description="债务单位或债权企业名称")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="欠款发生年度")]
Overdue = Annotated[bool, Query(description="只看已逾期未清偿")]
WRITE = CSRF

ENTRY_COLUMNS: tuple[exports.Column[EntryOut], ...] = (
    exports.Column("编号", lambda r: r.id),
    exports.Column("债务单位", lambda r: r.debtor_name),
    exports.Column("单位类别", lambda r: r.debtor_kind_label),
    exports.Column("责任单位", lambda r: r.unit_label),
    exports.Column("债权企业", lambda r: r.creditor_name),
    exports.Column("统一社会信用代码", lambda r: r.creditor_uscc or "", text=True),
    exports.Column("中小企业", lambda r: r.creditor_sme),
    exports.Column("欠款金额（元）", lambda r: str(r.amount)),
    exports.Column("已清偿（元）", lambda r: str(r.cleared_amount)),
    exports.Column("尚欠（元）", lambda r: str(r.outstanding)),
    exports.Column("发生日期", lambda r: r.arose_on),
    exports.Column("约定付款日期", lambda r: r.due_on),
    exports.Column("状态", lambda r: r.status_label),
    exports.Column("逾期天数", lambda r: r.days_overdue),
    exports.Column("清偿完毕日期", lambda r: r.cleared_on),
)


@router.get("/entries", response_model=list[EntryOut], summary="拖欠账款台账", responses=error_responses(*DENIED))
def list_entries(
    ctx: LoggedIn,
    status: Status = "",
    kind: Kind = "",
    unit_code: Unit = "",
    q: Q = "",
    year: Year = None,
    overdue: Overdue = False,
) -> list[EntryOut]:
    """Entries, newest first, with filters."""
    return arrears_queries.list_entries(
        ctx, status=status, kind=kind, unit_code=unit_code, q=q, year=year, overdue=overdue
    )


@router.get(
    "/entries/export",
    summary="导出拖欠账款台账（CSV / Excel）",
    responses=error_responses(*DENIED, 422),
    response_class=Response,
)
def export_entries(
    ctx: LoggedIn,
    status: Status = "",
    kind: Kind = "",
    unit_code: Unit = "",
    q: Q = "",
    year: Year = None,
    overdue: Overdue = False,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
) -> Response:
    """The filtered ledger as CSV or Excel."""
    rows = arrears_queries.list_entries(
        ctx, status=status, kind=kind, unit_code=unit_code, q=q, year=year, overdue=overdue
    )
    return exports.export_response(format, "arrears-ledger", ENTRY_COLUMNS, len(rows), lambda: rows)


@router.post(
    "/entries",
    response_model=EntryDetail,
    status_code=201,
    summary="登记拖欠账款（区信用办）",
    responses=error_responses(*DENIED, 422),
    dependencies=WRITE,
)
def add_entry(data: EntryIn, ctx: LoggedIn) -> EntryDetail:
    """Record an amount a registered body owes a firm."""
    entry = arrears.record_entry(ctx, data)
    return arrears_queries.entry_detail(ctx, entry.id)


@router.get(
    "/entries/{entry_id}",
    response_model=EntryDetail,
    summary="台账记录及清偿明细",
    responses=error_responses(*DENIED, 404),
)
def get_entry(entry_id: Id, ctx: LoggedIn) -> EntryDetail:
    """One entry with its payments."""
    return arrears_queries.entry_detail(ctx, entry_id)


@router.post(
    "/entries/{entry_id}/payments",
    response_model=EntryDetail,
    status_code=201,
    summary="登记清偿（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def add_payment(entry_id: Id, data: PaymentIn, ctx: LoggedIn) -> EntryDetail:
    """A clearing payment, not above what is outstanding; the full amount clears the entry."""
    arrears.record_payment(ctx, entry_id, data)
    return arrears_queries.entry_detail(ctx, entry_id)


@router.post(
    "/entries/{entry_id}/dispute",
    response_model=EntryDetail,
    summary="标记或撤销争议（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def dispute(entry_id: Id, data: DisputeIn, ctx: LoggedIn) -> EntryDetail:
    """Mark an outstanding entry disputed, or take the dispute back, with the reason."""
    arrears.set_disputed(ctx, entry_id, data)
    return arrears_queries.entry_detail(ctx, entry_id)


@router.get(
    "/summary", response_model=SummaryOut, summary="清欠进展与新增拖欠", responses=error_responses(*DENIED, 422)
)
def summary(
    ctx: LoggedIn, as_of: Annotated[date | None, Query(description="统计基准日（默认今天）")] = None
) -> SummaryOut:
    """Owed, cleared (payments dated up to ``as_of``), outstanding, clearing rate by unit and kind, and the year's
    new arrears against the zero target."""
    return arrears_queries.summary(ctx, as_of)


@router.get(
    "/complaints",
    response_model=list[ComplaintOut],
    summary="拖欠账款投诉（企业只看本企业的）",
    responses=error_responses(*DENIED),
)
def list_complaints(
    ctx: LoggedIn, status: Annotated[Literal["", "received", "accepted", "rejected"], Query()] = ""
) -> list[ComplaintOut]:
    """Complaints with their deadline and overdue flag."""
    return arrears_queries.list_complaints(ctx, status=status)


@router.post(
    "/complaints",
    response_model=ComplaintOut,
    status_code=201,
    summary="投诉拖欠账款（企业本身，或区信用办代为登记）",
    responses=error_responses(*DENIED, 422),
    dependencies=WRITE,
)
def file_complaint(data: ComplaintIn, ctx: LoggedIn) -> ComplaintOut:
    """A firm files for itself; the office names the complainant."""
    complaint = arrears.file_complaint(ctx, data)
    return next(c for c in arrears_queries.list_complaints(ctx) if c.id == complaint.id)


@router.post(
    "/complaints/{complaint_id}/accept",
    response_model=EntryDetail,
    summary="受理投诉并入账（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def accept(complaint_id: Id, data: AcceptIn, ctx: LoggedIn) -> EntryDetail:
    """The ledger entry the complaint becomes."""
    entry = arrears.accept_complaint(ctx, complaint_id, data)
    return arrears_queries.entry_detail(ctx, entry.id)


@router.post(
    "/complaints/{complaint_id}/reject",
    response_model=ComplaintOut,
    summary="不予受理投诉（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def reject(complaint_id: Id, data: RejectIn, ctx: LoggedIn) -> ComplaintOut:
    """Reject with the reason the firm is told."""
    complaint = arrears.reject_complaint(ctx, complaint_id, data.reason)
    return next(c for c in arrears_queries.list_complaints(ctx) if c.id == complaint.id)
