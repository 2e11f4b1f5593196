"""信用修复 (credit repair): eligibility, applications with materials and a 信用修复型 commitment, the deciding
department's review on working-day deadlines, the decision through the one effect path, and external lists
routed to their authorities and tracked here ("一站式信用修复").

Rules (``rules/repair.yaml``, rules.md §4, NDRC Order 36): a record may be repaired when its item is negative
(失信信息), it belongs to the applicant, it is in force (公示中: not pending, expired, repaired, revoked, not
published at all, and not under objection — wait for the objection to close), its minimum publicity period has
passed (``as_of > publicity_min_end`` for items where the minimum period applies), and no application for it is
open. The applicant states how the obligations were performed, uploads the materials and signs the commitment.

Flow of a platform record (谁认定、谁修复: the record's ``department_id`` decides):
``submitted`` → ``accepted`` → ``granted`` | ``rejected``; ``submitted`` → ``refused`` (incomplete materials).
Deadlines in working days: accept within ``accept_workdays`` of submission, decide within ``decide_workdays`` of
acceptance, one extension of ``extension.workdays``. A grant adds one ``repaired`` effect (``records.effects``)
from the decision day: from then the record's status is 已修复 everywhere (public pages, staff views, evaluation,
lists, reports), earlier days keep showing what was shown then.

External lists: ``routed`` → ``in_progress`` → ``granted`` | ``rejected``, recorded by the credit office.

Every action checks permission, validates, writes, appends one case event, queues notifications and one audit
event; handler actions carry the version the handler saw (optimistic locking: ``cases.StaleCase``). Nothing
here commits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, update
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, allowed, require, require_department, require_own_subject
from xinyong.calendar import load_calendar
from xinyong.catalog.items import DataItem, UnknownItem, load_catalog
from xinyong.db.base import MAX_ID, fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.intake.load import xact_lock
from xinyong.records import cases, commitments, effects
from xinyong.records import status as publicity
from xinyong.records.models import CaseFile, Commitment, CreditRecord, RecordEffect, RepairApplication
from xinyong.records.publication import current_of_key, current_version
from xinyong.records.repair_rules import ExternalList, RepairRules, repair_rules
from xinyong.records.repair_schemas import (
    ACTION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    CommitmentOut,
    Condition,
    Eligibility,
    MaterialOut,
    RepairDetail,
    RepairPage,
    RepairRow,
)
from xinyong.subjects.models import Department, Subject

CASE = "repair"
LABEL = "该信用修复申请"
TARGET = "repair_application"
FileIn = tuple[str, bytes]

# Statuses of an application that is still being handled.
OPEN_RECORD = ("submitted", "accepted")
OPEN_EXTERNAL = ("routed", "in_progress")
OPEN = OPEN_RECORD + OPEN_EXTERNAL
EXTERNAL_RESULTS = ("granted", "rejected", "in_progress")

OBLIGATIONS_MAX = 2000
COMMITMENT_MAX = 4000  # rules/commitments.yaml text_max_length
REASON_MAX = 2000
SIGNER_MAX = 64
REF_MAX = 200
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 100_000

CONDITION_LABELS = {
    "subject": "记录已关联信用主体",
    "own": "属于申请主体本身的记录",
    "negative": "属于失信（负面）信息",
    "in_force": "记录正在公示中",
    "min_period": "最短公示期已届满",
    "no_open_application": "没有正在办理的修复申请",
}
_STATUS_REASONS = {
    "objected": "该记录正在异议处理中，请待异议办结后再申请信用修复",
    "repaired": "该记录已完成信用修复，无需再次申请",
    "expired": "该记录公示期已届满、已停止公示，无需申请信用修复",
    "revoked": "该记录所依据的决定已被撤销，无需申请信用修复",
    "pending": "该记录尚未到公示日",
    "unpublished": "该记录依规不予公示，无需申请信用修复",
}


# --------------------------------------------------------------------------------------------- inputs
def _text(value: str | None, field: str, label: str, max_len: int, *, required: bool = True) -> str:
    """A stripped free-text value without control characters (newlines and tabs kept)."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"请填写{label}", field=field)
    if len(text) > max_len:
        raise InvalidInput(f"{label}过长（最多 {max_len} 字）", field=field)
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\r\t" for ch in text):
        raise InvalidInput(f"{label}含有不可见的控制字符", field=field)
    return text


def _check_files(rules: RepairRules, files: Sequence[FileIn]) -> list[FileIn]:
    """Every file checked (type by content, size) before anything is written."""
    if len(files) > rules.application.max_files:
        raise InvalidInput(f"每份申请最多上传 {rules.application.max_files} 个材料文件", field="files")
    for name, content in files:
        cases.check_file(name, content)
    return list(files)


def _grants(ctx: Context, permission: str) -> bool:
    """Whether the context's role and token scopes grant ``permission`` (no exception)."""
    return allowed(ctx.role, permission) and (ctx.scopes is None or permission in ctx.scopes)


def _require_any(ctx: Context, *permissions: str) -> None:
    """403 unless one of ``permissions`` is granted (checked before looking anything up)."""
    if not any(_grants(ctx, p) for p in permissions):
        require(ctx, permissions[0])


def _item(item_id: str) -> DataItem | None:
    try:
        return load_catalog().item(item_id)
    except UnknownItem:
        return None


def _department_name(session: Session, department_id: int | None) -> str:
    department = session.get(Department, department_id) if department_id else None
    return department.name if department else ""


def _current(session: Session, record: CreditRecord) -> CreditRecord:
    """The current version of ``record``'s natural key (a correction loaded later replaces it)."""
    newest = current_of_key(session, record.item_id, record.department_id, record.doc_no)
    return newest or record


def _record_or_404(ctx: Context, record_id: int) -> CreditRecord:
    record = fetch_or_404(ctx.session, CreditRecord, record_id, "未找到该信用记录", "record_id")
    return _current(ctx.session, record)


def _status_of(session: Session, record: CreditRecord, as_of: date) -> str:
    """The record's publicity status code on ``as_of`` (records.status, the same SQL every reader uses)."""
    return session.scalar(select(publicity.status_expr(as_of)).where(CreditRecord.id == record.id)) or "published"


def _open_application(session: Session, record: CreditRecord) -> int | None:
    return session.scalar(
        select(RepairApplication.id)
        .where(
            RepairApplication.item_id == record.item_id,
            RepairApplication.department_id == record.department_id,
            RepairApplication.doc_no == record.doc_no,
            RepairApplication.status.in_(OPEN_RECORD),
        )
        .limit(1)
    )


def _commitment_template(rules: RepairRules, record: CreditRecord, item_name: str, department: str) -> tuple[str, str]:
    values = {
        "subject_name": record.subject_name,
        "item_name": item_name,
        "doc_no": record.doc_no,
        "department_name": department,
    }
    return rules.commitment.matter.format(**values)[:200], rules.commitment.text.format(**values)


# --------------------------------------------------------------------------------------------- eligibility
def _may_check(ctx: Context, record: CreditRecord) -> bool:
    """Permission to check a record's eligibility; True when the reader applies (subject / office), False when
    it is a handler of the record's department."""
    if _grants(ctx, "repairs.apply"):
        return True
    require_department(ctx, record.department_id, "repairs.read")
    return False


def _eligibility(ctx: Context, record: CreditRecord, as_of: date, *, own: bool) -> Eligibility:
    session = ctx.session
    rules = repair_rules()
    conditions: list[Condition] = []

    def add(code: str, met: bool, reason: str) -> None:
        conditions.append(Condition(code=code, label=CONDITION_LABELS[code], met=met, reason="" if met else reason))

    if not own:  # another subject's record: say so, show nothing about it
        add("own", False, "该记录不属于本主体，只能为本主体的信用记录申请信用修复")
        return Eligibility(
            record_id=record.id,
            as_of=as_of,
            eligible=False,
            conditions=conditions,
            reasons=[c.reason for c in conditions],
            rule_version=rules.version,
        )
    item = _item(record.item_id)
    item_name = item.name if item else record.item_id
    item_rule = rules.item(record.item_id)
    department = _department_name(session, record.department_id)
    code = _status_of(session, record, as_of)
    add("subject", record.subject_id is not None, "该记录尚未关联到已登记的信用主体，请先联系区信用办核实主体信息")
    add("negative", bool(item and item.negative), f"“{item_name}”不属于失信信息，无需申请信用修复")
    add("in_force", code == "published", _STATUS_REASONS.get(code, "该记录当前不在公示中"))
    min_end = record.publicity_min_end if item_rule.min_period else None
    if min_end is not None:
        add(
            "min_period",
            as_of > min_end,
            f"最短公示期至 {min_end.isoformat()} 届满，{_next_day(min_end)} 起方可申请信用修复",
        )
    open_id = _open_application(session, record)
    add("no_open_application", open_id is None, f"该记录已有正在办理的信用修复申请（编号 {open_id}），请勿重复提交")
    matter, text = _commitment_template(rules, record, item_name, department)
    return Eligibility(
        record_id=record.id,
        as_of=as_of,
        eligible=all(c.met for c in conditions),
        conditions=conditions,
        reasons=[c.reason for c in conditions if not c.met],
        item_id=record.item_id,
        item_name=item_name,
        doc_no=record.doc_no,
        decided_on=record.decided_on,
        department_id=record.department_id,
        department_name=department,
        subject_id=record.subject_id,
        subject_name=record.subject_name,
        status=code,
        status_label=publicity.STATUS_LABELS.get(code, code),
        min_end=min_end,
        materials=[MaterialOut(name=m.name, hint=m.hint, required=m.required) for m in item_rule.materials],
        commitment_matter=matter,
        commitment_text=text,
        open_application_id=open_id,
        rule_version=rules.version,
    )


def _next_day(day: date) -> str:
    return date.fromordinal(day.toordinal() + 1).isoformat()


def check_eligibility(ctx: Context, record_id: int, as_of: date | None = None) -> Eligibility:
    """Whether ``record_id`` may be repaired on ``as_of`` (default today), with a Chinese reason for each unmet
    condition. Subjects check their own records (another subject's record only says it is not theirs); the
    credit office any record; a department officer its own department's records."""
    _require_any(ctx, "repairs.apply", "repairs.read")
    record = _record_or_404(ctx, record_id)
    applies = _may_check(ctx, record)
    own = not (applies and ctx.role == "subject" and ctx.subject_id != record.subject_id)
    return _eligibility(ctx, record, as_of or ctx.today, own=own)


# --------------------------------------------------------------------------------------------- applying
def require_applicant(ctx: Context) -> None:
    """403 unless the context may apply at all (a subject, or the credit office on paper)."""
    require(ctx, "repairs.apply")


def may_apply_for(ctx: Context, record_id: int) -> None:
    """403 unless the context may apply for the repair of ``record_id`` (404 when there is no such record):
    the record's own subject, or the credit office. Routers call it before reading an upload."""
    require(ctx, "repairs.apply")
    record = _record_or_404(ctx, record_id)
    if record.subject_id is not None:
        require_own_subject(ctx, record.subject_id, "repairs.apply")


def may_apply_external(ctx: Context, subject_id: int) -> None:
    """403 unless the context may apply for ``subject_id`` (the subject itself, or the credit office)."""
    require_own_subject(ctx, subject_id, "repairs.apply")


def apply_for_repair(
    ctx: Context,
    record_id: int,
    obligations: str,
    commitment_text: str,
    signer_name: str,
    files: Sequence[FileIn] = (),
) -> RepairApplication:
    """A subject applies for the repair of its own record (or the credit office enters a paper application).

    Checks eligibility on ``ctx.today`` (422 with every reason; 409 when an application is already open or the
    record is under objection), the statement and the materials, signs the 信用修复型 commitment
    (``commitments.sign_commitment``), routes the application to the record's department with its acceptance
    due date, stores the files and notifies the department and the applicant."""
    session = ctx.session
    may_apply_for(ctx, record_id)
    record = _record_or_404(ctx, record_id)
    rules = repair_rules()
    obligations_text = _text(obligations, "obligations", "履行法定义务情况说明", OBLIGATIONS_MAX)
    text = _text(commitment_text, "commitment_text", "信用修复承诺内容", COMMITMENT_MAX)
    signer = _text(signer_name, "signer_name", "承诺人（签署人）姓名", SIGNER_MAX)
    checked = _check_files(rules, files)
    item_rule = rules.item(record.item_id)
    if item_rule.required_materials and not checked:
        names = "、".join(m.name for m in item_rule.required_materials)
        raise InvalidInput(f"请上传证明材料：{names}", field="files")
    # One application at a time per record: concurrent submissions wait here (PostgreSQL; SQLite serialises).
    xact_lock(
        session,
        f"repair:{record.item_id}:{record.department_id}:{record.doc_no}",
        "该记录的另一份信用修复申请正在提交，请稍后刷新查看",
    )
    today = ctx.today
    verdict = _eligibility(ctx, record, today, own=True)
    if not verdict.eligible:
        unmet = {c.code for c in verdict.conditions if not c.met}
        message = "；".join(verdict.reasons)
        if unmet & {"no_open_application"} or (unmet == {"in_force"} and verdict.status == "objected"):
            raise Conflict(message)
        raise InvalidInput(message, field="record_id")
    assert record.subject_id is not None  # the "subject" condition
    # before anything is written: a deadline in a year the calendar does not cover refuses the application
    accept_due = cases.workday_deadline(session, today, rules.deadlines.accept_workdays)
    subject = session.get(Subject, record.subject_id)
    commitment = commitments.sign_commitment(
        ctx,
        subject_id=record.subject_id,
        kind="repair",
        department_id=record.department_id,
        matter=verdict.commitment_matter,
        text=text,
        signer_name=signer,
    )
    app = RepairApplication(
        record_id=record.id,
        item_id=record.item_id,
        department_id=record.department_id,
        doc_no=record.doc_no,
        external_ref="",
        external_authority="",
        subject_id=record.subject_id,
        account_id=ctx.account_id,
        applicant_name=(subject.name if subject else record.subject_name)[:200],
        commitment_id=commitment.id,
        obligations=obligations_text,
        status="submitted",
        decision_reason="",
        accept_due=accept_due,
        overdue=False,
        rule_version=rules.version,
        submitted_at=ctx.at,
        submitted_on=today,
    )
    session.add(app)
    session.flush()
    for name, content in checked:
        cases.attach_file(ctx, CASE, app.id, name, content)
    channel = "本人在线申请" if ctx.role == "subject" else "区信用办代为登记（纸质申请）"
    cases.log_event(ctx, CASE, app.id, "submit", None, "submitted", f"{channel}；材料 {len(checked)} 份")
    where = f"{verdict.item_name}（文书号 {record.doc_no}）"
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=app.id,
        kind="received",
        department_id=record.department_id,
        message=f"收到{app.applicant_name}对{where}的信用修复申请（编号 {app.id}），"
        f"请于 {app.accept_due} 前受理或告知补正材料",
        dedupe_key=f"repair:{app.id}:received:department",
    )
    _notify_applicant(
        ctx,
        app,
        "received",
        f"您对{where}的信用修复申请（编号 {app.id}）已提交，由{verdict.department_name}办理，"
        f"将于 {app.accept_due} 前受理",
    )
    session.flush()
    audit.record(
        ctx,
        "repairs.apply",
        TARGET,
        app.id,
        {
            "record_id": record.id,
            "item_id": record.item_id,
            "department_id": record.department_id,
            "subject_id": record.subject_id,
            "commitment_id": commitment.id,
            "files": len(checked),
            "accept_due": app.accept_due.isoformat() if app.accept_due else None,
            "rule_version": rules.version,
        },
    )
    return app


def _notify_applicant(ctx: Context, app: RepairApplication, kind: str, message: str, step: str = "") -> None:
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=app.id,
        kind=kind,
        subject_id=app.subject_id,
        account_id=app.account_id,
        message=message,
        dedupe_key=f"repair:{app.id}:{step or kind}:applicant",
    )


# --------------------------------------------------------------------------------------------- external lists
def external_list(key: str) -> ExternalList:
    """The external list ``key`` of the rulebook; ``InvalidInput`` naming the known lists otherwise."""
    lists = repair_rules().external_lists
    if key not in lists:
        known = "、".join(f"{k}（{v.name}）" for k, v in lists.items())
        raise InvalidInput(f"未知的外部名单：{key}；可选：{known}", field="external_list")
    return lists[key]


def apply_external(
    ctx: Context,
    subject_id: int,
    external_list_key: str,
    external_ref: str,
    obligations: str,
    files: Sequence[FileIn] = (),
) -> RepairApplication:
    """A repair application for an entry on a list another authority keeps (court 失信被执行人, customs, tax,
    market supervision), taken by the platform and routed to that authority ("一站式"): status ``routed``, with
    the authority and channel from the rulebook and a follow-up date for the credit office.

    The external authority decides; its answer is recorded with ``record_external_result``. Nothing here or there
    changes the platform's own records: no effect is written."""
    session = ctx.session
    may_apply_external(ctx, subject_id)
    subject = fetch_or_404(session, Subject, subject_id, "未找到该信用主体", "subject_id")
    rules = repair_rules()
    listed = external_list(external_list_key)
    ref = _text(external_ref, "external_ref", "名单信息编号（如案号、文书号）", REF_MAX)
    obligations_text = _text(obligations, "obligations", "履行法定义务情况说明", OBLIGATIONS_MAX)
    checked = _check_files(rules, files)
    xact_lock(session, f"repair:external:{subject_id}:{external_list_key}", "另一份申请正在提交，请稍后刷新查看")
    duplicate = session.scalar(
        select(RepairApplication.id).where(
            RepairApplication.subject_id == subject_id,
            RepairApplication.external_list == external_list_key,
            RepairApplication.external_ref == ref,
            RepairApplication.status.in_(OPEN_EXTERNAL),
        )
    )
    if duplicate is not None:
        raise Conflict(f"该名单信息已有正在办理的信用修复申请（编号 {duplicate}），请勿重复提交")
    today = ctx.today
    follow_up = cases.workday_deadline(session, today, listed.follow_up_workdays)
    app = RepairApplication(
        external_list=external_list_key,
        external_ref=ref,
        external_authority=listed.authority,
        subject_id=subject_id,
        account_id=ctx.account_id,
        applicant_name=subject.name[:200],
        obligations=obligations_text,
        status="routed",
        decision_reason="",
        decide_due=follow_up,
        overdue=False,
        rule_version=rules.version,
        submitted_at=ctx.at,
        submitted_on=today,
    )
    session.add(app)
    session.flush()
    for name, content in checked:
        cases.attach_file(ctx, CASE, app.id, name, content)
    cases.log_event(ctx, CASE, app.id, "route", None, "routed", f"转至{listed.authority}；渠道：{listed.channel}")
    cases.notify(
        ctx,
        case_type=CASE,
        case_id=app.id,
        kind="received",
        to_office=True,
        message=f"{subject.name}申请修复{listed.name}信息（{ref}，编号 {app.id}），请转{listed.authority}并于 "
        f"{app.decide_due} 前跟进办理结果",
        dedupe_key=f"repair:{app.id}:received:office",
    )
    _notify_applicant(
        ctx,
        app,
        "received",
        f"您对{listed.name}信息（{ref}）的信用修复申请（编号 {app.id}）已转办{listed.authority}。{listed.channel}",
    )
    session.flush()
    audit.record(
        ctx,
        "repairs.apply_external",
        TARGET,
        app.id,
        {"subject_id": subject_id, "external_list": external_list_key, "files": len(checked)},
    )
    return app


def record_external_result(
    ctx: Context, app_id: int, result: str, note: str, expected_version: int | None
) -> RepairApplication:
    """The credit office records the external authority's progress: ``in_progress`` (still being handled) or
    its decision ``granted`` / ``rejected``, with a note; the applicant is told. No effect on platform records
    (the list belongs to the external authority)."""
    require(ctx, "repairs.route_external")
    app = _app_or_404(ctx, app_id)
    if app.external_list is None:
        raise Conflict("这是本平台信用记录的修复申请，应由认定部门作出决定")
    cases.check_expected_version(app.lock_version, expected_version, LABEL)
    if result not in EXTERNAL_RESULTS:
        raise InvalidInput(
            "办理结果应为 granted（准予修复）、rejected（不予修复）或 in_progress（办理中）", field="result"
        )
    text = _text(note, "note", "办理情况说明", REASON_MAX)
    if app.status not in OPEN_EXTERNAL:
        raise Conflict(f"该申请已办结（{STATUS_LABELS.get(app.status, app.status)}），不能再登记办理结果")
    before = app.status
    listed = repair_rules().external_lists.get(app.external_list)
    name = listed.name if listed else app.external_list
    app.status = result
    if result == "in_progress":
        message = f"您对{name}信息的信用修复申请（编号 {app.id}）正在{app.external_authority}办理：{text}"
    else:
        app.decided_on = ctx.today
        app.decision_reason = text
        verdict = "准予修复" if result == "granted" else "不予修复"
        message = f"{app.external_authority}对您的{name}信息修复申请（编号 {app.id}）作出决定：{verdict}。{text}"
    app.overdue = False
    cases.flush_locked(ctx, LABEL)
    cases.log_event(ctx, CASE, app.id, "external_result", before, result, text)
    _notify_applicant(ctx, app, "decision", message, step=f"external:{app.lock_version}")
    audit.record(ctx, "repairs.external_result", TARGET, app.id, {"from": before, "to": result})
    return app


# --------------------------------------------------------------------------------------------- handling
def _app_or_404(ctx: Context, app_id: int) -> RepairApplication:
    return fetch_or_404(ctx.session, RepairApplication, app_id, "未找到该信用修复申请", "id")


def _handled(ctx: Context, app_id: int, expected_version: int | None, *stages: str) -> RepairApplication:
    """The application, if the context is its deciding department (or the credit office), the version matches
    what the handler saw, and it is at one of ``stages``."""
    require(ctx, "repairs.decide")
    app = _app_or_404(ctx, app_id)
    if app.external_list is not None:
        raise Conflict("外部名单的信用修复由其认定机关决定，请登记外部办理结果")
    require_department(ctx, app.department_id, "repairs.decide")
    cases.check_expected_version(app.lock_version, expected_version, LABEL)
    if app.status not in stages:
        raise Conflict(f"该申请当前状态为“{STATUS_LABELS.get(app.status, app.status)}”，不能执行此操作")
    return app


def _where(ctx: Context, app: RepairApplication) -> str:
    item = _item(app.item_id or "")
    return f"{item.name if item else app.item_id}（文书号 {app.doc_no}）"


def accept(ctx: Context, app_id: int, expected_version: int | None, note: str = "") -> RepairApplication:
    """The deciding department accepts a complete application; the decision is due ``decide_workdays`` working
    days later."""
    app = _handled(ctx, app_id, expected_version, "submitted")
    text = _text(note, "note", "受理意见", REASON_MAX, required=False)
    # computed before any attribute changes: the calendar query would autoflush a half-changed row
    decide_due = cases.workday_deadline(ctx.session, ctx.today, repair_rules().deadlines.decide_workdays)
    app.status = "accepted"
    app.decide_due = decide_due
    app.overdue = False
    cases.flush_locked(ctx, LABEL)
    cases.log_event(ctx, CASE, app.id, "accept", "submitted", "accepted", text)
    _notify_applicant(
        ctx,
        app,
        "accepted",
        f"您对{_where(ctx, app)}的信用修复申请（编号 {app.id}）已受理，将于 {app.decide_due} 前作出决定",
    )
    audit.record(ctx, "repairs.accept", TARGET, app.id, {"decide_due": app.decide_due.isoformat()})
    return app


def refuse(ctx: Context, app_id: int, reason: str, expected_version: int | None) -> RepairApplication:
    """Not accepted (e.g. incomplete materials), with the reason; the applicant may apply again."""
    app = _handled(ctx, app_id, expected_version, "submitted")
    text = _text(reason, "reason", "不予受理的理由", REASON_MAX)
    return _close(ctx, app, "refused", "refuse", text, "不予受理")


def reject(ctx: Context, app_id: int, reason: str, expected_version: int | None) -> RepairApplication:
    """Repair refused after review, with the reason; the record stays published."""
    app = _handled(ctx, app_id, expected_version, "accepted")
    text = _text(reason, "reason", "不予修复的理由", REASON_MAX)
    return _close(ctx, app, "rejected", "reject", text, "不予修复")


def _close(ctx: Context, app: RepairApplication, to: str, action: str, text: str, verdict: str) -> RepairApplication:
    before = app.status
    app.status = to
    app.decision_reason = text
    app.decided_on = ctx.today
    app.overdue = False
    cases.flush_locked(ctx, LABEL)
    cases.log_event(ctx, CASE, app.id, action, before, to, text)
    _notify_applicant(
        ctx, app, "decision", f"您对{_where(ctx, app)}的信用修复申请（编号 {app.id}）：{verdict}。理由：{text}"
    )
    audit.record(ctx, f"repairs.{action}", TARGET, app.id, {"from": before, "to": to})
    return app


def extensions_used(session: Session, app_id: int) -> int:
    """How often the decision deadline of ``app_id`` was extended."""
    return len([e for e in cases.case_history(session, CASE, app_id) if e.action == "extend"])


def extend(ctx: Context, app_id: int, reason: str, expected_version: int | None) -> RepairApplication:
    """Extend the decision deadline by ``extension.workdays`` working days, at most ``max_extensions`` times."""
    app = _handled(ctx, app_id, expected_version, "accepted")
    text = _text(reason, "reason", "延期理由", REASON_MAX)
    rules = repair_rules()
    if extensions_used(ctx.session, app.id) >= rules.extension.max_extensions:
        raise Conflict(f"审核期限最多延长 {rules.extension.max_extensions} 次，已不能再延期")
    before_due = app.decide_due or ctx.today
    new_due = cases.workday_deadline(ctx.session, before_due, rules.extension.workdays)
    app.decide_due = new_due
    app.overdue = False
    cases.flush_locked(ctx, LABEL)
    cases.log_event(ctx, CASE, app.id, "extend", "accepted", "accepted", f"{before_due} → {app.decide_due}：{text}")
    _notify_applicant(
        ctx,
        app,
        "extended",
        f"您的信用修复申请（编号 {app.id}）审核期限延长至 {app.decide_due}。理由：{text}",
        step=f"extend:{app.decide_due}",
    )
    audit.record(
        ctx,
        "repairs.extend",
        TARGET,
        app.id,
        {"from": before_due.isoformat(), "to": app.decide_due.isoformat()},
    )
    return app


def grant(ctx: Context, app_id: int, reason: str, expected_version: int | None) -> RepairApplication:
    """Repair granted: one ``repaired`` effect on the record's key from today (the one effect path). From that
    day the record is 已修复: off the public pages, shown as repaired to staff, out of evaluation, lists and
    reports; the days before keep their history."""
    app = _handled(ctx, app_id, expected_version, "accepted")
    text = _text(reason, "reason", "准予修复的理由", REASON_MAX)
    session = ctx.session
    record = fetch(session, CreditRecord, app.record_id or 0)
    if record is None:
        raise NotFound("该申请对应的信用记录不存在", field="record_id")
    record = _current(session, record)
    ended = session.scalar(
        select(RecordEffect.kind)
        .where(
            RecordEffect.item_id == record.item_id,
            RecordEffect.department_id == record.department_id,
            RecordEffect.doc_no == record.doc_no,
            RecordEffect.kind.in_(("repaired", "revoked")),
            RecordEffect.starts_on <= ctx.today,
        )
        .limit(1)
    )
    if ended is not None:
        what = "已修复" if ended == "repaired" else "所依据的决定已被撤销"
        raise Conflict(f"该记录{what}，无需再准予修复，请作出不予修复决定并说明情况")
    app.status = "granted"
    app.decision_reason = text
    app.decided_on = ctx.today
    app.overdue = False
    cases.flush_locked(ctx, LABEL)
    effect = effects.add_effect(ctx, record, "repaired", ctx.today, source_type="repair", source_id=app.id, reason=text)
    cases.log_event(ctx, CASE, app.id, "grant", "accepted", "granted", text)
    if app.commitment_id is not None:
        # The 信用修复型 commitment backing the application is settled by the decision (rules/commitments.yaml:
        # verified when the repair is decided); a refused or rejected application leaves it unsettled.
        commitments.verify_commitment(ctx, app.commitment_id, "kept", f"信用修复申请（编号 {app.id}）准予修复：{text}")
    _notify_applicant(
        ctx,
        app,
        "decision",
        f"您对{_where(ctx, app)}的信用修复申请（编号 {app.id}）：准予修复，自 {ctx.today} 起停止公示。理由：{text}",
    )
    audit.record(
        ctx,
        "repairs.grant",
        TARGET,
        app.id,
        {"record_id": record.id, "effect_id": effect.id, "starts_on": ctx.today.isoformat()},
    )
    return app


# --------------------------------------------------------------------------------------------- reading
def _stage_due() -> ColumnElement[date | None]:
    return case(
        (RepairApplication.status == "submitted", RepairApplication.accept_due),
        (RepairApplication.status.in_(("accepted", *OPEN_EXTERNAL)), RepairApplication.decide_due),
        else_=None,
    )


def stage_due(app: RepairApplication) -> date | None:
    """Due date of the stage the application is at (None when closed)."""
    if app.status == "submitted":
        return app.accept_due
    if app.status in ("accepted", *OPEN_EXTERNAL):
        return app.decide_due
    return None


def _overdue_condition(today: date) -> ColumnElement[bool]:
    return or_(
        RepairApplication.overdue,
        and_(RepairApplication.status.in_(OPEN), _stage_due() < today),
    )


def _row(session: Session, app: RepairApplication, today: date, names: dict[int, str]) -> RepairRow:
    item = _item(app.item_id) if app.item_id else None
    listed = repair_rules().external_lists.get(app.external_list) if app.external_list else None
    due = stage_due(app)
    if app.department_id is not None and app.department_id not in names:
        names[app.department_id] = _department_name(session, app.department_id)
    handler = app.external_authority if app.external_list else names.get(app.department_id or 0, "")
    kind = "external" if app.external_list else "record"
    return RepairRow(
        id=app.id,
        kind=kind,
        kind_label=KIND_LABELS[kind],
        subject_id=app.subject_id,
        applicant_name=app.applicant_name,
        record_id=app.record_id,
        item_id=app.item_id,
        item_name=item.name if item else app.item_id,
        doc_no=app.doc_no,
        department_id=app.department_id,
        handler=handler,
        external_list=app.external_list,
        external_list_name=listed.name if listed else app.external_list,
        external_ref=app.external_ref,
        status=app.status,
        status_label=STATUS_LABELS.get(app.status, app.status),
        submitted_on=app.submitted_on,
        accept_due=app.accept_due,
        decide_due=app.decide_due,
        due=due,
        overdue=bool(app.overdue or (due is not None and due < today)),
        decided_on=app.decided_on,
        lock_version=app.lock_version,
    )


def summary(ctx: Context, app: RepairApplication) -> RepairRow:
    """The queue row of ``app`` (what an action answers with; the caller has just acted on it)."""
    return _row(ctx.session, app, ctx.today, {})


def _page(ctx: Context, stmt: Select[tuple[RepairApplication]], offset: int, limit: int) -> RepairPage:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {MAX_LIMIT} 之间", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"分页位置应在 0 到 {MAX_OFFSET} 之间", field="offset")
    session = ctx.session
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(RepairApplication.id).subquery()))
    due = _stage_due()
    rows = session.scalars(
        stmt.order_by(due.is_(None), due, RepairApplication.id.desc()).offset(offset).limit(limit)
    ).all()
    names: dict[int, str] = {}
    return RepairPage(
        total=total or 0, offset=offset, limit=limit, items=[_row(session, a, ctx.today, names) for a in rows]
    )


def queue(
    ctx: Context,
    *,
    status: str | None = "open",
    overdue: bool = False,
    kind: str | None = None,
    department_id: int | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> RepairPage:
    """A handler's applications, the current stage's due date first: a department officer's own department's
    (platform records only), every department's and the external lists' for the credit office.

    ``status``: ``open`` (default: still being handled), one status code, or None for all; ``overdue``: only
    those flagged or past their due date today; ``kind``: ``record`` or ``external``."""
    require(ctx, "repairs.read")
    stmt = select(RepairApplication)
    if ctx.role == "department_officer":
        if department_id is not None and department_id != ctx.department_id:
            raise PermissionDenied(ctx.role, "repairs.read", "只能访问本部门的数据")
        stmt = stmt.where(RepairApplication.department_id == ctx.department_id)
    elif department_id is not None:
        stmt = stmt.where(RepairApplication.department_id == department_id)
    if status == "open":
        stmt = stmt.where(RepairApplication.status.in_(OPEN))
    elif status:
        if status not in STATUS_LABELS:
            known = "、".join(["open", *STATUS_LABELS])
            raise InvalidInput(f"未知的申请状态：{status}；可选：{known}", field="status")
        stmt = stmt.where(RepairApplication.status == status)
    if overdue:
        stmt = stmt.where(_overdue_condition(ctx.today))
    if kind == "record":
        stmt = stmt.where(RepairApplication.external_list.is_(None))
    elif kind == "external":
        stmt = stmt.where(RepairApplication.external_list.is_not(None))
    elif kind:
        raise InvalidInput("申请类别应为 record（本平台记录）或 external（外部名单）", field="kind")
    return _page(ctx, stmt, offset, limit)


def my_repairs(ctx: Context, *, offset: int = 0, limit: int = DEFAULT_LIMIT) -> RepairPage:
    """The applicant's own applications: a subject's (every channel), or those a credit-office account entered
    on paper."""
    require(ctx, "lifecycle.read_own")
    stmt = select(RepairApplication)
    if ctx.subject_id is not None:
        stmt = stmt.where(RepairApplication.subject_id == ctx.subject_id)
    elif ctx.account_id is not None:
        stmt = stmt.where(RepairApplication.account_id == ctx.account_id)
    else:
        stmt = stmt.where(false())
    return _page(ctx, stmt, offset, limit)


def _may_read(ctx: Context, app: RepairApplication) -> None:
    if ctx.role == "subject":
        require_own_subject(ctx, app.subject_id, "lifecycle.read_own")
        return
    require(ctx, "repairs.read")
    if app.external_list is not None and ctx.role == "department_officer":
        raise PermissionDenied(ctx.role, "repairs.read", "外部名单的信用修复申请由区信用办办理")
    if app.external_list is None:
        require_department(ctx, app.department_id, "repairs.read")


def _actions(ctx: Context, app: RepairApplication, extensions_left: int) -> list[str]:
    if app.external_list is not None:
        may = _grants(ctx, "repairs.route_external") and app.status in OPEN_EXTERNAL
        return ["result"] if may else []
    may_decide = _grants(ctx, "repairs.decide") and (
        ctx.role != "department_officer" or ctx.department_id == app.department_id
    )
    if not may_decide:
        return []
    if app.status == "submitted":
        return ["accept", "refuse"]
    if app.status == "accepted":
        return ["grant", "reject"] + (["extend"] if extensions_left > 0 else [])
    return []


def repair_detail(ctx: Context, app_id: int) -> RepairDetail:
    """One application with its history, files, commitment, the record's status today and the reader's actions.
    Readers: the applicant subject, the deciding department, the credit office (staff reads are audited)."""
    session = ctx.session
    _require_any(ctx, "lifecycle.read_own", "repairs.read")
    app = _app_or_404(ctx, app_id)
    _may_read(ctx, app)
    if ctx.role != "subject":
        audit.record_read(ctx, TARGET, app.id)
    today = ctx.today
    row = _row(session, app, today, {})
    record = fetch(session, CreditRecord, app.record_id) if app.record_id else None
    record = _current(session, record) if record else None
    code = _status_of(session, record, today) if record else None
    commitment = session.get(Commitment, app.commitment_id) if app.commitment_id else None
    listed = repair_rules().external_lists.get(app.external_list) if app.external_list else None
    used = extensions_used(session, app.id) if app.external_list is None else 0
    left = max(0, repair_rules().extension.max_extensions - used) if app.external_list is None else 0
    return RepairDetail(
        **row.model_dump(),
        obligations=app.obligations,
        decision_reason=app.decision_reason,
        external_authority=app.external_authority,
        external_channel=listed.channel if listed else "",
        record_status=code,
        record_status_label=publicity.STATUS_LABELS.get(code, code) if code else None,
        record_decided_on=record.decided_on if record else None,
        commitment=CommitmentOut(
            id=commitment.id,
            matter=commitment.matter,
            text=commitment.text,
            signer_name=commitment.signer_name,
            signed_on=commitment.signed_on,
            status=commitment.status,
        )
        if commitment
        else None,
        extensions_used=used,
        extensions_left=left,
        rule_version=app.rule_version,
        history=cases.history_out(session, CASE, app.id, ACTION_LABELS),
        files=cases.files_out(session, CASE, app.id),
        actions=_actions(ctx, app, left),
    )


def repair_file(ctx: Context, app_id: int, file_id: int) -> CaseFile:
    """One material file of an application, for its readers (staff downloads are audited)."""
    _require_any(ctx, "lifecycle.read_own", "repairs.read")
    app = _app_or_404(ctx, app_id)
    _may_read(ctx, app)
    found = fetch(ctx.session, CaseFile, file_id) if 0 < file_id <= MAX_ID else None
    if found is None or found.case_type != CASE or found.case_id != app.id:
        raise NotFound("未找到该材料文件", field="file_id")
    if ctx.role != "subject":
        audit.record_read(ctx, "repair_file", found.id, {"application_id": app.id})
    return found


def repairable_records(ctx: Context, as_of: date | None = None, limit: int = 100) -> list[Eligibility]:
    """The subject's own records of negative items (current versions), each with its eligibility on ``as_of``:
    what the applicant picks from on the application page."""
    require(ctx, "repairs.apply")
    if ctx.subject_id is None:
        return []
    negative = sorted(i.id for i in load_catalog().items.values() if i.negative)
    if not negative:
        return []
    records = ctx.session.scalars(
        select(CreditRecord)
        .where(CreditRecord.subject_id == ctx.subject_id, CreditRecord.item_id.in_(negative), current_version())
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
        .limit(limit)
    ).all()
    day = as_of or ctx.today
    return [_eligibility(ctx, r, day, own=True) for r in records]


# --------------------------------------------------------------------------------------------- daily job
def flag_overdue(ctx: Context, as_of: date) -> int:
    """Daily-job step: mark open applications whose current stage is past its due date as overdue (handler and
    credit office notified), and remind handlers of due dates at most ``reminder.workdays_before`` working days
    away. Returns how many marks and reminders were added; a re-run adds nothing (marks stay, notifications are
    keyed). The overdue mark does not change the application's version: a handler's open form stays valid."""
    require(ctx, "jobs.run")
    session = ctx.session
    rules = repair_rules()
    calendar = load_calendar(session)
    changed = 0
    apps = session.scalars(
        select(RepairApplication).where(RepairApplication.status.in_(OPEN)).order_by(RepairApplication.id)
    ).all()
    for app in apps:
        due = stage_due(app)
        if due is None:
            continue
        external = app.external_list is not None
        handler = {"to_office": True} if external else {"department_id": app.department_id}
        stage = "受理" if app.status == "submitted" else ("跟进外部办理结果" if external else "作出修复决定")
        if due < as_of:
            if app.overdue:
                continue
            session.execute(
                update(RepairApplication)
                .where(RepairApplication.id == app.id, RepairApplication.overdue.is_(False))
                .values(overdue=True)
                .execution_options(synchronize_session=False)
            )
            session.expire(app, ["overdue"])
            note = f"{stage}期限 {due} 已过（{as_of} 检查）"
            cases.log_event(ctx, CASE, app.id, "overdue", app.status, app.status, note)
            message = f"信用修复申请（编号 {app.id}，{app.applicant_name}）已超期：{note}"
            cases.notify(
                ctx,
                case_type=CASE,
                case_id=app.id,
                kind="overdue",
                message=message,
                dedupe_key=f"repair:{app.id}:overdue:{app.status}:{due}",
                **handler,  # type: ignore[arg-type]
            )
            if not external:
                cases.notify(
                    ctx,
                    case_type=CASE,
                    case_id=app.id,
                    kind="overdue",
                    to_office=True,
                    message=message,
                    dedupe_key=f"repair:{app.id}:overdue:{app.status}:{due}:office",
                )
            changed += 1
            continue
        window_opens = (
            calendar.add_workdays(due, -rules.reminder.workdays_before) if rules.reminder.workdays_before else due
        )
        if window_opens <= as_of:
            sent = cases.notify(
                ctx,
                case_type=CASE,
                case_id=app.id,
                kind="reminder",
                message=f"信用修复申请（编号 {app.id}，{app.applicant_name}）请于 {due} 前{stage}",
                dedupe_key=f"repair:{app.id}:reminder:{app.status}:{due}",
                **handler,  # type: ignore[arg-type]
            )
            if sent is not None:
                changed += 1
    session.flush()
    return changed
