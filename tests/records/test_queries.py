"""Staff reads of credit records: permission, current versions and history with their links, filters, the
fields each staff role gets, revealed identifiers for the credit office only, and the audit events."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput, NotFound
from xinyong.records.models import CreditRecord
from xinyong.records.queries import staff_record, staff_records
from xinyong.subjects.models import Department

RIC = "11010519491231002X"


def as_(db: Session, role: str, **scope: object) -> Context:
    return Context(session=db, actor=f"test:{role}", role=role, **scope)  # type: ignore[arg-type]


def reads(db: Session) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "read.credit_record").order_by(AuditEvent.id)))


def person_penalty(db: Session, dept: Department, **kw: object) -> CreditRecord:
    record = make_record(
        db,
        make_batch(db, dept),
        doc_no="番司罚〔2026〕1号",
        decided_on=date(2026, 11, 1),
        subject_name="王禾丰",
        subject_kind="natural_person",
        data={"remarks": "已缴清罚款", "id_type": "身份证"},
        **kw,  # type: ignore[arg-type]
    )
    record.id_cipher = pii.encrypt(RIC)
    record.id_masked = pii.mask_id(RIC)
    db.flush()
    return record


def test_only_staff_may_read(db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    record = person_penalty(db, dept)
    for ctx in (as_(db, "public"), as_(db, "bank", institution="某银行"), as_(db, "subject", subject_id=1)):
        with pytest.raises(PermissionDenied):
            staff_records(ctx)
        with pytest.raises(PermissionDenied):
            staff_record(ctx, record.id)
    narrow = as_(db, "department_officer", department_id=dept.id, scopes=frozenset({"subjects.read"}))
    with pytest.raises(PermissionDenied):
        staff_records(narrow)
    assert reads(db) == []


def test_history_and_version_links(db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    staff = as_(db, "regulator")
    v1 = make_record(db, make_batch(db, dept), doc_no="罚〔2026〕1号", decided_on=date(2026, 10, 1))
    v2 = make_record(db, make_batch(db, dept), doc_no="罚〔2026〕1号", decided_on=date(2026, 10, 1), supersedes=v1)
    other = make_record(db, make_batch(db, dept), doc_no="罚〔2026〕2号", decided_on=date(2026, 11, 1))
    current = staff_records(staff)
    assert [r.id for r in current.items] == [other.id, v2.id] and current.total == 2
    history = staff_records(staff, include_history=True)
    rows = {r.id: r for r in history.items}
    assert set(rows) == {v1.id, v2.id, other.id}
    assert rows[v1.id].superseded_by_id == v2.id and not rows[v1.id].current
    assert rows[v2.id].supersedes_id == v1.id and rows[v2.id].current and rows[v2.id].version == 2
    old = staff_record(staff, v1.id)  # a superseded version stays readable for staff
    assert not old.current and old.superseded_by_id == v2.id
    assert [(v.id, v.version, v.current) for v in old.versions] == [(v1.id, 1, False), (v2.id, 2, True)]
    assert staff_record(staff, v2.id).supersedes_id == v1.id


def test_filters(db: Session, ctx: Context, departments: tuple[Department, Department]) -> None:
    dept, other_dept = departments
    firm = company(ctx, "广州禾丰贸易有限公司", 1)
    staff = as_(db, "credit_office_staff")
    mine = make_record(db, make_batch(db, dept), doc_no="罚1", decided_on=date(2026, 11, 1), subject=firm)
    theirs = make_record(db, make_batch(db, other_dept), doc_no="罚2", decided_on=date(2026, 11, 2))
    lic = make_record(db, make_batch(db, dept, item_id="licence"), doc_no="许1", decided_on=date(2026, 11, 3))
    assert [r.id for r in staff_records(staff, subject_id=firm.id).items] == [mine.id]
    assert [r.id for r in staff_records(staff, department_id=other_dept.id).items] == [theirs.id]
    assert [r.id for r in staff_records(staff, item_id="licence").items] == [lic.id]
    assert staff_records(staff, item_id="penalty", department_id=dept.id).total == 1
    row = staff_records(staff, subject_id=firm.id).items[0]
    assert row.department_name == dept.name and row.uscc == firm.uscc
    with pytest.raises(InvalidInput):
        staff_records(staff, item_id="no_such_item")
    with pytest.raises(InvalidInput):
        staff_records(staff, limit=101)
    with pytest.raises(NotFound):
        staff_record(staff, 2**70)


def test_fields_by_role(db: Session, departments: tuple[Department, Department]) -> None:
    dept, other_dept = departments
    record = person_penalty(db, dept)
    for ctx, levels in [
        (as_(db, "regulator"), ["public", "conditional"]),
        (as_(db, "department_officer", department_id=other_dept.id), ["public", "conditional"]),
        (as_(db, "department_officer", department_id=dept.id), ["public", "conditional", "restricted"]),
        (as_(db, "credit_office_staff"), ["public", "conditional", "restricted"]),
    ]:
        view = staff_record(ctx, record.id)
        values = {f.key: f.value for f in view.fields}
        assert view.levels == levels, ctx.role
        assert values["remarks"] == "已缴清罚款"  # 有条件共享: every staff reader
        assert values["id_number"] == "1101**********002X" and not view.identifiers_revealed
        assert view.subject_name == "王禾丰" and values["subject_name"] == "王禾丰"  # staff see the name
        assert RIC not in view.model_dump_json()


def test_list_shows_natural_person_names_to_staff(db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    person_penalty(db, dept)
    [row] = staff_records(as_(db, "regulator")).items
    assert row.subject_name == "王禾丰" and row.subject_kind == "natural_person"


def test_revealing_the_id_number(db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    record = person_penalty(db, dept)
    for ctx in (as_(db, "regulator"), as_(db, "department_officer", department_id=dept.id)):
        with pytest.raises(PermissionDenied):
            staff_record(ctx, record.id, reveal_identifiers=True)
    view = staff_record(as_(db, "credit_office_staff"), record.id, reveal_identifiers=True)
    assert {f.key: f.value for f in view.fields}["id_number"] == RIC and view.identifiers_revealed
    [event] = reads(db)
    assert event.detail["identifiers_revealed"] is True and RIC not in str(event.detail)


def test_every_staff_read_is_audited(db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    record = person_penalty(db, dept)
    staff_records(as_(db, "regulator"), item_id="penalty", include_history=True)
    staff_record(as_(db, "department_officer", department_id=dept.id), record.id)
    listing, detail = reads(db)
    assert listing.actor == "test:regulator" and listing.target_id == "*"
    assert listing.detail["filters"] == {"item_id": "penalty", "include_history": True}
    assert listing.detail["total"] == 1
    assert detail.actor == "test:department_officer" and detail.target_id == str(record.id)
    assert detail.detail["levels"] == ["public", "conditional", "restricted"]
    assert set(detail.detail["fields"]) == {"id_number", "remarks"}
