"""Reads of the civil servants' integrity files and checks (issue #11 item 1), and the scope every action and read
of this area goes through.

Who: the credit office (and the console operator) and the officers of the departments ``rules/integrity.yaml``
names (``integrity_departments``: 区委组织部, 区人社局); any other department officer is refused even though the
role holds ``integrity.*`` (the role grants it to every department; the scope is decided here). Files hold
personal data: every read is audited (``read.integrity_file``, ``read.integrity_check``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.catalog.departments import load_departments
from xinyong.codes.check import check_code
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import InvalidInput, NotFound
from xinyong.government.integrity_rules import IntegrityRules, integrity_rules
from xinyong.government.integrity_schemas import CheckOut, CheckRow, EntryOut, FileOut, FileRow
from xinyong.government.models import IntegrityCheck, IntegrityEntry, IntegrityFile, PublicBody
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.names import normalize_name

READ = "integrity.read"
RECORD = "integrity.record"
CHECK = "integrity.check"
KIND_LABELS = {"record": "诚信记录", "training": "诚信教育培训"}
CONCLUSION_LABELS = {"clear": "未发现不良记录", "adverse": "有不良记录", "no_file": "未建立诚信档案"}
LIST_MAX = 200


# --------------------------------------------------------------------------------------------- scope
def integrity_department_names(rules: IntegrityRules | None = None) -> list[str]:
    """Names of the departments that keep files and run checks (for messages and the docs)."""
    names = {d.code: d.short_name or d.name for d in load_departments().departments}
    return [names.get(code, code) for code in (rules or integrity_rules()).integrity_departments]


def scope(ctx: Context, permission: str) -> None:
    """``require`` plus: a department officer only when the own department is an integrity department."""
    require(ctx, permission)
    if ctx.role != "department_officer":
        return
    dept = fetch(ctx.session, Department, ctx.department_id) if ctx.department_id else None
    rules = integrity_rules()
    if dept is None or dept.code not in rules.integrity_departments:
        allowed_names = "、".join(integrity_department_names(rules))
        raise PermissionDenied(
            ctx.role, permission, f"公务员诚信档案只能由区信用办和{allowed_names}查阅、记录和核查，本部门无此权限"
        )


# --------------------------------------------------------------------------------------------- people
def normal_ric(raw: str) -> str:
    """The normalised resident ID number, else ``InvalidInput`` (field ``ric``) in Chinese."""
    result = check_code(raw or "", kind="ric")
    if not result.valid:
        reasons = "；".join(result.messages.values()) or "格式不正确"
        raise InvalidInput(f"公民身份号码无效：{reasons}", field="ric")
    return result.normalized


def person_by_ric(ctx: Context, ric: str) -> Subject | None:
    """The natural-person subject holding ``ric`` (normalised), found by its keyed hash; None when none does."""
    return ctx.session.scalar(
        select(Subject)
        .where(Subject.ric_hash == pii.lookup_hash(ric), Subject.kind == "natural_person")
        .order_by(Subject.id)
        .limit(1)
    )


def file_of_subject(ctx: Context, subject_id: int) -> IntegrityFile | None:
    """The file of a natural-person subject, if one was opened."""
    return ctx.session.scalar(select(IntegrityFile).where(IntegrityFile.subject_id == subject_id))


def file_or_404(ctx: Context, file_id: int) -> IntegrityFile:
    """The file ``file_id``, else ``NotFound``."""
    return fetch_or_404(ctx.session, IntegrityFile, file_id, f"诚信档案 {file_id} 不存在")


# --------------------------------------------------------------------------------------------- entries
def withdrawn_by(entries: list[IntegrityEntry], as_of: date | None = None) -> dict[int, int]:
    """Entry id → id of the entry withdrawing it (only withdrawals dated on or before ``as_of`` when given)."""
    return {
        e.withdraws_id: e.id
        for e in entries
        if e.withdraws_id is not None and (as_of is None or e.occurred_on <= as_of)
    }


def in_force(entries: list[IntegrityEntry], as_of: date) -> list[IntegrityEntry]:
    """Entries (not withdrawals) that happened on or before ``as_of`` and were not withdrawn by then."""
    gone = withdrawn_by(entries, as_of)
    return [e for e in entries if e.withdraws_id is None and e.occurred_on <= as_of and e.id not in gone]


def entries_of(session: Session, file_id: int) -> list[IntegrityEntry]:
    """Every entry of a file (withdrawals included), newest first."""
    return list(
        session.scalars(
            select(IntegrityEntry)
            .where(IntegrityEntry.file_id == file_id)
            .order_by(IntegrityEntry.occurred_on.desc(), IntegrityEntry.id.desc())
        )
    )


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def training_window(as_of: date, rules: IntegrityRules | None = None) -> tuple[date, date]:
    """The period whose training counts for a check on ``as_of``: (first day, ``as_of``)."""
    months = (rules or integrity_rules()).training.period_months
    return months_before(as_of, months) + timedelta(days=1), as_of


def training_hours(entries: list[IntegrityEntry], start: date, end: date) -> Decimal:
    """Hours of training entries in force on ``end`` that happened within [start, end]."""
    return sum(
        (e.hours or Decimal(0) for e in in_force(entries, end) if e.kind == "training" and start <= e.occurred_on),
        Decimal(0),
    )


def entry_out(entry: IntegrityEntry, gone: dict[int, int], rules: IntegrityRules | None = None) -> EntryOut:
    """The output shape of an entry (labels from the rulebook)."""
    rules = rules or integrity_rules()
    labels = rules.category_labels | rules.training_labels
    return EntryOut(
        id=entry.id,
        file_id=entry.file_id,
        kind=entry.kind,
        kind_label=KIND_LABELS.get(entry.kind, entry.kind),
        category=entry.category,
        category_label=labels.get(entry.category, entry.category),
        adverse=entry.kind == "record" and entry.withdraws_id is None and entry.category in rules.adverse_categories,
        title=entry.title,
        detail=entry.detail,
        occurred_on=entry.occurred_on,
        hours=entry.hours,
        source=entry.source,
        withdraws_id=entry.withdraws_id,
        withdrawn_by_id=gone.get(entry.id),
        recorded_by=entry.recorded_by,
        recorded_at=entry.recorded_at,
    )


# --------------------------------------------------------------------------------------------- files
def _row(ctx: Context, found: IntegrityFile, entries: list[IntegrityEntry], today: date) -> FileRow:
    subject = ctx.session.get(Subject, found.subject_id)
    body = ctx.session.get(PublicBody, found.body_id) if found.body_id else None
    rules = integrity_rules()
    current = in_force(entries, today)
    return FileRow(
        id=found.id,
        subject_id=found.subject_id,
        name=subject.name if subject else "",
        ric_masked=subject.ric_masked if subject else None,
        body_id=found.body_id,
        body_name=body.name if body else None,
        position=found.position,
        records=sum(1 for e in current if e.kind == "record"),
        adverse=sum(1 for e in current if e.kind == "record" and e.category in rules.adverse_categories),
        opened_at=found.opened_at,
    )


def file_view(ctx: Context, found: IntegrityFile) -> FileOut:
    """A file with its entries and training hours, without auditing (the caller has audited or just written)."""
    rules = integrity_rules()
    entries = entries_of(ctx.session, found.id)
    today = ctx.today
    start, end = training_window(today, rules)
    gone = withdrawn_by(entries)
    return FileOut(
        **_row(ctx, found, entries, today).model_dump(),
        opened_by=found.opened_by,
        entries=[entry_out(e, gone, rules) for e in entries],
        training_hours=training_hours(entries, start, end),
        training_required=rules.training.hours_required,
        training_from=start,
        training_to=end,
    )


def read_file(ctx: Context, file_id: int) -> FileOut:
    """One file with its entries (``integrity.read``, scoped); the read is audited."""
    scope(ctx, READ)
    found = file_or_404(ctx, file_id)
    audit.record_read(ctx, "integrity_file", found.id, {"subject_id": found.subject_id})
    return file_view(ctx, found)


def list_files(
    ctx: Context, q: str = "", ric: str = "", body_id: int | None = None, limit: int = LIST_MAX
) -> list[FileRow]:
    """Files, newest first, optionally by name fragment, exact ID number or employer; the search is audited."""
    scope(ctx, READ)
    if not 1 <= limit <= LIST_MAX:
        raise InvalidInput(f"每页条数应在 1–{LIST_MAX} 之间", field="limit")
    stmt = select(IntegrityFile).join(Subject, Subject.id == IntegrityFile.subject_id)
    text = (q or "").strip()
    if len(text) > 64:
        raise InvalidInput("姓名关键词过长（最多 64 个字符）", field="q")
    if text:
        stmt = stmt.where(Subject.name_key.contains(normalize_name(text)))
    if (ric or "").strip():
        stmt = stmt.where(Subject.ric_hash == pii.lookup_hash(normal_ric(ric)))
    if body_id is not None:
        stmt = stmt.where(IntegrityFile.body_id == body_id)
    rows = list(ctx.session.scalars(stmt.order_by(IntegrityFile.id.desc()).limit(limit)))
    filters = {"q": bool(text), "ric": bool((ric or "").strip()), "body_id": body_id}
    audit.record_read(ctx, "integrity_file", "*", {"filters": filters, "count": len(rows)})
    today = ctx.today
    return [_row(ctx, f, entries_of(ctx.session, f.id), today) for f in rows]


# --------------------------------------------------------------------------------------------- checks
def _check_row(ctx: Context, found: IntegrityCheck) -> dict[str, object]:
    rules = integrity_rules()
    person = found.sheet.get("person", {}) if isinstance(found.sheet, dict) else {}
    return {
        "id": found.id,
        "sheet_no": found.sheet_no,
        "subject_id": found.subject_id,
        "name": str(person.get("name", "")),
        "purpose": found.purpose,
        "purpose_label": rules.purpose_labels.get(found.purpose, found.purpose),
        "as_of": found.as_of,
        "conclusion": found.conclusion,
        "conclusion_label": CONCLUSION_LABELS.get(found.conclusion, found.conclusion),
        "checked_by": found.checked_by,
        "checked_at": found.checked_at,
    }


def check_view(ctx: Context, found: IntegrityCheck) -> CheckOut:
    """A check's output shape, without auditing."""
    return CheckOut(**_check_row(ctx, found), reason=found.reason, department_id=found.department_id, sheet=found.sheet)


def _visible(ctx: Context, found: IntegrityCheck) -> bool:
    """Department officers see their own department's checks; the office sees all."""
    return ctx.role != "department_officer" or found.department_id == ctx.department_id


def read_check(ctx: Context, check_id: int) -> CheckOut:
    """One check with its sheet (``integrity.read``, scoped; another department's check is not found)."""
    scope(ctx, READ)
    found = fetch(ctx.session, IntegrityCheck, check_id)
    if found is None or not _visible(ctx, found):
        raise NotFound(f"核查结果单 {check_id} 不存在")
    audit.record_read(ctx, "integrity_check", found.id, {"sheet_no": found.sheet_no})
    return check_view(ctx, found)


def check_id_of(ctx: Context, sheet_no: str) -> int:
    """The id of the check numbered ``sheet_no``, else ``NotFound``."""
    found = ctx.session.scalar(select(IntegrityCheck.id).where(IntegrityCheck.sheet_no == (sheet_no or "").strip()))
    if found is None:
        raise NotFound(f"核查结果单 {sheet_no[:32]} 不存在")
    return found


def list_checks(ctx: Context, subject_id: int | None = None, limit: int = 50) -> list[CheckRow]:
    """Recent checks, newest first (a department officer: its own department's); the read is audited."""
    scope(ctx, READ)
    if not 1 <= limit <= LIST_MAX:
        raise InvalidInput(f"每页条数应在 1–{LIST_MAX} 之间", field="limit")
    stmt = select(IntegrityCheck).order_by(IntegrityCheck.id.desc()).limit(limit)
    if ctx.role == "department_officer":
        stmt = stmt.where(IntegrityCheck.department_id == ctx.department_id)
    if subject_id is not None:
        stmt = stmt.where(IntegrityCheck.subject_id == subject_id)
    rows = list(ctx.session.scalars(stmt))
    audit.record_read(ctx, "integrity_check", "*", {"subject_id": subject_id, "count": len(rows)})
    return [CheckRow.model_validate(_check_row(ctx, r)) for r in rows]


def next_sheet_no(ctx: Context, year: int) -> str:
    """``ZWCX-<year>-<sequence>``: one more than the year's highest stored sequence."""
    prefix = f"{integrity_rules().sheet_prefix}-{year}-"
    last = ctx.session.scalar(
        select(func.max(IntegrityCheck.sheet_no)).where(IntegrityCheck.sheet_no.like(prefix + "%"))
    )
    seq = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{seq:06d}"
