"""Reads of the listing procedure: the staff list with filters, one entry with its history and files, a subject's
entries, and the public list pages (entries of public list types in force on ``as_of``: natural persons' names
masked, ID numbers never shown).

Staff (``lists.read``): the credit office and regulators read every entry; a department officer its own
department's. Reading one entry's detail is audited (it may hold a natural person's data).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.auth.pii import lookup_hash, mask_name
from xinyong.codes.check import check_code
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists.active import entry_in_force, in_force
from xinyong.lists.entries import earliest_early_removal, list_type, notice_text, status_label
from xinyong.lists.entry_schemas import (
    ACTION_LABELS,
    REMOVAL_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    STEPS,
    EntryDetail,
    EntryPage,
    EntryRow,
    ListTypeOut,
    PublicEntry,
    PublicListSummary,
    PublicPage,
)
from xinyong.lists.models import ListEntry
from xinyong.lists.types import LIST_KINDS, ListType, list_catalogue
from xinyong.records import cases
from xinyong.records.cases import in_china
from xinyong.records.models import CaseFile
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Department, Subject

READ = "lists.read"
READ_PUBLIC = "lists.read_public"
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
Q_MAX = 100


# --------------------------------------------------------------------------------------------- list types
def list_types() -> list[ListTypeOut]:
    """Every list type with its legal basis, periods and exit rules (public)."""
    return [
        ListTypeOut.model_validate(t.model_dump() | {"kind_label": t.kind_label})
        for t in list_catalogue().types.values()
    ]


# --------------------------------------------------------------------------------------------- staff
def _scope(ctx: Context) -> int | None:
    """``lists.read``; the department a department officer is limited to (None: every department)."""
    require(ctx, READ)
    if ctx.role == "department_officer":
        if ctx.department_id is None:
            raise PermissionDenied(ctx.role, READ, "只能查看本部门的名单条目")
        return ctx.department_id
    return None


def _page_bounds(offset: int, limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {MAX_LIMIT} 之间", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"跳过条数应在 0 到 {MAX_OFFSET} 之间", field="offset")


def _code_match(q: str) -> ColumnElement[bool] | None:
    """Subjects whose USCC (or ID number, by its keyed hash) is ``q``, when ``q`` is a valid code."""
    result = check_code(q, "auto")
    if not result.valid or result.kind == "unknown":
        return None
    code = result.converted or result.normalized
    return Subject.ric_hash == lookup_hash(code) if result.kind == "ric" else Subject.uscc == code


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def clean_query(q: str | None) -> str:
    """The search text of a list page: at most ``Q_MAX`` characters, no control characters."""
    text = (q or "").strip()
    if len(text) > Q_MAX:
        raise InvalidInput(f"查询内容过长（最多 {Q_MAX} 个字）", field="q")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidInput("查询内容含有不可见的控制字符", field="q")
    return text


def _rows_stmt() -> Select[tuple[ListEntry, Subject, str]]:
    return (
        select(ListEntry, Subject, Department.name)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .join(Department, Department.id == ListEntry.department_id)
    )


def _subject_code(subject: Subject) -> str | None:
    return subject.ric_masked if subject.kind == "natural_person" else subject.uscc


def entry_row(entry: ListEntry, subject: Subject, department_name: str, today: date) -> EntryRow:
    """The staff row of one entry (names in clear, ID numbers masked)."""
    kinds = list_catalogue().types
    kind = kinds.get(entry.list_code)
    return EntryRow(
        id=entry.id,
        list_code=entry.list_code,
        list_name=kind.name if kind else entry.list_code,
        kind=entry.kind,
        kind_label=LIST_KINDS.get(entry.kind, entry.kind),
        subject_id=subject.id,
        subject_name=subject.name,
        subject_kind=subject.kind,
        subject_code=_subject_code(subject),
        role=entry.role,
        role_label=ROLE_LABELS.get(entry.role, entry.role),
        parent_id=entry.parent_id,
        department_id=entry.department_id,
        department_name=department_name,
        status=entry.status,
        status_label=status_label(entry),
        proposed_on=in_china(entry.created_at).date(),
        notice_on=entry.notice_on,
        defence_due=entry.defence_due,
        decision_on=entry.decision_on,
        published_on=entry.published_on,
        expires_on=entry.expires_on,
        removed_on=entry.removed_on,
        removal_reason=entry.removal_reason,
        removal_reason_label=REMOVAL_LABELS.get(entry.removal_reason) if entry.removal_reason else None,
        in_force=entry_in_force(entry, today),
        lock_version=entry.lock_version,
    )


def list_entries(
    ctx: Context,
    *,
    list_code: str | None = None,
    status: str | None = None,
    department_id: int | None = None,
    subject_id: int | None = None,
    q: str | None = None,
    include_persons: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> EntryPage:
    """Entries, newest first, filtered by list type, status, department, subject and ``q`` (a name fragment or a
    code). Responsible persons' entries only with ``include_persons``, a ``subject_id`` or a ``q``."""
    own = _scope(ctx)
    _page_bounds(offset, limit)
    stmt = _rows_stmt()
    if own is not None:
        if department_id is not None and department_id != own:
            raise PermissionDenied(ctx.role, READ, "只能查看本部门的名单条目")
        department_id = own
    if list_code:
        stmt = stmt.where(ListEntry.list_code == list_type(list_code).code)
    if status:
        if status not in STATUS_LABELS:
            raise InvalidInput(
                f"状态应为 {'、'.join(f'{k}（{v}）' for k, v in STATUS_LABELS.items())} 之一", field="status"
            )
        stmt = stmt.where(ListEntry.status == status)
    if department_id is not None:
        stmt = stmt.where(ListEntry.department_id == department_id)
    text = clean_query(q)
    if subject_id is not None:
        stmt = stmt.where(ListEntry.subject_id == subject_id)
    elif not include_persons and not text:
        stmt = stmt.where(ListEntry.parent_id.is_(None))
    if text:
        by_code = _code_match(text)
        stmt = stmt.where(by_code if by_code is not None else Subject.name.like(_like(text), escape="\\"))
    total = ctx.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = ctx.session.execute(stmt.order_by(ListEntry.id.desc()).offset(offset).limit(limit)).all()
    items = [entry_row(e, s, d, ctx.today) for e, s, d in rows]
    return EntryPage(total=total, offset=offset, limit=limit, items=items)


def subject_entries(ctx: Context, subject_id: int) -> list[EntryRow]:
    """Every entry of one subject on every list (as employer or responsible person), newest first."""
    _scope(ctx)
    if fetch(ctx.session, Subject, subject_id) is None:
        raise NotFound(f"主体 {subject_id} 不存在", field="subject_id")
    return list_entries(ctx, subject_id=subject_id, limit=MAX_LIMIT).items


def _readable(ctx: Context, entry_id: int) -> ListEntry:
    own = _scope(ctx)
    entry = fetch(ctx.session, ListEntry, entry_id)
    if entry is None:
        raise NotFound(f"名单条目 {entry_id} 不存在", field="entry_id")
    if own is not None and entry.department_id != own:
        raise PermissionDenied(ctx.role, READ, "只能查看本部门的名单条目")
    return entry


def may_manage(ctx: Context, department_id: int) -> bool:
    """Whether the caller may run the procedure on entries of ``department_id`` (``lists.manage``, own
    department for a department officer)."""
    try:
        require(ctx, "lists.manage")
    except PermissionDenied:
        return False
    return ctx.role != "department_officer" or ctx.department_id == department_id


def next_steps(ctx: Context, entry: ListEntry) -> list[str]:
    """The steps the caller may take on the entry now (none on a responsible person's entry)."""
    if entry.parent_id is not None or not may_manage(ctx, entry.department_id):
        return []
    return list(STEPS.get(entry.kind, {}).get(entry.status, ()))


def entry_detail(ctx: Context, entry_id: int) -> EntryDetail:
    """One entry: every step's dates and documents, the notice text, its responsible persons (or its employer),
    the early-removal rule, history and files. The read is audited."""
    entry = _readable(ctx, entry_id)
    session = ctx.session
    subject = session.get(Subject, entry.subject_id)
    department = session.get(Department, entry.department_id)
    assert subject is not None and department is not None  # foreign keys
    kind = list_catalogue().types.get(entry.list_code)
    child = aliased(ListEntry)
    people = session.execute(
        select(child, Subject, Department.name)
        .join(Subject, Subject.id == child.subject_id)
        .join(Department, Department.id == child.department_id)
        .where(child.parent_id == entry.id)
        .order_by(child.id)
    ).all()
    persons = [entry_row(e, s, d, ctx.today) for e, s, d in people]
    text = None
    rule = None
    earliest = None
    if kind is not None:
        if entry.notice_on is not None:
            text = notice_text(entry, kind, subject.name, [p.subject_name for p in persons])
        if kind.early_removal is not None:
            r = kind.early_removal
            start = "改正之日" if r.counted_from == "correction" else "列入决定之日"
            after = f"自{start}起满 {r.after_months} 个月，" if r.after_months else ""
            rule = f"{after}{'、'.join(r.requires)}"
            earliest = earliest_early_removal(entry, kind)
    row = entry_row(entry, subject, department.name, ctx.today)
    detail = EntryDetail(
        **row.model_dump(),
        list_version=entry.list_version,
        reasons=entry.reasons,
        basis=entry.basis,
        case_ref=entry.case_ref,
        notice_doc_no=entry.notice_doc_no,
        notice_text=text,
        defence_on=entry.defence_on,
        defence_text=entry.defence_text,
        defence_outcome=entry.defence_outcome,
        decision_doc_no=entry.decision_doc_no,
        corrected_on=entry.corrected_on,
        commitment_text=entry.commitment_text,
        removal_note=entry.removal_note,
        source_authority=entry.source_authority,
        source_ref=entry.source_ref,
        created_by=entry.created_by,
        created_at=in_china(entry.created_at),
        earliest_early_removal=earliest,
        early_removal_rule=rule,
        responsible_persons=persons,
        next_steps=next_steps(ctx, entry),
        history=cases.history_out(session, "listing", entry.id, ACTION_LABELS),
        files=cases.files_out(session, "listing", entry.id),
    )
    audit.record_read(ctx, "list_entry", entry.id, {"list_code": entry.list_code, "subject_id": entry.subject_id})
    return detail


def entry_file(ctx: Context, entry_id: int, file_id: int) -> CaseFile:
    """One file of the entry with its content (readers of the entry; the download is audited)."""
    entry = _readable(ctx, entry_id)
    row = fetch(ctx.session, CaseFile, file_id)
    if row is None or row.case_type != "listing" or row.case_id != entry.id:
        raise NotFound(f"名单条目 {entry.id} 没有编号为 {file_id} 的材料", field="file_id")
    audit.record_read(ctx, "case_file", row.id, {"list_entry_id": entry.id, "sha256": row.sha256})
    return row


# --------------------------------------------------------------------------------------------- public
def public_day(ctx: Context, as_of: date | None) -> date:
    """``as_of`` or today; a future day is refused."""
    day = as_of or ctx.today
    if day > ctx.today:
        raise InvalidInput(f"查询日期不能晚于今天（{ctx.today.isoformat()}）", field="as_of")
    return day


def public_list_counts(session: Session, day: date) -> dict[str, int]:
    """Subjects (employers, not their responsible persons) in force on each public list type on ``day``."""
    codes = [t.code for t in list_catalogue().types.values() if t.public]
    rows = session.execute(
        select(ListEntry.list_code, func.count())
        .where(ListEntry.list_code.in_(codes), ListEntry.parent_id.is_(None), in_force(day))
        .group_by(ListEntry.list_code)
    ).all()
    return {code: int(count) for code, count in rows}


def public_lists(
    ctx: Context, as_of: date | None = None, counts: dict[str, int] | None = None
) -> list[PublicListSummary]:
    """The public list types and how many subjects (employers, not their responsible persons) are on each;
    ``counts``: the counts of that day already at hand (the portal's cached figures), else counted now."""
    require(ctx, READ_PUBLIC)
    day = public_day(ctx, as_of)
    held = public_list_counts(ctx.session, day) if counts is None else counts
    return [
        PublicListSummary(
            code=t.code, name=t.name, kind=t.kind, kind_label=t.kind_label, in_force=int(held.get(t.code, 0))
        )
        for t in list_catalogue().types.values()
        if t.public
    ]


def _shown_name(subject: Subject) -> str:
    return mask_name(subject.name) if subject.kind == "natural_person" else subject.name


def public_type(list_code: str) -> ListType:
    """The public list type of ``list_code`` (404 for an unknown or non-public one)."""
    kind = list_catalogue().types.get((list_code or "").strip())
    if kind is None or not kind.public:
        raise NotFound(f"没有名为 {list_code!r} 的公开名单", field="list_code")
    return kind


def public_entries_query(list_code: str, day: date, text: str) -> Select[tuple[ListEntry, Subject, str]]:
    """Entries (not responsible persons) in force on ``day`` on a list, with subject and department name, matching
    ``text`` (a USCC, or a fragment of an organisation's name: natural persons are never found by name)."""
    stmt = (
        select(ListEntry, Subject, Department.name)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .join(Department, Department.id == ListEntry.department_id)
        .where(ListEntry.list_code == list_code, ListEntry.parent_id.is_(None), in_force(day))
    )
    if text:
        result = check_code(text, "uscc")
        if result.valid:
            stmt = stmt.where(Subject.uscc == result.normalized)
        else:
            stmt = stmt.where(Subject.kind != "natural_person", Subject.name.like(_like(text), escape="\\"))
    return stmt


PUBLIC_ORDER = (ListEntry.published_on.desc(), ListEntry.id.desc())


def public_persons(session: Session, parent_ids: Sequence[int], day: date) -> dict[int, list[str]]:
    """Parent entry → the masked names of its responsible persons in force on ``day``."""
    if not parent_ids:
        return {}
    found: dict[int, list[str]] = {}
    stmt = (
        select(ListEntry.parent_id, Subject.name)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .where(ListEntry.parent_id.in_(list(parent_ids)), in_force(day))
        .order_by(ListEntry.id)
    )
    for parent_id, name in session.execute(stmt):
        found.setdefault(int(parent_id), []).append(mask_name(name))
    return found


def public_entry(entry: ListEntry, subject: Subject, department: str, day: date, persons: list[str]) -> PublicEntry:
    """An entry as the public sees it: a natural person's name masked and no ID number, reasons scrubbed."""
    return PublicEntry(
        id=entry.id,
        subject_name=_shown_name(subject),
        subject_kind_label=SUBJECT_KIND_LABELS.get(subject.kind, subject.kind),
        uscc=None if subject.kind == "natural_person" else subject.uscc,
        reasons=audit.scrub_text(entry.reasons),
        decision_doc_no=entry.decision_doc_no,
        decided_on=entry.decision_on,
        published_on=entry.published_on or day,
        expires_on=entry.expires_on,
        authority=entry.source_authority or department,
        responsible_persons=persons,
    )


def public_entries(
    ctx: Context, list_code: str, *, as_of: date | None = None, q: str | None = None, offset: int = 0, limit: int = 50
) -> PublicPage:
    """The subjects on a public list on ``as_of`` (default today; never a future day), newest first: ``q`` is a
    USCC or an organisation's name fragment (a natural person is never searchable by name or ID number)."""
    require(ctx, READ_PUBLIC)
    kind = public_type(list_code)
    day = public_day(ctx, as_of)
    _page_bounds(offset, limit)
    text = clean_query(q)
    stmt = public_entries_query(kind.code, day, text)
    total = ctx.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = ctx.session.execute(stmt.order_by(*PUBLIC_ORDER).offset(offset).limit(limit)).all()
    persons = public_persons(ctx.session, [e.id for e, _, _ in rows], day)
    return PublicPage(
        list_code=kind.code,
        list_name=kind.name,
        kind_label=kind.kind_label,
        as_of=day,
        q=text,
        total=total,
        offset=offset,
        limit=limit,
        items=[public_entry(e, s, d, day, persons.get(e.id, [])) for e, s, d in rows],
    )


def summary(ctx: Context, entry: ListEntry) -> EntryRow:
    """The row of ``entry`` (the answer of an action; the caller has just been authorised, nothing audited)."""
    subject = ctx.session.get(Subject, entry.subject_id)
    department = ctx.session.get(Department, entry.department_id)
    assert subject is not None and department is not None  # foreign keys
    return entry_row(entry, subject, department.name, ctx.today)
