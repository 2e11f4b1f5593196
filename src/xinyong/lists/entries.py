"""The listing procedure (名单列入程序, 国办发〔2020〕49号, rules.md §5): the actions on list entries.

Dishonesty lists: ``propose`` (拟列入) → ``serve_notice`` (列入前告知: reasons, basis, rights; the defence period
runs ``defence.workdays`` working days from the day after service) → ``record_defence`` (陈述申辩, within the
period) → ``decide`` (书面列入决定, only once the period has ended; a defence recorded must be answered, and an
accepted one ends in ``drop``) → ``publish`` (in force from that day) → ``remove`` (expiry, early removal,
repair, revocation). ``drop`` (不予列入) ends a proposal before the decision. Red lists skip the notice and
defence (``propose`` → ``decide`` → ``publish``); received lists are only imported (``lists.received``).

Each action checks ``lists.manage`` (a department officer only for list types its own department keeps; the
credit office any), validates, writes, appends a ``listing`` case event and one audit event, and never commits.
Responsible persons (``lists_responsible_persons``) are child entries of the employer's entry: they move with it
through every step in the same action, and are never acted on alone. Actions after the proposal carry the
version the caller saw: a stale one is ``cases.StaleCase`` (409).

Membership on a day is ``lists.active.in_force``; ``expire_entries`` (the daily job) only closes the cases of
entries whose period has ended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.lists.active import entry_in_force
from xinyong.lists.entry_schemas import REMOVAL_LABELS, STATUS_LABELS
from xinyong.lists.models import CLOSED_STATUSES, REMOVAL_REASONS, ListEntry
from xinyong.lists.types import ListType, ListTypeError, list_catalogue
from xinyong.records import cases
from xinyong.records.models import CaseFile
from xinyong.records.regimes import add_months
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Department, Subject

LABEL = "该名单条目"
CASE: cases.CaseType = "listing"
MANAGE = "lists.manage"
TEXT_MAX = 4000
DOC_NO_MAX = 64  # list_entry.notice_doc_no / decision_doc_no
CASE_REF_MAX = 200
MAX_RESPONSIBLE = 20
DEFENCE_OUTCOMES = ("accepted", "rejected")
_NOTE = re.compile(r"\s*\([^()]*\)")


# --------------------------------------------------------------------------------------------- helpers
def cite(source: str) -> str:
    """A rule's ``source`` for a message: without the bracketed confidence notes meant for maintainers."""
    return _NOTE.sub("", source).strip()


def list_type(code: str) -> ListType:
    """The list type ``code``; ``InvalidInput`` naming the known codes otherwise."""
    try:
        return list_catalogue().get((code or "").strip())
    except ListTypeError as exc:
        raise InvalidInput(str(exc), field="list_code") from None


def type_department(ctx: Context, kind: ListType) -> Department:
    """The registered department that keeps ``kind`` (``departments.yaml`` code = ``Department.code``)."""
    found = ctx.session.scalar(select(Department).where(Department.code == kind.department))
    if found is None:
        raise NotFound(
            f"名单“{kind.name}”的认定部门（代码 {kind.department}）尚未登记，"
            "请先执行 xinyong departments add 登记该部门",
            field="list_code",
        )
    return found


def require_list(ctx: Context, kind: ListType, permission: str = MANAGE) -> Department:
    """``permission``, and a department officer only for list types its own department keeps."""
    require(ctx, permission)
    department = type_department(ctx, kind)
    check_scope(ctx, department, kind, permission)
    return department


def check_scope(ctx: Context, department: Department | int, kind: ListType | None, permission: str) -> None:
    """A department officer acts (and reads) only on its own department's lists."""
    department_id = department if isinstance(department, int) else department.id
    if ctx.role == "department_officer" and (ctx.department_id is None or ctx.department_id != department_id):
        what = f"“{kind.name}”" if kind is not None else "该名单"
        raise PermissionDenied(ctx.role, permission, f"只能办理本部门负责的名单，{what}不由本部门认定")


def clean(value: str | None, what: str, field: str, *, max_len: int = TEXT_MAX, required: bool = True) -> str:
    """``value`` stripped; ``InvalidInput`` naming ``what`` when empty, too long or holding control characters."""
    return cases.clean_text(value, what, field, max_len=max_len, min_len=1 if required else 0)


def _not_future(ctx: Context, day: date, what: str, field: str) -> date:
    if not isinstance(day, date):
        raise InvalidInput(f"{what}应为日期（年-月-日）", field=field)
    if day > ctx.today:
        raise InvalidInput(f"{what}（{day.isoformat()}）不能晚于今天（{ctx.today.isoformat()}）", field=field)
    return day


def _entry(ctx: Context, entry_id: int) -> ListEntry:
    entry = fetch(ctx.session, ListEntry, entry_id)
    if entry is None:
        raise NotFound(f"名单条目 {entry_id} 不存在", field="entry_id")
    return entry


def _managed(ctx: Context, entry_id: int, expected_version: int | None) -> tuple[ListEntry, ListType]:
    """The entry (an employer's or a subject's, never a responsible person's alone) its manager acts on."""
    require(ctx, MANAGE)
    entry = _entry(ctx, entry_id)
    kind = list_type(entry.list_code)
    check_scope(ctx, entry.department_id, kind, MANAGE)
    if entry.parent_id is not None:
        raise InvalidInput(
            f"条目 {entry.id} 是责任人条目，随单位条目 {entry.parent_id} 一并办理，请在单位条目上操作",
            field="entry_id",
        )
    cases.check_expected_version(entry.lock_version, expected_version, LABEL)
    return entry, kind


def _children(ctx: Context, entry: ListEntry) -> list[ListEntry]:
    return list(ctx.session.scalars(select(ListEntry).where(ListEntry.parent_id == entry.id).order_by(ListEntry.id)))


def status_label(entry: ListEntry) -> str:
    label = STATUS_LABELS.get(entry.status, entry.status)
    if entry.status == "removed" and entry.removal_reason:
        label += f"（{REMOVAL_LABELS.get(entry.removal_reason, entry.removal_reason)}）"
    return label


def _require_status(entry: ListEntry, wanted: Sequence[str], action: str) -> None:
    if entry.status not in wanted:
        raise Conflict(f"该名单条目当前为“{status_label(entry)}”，不能{action}", code="entry_state")


def _move(
    ctx: Context, entry: ListEntry, children: Sequence[ListEntry], action: str, to_status: str, note: str = ""
) -> None:
    """Set the status of the entry and its responsible persons, one case event each, and flush (409 if stale)."""
    for row in (entry, *children):
        before = row.status
        row.status = to_status
        cases.log_event(ctx, CASE, row.id, action, before, to_status, note)
    cases.flush_locked(ctx, LABEL)


def _set(entries: Sequence[ListEntry], **values: object) -> None:
    for row in entries:
        for name, value in values.items():
            setattr(row, name, value)


def _audit(ctx: Context, action: str, entry: ListEntry, children: Sequence[ListEntry], **detail: object) -> None:
    audit.record(
        ctx,
        f"lists.{action}",
        "list_entry",
        entry.id,
        {
            "list_code": entry.list_code,
            "subject_id": entry.subject_id,
            "status": entry.status,
            "responsible_entries": [c.id for c in children],
            **detail,
        },
    )


def _subject(ctx: Context, subject_id: int, field: str) -> Subject:
    subject = fetch(ctx.session, Subject, subject_id) if isinstance(subject_id, int) else None
    if subject is None:
        raise NotFound(f"主体 {subject_id} 不存在，请先在主体库中查找或登记", field=field)
    return subject


def open_entry(ctx: Context, list_code: str, subject_id: int) -> ListEntry | None:
    """The subject's entry on ``list_code`` that is not removed or dropped, if any."""
    return ctx.session.scalar(
        select(ListEntry).where(
            ListEntry.list_code == list_code,
            ListEntry.subject_id == subject_id,
            ListEntry.status.not_in(CLOSED_STATUSES),
        )
    )


def _duplicate(kind: ListType, existing: ListEntry, who: str = "该主体") -> Conflict:
    return Conflict(
        f"{who}在“{kind.name}”上已有未结束的条目 {existing.id}（{status_label(existing)}），不能重复列入；"
        "请在该条目上继续办理",
        code="duplicate_entry",
    )


def earliest_early_removal(entry: ListEntry, kind: ListType, corrected_on: date | None = None) -> date | None:
    """The first day an early removal may take effect (None: no rule, or the correction date is not known)."""
    rule = kind.early_removal
    if rule is None:
        return None
    if rule.counted_from == "correction":
        start = corrected_on or entry.corrected_on
    else:
        start = entry.decision_on or entry.published_on
    if start is None:
        return None
    return add_months(start, rule.after_months or 0)


def notice_text(entry: ListEntry, kind: ListType, subject_name: str, persons: Sequence[str] = ()) -> str:
    """列入前告知书: the reasons, the basis and the subject's rights, generated from the list type."""
    defence = kind.defence.workdays if kind.defence else 0
    due = entry.defence_due.isoformat() if entry.defence_due else "—"
    lines = [
        f"列入{kind.name}事先告知书（{entry.notice_doc_no or '文号待填'}）",
        f"{subject_name}：",
        f"经查，{entry.reasons}",
        f"依据{entry.basis}，本机关拟将你（单位）列入{kind.name}。",
        "认定标准：" + "；".join(kind.criteria),
    ]
    if persons:
        lines.append("拟同时列入的责任人：" + "、".join(persons))
    lines.append(
        f"根据《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号），"
        f"你（单位）享有陈述、申辩的权利，可自送达之日起 {defence} 个工作日内（至 {due}）提出陈述、申辩意见"
        "并提交证据材料；逾期未提出的，视为放弃陈述、申辩权利。"
    )
    months = kind.duration.months
    lines.append(f"列入期限：{f'{months} 个月（自列入决定之日起）' if months else '无固定期限'}。")
    lines.append("移出条件：" + "；".join(kind.exit_conditions))
    rule = kind.early_removal
    if rule is not None:
        start = "改正之日" if rule.counted_from == "correction" else "列入决定之日"
        after = f"自{start}起满 {rule.after_months} 个月，" if rule.after_months else ""
        lines.append(f"提前移出：{after}{'、'.join(rule.requires)}的，可申请提前移出。")
    lines.append(f"救济途径：{kind.remedies}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- propose
def propose(
    ctx: Context,
    list_code: str,
    subject_id: int,
    reasons: str,
    basis: str,
    case_ref: str = "",
    responsible_person_ids: Sequence[int] = (),
) -> ListEntry:
    """拟列入: a subject proposed for a dishonesty or red list, with its responsible persons where the list lists
    them (child entries). ``basis`` empty: the list type's legal basis. ``Conflict`` naming the existing entry
    when the subject (or a person) already has an open entry on the list."""
    kind = list_type(list_code)
    department = require_list(ctx, kind)
    if kind.kind == "received":
        raise InvalidInput(
            f"“{kind.name}”是接收名单，由来源机关（{kind.source_authority}）认定，只能导入（xinyong lists import）",
            field="list_code",
        )
    subject = _subject(ctx, subject_id, "subject_id")
    if subject.kind not in kind.subject_kinds:
        allowed = "、".join(SUBJECT_KIND_LABELS.get(k, k) for k in kind.subject_kinds)
        raise InvalidInput(
            f"“{kind.name}”只列入{allowed}，该主体是{SUBJECT_KIND_LABELS.get(subject.kind, subject.kind)}",
            field="subject_id",
        )
    reasons = clean(reasons, "列入事由", "reasons")
    basis = clean(basis, "列入依据", "basis", required=False) or "；".join(
        f"{b.document}{b.article}" for b in kind.legal_basis
    )
    case_ref = clean(case_ref, "关联文书号", "case_ref", max_len=CASE_REF_MAX, required=False)
    persons = list(dict.fromkeys(responsible_person_ids or ()))
    if persons and not kind.lists_responsible_persons:
        raise InvalidInput(f"“{kind.name}”不列入责任人，请不要填写责任人", field="responsible_person_ids")
    if len(persons) > MAX_RESPONSIBLE:
        raise InvalidInput(f"责任人最多 {MAX_RESPONSIBLE} 名", field="responsible_person_ids")
    people: list[Subject] = []
    for person_id in persons:
        person = _subject(ctx, person_id, "responsible_person_ids")
        if person.kind != "natural_person":
            raise InvalidInput(
                f"责任人（主体 {person.id}）应为自然人（法定代表人、主要负责人或直接负责的有关人员）",
                field="responsible_person_ids",
            )
        if person.id == subject.id:
            raise InvalidInput("列入主体本人不能同时作为其责任人", field="responsible_person_ids")
        people.append(person)
    existing = open_entry(ctx, kind.code, subject.id)
    if existing is not None:
        raise _duplicate(kind, existing)
    for person in people:
        found = open_entry(ctx, kind.code, person.id)
        if found is not None:
            raise _duplicate(kind, found, f"责任人（主体 {person.id}）")
    session = ctx.session
    savepoint = session.begin_nested()
    try:
        entry = _new_entry(ctx, kind, department, subject.id, reasons, basis, case_ref)
        session.add(entry)
        session.flush()
        children = []
        for person in people:
            child = _new_entry(ctx, kind, department, person.id, reasons, basis, case_ref)
            child.parent_id = entry.id
            child.role = "responsible_person"
            children.append(child)
        session.add_all(children)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        taken = open_entry(ctx, kind.code, subject.id) or next(
            (e for e in (open_entry(ctx, kind.code, p.id) for p in people) if e is not None), None
        )
        if taken is not None:
            raise _duplicate(kind, taken) from None
        raise Conflict("该主体刚被他人列入同一名单，请刷新后查看", code="duplicate_entry") from None
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    for row in (entry, *children):
        cases.log_event(ctx, CASE, row.id, "propose", None, "proposed", reasons[:500])
    _audit(ctx, "propose", entry, children, department=department.code, case_ref=case_ref)
    return entry


def _new_entry(
    ctx: Context, kind: ListType, department: Department, subject_id: int, reasons: str, basis: str, case_ref: str
) -> ListEntry:
    return ListEntry(
        list_code=kind.code,
        list_version=kind.version,
        kind=kind.kind,
        subject_id=subject_id,
        parent_id=None,
        role="subject",
        department_id=department.id,
        status="proposed",
        reasons=reasons,
        basis=basis,
        case_ref=case_ref,
        defence_text="",
        commitment_text="",
        removal_note="",
        source_authority="",
        source_ref="",
        created_by=ctx.actor,
        created_at=ctx.at,
    )


# --------------------------------------------------------------------------------------------- notice and defence
def serve_notice(ctx: Context, entry_id: int, doc_no: str, served_on: date, expected_version: int | None) -> ListEntry:
    """列入前告知 served on ``served_on``: the defence period ends ``defence.workdays`` working days later
    (``defence_due``); the subject and its responsible persons are notified with the notice text."""
    entry, kind = _managed(ctx, entry_id, expected_version)
    if kind.kind != "dishonesty" or kind.defence is None:
        raise InvalidInput(f"“{kind.name}”是{kind.kind_label}，无需列入前告知和陈述申辩", field="entry_id")
    _require_status(entry, ("proposed",), "送达列入前告知书")
    doc_no = clean(doc_no, "告知书文号", "doc_no", max_len=DOC_NO_MAX)
    served_on = _not_future(ctx, served_on, "送达日期", "served_on")
    due = cases.workday_deadline(ctx.session, served_on, kind.defence.workdays)  # before any change
    children = _children(ctx, entry)
    subjects = {
        s.id: s
        for s in ctx.session.scalars(
            select(Subject).where(Subject.id.in_([entry.subject_id, *[c.subject_id for c in children]]))
        )
    }
    _set([entry, *children], notice_on=served_on, notice_doc_no=doc_no, defence_due=due)
    persons = [subjects[c.subject_id].name for c in children]
    text = notice_text(entry, kind, subjects[entry.subject_id].name, persons)
    _move(ctx, entry, children, "notice", "noticed", text)
    for row in (entry, *children):
        cases.notify(
            ctx,
            case_type=CASE,
            case_id=row.id,
            kind="decision",
            message=f"列入前告知（条目 {entry.id}）：陈述申辩期至 {due.isoformat()}。\n{text}",
            dedupe_key=f"listing:{row.id}:notice",
            subject_id=row.subject_id,
        )
    _audit(ctx, "notice", entry, children, doc_no=doc_no, served_on=served_on.isoformat(), defence_due=due.isoformat())
    return entry


def record_defence(
    ctx: Context, entry_id: int, text: str, received_on: date, expected_version: int | None = None
) -> ListEntry:
    """陈述申辩 received on ``received_on`` (within the defence period; a later statement is refused with the
    period's last day). A further statement is appended."""
    entry, _ = _managed(ctx, entry_id, expected_version)
    _require_status(entry, ("noticed",), "登记陈述申辩（须在送达列入前告知书后、作出决定前）")
    text = clean(text, "陈述申辩意见", "text")
    received_on = _not_future(ctx, received_on, "收到日期", "received_on")
    assert entry.notice_on is not None and entry.defence_due is not None  # set by serve_notice
    if received_on < entry.notice_on:
        raise InvalidInput(
            f"收到日期（{received_on.isoformat()}）早于告知书送达日期（{entry.notice_on.isoformat()}）",
            field="received_on",
        )
    if received_on > entry.defence_due:
        raise InvalidInput(
            f"陈述申辩期已于 {entry.defence_due.isoformat()} 届满，{received_on.isoformat()} 收到的陈述申辩已逾期，"
            "不予登记（可作为情况说明上传材料）",
            field="received_on",
        )
    children = _children(ctx, entry)
    combined = f"{entry.defence_text}\n\n〔{received_on.isoformat()}〕{text}" if entry.defence_text else text
    _set([entry, *children], defence_on=received_on, defence_text=combined)
    _move(ctx, entry, children, "defence", "noticed", text[:500])
    _audit(ctx, "defence", entry, children, received_on=received_on.isoformat())
    return entry


# --------------------------------------------------------------------------------------------- decision
def decide(
    ctx: Context,
    entry_id: int,
    doc_no: str,
    decided_on: date,
    defence_outcome: str | None,
    expected_version: int | None,
) -> ListEntry:
    """书面列入决定. Dishonesty lists: only after the notice and once the defence period has ended; a recorded
    defence must be answered (``rejected``; an ``accepted`` one ends in ``drop``). Red lists decide directly.
    ``expires_on`` = ``decided_on`` + the type's duration (month end clamped), None without one."""
    entry, kind = _managed(ctx, entry_id, expected_version)
    if kind.kind == "dishonesty":
        if entry.status == "proposed":
            raise Conflict(
                "尚未送达列入前告知书，不得作出列入决定：应先告知当事人列入的事由、依据和陈述申辩权利"
                "（国办发〔2020〕49号），陈述申辩期届满后方可决定",
                code="notice_required",
            )
        _require_status(entry, ("noticed",), "作出列入决定")
    else:
        _require_status(entry, ("proposed",), "作出列入决定")
    doc_no = clean(doc_no, "列入决定书文号", "doc_no", max_len=DOC_NO_MAX)
    decided_on = _not_future(ctx, decided_on, "决定日期", "decided_on")
    if kind.kind == "dishonesty":
        assert entry.defence_due is not None
        if decided_on <= entry.defence_due:
            raise InvalidInput(
                f"陈述申辩期至 {entry.defence_due.isoformat()} 届满，届满后方可作出列入决定"
                f"（最早 {(entry.defence_due + timedelta(days=1)).isoformat()}）",
                field="decided_on",
            )
        if entry.defence_on is not None:
            if defence_outcome not in DEFENCE_OUTCOMES:
                raise InvalidInput(
                    "当事人提出了陈述申辩，请填写对申辩意见的处理：rejected（不予采纳）；采纳的应作不予列入",
                    field="defence_outcome",
                )
            if defence_outcome == "accepted":
                raise InvalidInput("申辩意见已采纳的，不应作出列入决定，请办理“不予列入”", field="defence_outcome")
        elif defence_outcome is not None:
            raise InvalidInput("当事人未提出陈述申辩，无需填写申辩意见处理", field="defence_outcome")
    elif defence_outcome is not None:
        raise InvalidInput(f"“{kind.name}”没有陈述申辩程序，无需填写申辩意见处理", field="defence_outcome")
    months = kind.duration.months
    expires = add_months(decided_on, months) if months else None
    children = _children(ctx, entry)
    values: dict[str, object] = {"decision_on": decided_on, "decision_doc_no": doc_no, "expires_on": expires}
    if defence_outcome is not None:
        values["defence_outcome"] = defence_outcome
    _set([entry, *children], **values)
    note = f"{doc_no}，{decided_on.isoformat()}" + (f"，期满日 {expires.isoformat()}" if expires else "，无固定期限")
    _move(ctx, entry, children, "decide", "decided", note)
    for row in (entry, *children):
        cases.notify(
            ctx,
            case_type=CASE,
            case_id=row.id,
            kind="decision",
            message=f"已作出列入“{kind.name}”的决定（{doc_no}，{decided_on.isoformat()}）。救济途径：{kind.remedies}",
            dedupe_key=f"listing:{row.id}:decision",
            subject_id=row.subject_id,
        )
    _audit(
        ctx,
        "decide",
        entry,
        children,
        doc_no=doc_no,
        decided_on=decided_on.isoformat(),
        expires_on=expires.isoformat() if expires else None,
        defence_outcome=defence_outcome,
    )
    return entry


def drop(ctx: Context, entry_id: int, reason: str, expected_version: int | None = None) -> ListEntry:
    """不予列入: the proposal ends before a decision (e.g. the defence was accepted, the arrears were paid)."""
    entry, _ = _managed(ctx, entry_id, expected_version)
    _require_status(entry, ("proposed", "noticed"), "作出不予列入（已作出列入决定的应办理移出）")
    reason = clean(reason, "不予列入的理由", "reason")
    children = _children(ctx, entry)
    _set([entry, *children], removal_note=reason)
    _move(ctx, entry, children, "drop", "dropped", reason[:500])
    _audit(ctx, "drop", entry, children)
    return entry


# --------------------------------------------------------------------------------------------- publication
def publish(ctx: Context, entry_id: int, published_on: date, expected_version: int | None) -> ListEntry:
    """列入并公示: in force (checks, public pages) from ``published_on`` (on or after the decision, not future)."""
    entry, kind = _managed(ctx, entry_id, expected_version)
    _require_status(entry, ("decided",), "公示（须先作出列入决定）")
    published_on = _not_future(ctx, published_on, "公示日期", "published_on")
    assert entry.decision_on is not None
    if published_on < entry.decision_on:
        raise InvalidInput(
            f"公示日期（{published_on.isoformat()}）不能早于列入决定日期（{entry.decision_on.isoformat()}）",
            field="published_on",
        )
    if entry.expires_on is not None and published_on >= entry.expires_on:
        raise InvalidInput(f"列入期限已于 {entry.expires_on.isoformat()} 届满，不能再公示", field="published_on")
    children = _children(ctx, entry)
    _set([entry, *children], published_on=published_on)
    _move(ctx, entry, children, "publish", "published", published_on.isoformat())
    _audit(ctx, "publish", entry, children, published_on=published_on.isoformat(), public=kind.public)
    return entry


# --------------------------------------------------------------------------------------------- removal
def remove(
    ctx: Context,
    entry_id: int,
    reason: str,
    removed_on: date,
    note: str,
    corrected_on: date | None = None,
    commitment_text: str = "",
    expected_version: int | None = None,
) -> ListEntry:
    """移出: the entry (and its responsible persons) stop counting from ``removed_on``.

    ``expiry`` closes an entry whose ``expires_on`` ≤ ``removed_on`` (``removed_on`` is then set to the expiry
    day); every other reason needs the entry in force on ``removed_on``. ``early_removal`` follows the type's
    rule: months from the decision or the correction (``corrected_on`` required then), a commitment when
    required; refused before the earliest day, naming it. ``source_removed`` is for received lists (whose
    removals are the source's), which take no other reason but ``expiry``."""
    entry, kind = _managed(ctx, entry_id, expected_version)
    if reason not in REMOVAL_REASONS:
        raise InvalidInput(
            "移出情形应为 " + "、".join(f"{k}（{v}）" for k, v in REMOVAL_REASONS.items()), field="reason"
        )
    received = kind.kind == "received"
    if received and reason not in ("source_removed", "expiry"):
        raise InvalidInput(
            f"“{kind.name}”由来源机关（{kind.source_authority}）认定和移出，只能按来源机关移出（source_removed）"
            "或期满移出（expiry）",
            field="reason",
        )
    if not received and reason == "source_removed":
        raise InvalidInput("“来源机关已移出”仅适用于接收名单", field="reason")
    removed_on = _not_future(ctx, removed_on, "移出日期", "removed_on")
    note = clean(note, "移出说明", "note")
    commitment_text = clean(commitment_text, "信用承诺内容", "commitment_text", required=False)
    name = kind.name
    if entry.status != "published":
        raise Conflict(
            f"该主体不在“{name}”上（条目 {entry.id} 当前为“{status_label(entry)}”），无需移出",
            code="not_listed",
        )
    values: dict[str, object] = {"removal_reason": reason, "removal_note": note}
    if reason == "expiry":
        if entry.expires_on is None:
            raise InvalidInput(f"“{name}”的该条目无固定期限，不能按期满移出", field="reason")
        if entry.expires_on > removed_on:
            raise InvalidInput(
                f"列入期限至 {(entry.expires_on - timedelta(days=1)).isoformat()}，"
                f"{entry.expires_on.isoformat()} 起方可期满移出",
                field="removed_on",
            )
        values["removed_on"] = entry.expires_on
    else:
        if not entry_in_force(entry, removed_on):
            assert entry.published_on is not None
            when = (
                f"自 {entry.published_on.isoformat()} 起才在名单上"
                if removed_on < entry.published_on
                else f"列入期限已于 {entry.expires_on.isoformat() if entry.expires_on else '—'} 届满"
            )
            raise Conflict(
                f"该主体在 {removed_on.isoformat()} 不在“{name}”上（{when}），不能在该日移出", code="not_listed"
            )
        values["removed_on"] = removed_on
    if reason == "early_removal":
        _check_early_removal(entry, kind, removed_on, corrected_on, commitment_text)
        values["corrected_on"] = corrected_on
        values["commitment_text"] = commitment_text
    elif corrected_on is not None or commitment_text:
        values["corrected_on"] = corrected_on or entry.corrected_on
        values["commitment_text"] = commitment_text or entry.commitment_text
    children = _children(ctx, entry)
    _set([entry, *children], **values)
    shown = values["removed_on"]
    assert isinstance(shown, date)
    _move(ctx, entry, children, "remove", "removed", f"{REMOVAL_REASONS[reason]}，{shown.isoformat()}：{note[:400]}")
    for row in (entry, *children):
        cases.notify(
            ctx,
            case_type=CASE,
            case_id=row.id,
            kind="decision",
            message=f"已自 {shown.isoformat()} 起移出“{name}”（{REMOVAL_REASONS[reason]}）",
            dedupe_key=f"listing:{row.id}:removed",
            subject_id=row.subject_id,
        )
    _audit(
        ctx,
        "remove",
        entry,
        children,
        reason=reason,
        removed_on=shown.isoformat(),
        corrected_on=corrected_on.isoformat() if corrected_on else None,
        commitment=bool(commitment_text),
    )
    return entry


def _check_early_removal(
    entry: ListEntry, kind: ListType, removed_on: date, corrected_on: date | None, commitment_text: str
) -> None:
    rule = kind.early_removal
    if rule is None:
        raise InvalidInput(f"“{kind.name}”未规定提前移出，只能期满移出、信用修复或撤销", field="reason")
    if rule.counted_from == "correction":
        if corrected_on is None:
            raise InvalidInput(
                f"提前移出自改正之日起算，请填写改正日期（如全额清偿之日）（{cite(rule.source)}）", field="corrected_on"
            )
        if corrected_on > removed_on:
            raise InvalidInput(
                f"改正日期（{corrected_on.isoformat()}）不能晚于移出日期（{removed_on.isoformat()}）",
                field="corrected_on",
            )
        start_label = f"改正之日（{corrected_on.isoformat()}）"
    else:
        start = entry.decision_on or entry.published_on
        start_label = f"列入之日（{start.isoformat() if start else '—'}）"
    earliest = earliest_early_removal(entry, kind, corrected_on)
    if earliest is not None and removed_on < earliest:
        raise InvalidInput(
            f"提前移出须自{start_label}起满 {rule.after_months} 个月，{earliest.isoformat()} 起方可移出"
            f"（{cite(rule.source)}）",
            field="removed_on",
        )
    if rule.commitment_required and len(commitment_text) < 4:
        raise InvalidInput(
            f"提前移出须作出信用承诺，请填写信用承诺内容（{cite(rule.source)}）", field="commitment_text"
        )


# --------------------------------------------------------------------------------------------- files
def attach(ctx: Context, entry_id: int, filename: str, content: bytes) -> CaseFile:
    """A document or evidence file of the entry (告知书, 送达回证, 决定书, 清偿凭证, 信用承诺书 ...)."""
    require(ctx, MANAGE)
    entry = _entry(ctx, entry_id)
    kind = list_type(entry.list_code)
    check_scope(ctx, entry.department_id, kind, MANAGE)
    row = cases.attach_file(ctx, CASE, entry.id, filename, content)
    ctx.session.flush()
    cases.log_event(ctx, CASE, entry.id, "attach", entry.status, entry.status, row.filename)
    audit.record(
        ctx,
        "lists.attach",
        "list_entry",
        entry.id,
        {"file_id": row.id, "filename": row.filename, "size": row.size, "sha256": row.sha256},
    )
    return row


# --------------------------------------------------------------------------------------------- daily job
def expire_entries(ctx: Context, as_of: date) -> int:
    """Daily-job step: close the entries (and responsible persons) whose period ended on or before ``as_of``:
    status removed, reason ``expiry``, ``removed_on`` = ``expires_on``. Idempotent (0 on a re-run). Membership
    needs no job (``lists.active``): this keeps the cases and statuses honest."""
    require(ctx, "jobs.run")
    session = ctx.session
    due = list(
        session.scalars(
            select(ListEntry)
            .where(
                ListEntry.status == "published",
                ListEntry.removed_on.is_(None),
                ListEntry.expires_on.is_not(None),
                ListEntry.expires_on <= as_of,
            )
            .order_by(ListEntry.id)
        )
    )
    for entry in due:
        assert entry.expires_on is not None
        entry.status = "removed"
        entry.removal_reason = "expiry"
        entry.removed_on = entry.expires_on
        entry.removal_note = entry.removal_note or "列入期限届满，自动移出"
        cases.log_event(ctx, CASE, entry.id, "expire", "published", "removed", f"期满日 {entry.expires_on}")
    if due:
        cases.flush_locked(ctx, LABEL)
        audit.record(ctx, "lists.expire", "job", as_of.isoformat(), {"entries": [e.id for e in due], "count": len(due)})
    return len(due)
