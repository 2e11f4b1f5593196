"""Civil servants' integrity files (公务员诚信档案) and record checks for recruitment and transfer (录用、调任):
work-plan item 三, issue #11 item 1. Actions; reads are in ``integrity_queries``, the findings of a check in
``integrity_sheet``, the rules in ``rules/integrity.yaml``.

* ``open_file``: one file per natural person, found by the keyed hash of the resident ID number or registered as
  a natural-person subject (the number is stored only encrypted in ``subject``; never in these tables).
* ``add_entry``: an integrity record (category of the rulebook; adverse or not) or a training (with hours).
* ``withdraw_entry``: a new entry retracting an earlier one, with the reason (nothing is updated or deleted).
* ``run_check``: the check (``integrity.check``) with purpose, reason and ``as_of``: the result sheet is stored
  under a number ``ZWCX-<year>-<seq>`` and audited; a person without a file still gets a sheet.

Everything is scoped by ``integrity_queries.scope``: the credit office, or an officer of an integrity department.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy.exc import IntegrityError

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed
from xinyong.auth.tokens import clean_text
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.government.integrity_queries import (
    CHECK,
    RECORD,
    entries_of,
    file_of_subject,
    file_or_404,
    next_sheet_no,
    normal_ric,
    person_by_ric,
    scope,
    withdrawn_by,
)
from xinyong.government.integrity_rules import integrity_rules
from xinyong.government.integrity_schemas import CheckIn, EntryIn, FileIn
from xinyong.government.integrity_sheet import gather
from xinyong.government.models import IntegrityCheck, IntegrityEntry, IntegrityFile, PublicBody
from xinyong.subjects.bulk import insert_subjects, next_subject_id
from xinyong.subjects.models import Subject
from xinyong.subjects.names import normalize_name
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import prepare_subject_row, register_subject

NAME_MAX = 64
TITLE_MAX = 200
DETAIL_MAX = 2000
SOURCE_MAX = 200
POSITION_MAX = 100
SOURCE_LABEL = "公务员诚信档案"


# --------------------------------------------------------------------------------------------- people
def _register_person(ctx: Context, name: str, ric: str) -> Subject:
    """Register a natural person: through the registry's action for holders of ``subjects.write``; for an
    integrity department's officer the same row and audit event as part of this action."""
    data = SubjectIn(kind="natural_person", name=name, ric=ric, source=SOURCE_LABEL)
    if allowed(ctx.role, "subjects.write") and ctx.scopes is None:
        return register_subject(ctx, data)
    row = prepare_subject_row(data, next_subject_id(ctx.session), ctx)
    insert_subjects(ctx.session, [row])
    audit.record(ctx, "subject.register", "subject", row["id"], {"kind": row["kind"], "source": SOURCE_LABEL})
    subject = ctx.session.get(Subject, row["id"])
    assert subject is not None
    return subject


def person(ctx: Context, name: str, ric: str, *, register: bool = True) -> Subject | None:
    """The natural person with this ID number (registered when unknown and ``register``); the name must agree
    with the registry's."""
    label = clean_text(name, "name", "姓名", NAME_MAX)
    number = normal_ric(ric)
    found = person_by_ric(ctx, number)
    if found is not None:
        if normalize_name(found.name) != normalize_name(label):
            raise InvalidInput("姓名与该公民身份号码登记的姓名不一致，请核对", field="name")
        return found
    return _register_person(ctx, label, number) if register else None


# --------------------------------------------------------------------------------------------- files
def open_file(ctx: Context, data: FileIn) -> IntegrityFile:
    """Open the integrity file of the person named by ``data`` (one per person: a second is a ``Conflict``)."""
    scope(ctx, RECORD)
    position = (data.position or "").strip()
    if len(position) > POSITION_MAX:
        raise InvalidInput(f"职务过长（最多 {POSITION_MAX} 个字符）", field="position")
    body = _body(ctx, data.body_id)
    subject = person(ctx, data.name, data.ric)
    assert subject is not None
    if file_of_subject(ctx, subject.id) is not None:
        raise Conflict(f"{subject.name}（{subject.ric_masked}）已建立诚信档案", field="ric")
    found = IntegrityFile(
        subject_id=subject.id,
        body_id=body.id if body else None,
        position=position,
        opened_by=ctx.actor[:128],
        opened_at=ctx.at,
    )
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(
        ctx, "integrity.open", "integrity_file", found.id, {"subject_id": subject.id, "body_id": found.body_id}
    )
    return found


def _body(ctx: Context, body_id: int | None) -> PublicBody | None:
    if body_id is None:
        return None
    found = fetch(ctx.session, PublicBody, body_id)
    if found is None:
        raise NotFound(f"公共机构 {body_id} 不存在")
    return found


def _hours(kind: str, raw: Decimal | None) -> Decimal | None:
    if kind == "record":
        if raw is not None:
            raise InvalidInput("诚信记录不填写学时", field="hours")
        return None
    if raw is None:
        raise InvalidInput("请填写培训学时", field="hours")
    try:
        hours = Decimal(raw).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("培训学时应为数字", field="hours") from None
    most = integrity_rules().training.max_hours_per_entry
    if hours <= 0 or hours > most:
        raise InvalidInput(f"培训学时应大于 0 且不超过 {most}", field="hours")
    return hours


def add_entry(ctx: Context, file_id: int, data: EntryIn) -> IntegrityEntry:
    """Add an integrity record or a training to a file."""
    scope(ctx, RECORD)
    found = file_or_404(ctx, file_id)
    rules = integrity_rules()
    if data.kind == "record":
        labels = rules.category_labels
    elif data.kind == "training":
        labels = rules.training_labels
    else:
        raise InvalidInput("条目类型应为 record（诚信记录）或 training（诚信教育培训）", field="kind")
    if data.category not in labels:
        choices = "、".join(f"{k}（{v}）" for k, v in labels.items())
        raise InvalidInput(f"类别“{data.category[:32]}”无效，应为：{choices}", field="category")
    if data.occurred_on > ctx.today:
        raise InvalidInput("发生日期不能晚于今天", field="occurred_on")
    hours = _hours(data.kind, data.hours)
    title = clean_text(data.title, "title", "标题", TITLE_MAX)
    detail = (data.detail or "").strip()
    source = (data.source or "").strip()
    if len(detail) > DETAIL_MAX:
        raise InvalidInput(f"详情过长（最多 {DETAIL_MAX} 个字符）", field="detail")
    if len(source) > SOURCE_MAX:
        raise InvalidInput(f"来源过长（最多 {SOURCE_MAX} 个字符）", field="source")
    entry = IntegrityEntry(
        file_id=found.id,
        kind=data.kind,
        category=data.category,
        title=title,
        detail=detail,
        occurred_on=data.occurred_on,
        hours=hours,
        source=source,
        withdraws_id=None,
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    audit.record(
        ctx,
        "integrity.entry",
        "integrity_entry",
        entry.id,
        {"file_id": found.id, "kind": data.kind, "category": data.category, "hours": str(hours) if hours else None},
    )
    return entry


def withdraw_entry(ctx: Context, entry_id: int, reason: str) -> IntegrityEntry:
    """Retract an entry with a reason: a new entry (dated today) pointing at it; the original stays."""
    scope(ctx, RECORD)
    original = fetch(ctx.session, IntegrityEntry, entry_id)
    if original is None:
        raise NotFound(f"诚信档案条目 {entry_id} 不存在")
    text = clean_text(reason, "reason", "撤回原因", 500)
    if original.withdraws_id is not None:
        raise Conflict("撤回记录本身不能再撤回", field="entry_id")
    if original.id in withdrawn_by(entries_of(ctx.session, original.file_id)):
        raise Conflict("该条目已撤回", field="entry_id")
    entry = IntegrityEntry(
        file_id=original.file_id,
        kind=original.kind,
        category=original.category,
        title=f"撤回：{original.title}"[:TITLE_MAX],
        detail=text,
        occurred_on=ctx.today,
        hours=None,
        source=original.source,
        withdraws_id=original.id,
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    audit.record(
        ctx, "integrity.withdraw", "integrity_entry", original.id, {"file_id": original.file_id, "by": entry.id}
    )
    return entry


# --------------------------------------------------------------------------------------------- checks
def _reason(raw: str) -> str:
    rules = integrity_rules()
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("请填写核查事由", field="reason")
    text = clean_text(text, "reason", "核查事由", rules.reason_max_length)
    if len(text) < rules.reason_min_length:
        raise InvalidInput(
            f"核查事由过短：请写明录用或调任的岗位、批次等（至少 {rules.reason_min_length} 个字）", field="reason"
        )
    return text


def run_check(ctx: Context, data: CheckIn) -> IntegrityCheck:
    """Run a record check for recruitment or transfer: gather the findings as of ``as_of``, store the result sheet
    under a new number and audit it. A person unknown to the registry is registered (the ID number encrypted)."""
    scope(ctx, CHECK)
    rules = integrity_rules()
    labels = rules.purpose_labels
    if data.purpose not in labels:
        choices = "、".join(f"{k}（{v}）" for k, v in labels.items())
        raise InvalidInput(f"核查用途应为：{choices}", field="purpose")
    reason = _reason(data.reason)
    as_of = data.as_of or ctx.today
    if as_of > ctx.today:
        raise InvalidInput("核查基准日不能晚于今天", field="as_of")
    subject = person(ctx, data.name, data.ric)
    assert subject is not None
    found = file_of_subject(ctx, subject.id)
    sheet = gather(ctx.session, subject, found, as_of)
    sheet_no = next_sheet_no(ctx, ctx.today.year)
    sheet = {
        "sheet_no": sheet_no,
        "purpose": data.purpose,
        "purpose_label": labels[data.purpose],
        "reason": reason,
        "as_of": as_of.isoformat(),
        **sheet,
        "checked_by": ctx.actor,
        "checked_at": ctx.at.isoformat(timespec="seconds"),
        "department_id": ctx.department_id,
    }
    check = IntegrityCheck(
        sheet_no=sheet_no,
        subject_id=subject.id,
        purpose=data.purpose,
        reason=reason,
        as_of=as_of,
        conclusion=sheet["conclusion"],
        sheet=sheet,
        department_id=ctx.department_id,
        checked_by=ctx.actor[:128],
        checked_at=ctx.at,
    )
    try:
        with ctx.session.begin_nested():
            ctx.session.add(check)
            ctx.session.flush()
    except IntegrityError:
        raise Conflict("结果单编号冲突（同时有其他核查），请重试", field="sheet_no") from None
    audit.record(
        ctx,
        "integrity.check",
        "integrity_check",
        check.id,
        {
            "sheet_no": sheet_no,
            "subject_id": subject.id,
            "purpose": data.purpose,
            "as_of": as_of.isoformat(),
            "conclusion": check.conclusion,
            "reason": reason,
        },
    )
    return check
