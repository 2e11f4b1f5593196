"""Setup data for lists (issue #7): the departments the list types name, and entries written directly (setup
only: the listing procedure itself is tested through ``lists.entries``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.lists.models import ListEntry
from xinyong.lists.types import list_catalogue
from xinyong.subjects.models import Department, Subject

LIST_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "rsj": ("广州市番禺区人力资源和社会保障局", "11440113MB0000003X"),
    "czj": ("广州市番禺区财政局", "11440113MB0000004X"),
    "fgj": ("广州市番禺区发展和改革局", "11440113MB0000005X"),
    "zjj": ("广州市番禺区住房和城乡建设局", "11440113MB0000006X"),
}


def department(db: Session, code: str) -> Department:
    """The department ``code`` (one of ``LIST_DEPARTMENTS`` or already present), added if missing, flushed."""
    found = db.scalar(select(Department).where(Department.code == code))
    if found is not None:
        return found
    name, uscc = LIST_DEPARTMENTS[code]
    row = Department(code=code, name=name, uscc=uscc)
    db.add(row)
    db.flush()
    return row


def published_entry(
    db: Session,
    subject: Subject,
    list_code: str = "wage_arrears",
    *,
    published_on: date = date(2026, 3, 2),
    expires_on: date | None = None,
    parent: ListEntry | None = None,
) -> ListEntry:
    """An entry in force from ``published_on`` (decided the same day), of the list type's department."""
    kind = list_catalogue().get(list_code)
    dept = department(db, kind.department) if kind.department in LIST_DEPARTMENTS else None
    if dept is None:
        dept = db.scalar(select(Department).where(Department.code == kind.department))
    assert dept is not None, f"department {kind.department} missing: add it in the test set-up"
    entry = ListEntry(
        list_code=list_code,
        list_version=kind.version,
        kind=kind.kind,
        subject_id=subject.id,
        parent_id=parent.id if parent else None,
        role="responsible_person" if parent else "subject",
        department_id=dept.id,
        status="published",
        reasons="测试列入事由",
        basis=kind.legal_basis[0].document,
        decision_on=published_on if kind.kind == "dishonesty" else None,
        published_on=published_on,
        expires_on=expires_on,
        source_authority=kind.source_authority,
        created_by="test:setup",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    db.add(entry)
    db.flush()
    return entry
