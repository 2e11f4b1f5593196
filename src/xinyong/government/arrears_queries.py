"""Read side of the arrears ledger: entries with their debtor and what is owed, complaints with their deadline, and
the clearing figures as of a date — totals, by the debtor's answerable unit and by the debtor's kind, and the year's
new arrears against the zero target. Figures count only payments dated up to ``as_of`` and entries that arose by
then, so a past date shows what was known to be owed that day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, literal, or_, select

from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.calendar import WorkCalendar, load_calendar
from xinyong.government.arrears import COMPLAIN, READ, cents, complaint_deadline, entry_or_404
from xinyong.government.arrears_rules import arrears_rules
from xinyong.government.arrears_schemas import (
    ComplaintOut,
    EntryDetail,
    EntryOut,
    NewArrears,
    PaymentOut,
    SummaryOut,
    Totals,
)
from xinyong.government.bodies import BODY_KINDS
from xinyong.government.models import ArrearsComplaint, ArrearsEntry, ArrearsPayment, PublicBody
from xinyong.subjects.models import Subject
from xinyong.workplan.units import unit_label

HALF_CENT = Decimal("0.005")  # float sums on SQLite: a difference below half a cent is no debt


def _entry_out(entry: ArrearsEntry, body: PublicBody, creditor_uscc: str | None, as_of: date) -> EntryOut:
    labels = arrears_rules().entry_labels()
    outstanding = cents(entry.amount) - cents(entry.cleared_amount)
    overdue = entry.status != "cleared" and entry.due_on is not None and entry.due_on < as_of
    return EntryOut(
        id=entry.id,
        debtor_id=body.id,
        debtor_name=body.name,
        debtor_kind=body.kind,
        debtor_kind_label=BODY_KINDS.get(body.kind, body.kind),
        unit_code=body.unit_code,
        unit_label=unit_label(body.unit_code),
        creditor_id=entry.creditor_id,
        creditor_name=entry.creditor_name,
        creditor_uscc=creditor_uscc,
        creditor_sme=entry.creditor_sme,
        amount=cents(entry.amount),
        cleared_amount=cents(entry.cleared_amount),
        outstanding=outstanding,
        arose_on=entry.arose_on,
        due_on=entry.due_on,
        status=entry.status,
        status_label=labels.get(entry.status, entry.status),
        overdue=overdue,
        days_overdue=(as_of - entry.due_on).days if overdue and entry.due_on else 0,
        cleared_on=entry.cleared_on,
        contract_id=entry.contract_id,
        complaint_id=entry.complaint_id,
        description=entry.description,
        recorded_by=entry.recorded_by,
    )


def _filtered(
    query: Select[Any],
    *,
    status: str = "",
    debtor_id: int | None = None,
    unit_code: str = "",
    kind: str = "",
    q: str = "",
    year: int | None = None,
    overdue_on: date | None = None,
) -> Select[Any]:
    if status:
        query = query.where(ArrearsEntry.status == status)
    if debtor_id:
        query = query.where(ArrearsEntry.debtor_id == debtor_id)
    if unit_code:
        query = query.where(PublicBody.unit_code == unit_code)
    if kind:
        query = query.where(PublicBody.kind == kind)
    if q.strip():
        like = f"%{q.strip()}%"
        query = query.where(or_(ArrearsEntry.creditor_name.like(like), PublicBody.name.like(like)))
    if year:
        query = query.where(ArrearsEntry.arose_on >= date(year, 1, 1), ArrearsEntry.arose_on <= date(year, 12, 31))
    if overdue_on is not None:
        query = query.where(ArrearsEntry.status != "cleared", ArrearsEntry.due_on < overdue_on)
    return query


def list_entries(
    ctx: Context,
    *,
    status: str = "",
    debtor_id: int | None = None,
    unit_code: str = "",
    kind: str = "",
    q: str = "",
    year: int | None = None,
    overdue: bool = False,
    limit: int | None = None,
) -> list[EntryOut]:
    """Ledger entries, newest first, with filters (status, debtor, the debtor's unit or kind, a name, the year
    the amount arose, overdue as of today)."""
    require(ctx, READ)
    query = (
        select(ArrearsEntry, PublicBody, Subject.uscc)
        .join(PublicBody, PublicBody.id == ArrearsEntry.debtor_id)
        .outerjoin(Subject, Subject.id == ArrearsEntry.creditor_id)
        .order_by(ArrearsEntry.arose_on.desc(), ArrearsEntry.id.desc())
    )
    query = _filtered(
        query,
        status=status,
        debtor_id=debtor_id,
        unit_code=unit_code,
        kind=kind,
        q=q,
        year=year,
        overdue_on=ctx.today if overdue else None,
    )
    if limit:
        query = query.limit(limit)
    return [_entry_out(e, b, u, ctx.today) for e, b, u in ctx.session.execute(query)]


def entry_detail(ctx: Context, entry_id: int) -> EntryDetail:
    """One entry with its payments (oldest first)."""
    require(ctx, READ)
    entry = entry_or_404(ctx, entry_id)
    body = ctx.session.get(PublicBody, entry.debtor_id)
    assert body is not None
    uscc = (
        ctx.session.scalar(select(Subject.uscc).where(Subject.id == entry.creditor_id)) if entry.creditor_id else None
    )
    payments = ctx.session.scalars(
        select(ArrearsPayment)
        .where(ArrearsPayment.entry_id == entry.id)
        .order_by(ArrearsPayment.paid_on, ArrearsPayment.id)
    )
    out = _entry_out(entry, body, uscc, ctx.today)
    return EntryDetail(
        **out.model_dump(),
        payments=[
            PaymentOut(id=p.id, paid_on=p.paid_on, amount=cents(p.amount), note=p.note, recorded_by=p.recorded_by)
            for p in payments
        ],
    )


# --------------------------------------------------------------------------------------------- complaints
def _complaint_out(
    ctx: Context, c: ArrearsComplaint, entry_id: int | None, as_of: date, calendar: WorkCalendar
) -> ComplaintOut:
    deadline = complaint_deadline(ctx, c.received_on, calendar)
    contact = ""
    if c.contact_enc:
        clear = pii.decrypt(c.contact_enc)
        contact = pii.mask_id(clear, keep_head=3, keep_tail=4) if len(clear) > 7 else "*" * len(clear)
    return ComplaintOut(
        id=c.id,
        complainant_id=c.complainant_id,
        complainant_name=c.complainant_name,
        debtor_name=c.debtor_name,
        debtor_id=c.debtor_id,
        amount=cents(c.amount),
        description=c.description,
        contact_masked=contact,
        status=c.status,
        status_label=arrears_rules().complaint_labels().get(c.status, c.status),
        received_on=c.received_on,
        deadline=deadline,
        overdue=c.status == "received" and as_of > deadline,
        handled_by=c.handled_by,
        reason=c.reason,
        entry_id=entry_id,
    )


def list_complaints(ctx: Context, status: str = "", complainant_id: int | None = None) -> list[ComplaintOut]:
    """Complaints, newest first, with their deadline and the ledger entry an accepted one became. The office (or
    staff reading) sees all; a firm's own account only its own."""
    if ctx.role == "subject":
        require(ctx, COMPLAIN)
        complainant_id = ctx.subject_id if ctx.subject_id is not None else -1
    else:
        require(ctx, READ)
    query = (
        select(ArrearsComplaint, ArrearsEntry.id)
        .outerjoin(ArrearsEntry, ArrearsEntry.complaint_id == ArrearsComplaint.id)
        .order_by(ArrearsComplaint.received_on.desc(), ArrearsComplaint.id.desc())
    )
    if status:
        query = query.where(ArrearsComplaint.status == status)
    if complainant_id is not None:
        query = query.where(ArrearsComplaint.complainant_id == complainant_id)
    calendar = load_calendar(ctx.session)
    return [_complaint_out(ctx, c, e, ctx.today, calendar) for c, e in ctx.session.execute(query)]


# --------------------------------------------------------------------------------------------- figures
def _rate(owed: Decimal, cleared: Decimal) -> float | None:
    return None if owed == 0 else float((cleared / owed).quantize(Decimal("0.0001")))


def _totals(key: str, label: str, rows: list[dict[str, Any]]) -> Totals:
    owed = sum((r["owed"] for r in rows), Decimal("0.00"))
    cleared = sum((r["cleared"] for r in rows), Decimal("0.00"))
    return Totals(
        key=key,
        label=label,
        entries=sum(r["entries"] for r in rows),
        owed=owed,
        cleared=cleared,
        outstanding=owed - cleared,
        open_entries=sum(r["open"] for r in rows),
        clearing_rate=_rate(owed, cleared),
    )


def figure_rows(ctx: Context, as_of: date) -> list[dict[str, Any]]:
    """One grouped read: per (debtor unit, debtor kind, arose in ``as_of``'s year) the entries that arose by
    ``as_of``, their amounts, what payments dated up to ``as_of`` cleared, and how many are not fully cleared."""
    paid = (
        select(ArrearsPayment.entry_id, func.sum(ArrearsPayment.amount).label("paid"))
        .where(ArrearsPayment.paid_on <= as_of)
        .group_by(ArrearsPayment.entry_id)
        .subquery()
    )
    paid_amount = func.coalesce(paid.c.paid, literal(0))
    is_new = case((ArrearsEntry.arose_on >= date(as_of.year, 1, 1), 1), else_=0)
    is_open = case((ArrearsEntry.amount - paid_amount > HALF_CENT, 1), else_=0)
    query = (
        select(
            PublicBody.unit_code,
            PublicBody.kind,
            is_new.label("new"),
            func.count(ArrearsEntry.id),
            func.sum(ArrearsEntry.amount),
            func.sum(paid_amount),
            func.sum(is_open),
            func.sum(case((ArrearsEntry.amount - paid_amount > HALF_CENT, ArrearsEntry.amount - paid_amount), else_=0)),
        )
        .join(PublicBody, PublicBody.id == ArrearsEntry.debtor_id)
        .outerjoin(paid, paid.c.entry_id == ArrearsEntry.id)
        .where(ArrearsEntry.arose_on <= as_of)
        .group_by(PublicBody.unit_code, PublicBody.kind, is_new)
    )
    return [
        {
            "unit": unit,
            "kind": kind,
            "new": bool(new),
            "entries": int(count or 0),
            "owed": cents(owed),
            "cleared": cents(cleared),
            "open": int(open_ or 0),
            "open_amount": cents(open_amount),
        }
        for unit, kind, new, count, owed, cleared, open_, open_amount in ctx.session.execute(query)
    ]


def new_arrears(rows: list[dict[str, Any]], as_of: date) -> NewArrears:
    """The year's new arrears from ``figure_rows``: entries arisen this year, not fully cleared as of ``as_of``."""
    rule = arrears_rules().new_arrears
    fresh = [r for r in rows if r["new"]]
    count = sum(r["open"] for r in fresh)
    amount = sum((r["open_amount"] for r in fresh), Decimal("0.00"))
    return NewArrears(
        year=as_of.year,
        count=count,
        amount=amount,
        target_count=rule.target_count,
        target_amount=rule.target_amount,
        met=count <= rule.target_count and amount <= rule.target_amount,
        source=rule.source,
    )


def summary(ctx: Context, as_of: date | None = None) -> SummaryOut:
    """Clearing progress as of ``as_of`` (default today): totals, by unit, by kind, new arrears, open complaints."""
    require(ctx, READ)
    day = as_of or ctx.today
    rows = figure_rows(ctx, day)
    units = sorted({r["unit"] for r in rows})
    by_unit = [_totals(u, unit_label(u), [r for r in rows if r["unit"] == u]) for u in units]
    by_unit.sort(key=lambda t: (-t.outstanding, t.key))
    by_kind = [_totals(k, v, [r for r in rows if r["kind"] == k]) for k, v in BODY_KINDS.items()]
    received = ctx.session.scalars(
        select(ArrearsComplaint.received_on).where(
            ArrearsComplaint.status == "received", ArrearsComplaint.received_on <= day
        )
    ).all()
    calendar = load_calendar(ctx.session)
    overdue = sum(1 for r in received if day > complaint_deadline(ctx, r, calendar))
    return SummaryOut(
        as_of=day,
        total=_totals("total", "合计", rows),
        by_unit=by_unit,
        by_kind=by_kind,
        new_arrears=new_arrears(rows, day),
        complaints_open=len(received),
        complaints_overdue=overdue,
    )


def debtor_options(ctx: Context) -> list[tuple[int, str]]:
    """Active bodies (id, name) for the entry form."""
    rows = ctx.session.execute(
        select(PublicBody.id, PublicBody.name).where(PublicBody.active).order_by(PublicBody.name)
    )
    return [(i, n) for i, n in rows]
