"""Enforcement cases against public bodies (涉党政机关、国有企业执行案件, issue #11 item 4): the actions after import.

* ``reassign`` (the credit office, ``enforcement.assign``): another answerable town or department, with the reason;
  the new unit gets the full rectification period from today.
* ``rectify`` (``enforcement.rectify``): a rectification step (note, evidence, day) → status ``rectifying``. A
  department officer records only for a case assigned to the own unit (``Department.code`` equal to the case's
  ``unit_code``). A township has no account today (department codes are lower-case letters or a USCC, townships
  9-digit codes, so no ``Department`` row carries a township code): the credit office records a town's step on
  its behalf, and the step's note names the town.
* ``close`` (the office): an outcome of ``rules/enforcement.yaml`` and the day → ``closed``.
* ``reopen`` (the office): with the reason → ``assigned`` again, with a new deadline.
* ``daily_step``: a case not closed by ``due_on + integrity_record.grace_days`` becomes a government-integrity
  record of its body (``records.record_default``, source ``enforcement_case``): one per case, so a re-run is 0.

Every action is audited (``enforcement.<action>``) and adds a step to the case's timeline.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.auth.tokens import clean_text
from xinyong.calendar import load_calendar
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput
from xinyong.government.bodies import check_unit
from xinyong.government.enforcement_rules import enforcement_rules
from xinyong.government.models import EnforcementCase, EnforcementStep, PublicBody
from xinyong.government.records import record_default
from xinyong.subjects.departments import own_unit_code
from xinyong.workplan.units import unit_label

ASSIGN = "enforcement.assign"
RECTIFY = "enforcement.rectify"
NOTE_MAX = 2000
EVIDENCE_MAX = 500
REASON_MAX = 500
OPEN_STATUSES = ("open", "assigned", "rectifying")


def case_or_404(ctx: Context, case_id: int) -> EnforcementCase:
    """The case with ``case_id``, else ``NotFound``."""
    return fetch_or_404(ctx.session, EnforcementCase, case_id, f"执行案件 {case_id} 不存在")


def own_unit(ctx: Context) -> str | None:
    """The unit code a department officer acts for (its department's code); None for other roles."""
    if ctx.role != "department_officer":
        return None
    return own_unit_code(ctx, RECTIFY, "，不能登记执行案件整改")


def _step(ctx: Context, case: EnforcementCase, kind: str, note: str, evidence: str, on: date) -> EnforcementStep:
    step = EnforcementStep(
        case_id=case.id,
        kind=kind,
        unit_code=case.unit_code,
        note=note,
        evidence=evidence,
        on=on,
        actor=ctx.actor[:128],
        at=ctx.at,
    )
    ctx.session.add(step)
    ctx.session.flush()
    return step


def _day(value: date | None, today: date, field: str, label: str, earliest: date | None = None) -> date:
    day = value or today
    if day > today:
        raise InvalidInput(f"{label}不能晚于今天（{today.isoformat()}）", field=field)
    if earliest is not None and day < earliest:
        raise InvalidInput(f"{label}不能早于{earliest.isoformat()}", field=field)
    return day


def _deadline(ctx: Context, start: date) -> date:
    return load_calendar(ctx.session).add_workdays(start, enforcement_rules().rectification.workdays)


def _not_closed(case: EnforcementCase, action: str) -> None:
    if case.status == "closed":
        raise Conflict(f"案件 {case.case_no} 已结案，不能{action}；如需继续处理请先重新打开", field="status")


def reassign(ctx: Context, case_id: int, unit_code: str, reason: str) -> EnforcementCase:
    """Assign the case to another town or department (the office), with the reason."""
    require(ctx, ASSIGN)
    case = case_or_404(ctx, case_id)
    _not_closed(case, "改派")
    unit = check_unit(unit_code)
    why = clean_text(reason, "reason", "改派原因", REASON_MAX)
    if unit == case.unit_code:
        raise Conflict(f"案件已交办{unit_label(unit)}", field="unit_code")
    before = case.unit_code
    today = ctx.today
    case.unit_code, case.status, case.assigned_on, case.due_on = unit, "assigned", today, _deadline(ctx, today)
    _step(ctx, case, "assign", f"由{unit_label(before) if before else '未交办'}改派：{why}", "", today)
    audit.record(ctx, "enforcement.reassign", "enforcement_case", case.id, {"from": before, "to": unit, "reason": why})
    return case


def rectify(
    ctx: Context, case_id: int, note: str, evidence: str = "", on: date | None = None
) -> tuple[EnforcementCase, EnforcementStep]:
    """A rectification step by the case's unit (a department officer of that unit, or the office on its behalf)."""
    require(ctx, RECTIFY)
    case = case_or_404(ctx, case_id)
    mine = own_unit(ctx)
    if mine is not None and mine != case.unit_code:
        shown = unit_label(case.unit_code) if case.unit_code else "未交办"
        raise PermissionDenied(
            ctx.role,
            RECTIFY,
            f"该案件交办{shown}整改，只能由该单位或区信用办登记整改情况（本账号：{unit_label(mine)}）",
        )
    _not_closed(case, "登记整改")
    if case.unit_code is None:
        raise Conflict("案件尚未交办责任单位，请先交办", field="unit_code")
    text = clean_text(note, "note", "整改情况", NOTE_MAX)
    proof = (evidence or "").strip()
    if len(proof) > EVIDENCE_MAX:
        raise InvalidInput(f"整改佐证过长（最多 {EVIDENCE_MAX} 个字符）", field="evidence")
    day = _day(on, ctx.today, "on", "整改日期", case.assigned_on)
    on_behalf = mine is None
    if on_behalf:
        text = f"（区信用办代{unit_label(case.unit_code)}登记）{text}"[:NOTE_MAX]
    case.status = "rectifying"
    step = _step(ctx, case, "rectify", text, proof, day)
    audit.record(
        ctx,
        "enforcement.rectify",
        "enforcement_case",
        case.id,
        {"unit": case.unit_code, "on": day.isoformat(), "step": step.id, "on_behalf": on_behalf},
    )
    return case, step


def outcome_label(value: str) -> str:
    """The label of an outcome given by code or label, else ``InvalidInput`` listing the outcomes."""
    labels = enforcement_rules().outcome_labels()
    text = (value or "").strip()
    if text in labels:
        return labels[text]
    if text in labels.values():
        return text
    raise InvalidInput(f"结案方式应为：{'、'.join(labels.values())}", field="outcome")


def close(ctx: Context, case_id: int, outcome: str, closed_on: date | None = None, note: str = "") -> EnforcementCase:
    """Close the case with an outcome of the rulebook (the office)."""
    require(ctx, ASSIGN)
    case = case_or_404(ctx, case_id)
    _not_closed(case, "再次结案")
    label = outcome_label(outcome)
    day = _day(closed_on, ctx.today, "closed_on", "结案日期", case.filed_on)
    remark = (note or "").strip()
    if len(remark) > NOTE_MAX:
        raise InvalidInput(f"结案说明过长（最多 {NOTE_MAX} 个字符）", field="note")
    case.status, case.closed_on, case.outcome = "closed", day, label
    _step(ctx, case, "close", f"{label}：{remark}" if remark else label, "", day)
    audit.record(ctx, "enforcement.close", "enforcement_case", case.id, {"outcome": label, "on": day.isoformat()})
    return case


def reopen(ctx: Context, case_id: int, reason: str) -> EnforcementCase:
    """Reopen a closed case (e.g. the court resumed enforcement): assigned again to its unit, a new deadline."""
    require(ctx, ASSIGN)
    case = case_or_404(ctx, case_id)
    if case.status != "closed":
        raise Conflict(f"案件 {case.case_no} 未结案，无需重新打开", field="status")
    why = clean_text(reason, "reason", "重新打开原因", REASON_MAX)
    today = ctx.today
    before = case.outcome
    case.status, case.closed_on, case.outcome = "assigned", None, ""
    case.assigned_on, case.due_on = today, _deadline(ctx, today)
    _step(ctx, case, "reopen", f"原结案方式：{before}；{why}", "", today)
    audit.record(ctx, "enforcement.reopen", "enforcement_case", case.id, {"reason": why, "was": before})
    return case


def record_due(case: EnforcementCase) -> date | None:
    """The first day an unclosed case becomes a government-integrity record: ``due_on + grace + 1``."""
    if case.due_on is None:
        return None
    return case.due_on + timedelta(days=enforcement_rules().integrity_record.grace_days + 1)


def daily_step(ctx: Context, as_of: date) -> int:
    """Government-integrity records for the cases not closed by their deadline plus the grace (``as_of``); how
    many were created (0 on a re-run). Part of the daily job (which checks ``jobs.run``)."""
    grace = enforcement_rules().integrity_record.grace_days
    last_due = as_of - timedelta(days=grace + 1)
    stmt = (
        select(EnforcementCase, PublicBody.name)
        .join(PublicBody, PublicBody.id == EnforcementCase.body_id)
        .where(EnforcementCase.status.in_(OPEN_STATUSES), EnforcementCase.due_on <= last_due)
        .order_by(EnforcementCase.id)
    )
    created = 0
    for case, body_name in ctx.session.execute(stmt).all():
        assert case.due_on is not None
        summary = (
            f"{body_name}作为被执行人的执行案件 {case.case_no}（{case.court}）逾期未整改结案："
            f"整改期限 {case.due_on.isoformat()}，宽限 {grace} 日"
        )
        occurred = case.due_on + timedelta(days=grace + 1)
        _, made = record_default(ctx, case.body_id, "enforcement_case", case.id, summary, occurred, case.amount)
        created += made
    return created
