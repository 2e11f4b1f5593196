"""Reads of credit records beyond the public pages.

* Staff (``records.read``): lists with or without superseded versions, and one record with the fields its
  reader's sharing levels allow (``xinyong.records.visibility``) and its history; rows and records carry the
  publicity status of today (code and label), severity, regime, end of the minimum period and the effective
  end. Every read is audited (``read.credit_record``): staff see natural persons' names in clear and, on a
  record, 有条件共享 fields at least.
* ``read_record_status``: one record's status on any ``as_of``, for staff readers and the record's own subject.
* ``own_records``: a subject's own current records of every data item (``lifecycle.read_own``; the credit office
  names the subject), with their status, public fields and whether an objection or a repair is possible.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, allowed, require, require_department, require_own_subject
from xinyong.catalog.items import DataItem, UnknownItem, load_catalog
from xinyong.db.base import MAX_ID, fetch, fetch_or_404
from xinyong.errors import InvalidInput, NotFound
from xinyong.records.effects import effects_of
from xinyong.records.models import CreditRecord
from xinyong.records.publication import DEFAULT_LIMIT, check_as_of, check_page, current_version
from xinyong.records.regimes import SEVERITY_LABELS, publicity_rules
from xinyong.records.schemas import (
    EffectRow,
    OwnRecord,
    OwnRecords,
    RecordLifecycle,
    RecordVersion,
    StaffPage,
    StaffRecord,
    StaffRecordRow,
)
from xinyong.records.status import STATUS_LABELS, RecordStatus, effective_end, record_status, status_expr
from xinyong.records.visibility import (
    NATURAL_PERSON,
    PUBLIC_LEVELS,
    READ,
    display_name,
    ordered,
    read_fields,
    record_fields,
)
from xinyong.subjects.models import Department, Subject

READ_OWN = "lifecycle.read_own"
REVOKE = "records.revoke"
EFFECT_LABELS = {"objection": "异议", "repaired": "信用修复", "revoked": "撤销", "expired": "公示期满"}
OWN_MAX = 500  # a subject's records on one page (a subject with more is an anomaly, not a reading pattern)

STAFF_MAX_OFFSET = 1_000_000


def _superseded_by() -> ColumnElement[int | None]:
    """Id of the row that supersedes ``CreditRecord`` (None for the current version)."""
    newer = aliased(CreditRecord)
    return select(func.min(newer.id)).where(newer.supersedes_id == CreditRecord.id).scalar_subquery()


def _check_id(value: int | None, field: str, label: str) -> None:
    if value is not None and not 1 <= value <= MAX_ID:
        raise InvalidInput(f"{label}编号无效", field=field)


def staff_records(
    ctx: Context,
    *,
    subject_id: int | None = None,
    item_id: str | None = None,
    department_id: int | None = None,
    include_history: bool = False,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> StaffPage:
    """Records of any department, newest decision first; current versions only unless ``include_history``.

    Rows carry public-level columns (natural persons' names in clear for staff) and the version links; the
    list read is audited with its filters.
    """
    require(ctx, READ)
    check_page(offset, limit, STAFF_MAX_OFFSET)
    _check_id(subject_id, "subject_id", "信用主体")
    _check_id(department_id, "department_id", "部门")
    if item_id is not None and item_id not in load_catalog().items:
        raise InvalidInput("资源目录中没有该数据项", field="item_id")
    newer_id = _superseded_by().label("superseded_by_id")
    stmt = select(CreditRecord, newer_id, Department.name).join(Department, Department.id == CreditRecord.department_id)
    today = ctx.today
    if subject_id is not None:
        stmt = stmt.where(CreditRecord.subject_id == subject_id)
    if item_id is not None:
        stmt = stmt.where(CreditRecord.item_id == item_id)
    if department_id is not None:
        stmt = stmt.where(CreditRecord.department_id == department_id)
    if not include_history:
        stmt = stmt.where(current_version())
    session = ctx.session
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(CreditRecord.id).subquery())) or 0
    rows = session.execute(
        stmt.add_columns(status_expr(today).label("status"))
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    filters = {
        "subject_id": subject_id,
        "item_id": item_id,
        "department_id": department_id,
        "include_history": include_history,
    }
    audit.record_read(
        ctx,
        "credit_record",
        "*",
        {"filters": {k: v for k, v in filters.items() if v not in (None, False)}, "offset": offset, "total": total},
    )
    return StaffPage(
        total=total,
        offset=offset,
        limit=limit,
        include_history=include_history,
        items=[_row(record, newer, department, code, today) for record, newer, department, code in rows],
    )


def _row(
    record: CreditRecord, superseded_by_id: int | None, department_name: str, code: str, today: date
) -> StaffRecordRow:
    return StaffRecordRow(
        **_version_fields(record, superseded_by_id, department_name),
        **_status_fields(record, code, today),
        category=record.category,
    )


def _status_fields(record: CreditRecord, code: str, as_of: date) -> dict[str, Any]:
    """Status (code and label), severity, regime and the ends of a record on ``as_of``."""
    return {
        "status": code,
        "status_label": STATUS_LABELS.get(code, code),
        "severity": record.severity,
        "severity_label": SEVERITY_LABELS.get(record.severity) if record.severity else None,
        "regime": record.regime,
        "min_end": record.publicity_min_end,
        "effective_end": effective_end(record, as_of),
    }


def _version_fields(record: CreditRecord, superseded_by_id: int | None, department_name: str) -> dict[str, Any]:
    """The columns a staff list row and a staff record view share."""
    return {
        "id": record.id,
        "item_id": record.item_id,
        "department_id": record.department_id,
        "department_name": department_name,
        "subject_id": record.subject_id,
        "subject_name": display_name(record, unmask_personal=True),
        "subject_kind": record.subject_kind,
        "uscc": record.subject_uscc,
        "doc_no": record.doc_no,
        "version": record.version,
        "supersedes_id": record.supersedes_id,
        "superseded_by_id": superseded_by_id,
        "current": superseded_by_id is None,
        "decided_on": record.decided_on,
        "publicity_end": record.publicity_end,
        "reported_on": record.reported_on,
    }


def versions_of(ctx: Context, record: CreditRecord) -> list[RecordVersion]:
    """Every version of ``record``'s natural key (data item, department, document number), oldest first."""
    newer_id = _superseded_by()
    rows = ctx.session.execute(
        select(CreditRecord, newer_id)
        .where(
            CreditRecord.item_id == record.item_id,
            CreditRecord.department_id == record.department_id,
            CreditRecord.doc_no == record.doc_no,
        )
        .order_by(CreditRecord.version, CreditRecord.id)
    ).all()
    return [
        RecordVersion(
            id=r.id,
            version=r.version,
            supersedes_id=r.supersedes_id,
            current=newer is None,
            batch_id=r.batch_id,
            reported_on=r.reported_on,
            loaded_at=r.loaded_at,
        )
        for r, newer in rows
    ]


def _item_or_none(item_id: str) -> DataItem | None:
    try:
        return load_catalog().item(item_id)
    except UnknownItem:
        return None


def staff_record(ctx: Context, record_id: int, *, reveal_identifiers: bool = False) -> StaffRecord:
    """One record version (current or superseded) with the fields ``levels_for`` allows and its history.

    ``reveal_identifiers`` shows ID numbers (and phone numbers) in clear: ``subjects.read_pii`` only (the
    credit office). The read is audited by ``visibility.read_fields``. A record of a data item no longer in
    the catalogue shows no fields (their sharing levels are unknown).
    """
    require(ctx, READ)
    record = fetch_or_404(ctx.session, CreditRecord, record_id, "未找到该信用记录", "record_id")
    item = _item_or_none(record.item_id)
    if item is not None:
        levels, fields = read_fields(ctx, item, record, reveal_identifiers=reveal_identifiers)
    else:
        levels, fields = frozenset(), []
        audit.record_read(ctx, "credit_record", record.id, {"item": record.item_id, "fields": []})
    versions = versions_of(ctx, record)
    # The versions of the natural key include any that supersede this one.
    superseded_by = min((v.id for v in versions if v.supersedes_id == record.id), default=None)
    department = ctx.session.get(Department, record.department_id)
    status = record_status(ctx, record, ctx.today)
    return StaffRecord(
        **_version_fields(record, superseded_by, department.name if department else ""),
        **_status_fields(record, status.code, ctx.today),
        item_name=item.name if item else record.item_id,
        levels=ordered(levels),  # type: ignore[arg-type]
        identifiers_revealed=reveal_identifiers and item is not None,
        fields=fields,
        versions=versions,
    )


# --------------------------------------------------------------------------------------------- lifecycle reads
def _may_read_status(ctx: Context, record: CreditRecord) -> None:
    """Staff readers (``records.read``, any department, as the staff record view) or the record's own subject
    (``lifecycle.read_own``); ``PermissionDenied`` otherwise (also for a record of an unregistered subject)."""
    try:
        require(ctx, READ)
    except PermissionDenied:
        if record.subject_id is None:
            raise
        require_own_subject(ctx, record.subject_id, READ_OWN)


def read_record_status(ctx: Context, record_id: int, as_of: date | None = None) -> RecordStatus:
    """The publicity status of record ``record_id`` on ``as_of`` (default today) with its dates.

    ``PermissionDenied`` unless the reader holds ``records.read`` or the record is its own subject's."""
    if not (allowed(ctx.role, READ) or allowed(ctx.role, READ_OWN)):
        raise PermissionDenied(ctx.role, READ)
    day = check_as_of(ctx, as_of)
    record = fetch_or_404(ctx.session, CreditRecord, record_id, "未找到该信用记录", "record_id")
    _may_read_status(ctx, record)
    return record_status(ctx, record, day)


def repair_possible(item: DataItem | None, code: str, min_end: date | None, as_of: date) -> bool:
    """Whether the subject may apply for credit repair of a record: negative information, 公示中, and past the
    minimum period when it has one (rules.md §4: 最短公示期届满)."""
    return bool(item and item.negative) and code == "published" and (min_end is None or as_of > min_end)


def objection_possible(code: str) -> bool:
    """Whether the subject may object to a record: 公示中 and no objection open (one at a time per record)."""
    return code == "published"


def own_subject_id(ctx: Context, subject_id: int | None) -> int:
    """The subject whose records are read: a subject's own; the credit office must name one."""
    chosen = subject_id if subject_id is not None else ctx.subject_id
    if chosen is None:
        raise InvalidInput("请指定信用主体（subject_id）", field="subject_id")
    if not 1 <= chosen <= MAX_ID:
        raise InvalidInput("信用主体编号无效", field="subject_id")
    require_own_subject(ctx, chosen, READ_OWN)
    return chosen


def own_records(ctx: Context, as_of: date | None = None, *, subject_id: int | None = None) -> OwnRecords:
    """A subject's current records of every data item on ``as_of`` (default today), newest decision first:
    status, public fields, and whether an objection or a credit repair is possible.

    ``lifecycle.read_own``, scoped to the caller's own subject; the credit office names ``subject_id`` (its
    read is audited)."""
    require(ctx, READ_OWN)
    day = check_as_of(ctx, as_of)
    chosen = own_subject_id(ctx, subject_id)
    subject = ctx.session.get(Subject, chosen)
    if subject is None:
        raise NotFound("未找到该信用主体", field="subject_id")
    base = select(CreditRecord.id).where(CreditRecord.subject_id == chosen, current_version())
    total = ctx.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = ctx.session.execute(
        select(CreditRecord, Department.name, status_expr(day).label("status"))
        .join(Department, Department.id == CreditRecord.department_id)
        .where(CreditRecord.subject_id == chosen, current_version())
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
        .limit(OWN_MAX)
    ).all()
    if ctx.role != "subject":
        audit.record_read(ctx, "credit_record", "*", {"own_records_of": chosen, "as_of": day.isoformat()})
    items: list[OwnRecord] = []
    for record, department_name, code in rows:
        item = _item_or_none(record.item_id)
        fields = record_fields(item, record, PUBLIC_LEVELS, unmask_personal=True) if item else []
        status = _status_fields(record, code, day)
        items.append(
            OwnRecord(
                id=record.id,
                item_id=record.item_id,
                item_name=item.name if item else record.item_id,
                department_id=record.department_id,
                department_name=department_name,
                doc_no=record.doc_no,
                category=record.category,
                decided_on=record.decided_on,
                **status,
                negative=bool(item and item.negative),
                can_object=objection_possible(code),
                can_repair=repair_possible(item, code, record.publicity_min_end, day),
                fields=fields,
            )
        )
    return OwnRecords(subject_id=chosen, subject_name=subject.name, as_of=day, total=total, items=items)


def _regime_name(regime_id: str | None) -> str | None:
    if regime_id is None:
        return None
    try:
        return publicity_rules().regime(regime_id).name
    except KeyError:  # a regime of an older rulebook version
        return regime_id


def _may_revoke(ctx: Context, record: CreditRecord) -> bool:
    try:
        require_department(ctx, record.department_id, REVOKE)
    except PermissionDenied:
        return False
    return True


def record_lifecycle(ctx: Context, record_id: int, as_of: date | None = None) -> RecordLifecycle:
    """One record's publicity timeline for staff (``records.read``): regime, severity, minimum and maximum ends,
    the later regime's end, its status on ``as_of`` (default today), every effect on its key, and whether the
    reader may register a revocation. A natural person's name is shown in clear and the read audited."""
    require(ctx, READ)
    day = check_as_of(ctx, as_of)
    record = fetch_or_404(ctx.session, CreditRecord, record_id, "未找到该信用记录", "record_id")
    if record.subject_kind == NATURAL_PERSON:
        audit.record_read(ctx, "credit_record", record.id, {"view": "lifecycle", "item": record.item_id})
    item = _item_or_none(record.item_id)
    department = ctx.session.get(Department, record.department_id)
    newer = ctx.session.scalar(select(func.min(CreditRecord.id)).where(CreditRecord.supersedes_id == record.id))
    return RecordLifecycle(
        id=record.id,
        item_id=record.item_id,
        item_name=item.name if item else record.item_id,
        department_id=record.department_id,
        department_name=department.name if department else "",
        subject_id=record.subject_id,
        subject_name=display_name(record, unmask_personal=True),
        doc_no=record.doc_no,
        category=record.category,
        decided_on=record.decided_on,
        current=newer is None,
        regime=record.regime,
        regime_name=_regime_name(record.regime),
        severity=record.severity,
        severity_label=SEVERITY_LABELS.get(record.severity) if record.severity else None,
        publishable=record.publishable,
        min_end=record.publicity_min_end,
        publicity_end=record.publicity_end,
        later_end=record.publicity_later_end,
        later_from=record.publicity_later_from,
        status=record_status(ctx, record, day),
        effects=[
            EffectRow(
                id=e.id,
                kind=e.kind,
                kind_label=EFFECT_LABELS.get(e.kind, e.kind),
                starts_on=e.starts_on,
                ends_on=e.ends_on,
                source_type=e.source_type,
                source_id=e.source_id,
                reason=e.reason,
                record_id=e.record_id,
                created_by=e.created_by,
                created_at=e.created_at,
            )
            for e in effects_of(ctx, record)
        ],
        can_revoke=_may_revoke(ctx, record),
    )


def own_record_actions(ctx: Context, record_id: int, as_of: date) -> tuple[bool, bool] | None:
    """(objection possible, repair possible) on ``as_of`` when ``ctx`` is the subject that owns record
    ``record_id`` (for the links on the public record page); None for everyone else."""
    if ctx.role != "subject" or ctx.subject_id is None or not allowed(ctx.role, READ_OWN):
        return None
    record = fetch(ctx.session, CreditRecord, record_id)
    if record is None or record.subject_id != ctx.subject_id:
        return None
    code = record_status(ctx, record, as_of).code
    return objection_possible(code), repair_possible(
        _item_or_none(record.item_id), code, record.publicity_min_end, as_of
    )
