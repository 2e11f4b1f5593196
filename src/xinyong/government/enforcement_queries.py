"""Reading enforcement notices and cases (``government.read``): lists with filters, a case with its timeline, and
the monthly summary by answerable unit (towns, then departments)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.government.enforcement import OPEN_STATUSES, case_or_404
from xinyong.government.enforcement_import import check_period, month_bounds
from xinyong.government.enforcement_schemas import (
    STATUS_LABELS,
    STEP_LABELS,
    CaseDetail,
    CaseOut,
    NoticeOut,
    StepOut,
    SummaryOut,
    SummaryRow,
)
from xinyong.government.models import (
    EnforcementCase,
    EnforcementNotice,
    EnforcementStep,
    GovIntegrityRecord,
    PublicBody,
)
from xinyong.workplan.units import unit_kind, unit_label

READ = "government.read"
KIND_LABELS = {"town": "镇街", "department": "部门", "unknown": "其他"}


def notices(ctx: Context) -> list[NoticeOut]:
    """Imported notices, newest period first."""
    require(ctx, READ)
    stmt = select(EnforcementNotice).order_by(EnforcementNotice.period.desc(), EnforcementNotice.id.desc())
    return [NoticeOut.model_validate(n) for n in ctx.session.scalars(stmt)]


def is_overdue(case: EnforcementCase, as_of: date) -> bool:
    """Not closed and past its rectification deadline on ``as_of``."""
    return case.status in OPEN_STATUSES and case.due_on is not None and as_of > case.due_on


def _out(case: EnforcementCase, period: str, body_name: str, as_of: date, record_id: int | None) -> CaseOut:
    code = case.unit_code
    return CaseOut(
        id=case.id,
        notice_id=case.notice_id,
        period=period,
        case_no=case.case_no,
        court=case.court,
        body_id=case.body_id,
        body_name=body_name,
        applicant=case.applicant,
        amount=case.amount,
        filed_on=case.filed_on,
        cause=case.cause,
        status=case.status,
        status_label=STATUS_LABELS.get(case.status, case.status),
        unit_code=code,
        unit_label=unit_label(code) if code else "未交办",
        unit_kind=unit_kind(code) if code else "unknown",
        assigned_on=case.assigned_on,
        due_on=case.due_on,
        closed_on=case.closed_on,
        outcome=case.outcome,
        overdue=is_overdue(case, as_of),
        record_id=record_id,
    )


def _records(ctx: Context, case_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(case_ids), 500):
        stmt = select(GovIntegrityRecord.source_id, GovIntegrityRecord.id).where(
            GovIntegrityRecord.source_kind == "enforcement_case",
            GovIntegrityRecord.source_id.in_(case_ids[start : start + 500]),
        )
        found.update({int(s): int(i) for s, i in ctx.session.execute(stmt)})
    return found


def cases(
    ctx: Context,
    period: str | None = None,
    unit_code: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    as_of: date | None = None,
    notice_id: int | None = None,
) -> list[CaseOut]:
    """Cases, newest notice first, filtered by notice period, unit, status, notice, or overdue on ``as_of``
    (default today)."""
    require(ctx, READ)
    day = as_of or ctx.today
    stmt = (
        select(EnforcementCase, EnforcementNotice.period, PublicBody.name)
        .join(EnforcementNotice, EnforcementNotice.id == EnforcementCase.notice_id)
        .join(PublicBody, PublicBody.id == EnforcementCase.body_id)
        .order_by(EnforcementNotice.period.desc(), EnforcementCase.id)
    )
    if period:
        stmt = stmt.where(EnforcementNotice.period == check_period(period))
    if unit_code:
        stmt = stmt.where(EnforcementCase.unit_code == unit_code.strip())
    if status:
        stmt = stmt.where(EnforcementCase.status == status)
    if notice_id is not None:
        stmt = stmt.where(EnforcementCase.notice_id == notice_id)
    if overdue:
        stmt = stmt.where(EnforcementCase.status.in_(OPEN_STATUSES), EnforcementCase.due_on < day)
    rows = ctx.session.execute(stmt).all()
    records = _records(ctx, [c.id for c, _, _ in rows])
    return [_out(c, p, n, day, records.get(c.id)) for c, p, n in rows]


def case_detail(ctx: Context, case_id: int, as_of: date | None = None) -> CaseDetail:
    """A case with its steps, oldest first."""
    require(ctx, READ)
    case = case_or_404(ctx, case_id)
    notice = ctx.session.get(EnforcementNotice, case.notice_id)
    body = ctx.session.get(PublicBody, case.body_id)
    assert notice is not None and body is not None
    out = _out(case, notice.period, body.name, as_of or ctx.today, _records(ctx, [case.id]).get(case.id))
    stmt = select(EnforcementStep).where(EnforcementStep.case_id == case.id).order_by(EnforcementStep.id)
    steps = [
        StepOut(
            id=s.id,
            kind=s.kind,
            kind_label=STEP_LABELS.get(s.kind, s.kind),
            unit_code=s.unit_code,
            unit_label=unit_label(s.unit_code) if s.unit_code else "—",
            note=s.note,
            evidence=s.evidence,
            on=s.on,
            actor=s.actor,
            at=s.at,
        )
        for s in ctx.session.scalars(stmt)
    ]
    return CaseDetail(**out.model_dump(), steps=steps)


def summary(ctx: Context, period: str, as_of: date | None = None) -> SummaryOut:
    """The month's figures by unit: new cases (of the month's notices), closed in the month, open at month end,
    overdue at month end (or on ``as_of``, default today, for the current month), with amounts in 元."""
    require(ctx, READ)
    period = check_period(period)
    first, last = month_bounds(period)
    day = min(last, as_of or ctx.today)
    stmt = select(EnforcementCase, EnforcementNotice.period).join(
        EnforcementNotice, EnforcementNotice.id == EnforcementCase.notice_id
    )
    rows: dict[str, SummaryRow] = {}
    total = SummaryRow(unit_code="total", unit_label="合计", unit_kind="total")

    def row(code: str) -> SummaryRow:
        if code not in rows:
            kind = unit_kind(code) if code else "unknown"
            rows[code] = SummaryRow(unit_code=code, unit_label=unit_label(code) if code else "未交办", unit_kind=kind)
        return rows[code]

    for case, notice_period in ctx.session.execute(stmt).all():
        if notice_period > period:
            continue
        targets = (row(case.unit_code or ""), total)
        closed_by_end = case.closed_on is not None and case.closed_on <= last
        for r in targets:
            if notice_period == period:
                r.new_cases += 1
                r.new_amount += case.amount
            if case.closed_on is not None and first <= case.closed_on <= last:
                r.closed += 1
                r.closed_amount += case.amount
            if not closed_by_end:
                r.open_at_end += 1
                r.open_amount += case.amount
                closed_by_day = case.closed_on is not None and case.closed_on <= day
                if not closed_by_day and case.due_on is not None and day > case.due_on:
                    r.overdue += 1
    order = {"town": 0, "department": 1}
    listed = sorted(rows.values(), key=lambda r: (order.get(r.unit_kind, 2), r.unit_code))
    return SummaryOut(period=period, month_end=last, as_of=day, rows=listed, total=total)


def amount_text(value: Decimal) -> str:
    """An amount in 元 with two decimals and thousands separators."""
    return f"{value:,.2f}"
