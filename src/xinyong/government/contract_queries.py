"""Read side of government contracts: the list with alert counts, a contract's schedule and timeline, the alerts
(terms due within the window before their due date, and overdue after it) as of a day, the register of bodies and
the government-integrity records, as ``contract_schemas`` shapes. Everything takes ``as_of``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select

from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import require
from xinyong.calendar import load_calendar
from xinyong.government import bodies, records
from xinyong.government.contract_rules import contract_rules
from xinyong.government.contract_schemas import (
    AlertOut,
    BodyOut,
    ContractDetail,
    ContractRow,
    RecordOut,
    TermOut,
    TimelineEvent,
)
from xinyong.government.contracts import OPEN_STATUSES, READ, TARGET, contract_or_404, default_day, terms_of
from xinyong.government.models import GovContract, GovContractTerm, GovIntegrityRecord, PublicBody
from xinyong.workplan.units import unit_label

STATE_LABELS = {
    "done": "已履行",
    "open": "未到期",
    "due_soon": "临期",
    "overdue": "已逾期",
    "past_grace": "逾期超过宽限期",
    "closed": "合同已结束",
}
ACTION_LABELS = {
    "government.contract": "登记合同",
    "government.contract_term": "登记节点履行",
    "government.contract_amend": "补充协议（新增节点）",
    "government.contract_default": "认定违约",
    "government.contract_close": "合同办结或终止",
}


def _window_end(ctx: Context, as_of: date) -> date:
    return load_calendar(ctx.session).add_workdays(as_of, contract_rules().alerts.window_workdays)


def term_state(term: GovContractTerm, status: str, as_of: date, window_end: date) -> str:
    """done / open / due_soon / overdue / past_grace (or closed for a completed or terminated contract)."""
    if term.done_on is not None and term.done_on <= as_of:
        return "done"
    if status not in OPEN_STATUSES:
        return "closed"
    if term.due_on < as_of:
        return "past_grace" if default_day(term.due_on) <= as_of else "overdue"
    return "due_soon" if term.due_on <= window_end else "open"


def _body_map(ctx: Context, ids: set[int]) -> dict[int, PublicBody]:
    if not ids:
        return {}
    return {b.id: b for b in ctx.session.scalars(select(PublicBody).where(PublicBody.id.in_(ids)))}


def _row(contract: GovContract, body: PublicBody, terms: list[GovContractTerm], as_of: date, end: date) -> dict:
    labels = contract_rules().status_labels()
    states = [term_state(t, contract.status, as_of, end) for t in terms]
    pending = [t.due_on for t, s in zip(terms, states, strict=True) if s not in ("done", "closed")]
    return {
        "id": contract.id,
        "contract_no": contract.contract_no,
        "title": contract.title,
        "body_id": body.id,
        "body_name": body.name,
        "unit_code": body.unit_code,
        "unit_label": unit_label(body.unit_code),
        "counterparty_name": contract.counterparty_name,
        "counterparty_id": contract.counterparty_id,
        "counterparty_uscc": contract.counterparty_uscc,
        "amount": contract.amount,
        "paid": sum((t.paid_amount or Decimal(0) for t in terms if t.kind == "payment"), Decimal(0)),
        "signed_on": contract.signed_on,
        "ends_on": contract.ends_on,
        "status": contract.status,
        "status_label": labels.get(contract.status, contract.status),
        "due_soon": states.count("due_soon"),
        "overdue": states.count("overdue") + states.count("past_grace"),
        "next_due_on": min(pending) if pending else None,
    }


def list_contracts(
    ctx: Context,
    as_of: date,
    status: str | None = None,
    body_id: int | None = None,
    unit_code: str | None = None,
    q: str | None = None,
    alert: bool = False,
) -> list[ContractRow]:
    """Contracts, newest signed first, filtered by status, body, answering unit, a number/title/party (name or code)
    fragment;
    ``alert``: only those with a term due soon or overdue as of ``as_of``."""
    require(ctx, READ)
    query = select(GovContract, PublicBody).join(PublicBody, PublicBody.id == GovContract.body_id)
    if status:
        query = query.where(GovContract.status == status)
    if body_id:
        query = query.where(GovContract.body_id == body_id)
    if unit_code:
        query = query.where(PublicBody.unit_code == unit_code)
    if q and q.strip():
        like = f"%{q.strip()}%"
        query = query.where(
            or_(
                GovContract.contract_no.like(like),
                GovContract.title.like(like),
                GovContract.counterparty_name.like(like),
                GovContract.counterparty_uscc.like(like),
                PublicBody.name.like(like),
            )
        )
    pairs = list(ctx.session.execute(query.order_by(GovContract.signed_on.desc(), GovContract.id.desc())))
    ids = [c.id for c, _ in pairs]
    by_contract: dict[int, list[GovContractTerm]] = {i: [] for i in ids}
    if ids:
        terms = select(GovContractTerm).where(GovContractTerm.contract_id.in_(ids)).order_by(GovContractTerm.seq)
        for term in ctx.session.scalars(terms):
            by_contract[term.contract_id].append(term)
    end = _window_end(ctx, as_of)
    rows = [ContractRow(**_row(c, b, by_contract[c.id], as_of, end)) for c, b in pairs]
    return [r for r in rows if r.due_soon or r.overdue] if alert else rows


def contract_detail(ctx: Context, contract_id: int, as_of: date) -> ContractDetail:
    """A contract with its schedule (each term's state as of ``as_of``), its audited timeline and its records."""
    require(ctx, READ)
    contract = contract_or_404(ctx, contract_id)
    body = bodies.body_or_404(ctx, contract.body_id)
    terms = terms_of(ctx, contract.id)
    end = _window_end(ctx, as_of)
    kinds = contract_rules().term_kind_labels()
    term_rows = []
    for t in terms:
        state = term_state(t, contract.status, as_of, end)
        term_rows.append(
            TermOut(
                id=t.id,
                seq=t.seq,
                kind=t.kind,
                kind_label=kinds.get(t.kind, t.kind),
                description=t.description,
                due_on=t.due_on,
                amount=t.amount,
                paid_amount=t.paid_amount,
                done_on=t.done_on,
                state=state,
                state_label=STATE_LABELS[state],
                default_on=default_day(t.due_on),
            )
        )
    events = ctx.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == TARGET, AuditEvent.target_id == str(contract.id))
        .order_by(AuditEvent.id)
    )
    timeline = [
        TimelineEvent(
            at=e.at, actor=e.actor, action=e.action, label=ACTION_LABELS.get(e.action, e.action), detail=e.detail
        )
        for e in events
    ]
    own = select(GovIntegrityRecord).where(
        GovIntegrityRecord.source_kind == "contract_default", GovIntegrityRecord.source_id == contract.id
    )
    return ContractDetail(
        **_row(contract, body, terms, as_of, end),
        note=contract.note,
        registered_by=contract.registered_by,
        registered_at=contract.registered_at,
        closed_on=contract.closed_on,
        terms=term_rows,
        timeline=timeline,
        records=[record_out(r, body) for r in ctx.session.scalars(own)],
    )


def alerts(ctx: Context, as_of: date, unit_code: str | None = None, body_id: int | None = None) -> list[AlertOut]:
    """Terms not done of open contracts: overdue (due before ``as_of``) first, most overdue first; then those due
    within the alert window (working days) from ``as_of``, soonest first."""
    require(ctx, READ)
    calendar = load_calendar(ctx.session)
    end = calendar.add_workdays(as_of, contract_rules().alerts.window_workdays)
    query = (
        select(GovContractTerm, GovContract, PublicBody)
        .join(GovContract, GovContract.id == GovContractTerm.contract_id)
        .join(PublicBody, PublicBody.id == GovContract.body_id)
        .where(
            GovContract.status.in_(OPEN_STATUSES),
            GovContractTerm.due_on <= end,
            GovContract.signed_on <= as_of,
            or_(GovContractTerm.done_on.is_(None), GovContractTerm.done_on > as_of),
        )
        .order_by(GovContractTerm.due_on, GovContract.id, GovContractTerm.seq)
    )
    if unit_code:
        query = query.where(PublicBody.unit_code == unit_code)
    if body_id:
        query = query.where(GovContract.body_id == body_id)
    kinds = contract_rules().term_kind_labels()
    out: list[AlertOut] = []
    for term, contract, body in ctx.session.execute(query):
        overdue = term.due_on < as_of
        out.append(
            AlertOut(
                contract_id=contract.id,
                contract_no=contract.contract_no,
                title=contract.title,
                body_id=body.id,
                body_name=body.name,
                unit_code=body.unit_code,
                term_id=term.id,
                seq=term.seq,
                kind_label=kinds.get(term.kind, term.kind),
                description=term.description,
                due_on=term.due_on,
                amount=term.amount,
                kind="overdue" if overdue else "due_soon",
                workdays_left=None if overdue else calendar.workdays_between(as_of, term.due_on),
                days_overdue=(as_of - term.due_on).days if overdue else None,
                default_on=default_day(term.due_on),
            )
        )
    return [a for a in out if a.kind == "overdue"] + [a for a in out if a.kind == "due_soon"]


def body_out(body: PublicBody) -> BodyOut:
    """A body as shown."""
    return BodyOut(
        id=body.id,
        name=body.name,
        uscc=body.uscc,
        kind=body.kind,
        kind_label=bodies.BODY_KINDS.get(body.kind, body.kind),
        unit_code=body.unit_code,
        unit_label=unit_label(body.unit_code),
        active=body.active,
        subject_id=body.subject_id,
    )


def list_bodies(ctx: Context, unit_code: str | None = None) -> list[BodyOut]:
    """The register as shown."""
    return [body_out(b) for b in bodies.list_bodies(ctx, unit_code or None)]


def record_out(record: GovIntegrityRecord, body: PublicBody) -> RecordOut:
    """A government-integrity record as shown."""
    return RecordOut(
        id=record.id,
        body_id=record.body_id,
        body_name=body.name,
        source_kind=record.source_kind,
        source_label=records.SOURCE_KINDS.get(record.source_kind, record.source_kind),
        source_id=record.source_id,
        summary=record.summary,
        amount=record.amount,
        occurred_on=record.occurred_on,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,
    )


def list_records(ctx: Context, body_id: int | None = None, since: date | None = None) -> list[RecordOut]:
    """Government-integrity records, newest first."""
    found = records.records_of(ctx, body_id, since)
    by_id = _body_map(ctx, {r.body_id for r in found})
    return [record_out(r, by_id[r.body_id]) for r in found]
