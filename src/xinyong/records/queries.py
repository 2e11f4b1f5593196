"""Staff reads of credit records (``records.read``): lists with or without superseded versions, and one
record with the fields its reader's sharing levels allow (``xinyong.records.visibility``) and its history.

Every read is audited (``read.credit_record``): staff see natural persons' names in clear and, on a record,
有条件共享 fields at least.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.items import DataItem, UnknownItem, load_catalog
from xinyong.db.base import MAX_ID, fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.records.models import CreditRecord
from xinyong.records.publication import DEFAULT_LIMIT, check_page, current_version
from xinyong.records.schemas import RecordVersion, StaffPage, StaffRecord, StaffRecordRow
from xinyong.records.visibility import READ, display_name, ordered, read_fields
from xinyong.subjects.models import Department

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
        stmt.order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc()).offset(offset).limit(limit)
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
        items=[_row(record, newer, department) for record, newer, department in rows],
    )


def _row(record: CreditRecord, superseded_by_id: int | None, department_name: str) -> StaffRecordRow:
    return StaffRecordRow(**_version_fields(record, superseded_by_id, department_name), category=record.category)


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
    record = fetch(ctx.session, CreditRecord, record_id)
    if record is None:
        raise NotFound("未找到该信用记录", field="record_id")
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
    return StaffRecord(
        **_version_fields(record, superseded_by, department.name if department else ""),
        item_name=item.name if item else record.item_id,
        levels=ordered(levels),  # type: ignore[arg-type]
        identifiers_revealed=reveal_identifiers and item is not None,
        fields=fields,
        versions=versions,
    )
