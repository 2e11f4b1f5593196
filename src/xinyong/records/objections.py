"""异议 (objections): a subject challenges a credit record; the credit office accepts or refuses it, checks the
platform, hands it to the data provider, who verifies it; the record is corrected (a new version through intake),
upheld, or the platform error is fixed (rules.md §4, Guangzhou practice; ``rules/objections.yaml``).

Statuses: ``submitted`` (待受理) → ``accepted`` (平台自查中) → ``verifying`` (数据提供单位核查中) → ``closed``
(已办结). Every closing has an ``outcome``: ``refused`` (不予受理, from ``submitted``), ``platform_fixed`` (平台差错,
from ``accepted``), ``corrected`` / ``upheld`` (from ``verifying``), ``withdrawn`` (by the applicant, any open
status). Each step has a due date in working days counted from the day of the event that started it (accept 2,
self-check 2, verify 10); ``flag_overdue`` (the daily job) marks a step past its due date once, notifies its
handler, and reminds handlers ``reminder.workdays_before`` working days ahead.

While an objection is open its record shows 异议中: one ``objection`` effect (``records.effects``) from the day it
was submitted, closed on the day the objection closes. One open objection per natural key.

Who: the record's subject (``objections.submit`` on its own subject), the credit office on a paper application
(``objections.submit``), or, when ``Settings.objection_open_to_public``, anyone logged in for a record on the
双公示 pages. The credit office handles (``objections.handle``); the data provider's department verifies
(``objections.verify`` on its own department; the office may record it). Handler actions carry the version the
handler saw (``lock_version``): deciding after someone else is ``cases.StaleCase`` (409), never a lost update.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement, Select, case, or_, select, update
from sqlalchemy.orm import aliased

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.models import Account
from xinyong.auth.permissions import PermissionDenied, require, require_department, require_own_subject
from xinyong.calendar import load_calendar
from xinyong.catalog.items import DataItem, load_catalog
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.intake.load import xact_lock
from xinyong.records import cases, effects, status
from xinyong.records.models import CaseFile, CreditRecord, Objection, RecordEffect
from xinyong.records.objection_rules import ObjectionRules, Step, objection_rules
from xinyong.records.objection_schemas import (
    ACTION_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    ObjectionDetail,
    ObjectionRow,
    RecordPreview,
)
from xinyong.records.publication import current_of_key, dual_publicity_item_ids
from xinyong.records.visibility import display_name
from xinyong.settings import get_settings
from xinyong.subjects.models import Department

LABEL = "该异议"
CASE: cases.CaseType = "objection"
OPEN_STATUSES: tuple[str, ...] = ("submitted", "accepted", "verifying")
STEP_OF: dict[str, Step] = {"submitted": "accept", "accepted": "self_check", "verifying": "verify"}
OFFICE_QUEUE: tuple[str, ...] = ("submitted", "accepted")
DEPARTMENT_QUEUE: tuple[str, ...] = ("verifying",)
QUEUE_LIMIT = 500
# The intake channel of a correction made on an objection (interfaces.md). intake_batch.channel is VARCHAR(8)
# (migration 0005): PostgreSQL refuses "objection" until the column is widened (reported to the lead).
CORRECTION_CHANNEL = "objection"
SelfCheck = Literal["platform_error", "pass_to_provider"]
Verdict = Literal["corrected", "upheld"]
SELF_CHECK_RESULTS: tuple[str, ...] = ("platform_error", "pass_to_provider")
VERDICTS: tuple[str, ...] = ("corrected", "upheld")
# Refusals by the record's status on the day of the application (in force = published or objected).
NOT_OBJECTABLE: dict[str, str] = {
    "pending": "该记录尚未到公示日，暂不能提出异议",
    "unpublished": "该记录依规不予公示，不在异议受理范围内",
    "expired": "该记录公示期已满、已停止公示，无需提出异议",
    "repaired": "该记录已完成信用修复、已停止公示，无需提出异议",
    "revoked": "该记录对应的决定已撤销，无需提出异议",
}


# --------------------------------------------------------------------------------------------- helpers
def rules() -> ObjectionRules:
    """The rulebook in force."""
    return objection_rules()


def _holds(ctx: Context, permission: str) -> bool:
    try:
        require(ctx, permission)
    except PermissionDenied:
        return False
    return True


_clean = cases.clean_text


def _get(ctx: Context, objection_id: int) -> Objection:
    objection = fetch_or_404(ctx.session, Objection, objection_id, f"异议 {objection_id} 不存在", "objection_id")
    return objection


def step_of(objection: Objection) -> Step | None:
    """The current handling step (None once closed)."""
    return STEP_OF.get(objection.status)


def due_of(objection: Objection) -> date | None:
    """The due date of the current step (None once closed)."""
    step = step_of(objection)
    if step == "accept":
        return objection.accept_due
    if step == "self_check":
        return objection.self_check_due
    if step == "verify":
        return objection.verify_due
    return None


def due_expr() -> ColumnElement[date | None]:
    """SQL: the due date of ``Objection``'s current step."""
    return case(
        (Objection.status == "submitted", Objection.accept_due),
        (Objection.status == "accepted", Objection.self_check_due),
        (Objection.status == "verifying", Objection.verify_due),
        else_=None,
    )


def _is_applicant(ctx: Context, objection: Objection) -> bool:
    if ctx.account_id is not None and objection.account_id == ctx.account_id:
        return True
    return ctx.role == "subject" and objection.subject_id is not None and objection.subject_id == ctx.subject_id


def _status_conflict(objection: Objection, action: str) -> Conflict:
    label = STATUS_LABELS.get(objection.status, objection.status)
    if objection.outcome:
        label += f"（{OUTCOME_LABELS.get(objection.outcome, objection.outcome)}）"
    return Conflict(f"该异议当前状态为“{label}”，不能{action}", code="objection_state")


def _require_status(objection: Objection, wanted: tuple[str, ...], action: str) -> None:
    if objection.status not in wanted:
        raise _status_conflict(objection, action)


def _open_effect(ctx: Context, objection: Objection) -> RecordEffect | None:
    return ctx.session.scalar(
        select(RecordEffect).where(
            RecordEffect.kind == "objection",
            RecordEffect.source_type == "objection",
            RecordEffect.source_id == objection.id,
            RecordEffect.ends_on.is_(None),
        )
    )


def _close(ctx: Context, objection: Objection, outcome: str, reason: str) -> None:
    """Close the case (flushed under the version check: ``StaleCase`` if someone else changed it first) and end
    its 异议中 effect today."""
    objection.status = "closed"
    objection.outcome = outcome
    objection.outcome_reason = reason
    objection.closed_on = ctx.today
    objection.overdue = False
    cases.flush_locked(ctx, LABEL)
    effect = _open_effect(ctx, objection)
    if effect is not None:
        effects.close_effect(ctx, effect, ctx.today)


def _notify_applicant(ctx: Context, objection: Objection, kind: str, message: str, key: str) -> None:
    if objection.account_id is None and objection.subject_id is None:
        return  # a console application for an unlinked record: the office informs the applicant on paper
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=objection.id,
        kind=kind,
        message=message,
        dedupe_key=f"objection:{objection.id}:{key}",
        account_id=objection.account_id,
        subject_id=objection.subject_id,
    )


def _notify_handler(ctx: Context, objection: Objection, kind: str, message: str, key: str) -> None:
    """Notify whoever handles the current step: the provider department while verifying, else the office."""
    provider = objection.status == "verifying"
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=objection.id,
        kind=kind,
        message=message,
        dedupe_key=f"objection:{objection.id}:{key}",
        department_id=objection.department_id if provider else None,
        to_office=not provider,
    )


def _record_title(record: CreditRecord) -> str:
    items = load_catalog().items
    name = items[record.item_id].name if record.item_id in items else record.item_id
    return f"{name}“{record.doc_no}”"


# --------------------------------------------------------------------------------------------- submit
def may_submit(ctx: Context) -> None:
    """403 unless the caller may submit an objection at all (before anything is looked up)."""
    if _holds(ctx, "objections.submit"):
        return
    if get_settings().objection_open_to_public and ctx.role != "public":
        return
    require(ctx, "objections.submit")


def _current_record(ctx: Context, record_id: int) -> CreditRecord:
    record = fetch_or_404(
        ctx.session, CreditRecord, record_id, f"信用记录 {record_id} 不存在，请核对记录编号", "record_id"
    )
    newer = aliased(CreditRecord)
    later = ctx.session.scalar(select(newer.id).where(newer.supersedes_id == record.id).limit(1))
    if later is not None:
        raise Conflict(
            f"该记录（编号 {record.id}）已被更正为新版本（编号 {later}），请对当前版本提出异议", code="not_current"
        )
    return record


def _applicant_kind(ctx: Context, record: CreditRecord, shown: bool) -> Literal["subject", "office", "public"]:
    """How the caller applies for ``record``: its own subject, the office on paper, or a member of the public."""
    if ctx.role == "subject":
        if record.subject_id is not None and record.subject_id == ctx.subject_id:
            require_own_subject(ctx, record.subject_id, "objections.submit")
            return "subject"
    elif _holds(ctx, "objections.submit"):
        return "office"
    if get_settings().objection_open_to_public and ctx.role != "public" and shown:
        return "public"
    if get_settings().objection_open_to_public:
        raise PermissionDenied(
            ctx.role, "objections.submit", "该记录不是本主体的记录，也不在双公示公开范围内，不能提出异议"
        )
    raise PermissionDenied(ctx.role, "objections.submit", "该记录不是本主体的信用记录，只能对本主体的记录提出异议")


def _open_on_key(ctx: Context, record: CreditRecord) -> Objection | None:
    return ctx.session.scalar(
        select(Objection)
        .where(
            Objection.item_id == record.item_id,
            Objection.department_id == record.department_id,
            Objection.doc_no == record.doc_no,
            Objection.status.in_(OPEN_STATUSES),
        )
        .order_by(Objection.id)
        .limit(1)
    )


def _applicant_name(ctx: Context, record: CreditRecord, kind: str) -> str:
    if kind != "public":
        return record.subject_name
    account = fetch(ctx.session, Account, ctx.account_id) if ctx.account_id else None
    return account.display_name if account else ctx.actor


@dataclasses.dataclass(frozen=True)
class _Target:
    """A record the caller may object to, and who the applicant is."""

    record: CreditRecord
    kind: Literal["subject", "office", "public"]
    subject_id: int | None
    account_id: int | None


def _target(ctx: Context, record_id: int) -> _Target:
    """The current version ``record_id`` if the caller may object to it (404 / 409 / 403 otherwise)."""
    record = _current_record(ctx, record_id)
    record_state = status.record_status(ctx, record, ctx.today)
    shown = record.item_id in dual_publicity_item_ids() and record_state.code in status.IN_FORCE
    kind = _applicant_kind(ctx, record, shown)
    target = _Target(
        record=record,
        kind=kind,
        subject_id=record.subject_id if kind in ("subject", "office") else None,
        account_id=ctx.account_id if kind in ("subject", "public") else None,
    )
    _refuse_if_open(ctx, target)
    if record_state.code not in status.IN_FORCE:
        raise Conflict(NOT_OBJECTABLE.get(record_state.code, "该记录当前不在异议受理范围内"), code="not_objectable")
    return target


def _refuse_if_open(ctx: Context, target: _Target) -> None:
    """One open objection per record key: a second one by the same applicant is a double submission."""
    existing = _open_on_key(ctx, target.record)
    if existing is None:
        return
    same = (target.subject_id is not None and existing.subject_id == target.subject_id) or (
        target.account_id is not None and existing.account_id == target.account_id
    )
    if same:
        raise Conflict(
            f"您已对该记录提出异议（编号 {existing.id}，{STATUS_LABELS[existing.status]}），请勿重复提交",
            code="duplicate_objection",
        )
    raise Conflict(
        f"该记录已有异议正在处理中（编号 {existing.id}，{STATUS_LABELS[existing.status]}），办结前不能再次提出",
        code="already_objected",
    )


def preview_record(ctx: Context, record_id: int) -> RecordPreview:
    """What the objection form shows about record ``record_id``, after the same checks as ``submit_objection``
    (so a record that cannot be objected to is refused before the form is filled in)."""
    may_submit(ctx)
    target = _target(ctx, record_id)
    record = target.record
    department = ctx.session.get(Department, record.department_id)
    items = load_catalog().items
    return RecordPreview(
        record_id=record.id,
        item_name=items[record.item_id].name if record.item_id in items else record.item_id,
        doc_no=record.doc_no,
        subject_name=display_name(record, unmask_personal=target.kind != "public"),
        department_name=department.name if department else "",
        decided_on=record.decided_on,
        status_label=status.record_status(ctx, record, ctx.today).label,
        on_behalf=target.kind == "office",
    )


def submit_objection(
    ctx: Context,
    record_id: int,
    reasons: str,
    requested_correction: str = "",
    contact: str = "",
    files: Sequence[tuple[str, bytes]] = (),
) -> Objection:
    """Open an objection on the current version of record ``record_id`` with evidence ``files``
    ((filename, content) pairs). The record shows 异议中 from today; the office and the applicant are notified."""
    may_submit(ctx)
    limits = rules().limits
    reasons = _clean(reasons, "异议理由", "reasons", max_len=limits.reasons_max, min_len=limits.reasons_min)
    requested_correction = _clean(
        requested_correction, "更正要求", "requested_correction", max_len=limits.requested_correction_max
    )
    contact = _clean(contact, "联系方式", "contact", max_len=limits.contact_max)
    if len(files) > limits.files_max:
        raise InvalidInput(f"证明材料最多 {limits.files_max} 个，本次 {len(files)} 个", field="files")
    checked = [(cases.check_file(name, content), content) for name, content in files]
    session = ctx.session
    today = ctx.today
    record = _current_record(ctx, record_id)
    # One submission per record key at a time (PostgreSQL; SQLite serialises writers), then every check.
    xact_lock(
        session,
        f"objection:{record.item_id}:{record.department_id}:{record.doc_no}",
        "该记录的另一份异议申请正在提交，请稍后重试",
    )
    target = _target(ctx, record_id)
    kind, subject_id, account_id = target.kind, target.subject_id, target.account_id
    book = rules()
    objection = Objection(
        record_id=record.id,
        item_id=record.item_id,
        department_id=record.department_id,
        doc_no=record.doc_no,
        subject_id=subject_id,
        account_id=account_id,
        applicant_name=_applicant_name(ctx, record, kind)[:200],
        applicant_contact=pii.seal(contact) if contact else "",
        reasons=reasons,
        requested_correction=requested_correction,
        status="submitted",
        accept_due=cases.workday_deadline(session, today, book.workdays("accept")),
        rule_version=book.version,
        submitted_at=ctx.at,
        submitted_on=today,
    )
    session.add(objection)
    session.flush()
    for (name, _), content in checked:
        cases.attach_file(ctx, CASE, objection.id, name, content)
    effects.add_effect(
        ctx, record, "objection", today, source_type="objection", source_id=objection.id, reason="异议申请处理中"
    )
    how = {"subject": "主体本人提出", "office": "区信用办代为登记（书面申请）", "public": "社会公众提出"}[kind]
    cases.log_event(ctx, CASE, objection.id, "submit", None, "submitted", how)
    title = _record_title(record)
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=objection.id,
        kind="task",
        message=f"收到对{title}的异议申请（编号 {objection.id}），"
        f"请于 {objection.accept_due.isoformat()} 前决定是否受理",
        dedupe_key=f"objection:{objection.id}:new",
        to_office=True,
    )
    _notify_applicant(
        ctx,
        objection,
        "received",
        f"已收到您对{title}的异议申请（编号 {objection.id}），将于 {objection.accept_due.isoformat()} 前决定是否受理；"
        "处理期间该记录标注为“异议中”",
        "received",
    )
    session.flush()
    audit.record(
        ctx,
        "objections.submit",
        "objection",
        objection.id,
        {"record_id": record.id, "item": record.item_id, "applicant": kind, "files": len(checked)},
    )
    return objection


# --------------------------------------------------------------------------------------------- the office
def _handled(ctx: Context, objection_id: int, expected_version: int | None, permission: str) -> Objection:
    require(ctx, permission)
    objection = _get(ctx, objection_id)
    cases.check_expected_version(objection.lock_version, expected_version, LABEL)
    return objection


def _audit(ctx: Context, action: str, objection: Objection, **detail: object) -> None:
    audit.record(ctx, f"objections.{action}", "objection", objection.id, {"status": objection.status, **detail})


def accept(ctx: Context, objection_id: int, expected_version: int | None) -> Objection:
    """The office accepts the objection: the platform self-check is due in ``self_check`` working days."""
    objection = _handled(ctx, objection_id, expected_version, "objections.handle")
    _require_status(objection, ("submitted",), "受理")
    due = cases.workday_deadline(ctx.session, ctx.today, rules().workdays("self_check"))  # before any change
    objection.status = "accepted"
    objection.self_check_due = due
    objection.overdue = False
    cases.log_event(ctx, CASE, objection.id, "accept", "submitted", "accepted")
    cases.flush_locked(ctx, LABEL)
    _notify_applicant(
        ctx,
        objection,
        "progress",
        f"您的异议申请（编号 {objection.id}）已受理，正在进行平台自查",
        "accepted",
    )
    _audit(ctx, "accept", objection, self_check_due=objection.self_check_due.isoformat())
    return objection


def refuse(ctx: Context, objection_id: int, reason: str, expected_version: int | None) -> Objection:
    """The office refuses the objection (不予受理) with ``reason``; the record is no longer 异议中."""
    objection = _handled(ctx, objection_id, expected_version, "objections.handle")
    _require_status(objection, ("submitted",), "作出不予受理决定")
    reason = _clean(reason, "不予受理的理由", "reason", max_len=rules().limits.note_max, min_len=1)
    _close(ctx, objection, "refused", reason)
    cases.log_event(ctx, CASE, objection.id, "refuse", "submitted", "closed", reason)
    cases.flush_locked(ctx, LABEL)
    _notify_applicant(
        ctx, objection, "decision", f"您的异议申请（编号 {objection.id}）不予受理。理由：{reason}", "decision"
    )
    _audit(ctx, "refuse", objection, outcome="refused")
    return objection


def self_check(
    ctx: Context, objection_id: int, result: SelfCheck, note: str, expected_version: int | None
) -> Objection:
    """The office's platform self-check: a platform error is fixed at once and the case closed
    (``note`` says what was fixed); otherwise the case goes to the data provider for verification."""
    objection = _handled(ctx, objection_id, expected_version, "objections.handle")
    _require_status(objection, ("accepted",), "进行平台自查")
    if result not in SELF_CHECK_RESULTS:
        raise InvalidInput(
            "自查结论应为 platform_error（平台差错）或 pass_to_provider（转数据提供单位核查）", field="result"
        )
    note_max = rules().limits.note_max
    if result == "platform_error":
        note = _clean(note, "平台更正的内容", "note", max_len=note_max, min_len=1)
        _close(ctx, objection, "platform_fixed", note)
        cases.log_event(ctx, CASE, objection.id, "platform_fixed", "accepted", "closed", note)
        cases.flush_locked(ctx, LABEL)
        _notify_applicant(
            ctx,
            objection,
            "decision",
            f"您的异议申请（编号 {objection.id}）经平台自查属平台差错，已更正：{note}",
            "decision",
        )
        _audit(ctx, "self_check", objection, result=result, outcome="platform_fixed")
        return objection
    note = _clean(note, "自查说明", "note", max_len=note_max)
    due = cases.workday_deadline(ctx.session, ctx.today, rules().workdays("verify"))  # before any change
    objection.status = "verifying"
    objection.verify_due = due
    objection.overdue = False
    cases.log_event(ctx, CASE, objection.id, "hand_over", "accepted", "verifying", note)
    cases.flush_locked(ctx, LABEL)
    record = ctx.session.get(CreditRecord, objection.record_id)
    title = _record_title(record) if record else f"记录“{objection.doc_no}”"
    _notify_handler(
        ctx,
        objection,
        "task",
        f"请核查对{title}的异议（编号 {objection.id}），于 {objection.verify_due.isoformat()} 前反馈核查结果",
        "handover",
    )
    _notify_applicant(
        ctx,
        objection,
        "progress",
        f"您的异议申请（编号 {objection.id}）已转数据提供单位核查，预计 {objection.verify_due.isoformat()} 前反馈",
        "handover",
    )
    _audit(ctx, "self_check", objection, result=result, verify_due=objection.verify_due.isoformat())
    return objection


# --------------------------------------------------------------------------------------------- the provider
def _current_of_key(ctx: Context, objection: Objection) -> CreditRecord:
    record = current_of_key(ctx.session, objection.item_id, objection.department_id, objection.doc_no)
    if record is None:  # pragma: no cover - records are never deleted
        raise NotFound("异议所涉信用记录不存在", field="record_id")
    return record


def _plain(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return pii.unseal(text) if pii.is_sealed(text) else text


def corrected_row(item: DataItem, record: CreditRecord, corrections: Mapping[str, str]) -> dict[str, str]:
    """The record's values in clear (sealed values unsealed, the ID number decrypted), keyed by field key,
    overlaid with ``corrections`` (keys or Chinese labels of the item's fields). ``InvalidInput`` for an unknown
    field, a change of the document number (the record's identity) or a non-text value."""
    data = record.data or {}
    row = {spec.key: _plain(data.get(spec.key)) for spec in item.fields}
    id_key = item.roles.id_number
    if id_key and record.id_cipher:
        row[id_key] = pii.decrypt(record.id_cipher)
    by_label = {spec.label: spec.key for spec in item.fields}
    keys = {spec.key for spec in item.fields}
    for name, value in corrections.items():
        key = name if name in keys else by_label.get(str(name).strip())
        if key is None:
            raise InvalidInput(
                f"“{str(name)[:40]}”不是“{item.name}”的字段，请使用资源目录中的字段名", field="corrected_values"
            )
        spec = item.field(key)
        if not isinstance(value, str):
            raise InvalidInput(f"字段“{spec.label}”的更正值应为文本", field="corrected_values")
        value = _clean(value, f"字段“{spec.label}”的更正值", "corrected_values", max_len=spec.max_length)
        if key == item.roles.document and value != record.doc_no:
            raise InvalidInput(
                f"不能更正“{spec.label}”（记录的唯一标识）；文号有误的，请由数据提供单位撤回原记录后重新报送",
                field="corrected_values",
            )
        row[key] = value
    return row


def _submit_correction(ctx: Context, objection: Objection, corrections: Mapping[str, str]) -> CreditRecord:
    """Load the corrected version through intake on behalf of the provider department (its own validation);
    ``InvalidInput`` with the row's errors when intake rejects it (the caller's savepoint undoes the batch)."""
    from xinyong.intake import service as intake  # intake imports records modules

    if not corrections:
        raise InvalidInput("核查结论为“更正”时须填写更正后的字段值", field="corrected_values")
    current = _current_of_key(ctx, objection)
    item = load_catalog().item(current.item_id)
    row = corrected_row(item, current, corrections)
    # The provider department's correction: intake checks it as that department's submission.
    as_department = dataclasses.replace(
        ctx, role="department_officer", department_id=objection.department_id, subject_id=None, scopes=None
    )
    summary = intake.submit_rows(
        as_department, current.item_id, objection.department_id, [row], channel=CORRECTION_CHANNEL
    )
    if summary.status != "loaded":
        problems = "；".join(f"{e.field}：{e.reason}" if e.field else e.reason for e in summary.errors)
        raise InvalidInput(
            f"更正后的记录未通过校验，未作任何更改：{problems or summary.file_error or '未知原因'}",
            field="corrected_values",
        )
    if summary.accepted == 0:
        raise InvalidInput("更正后的内容与原记录相同，请修改需要更正的字段", field="corrected_values")
    newer = ctx.session.scalar(select(CreditRecord).where(CreditRecord.supersedes_id == current.id))
    if newer is None:  # pragma: no cover - intake supersedes the current version of the key
        raise Conflict("更正后的记录未能取代原记录", code="not_superseded")
    return newer


def verify(
    ctx: Context,
    objection_id: int,
    outcome: Verdict,
    reason: str,
    corrected_values: Mapping[str, str] | None,
    expected_version: int | None,
) -> Objection:
    """The data provider's verification: ``corrected`` loads the corrected values as a new version of the record
    (through intake; a rejected row changes nothing), ``upheld`` keeps it. Either way the case closes."""
    objection = _get(ctx, objection_id)
    require_department(ctx, objection.department_id, "objections.verify")
    cases.check_expected_version(objection.lock_version, expected_version, LABEL)
    _require_status(objection, ("verifying",), "反馈核查结果")
    if outcome not in VERDICTS:
        raise InvalidInput("核查结论应为 corrected（更正）或 upheld（维持）", field="outcome")
    reason = _clean(reason, "核查说明", "reason", max_len=rules().limits.note_max, min_len=1)
    session = ctx.session
    savepoint = session.begin_nested()
    try:
        new_record: CreditRecord | None = None
        if outcome == "corrected":
            new_record = _submit_correction(ctx, objection, corrected_values or {})
            objection.new_record_id = new_record.id
        elif corrected_values:
            raise InvalidInput("核查结论为“维持”时不应填写更正值", field="corrected_values")
        _close(ctx, objection, outcome, reason)
        cases.log_event(ctx, CASE, objection.id, outcome, "verifying", "closed", reason)
        cases.flush_locked(ctx, LABEL)
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    if outcome == "corrected":
        message = f"您的异议申请（编号 {objection.id}）经数据提供单位核查，记录已更正：{reason}"
    else:
        message = f"您的异议申请（编号 {objection.id}）经数据提供单位核查，维持原记录。理由：{reason}"
    _notify_applicant(ctx, objection, "decision", message, "decision")
    _audit(ctx, "verify", objection, outcome=outcome, new_record_id=objection.new_record_id)
    return objection


# --------------------------------------------------------------------------------------------- the applicant
def withdraw(ctx: Context, objection_id: int) -> Objection:
    """The applicant (or the office, for a paper application) withdraws an open objection."""
    objection = _get(ctx, objection_id)
    if _is_applicant(ctx, objection):
        if ctx.role == "subject":
            require_own_subject(ctx, objection.subject_id or 0, "objections.submit")
    elif not _holds(ctx, "objections.handle"):
        raise PermissionDenied(ctx.role, "objections.submit", "只有异议申请人可以撤回异议")
    _require_status(objection, OPEN_STATUSES, "撤回")
    before = objection.status
    handler_status = objection.status
    _close(ctx, objection, "withdrawn", "申请人撤回")
    cases.log_event(ctx, CASE, objection.id, "withdraw", before, "closed")
    cases.flush_locked(ctx, LABEL)
    message = f"异议申请（编号 {objection.id}）已由申请人撤回，无需继续处理"
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=objection.id,
        kind="progress",
        message=message,
        dedupe_key=f"objection:{objection.id}:withdrawn",
        department_id=objection.department_id if handler_status == "verifying" else None,
        to_office=handler_status != "verifying",
    )
    _audit(ctx, "withdraw", objection, outcome="withdrawn")
    return objection


# --------------------------------------------------------------------------------------------- daily job
def flag_overdue(ctx: Context, as_of: date) -> int:
    """Daily-job step: mark each open objection whose current step is past its due date (before ``as_of``)
    overdue, once per step, notifying its handler; queue a reminder for steps due within the reminder window.
    Returns how many flags and reminders were added (0 on a re-run)."""
    require(ctx, "jobs.run")
    session = ctx.session
    book = rules()
    calendar = load_calendar(session)
    changed = 0
    flagged: list[int] = []
    pending = session.scalars(select(Objection).where(Objection.status.in_(OPEN_STATUSES)).order_by(Objection.id))
    for objection in pending.all():
        step, due = step_of(objection), due_of(objection)
        if step is None or due is None:
            continue
        label = STEP_LABELS[step]
        if due < as_of:
            if not objection.overdue:
                flagged.append(objection.id)
                cases.log_event(
                    ctx, CASE, objection.id, "overdue", objection.status, objection.status, f"{label}期限 {due} 已过"
                )
            note = cases.notify(
                ctx,
                case_type=CASE,
                case_id=objection.id,
                kind="overdue",
                message=f"异议（编号 {objection.id}）{label}已超期：期限 {due.isoformat()}，请尽快办理",
                dedupe_key=f"objection:{objection.id}:overdue:{step}",
                department_id=objection.department_id if step == "verify" else None,
                to_office=step != "verify",
            )
            changed += objection.id in flagged or note is not None
            continue
        before = book.reminder.workdays_before
        remind_from = calendar.add_workdays(due, -before) if before else due
        if remind_from <= as_of:
            note = cases.notify(
                ctx,
                case_type=CASE,
                case_id=objection.id,
                kind="reminder",
                message=f"异议（编号 {objection.id}）{label}将于 {due.isoformat()} 到期，请及时办理",
                dedupe_key=f"objection:{objection.id}:reminder:{step}",
                department_id=objection.department_id if step == "verify" else None,
                to_office=step != "verify",
            )
            changed += note is not None
    if flagged:
        # A bulk UPDATE leaves ``lock_version`` alone: the job never makes a handler's open form stale.
        session.execute(
            update(Objection).where(Objection.id.in_(flagged)).values(overdue=True),
            execution_options={"synchronize_session": "fetch"},
        )
    if changed:
        audit.record(ctx, "objections.flag_overdue", "job", as_of.isoformat(), {"overdue": flagged, "changed": changed})
    return changed


# --------------------------------------------------------------------------------------------- reads
def _row_query() -> Select[tuple[Objection, CreditRecord, str]]:
    return (
        select(Objection, CreditRecord, Department.name)
        .join(CreditRecord, CreditRecord.id == Objection.record_id)
        .join(Department, Department.id == Objection.department_id)
    )


def _row(ctx: Context, objection: Objection, record: CreditRecord, department_name: str) -> dict[str, object]:
    items = load_catalog().items
    step = step_of(objection)
    due = due_of(objection)
    return {
        "id": objection.id,
        "status": objection.status,
        "status_label": STATUS_LABELS.get(objection.status, objection.status),
        "outcome": objection.outcome,
        "outcome_label": OUTCOME_LABELS.get(objection.outcome) if objection.outcome else None,
        "record_id": objection.record_id,
        "item_id": objection.item_id,
        "item_name": items[objection.item_id].name if objection.item_id in items else objection.item_id,
        "doc_no": objection.doc_no,
        "department_id": objection.department_id,
        "department_name": department_name,
        "subject_name": display_name(
            record, unmask_personal=_holds(ctx, "records.read") or _is_applicant(ctx, objection)
        ),
        "applicant_name": objection.applicant_name,
        "submitted_on": objection.submitted_on,
        "step": step,
        "step_label": STEP_LABELS.get(step) if step else None,
        "due": due,
        "overdue": due is not None and due < ctx.today,
        "version": objection.lock_version,
    }


def summary(ctx: Context, objection: Objection) -> ObjectionRow:
    """The list row of ``objection`` (for the answer of an action; the caller has just been authorised)."""
    record = ctx.session.get(CreditRecord, objection.record_id)
    department = ctx.session.get(Department, objection.department_id)
    assert record is not None and department is not None  # foreign keys
    return ObjectionRow.model_validate(_row(ctx, objection, record, department.name))


def queue(
    ctx: Context, *, status: str | None = None, overdue_only: bool = False, limit: int = QUEUE_LIMIT
) -> list[ObjectionRow]:
    """A handler's queue, most urgent first: the office sees ``submitted`` and ``accepted`` objections (the console
    operator every open one), a department the ``verifying`` ones of its own department; ``status`` narrows to one
    status (``closed`` for the finished ones); ``overdue_only`` keeps steps past their due date (as of today)."""
    require(ctx, "objections.read")
    if status is not None and status not in STATUS_LABELS:
        raise InvalidInput(f"状态应为 {', '.join(STATUS_LABELS)} 之一", field="status")
    if not 1 <= limit <= QUEUE_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {QUEUE_LIMIT} 之间", field="limit")
    stmt = _row_query()
    if ctx.role == "department_officer":
        if ctx.department_id is None:
            raise PermissionDenied(ctx.role, "objections.read", "只能访问本部门的数据")
        stmt = stmt.where(Objection.department_id == ctx.department_id)
        default = DEPARTMENT_QUEUE
    else:
        default = OPEN_STATUSES if ctx.role == "system" else OFFICE_QUEUE
    stmt = stmt.where(Objection.status == status if status else Objection.status.in_(default))
    if overdue_only:
        stmt = stmt.where(due_expr() < ctx.today)
    rows = ctx.session.execute(stmt.order_by(due_expr().is_(None), due_expr(), Objection.id).limit(limit)).all()
    return [ObjectionRow.model_validate(_row(ctx, o, r, d)) for o, r, d in rows]


def may_read_own(ctx: Context) -> None:
    """403 unless the caller may have applications of its own (a subject, the office, or anyone logged in when
    objections are open to the public)."""
    open_to_public = get_settings().objection_open_to_public and ctx.role != "public"
    if not _holds(ctx, "lifecycle.read_own") and not open_to_public:
        require(ctx, "lifecycle.read_own")


def my_objections(ctx: Context) -> list[ObjectionRow]:
    """The caller's own applications, newest first: a subject's (its own and the office's paper ones on its
    behalf), or a logged-in member of the public's when objections are open to the public."""
    may_read_own(ctx)
    mine: list[ColumnElement[bool]] = []
    if ctx.account_id is not None:
        mine.append(Objection.account_id == ctx.account_id)
    if ctx.role == "subject" and ctx.subject_id is not None:
        mine.append(Objection.subject_id == ctx.subject_id)
    if not mine:
        return []
    rows = ctx.session.execute(_row_query().where(or_(*mine)).order_by(Objection.id.desc()).limit(QUEUE_LIMIT)).all()
    return [ObjectionRow.model_validate(_row(ctx, o, r, d)) for o, r, d in rows]


def _readable(ctx: Context, objection_id: int) -> Objection:
    """The objection if the caller is its applicant or one of its handlers (403 otherwise)."""
    objection = _get(ctx, objection_id)
    if not _is_applicant(ctx, objection):
        require_department(ctx, objection.department_id, "objections.read")
    return objection


def _mask_contact(plain: str) -> str:
    masked = audit.scrub_text(plain)
    return masked if masked != plain else pii.mask_phone(plain)


def _actions(ctx: Context, objection: Objection) -> list[str]:
    can: list[str] = []
    handle = _holds(ctx, "objections.handle")
    if objection.status == "submitted" and handle:
        can += ["accept", "refuse"]
    if objection.status == "accepted" and handle:
        can.append("self_check")
    if objection.status == "verifying":
        try:
            require_department(ctx, objection.department_id, "objections.verify")
            can.append("verify")
        except PermissionDenied:
            pass
    if objection.status in OPEN_STATUSES and (_is_applicant(ctx, objection) or handle):
        can.append("withdraw")
    return can


def objection_detail(ctx: Context, objection_id: int) -> ObjectionDetail:
    """One objection for its applicant or a handler: the application, deadlines, decision, history and files
    (without content); the contact in clear for the credit office only. The read is audited."""
    objection = _readable(ctx, objection_id)
    session = ctx.session
    record = session.get(CreditRecord, objection.record_id)
    department = session.get(Department, objection.department_id)
    assert record is not None and department is not None  # foreign keys
    contact = _plain(objection.applicant_contact)
    reveal = _holds(ctx, "objections.handle")
    history = cases.history_out(session, CASE, objection.id, ACTION_LABELS)
    files = cases.files_out(session, CASE, objection.id)
    detail = ObjectionDetail(
        **_row(ctx, objection, record, department.name),  # type: ignore[arg-type]
        reasons=objection.reasons,
        requested_correction=objection.requested_correction,
        contact=contact if reveal or not contact else _mask_contact(contact),
        outcome_reason=objection.outcome_reason,
        new_record_id=objection.new_record_id,
        accept_due=objection.accept_due,
        self_check_due=objection.self_check_due,
        verify_due=objection.verify_due,
        closed_on=objection.closed_on,
        rule_version=objection.rule_version,
        history=history,
        files=files,
        actions=_actions(ctx, objection),
    )
    audit.record_read(ctx, "objection", objection.id, {"contact_revealed": bool(reveal and contact)})
    return detail


def case_file_content(ctx: Context, objection_id: int, file_id: int) -> CaseFile:
    """One evidence file of the objection, with its content, for its applicant or a handler (audited)."""
    objection = _readable(ctx, objection_id)
    row = fetch(ctx.session, CaseFile, file_id)
    if row is None or row.case_type != CASE or row.case_id != objection.id:
        raise NotFound(f"异议 {objection.id} 没有编号为 {file_id} 的材料", field="file_id")
    audit.record_read(ctx, "case_file", row.id, {"objection_id": objection.id, "sha256": row.sha256})
    return row


def open_objection_of(ctx: Context, record: CreditRecord) -> Objection | None:
    """The open objection on ``record``'s natural key, if any (for record pages; no permission check)."""
    return _open_on_key(ctx, record)
