"""The arrears ledger (清理拖欠民营企业中小企业账款, issue #11 item 3; work-plan item 三): what government bodies and
SOEs owe private firms and SMEs, the clearing payments, disputes, firms' complaints and the daily step that turns an
entry left unpaid past its due day (plus the grace of ``rules/arrears.yaml``) into a government-integrity record.

Every change is one function taking ``ctx``: permission, validation, write, audit. The credit office
(``arrears.manage``) keeps the ledger and handles complaints; a firm's own account (``arrears.complain``) files a
complaint for itself, the office may file one on a firm's behalf. Read-side figures are in ``arrears_queries``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, func, select

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.auth.tokens import clean_text
from xinyong.calendar import WorkCalendar, load_calendar
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput
from xinyong.government import bodies
from xinyong.government.arrears_rules import arrears_rules
from xinyong.government.arrears_schemas import AcceptIn, ComplaintIn, DisputeIn, EntryIn, PaymentIn
from xinyong.government.models import (
    ArrearsComplaint,
    ArrearsEntry,
    ArrearsPayment,
    GovContract,
    GovIntegrityRecord,
    PublicBody,
)
from xinyong.government.records import record_default
from xinyong.subjects.models import Subject
from xinyong.subjects.public import parse_uscc

MANAGE = "arrears.manage"
COMPLAIN = "arrears.complain"
READ = "government.read"
CENT = Decimal("0.01")
EARLIEST = date(2000, 1, 1)
NAME_MAX = 200
TEXT_MAX = 2000
REASON_MAX = 500


def cents(value: Decimal | float | int | None) -> Decimal:
    """An amount in 元 to the cent (stored sums come back as Decimal or, on SQLite, float)."""
    return Decimal(str(value or 0)).quantize(CENT)


# --------------------------------------------------------------------------------------------- helpers
def entry_or_404(ctx: Context, entry_id: int) -> ArrearsEntry:
    return fetch_or_404(ctx.session, ArrearsEntry, entry_id, f"拖欠账款台账记录 {entry_id} 不存在")


def complaint_or_404(ctx: Context, complaint_id: int) -> ArrearsComplaint:
    return fetch_or_404(ctx.session, ArrearsComplaint, complaint_id, f"拖欠账款投诉 {complaint_id} 不存在")


def _debtor(ctx: Context, debtor_id: int | None, uscc: str = "", name: str = "") -> PublicBody:
    """The registered, active body owing the amount; ``InvalidInput`` for anything else (never guessed)."""
    if debtor_id is not None:
        body = ctx.session.get(PublicBody, debtor_id)
        if body is None or not body.active:
            raise InvalidInput(f"债务单位 {debtor_id} 不在公共机构名录中（或已停用）", field="debtor_id")
        return body
    if not (uscc or name).strip():
        raise InvalidInput("请选择债务单位（公共机构名录中的机关、事业单位或国有企业）", field="debtor_id")
    body = bodies.find_body(ctx, name=name, uscc=uscc)
    if body is None:
        shown = (name or uscc).strip()[:60]
        raise InvalidInput(f"“{shown}”不在公共机构名录中：请先登记该单位", field="debtor_id")
    return body


def _creditor(ctx: Context, uscc: str, name: str) -> tuple[Subject | None, str]:
    """The creditor: the registry subject with code ``uscc`` (required to exist when a code is given), else a name."""
    if uscc.strip():
        code = parse_uscc(uscc)
        subject = ctx.session.scalar(select(Subject).where(Subject.uscc == code).order_by(Subject.id).limit(1))
        if subject is None:
            raise InvalidInput(
                f"统一社会信用代码 {code} 未在主体库中登记：请核对，或只填写债权企业名称", field="creditor_uscc"
            )
        _not_a_body(ctx, subject.id, "creditor_uscc")
        return subject, subject.name
    return None, clean_text(name, "creditor_name", "债权企业名称", NAME_MAX)


def _not_a_body(ctx: Context, subject_id: int, field: str) -> None:
    if ctx.session.scalar(select(PublicBody.id).where(PublicBody.subject_id == subject_id)) is not None:
        raise InvalidInput("债权人是公共机构名录中的单位：本台账只记拖欠民营企业、中小企业的账款", field=field)


def _check_dates(ctx: Context, arose_on: date, due_on: date | None) -> None:
    if arose_on < EARLIEST:
        raise InvalidInput(f"欠款发生日期不能早于 {EARLIEST.isoformat()}", field="arose_on")
    if arose_on > ctx.today:
        raise InvalidInput("欠款发生日期不能晚于今天", field="arose_on")
    if due_on is not None and due_on < arose_on:
        raise InvalidInput("约定付款日期不能早于欠款发生日期", field="due_on")


def _optional_text(value: str, field: str, label: str, max_length: int) -> str:
    return clean_text(value, field, label, max_length) if (value or "").strip() else ""


# --------------------------------------------------------------------------------------------- ledger
def _create_entry(
    ctx: Context,
    debtor: PublicBody,
    creditor: Subject | None,
    creditor_name: str,
    data: EntryIn,
    complaint_id: int | None = None,
) -> ArrearsEntry:
    _check_dates(ctx, data.arose_on, data.due_on)
    if data.contract_id is not None:
        contract = ctx.session.get(GovContract, data.contract_id)
        if contract is None or contract.body_id != debtor.id:
            raise InvalidInput(f"合同 {data.contract_id} 不存在或不是{debtor.name}的合同", field="contract_id")
    due_on = data.due_on or data.arose_on + timedelta(days=arrears_rules().term_days(debtor.kind))
    entry = ArrearsEntry(
        debtor_id=debtor.id,
        creditor_id=creditor.id if creditor else None,
        creditor_name=creditor_name,
        creditor_sme=data.creditor_sme,
        amount=cents(data.amount),
        cleared_amount=Decimal("0.00"),
        arose_on=data.arose_on,
        due_on=due_on,
        status="outstanding",
        contract_id=data.contract_id,
        complaint_id=complaint_id,
        description=_optional_text(data.description, "description", "欠款说明", TEXT_MAX),
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    audit.record(
        ctx,
        "arrears.entry",
        "arrears_entry",
        entry.id,
        {"debtor": debtor.id, "creditor": creditor_name, "amount": str(entry.amount), "complaint": complaint_id},
    )
    return entry


def record_entry(ctx: Context, data: EntryIn) -> ArrearsEntry:
    """Record an amount a registered body owes a firm (the office)."""
    require(ctx, MANAGE)
    debtor = _debtor(ctx, data.debtor_id, data.debtor_uscc, data.debtor_name)
    creditor, name = _creditor(ctx, data.creditor_uscc, data.creditor_name)
    return _create_entry(ctx, debtor, creditor, name, data)


def record_payment(ctx: Context, entry_id: int, data: PaymentIn) -> ArrearsPayment:
    """Record a clearing payment: not above what is outstanding, not before the amount arose nor after today. The
    payment that clears the rest sets the entry cleared (``cleared_on`` the latest payment day)."""
    require(ctx, MANAGE)
    entry = entry_or_404(ctx, entry_id)
    if entry.status == "cleared":
        raise Conflict(f"台账记录 {entry.id} 已清偿完毕", field="amount")
    outstanding = cents(entry.amount) - cents(entry.cleared_amount)
    amount = cents(data.amount)
    if amount > outstanding:
        raise InvalidInput(f"清偿金额 {amount} 元超过尚欠金额 {outstanding} 元", field="amount")
    if data.paid_on < entry.arose_on:
        raise InvalidInput("清偿日期不能早于欠款发生日期", field="paid_on")
    if data.paid_on > ctx.today:
        raise InvalidInput("清偿日期不能晚于今天", field="paid_on")
    payment = ArrearsPayment(
        entry_id=entry.id,
        paid_on=data.paid_on,
        amount=amount,
        note=_optional_text(data.note, "note", "备注", REASON_MAX),
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at,
    )
    ctx.session.add(payment)
    entry.cleared_amount = cents(entry.cleared_amount) + amount
    if entry.cleared_amount >= cents(entry.amount):
        entry.status = "cleared"
        last = ctx.session.scalar(select(func.max(ArrearsPayment.paid_on)).where(ArrearsPayment.entry_id == entry.id))
        entry.cleared_on = max(d for d in (last, data.paid_on) if d is not None)
    ctx.session.flush()
    audit.record(
        ctx,
        "arrears.payment",
        "arrears_entry",
        entry.id,
        {"payment": payment.id, "amount": str(amount), "paid_on": data.paid_on.isoformat(), "status": entry.status},
    )
    return payment


def set_disputed(ctx: Context, entry_id: int, data: DisputeIn) -> ArrearsEntry:
    """Mark an outstanding entry disputed, or take a dispute back, with the reason (kept in the description and the
    audit log). A disputed entry does not become a government-integrity record while disputed."""
    require(ctx, MANAGE)
    entry = entry_or_404(ctx, entry_id)
    reason = clean_text(data.reason, "reason", "理由", REASON_MAX)
    want, have = ("disputed", "outstanding") if data.disputed else ("outstanding", "disputed")
    if entry.status != have:
        labels = arrears_rules().entry_labels()
        shown = labels.get(entry.status, entry.status)
        raise Conflict(f"台账记录 {entry.id} 当前为“{shown}”，不能改为“{labels[want]}”")
    entry.status = want
    note = f"[{ctx.today.isoformat()} {'标记争议' if data.disputed else '撤销争议'}] {reason}"
    entry.description = f"{entry.description}\n{note}".strip()[: TEXT_MAX * 2]
    ctx.session.flush()
    audit.record(ctx, "arrears.dispute", "arrears_entry", entry.id, {"status": want, "reason": reason})
    return entry


# --------------------------------------------------------------------------------------------- complaints
def _complainant(ctx: Context, data: ComplaintIn) -> tuple[int | None, str]:
    if ctx.role == "subject":
        if ctx.subject_id is None:
            raise PermissionDenied(ctx.role, COMPLAIN, "账户未关联市场主体，不能投诉")
        if data.complainant_id not in (None, ctx.subject_id) or data.complainant_uscc:
            raise PermissionDenied(ctx.role, COMPLAIN, "只能以本企业名义投诉")
        subject = ctx.session.get(Subject, ctx.subject_id)
        assert subject is not None
        return subject.id, subject.name
    if data.complainant_id is not None:
        subject = ctx.session.get(Subject, data.complainant_id)
        if subject is None:
            raise InvalidInput(f"投诉企业 {data.complainant_id} 不在主体库中", field="complainant_id")
        return subject.id, subject.name
    if data.complainant_uscc:
        subject, name = _creditor(ctx, data.complainant_uscc, "")
        return (subject.id if subject else None), name
    return None, clean_text(data.complainant_name, "complainant_name", "投诉企业名称", NAME_MAX)


def file_complaint(ctx: Context, data: ComplaintIn) -> ArrearsComplaint:
    """File a complaint of arrears: a firm for itself, or the office on a firm's behalf. The debtor is matched
    against the register (left unmatched when the name is not on it: the office decides on acceptance)."""
    require(ctx, COMPLAIN)
    complainant_id, complainant_name = _complainant(ctx, data)
    if complainant_id is not None:
        _not_a_body(ctx, complainant_id, "complainant_id")
    debtor_name = clean_text(data.debtor_name, "debtor_name", "被投诉单位名称", NAME_MAX)
    debtor = bodies.find_body(ctx, name=debtor_name, uscc=data.debtor_uscc)
    contact = _optional_text(data.contact, "contact", "联系方式", 100)
    complaint = ArrearsComplaint(
        complainant_id=complainant_id,
        complainant_name=complainant_name,
        debtor_name=debtor.name if debtor else debtor_name,
        debtor_id=debtor.id if debtor else None,
        amount=cents(data.amount),
        description=clean_text(data.description, "description", "投诉内容", TEXT_MAX),
        contact_enc=pii.encrypt(contact) if contact else "",
        status="received",
        received_on=ctx.today,
        reason="",
        submitted_by=ctx.actor[:128],
        submitted_at=ctx.at,
    )
    ctx.session.add(complaint)
    ctx.session.flush()
    audit.record(
        ctx,
        "arrears.complaint",
        "arrears_complaint",
        complaint.id,
        {"complainant": complainant_name, "debtor": complaint.debtor_name, "amount": str(complaint.amount)},
    )
    return complaint


def _open_complaint(ctx: Context, complaint_id: int) -> ArrearsComplaint:
    complaint = complaint_or_404(ctx, complaint_id)
    if complaint.status != "received":
        label = arrears_rules().complaint_labels().get(complaint.status, complaint.status)
        raise Conflict(f"投诉 {complaint.id} 已处理（{label}）")
    return complaint


def accept_complaint(ctx: Context, complaint_id: int, data: AcceptIn) -> ArrearsEntry:
    """Accept a complaint: the ledger entry it becomes (linked by ``complaint_id``), the complaint accepted."""
    require(ctx, MANAGE)
    complaint = _open_complaint(ctx, complaint_id)
    debtor = _debtor(ctx, data.debtor_id or complaint.debtor_id)
    creditor = ctx.session.get(Subject, complaint.complainant_id) if complaint.complainant_id else None
    entry_in = EntryIn(
        debtor_id=debtor.id,
        amount=data.amount or complaint.amount,
        arose_on=data.arose_on,
        due_on=data.due_on,
        creditor_sme=data.creditor_sme,
        description=f"投诉 {complaint.id} 受理入账：{complaint.description}"[:TEXT_MAX],
    )
    entry = _create_entry(ctx, debtor, creditor, complaint.complainant_name, entry_in, complaint_id=complaint.id)
    complaint.status = "accepted"
    complaint.debtor_id = debtor.id
    complaint.handled_by = ctx.actor[:128]
    complaint.handled_at = ctx.at
    ctx.session.flush()
    audit.record(ctx, "arrears.complaint_accept", "arrears_complaint", complaint.id, {"entry": entry.id})
    return entry


def reject_complaint(ctx: Context, complaint_id: int, reason: str) -> ArrearsComplaint:
    """Reject a complaint with the reason the firm is told."""
    require(ctx, MANAGE)
    complaint = _open_complaint(ctx, complaint_id)
    complaint.reason = clean_text(reason, "reason", "不予受理理由", REASON_MAX)
    complaint.status = "rejected"
    complaint.handled_by = ctx.actor[:128]
    complaint.handled_at = ctx.at
    ctx.session.flush()
    audit.record(ctx, "arrears.complaint_reject", "arrears_complaint", complaint.id, {"reason": complaint.reason})
    return complaint


def complaint_deadline(ctx: Context, received_on: date, calendar: WorkCalendar | None = None) -> date:
    """The last working day to accept or reject a complaint received on ``received_on`` (pass ``calendar`` when
    computing many: it is read once)."""
    days = calendar or load_calendar(ctx.session)
    return days.deadline(received_on, arrears_rules().complaints.handling_workdays)


# --------------------------------------------------------------------------------------------- daily step
def overdue_since(due_on: date) -> date:
    """The first day an entry due on ``due_on`` counts as overdue beyond the grace."""
    return due_on + timedelta(days=arrears_rules().overdue_record.grace_days + 1)


def daily_step(ctx: Context, as_of: date) -> int:
    """Turn every outstanding (not disputed) entry still unpaid on ``as_of`` more than the grace past its due day
    into a government-integrity record of its debtor. Returns how many records it created (0 on a re-run)."""
    require(ctx, MANAGE)
    grace = arrears_rules().overdue_record.grace_days
    recorded = exists().where(
        GovIntegrityRecord.source_kind == "arrears_overdue", GovIntegrityRecord.source_id == ArrearsEntry.id
    )
    due = ctx.session.scalars(
        select(ArrearsEntry)
        .where(
            ArrearsEntry.status == "outstanding",
            ArrearsEntry.due_on.is_not(None),
            ArrearsEntry.due_on < as_of - timedelta(days=grace),
            ~recorded,
        )
        .order_by(ArrearsEntry.id)
    ).all()
    created = 0
    for entry in due:
        assert entry.due_on is not None
        owed = cents(entry.amount) - cents(entry.cleared_amount)
        summary = (
            f"拖欠{entry.creditor_name}账款 {owed} 元，约定 {entry.due_on.isoformat()} 付款，逾期超过 {grace} 日未清偿"
        )
        _, new = record_default(
            ctx, entry.debtor_id, "arrears_overdue", entry.id, summary, overdue_since(entry.due_on), owed
        )
        created += int(new)
    return created
