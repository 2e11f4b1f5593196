"""Authorisation-matrix entries of web/api/integrity.py (公务员诚信档案与录用调任核查, issue #11 item 1), and the
setup helpers the integrity tests share (everything made through the services as the console operator).

Files hold personal data: only the credit office and the officers of the integrity departments (rules/integrity
.yaml: 区委组织部 ``zzb``, 区人社局 ``rsj``) read, record and check. The matrix's department columns are
市场监管局 (``scjgj``) and 司法局 (``sfj``), neither an integrity department, and the department token is scoped to
``subjects.read``: every department column is denied, so every operation is ``OFFICE`` only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from matrix_common import OFFICE, TODAY, Spec
from principals import Seed
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import ric
from xinyong.auth.context import Context
from xinyong.government import integrity
from xinyong.government.integrity_schemas import CheckIn, EntryIn, FileIn
from xinyong.government.models import IntegrityCheck, IntegrityEntry, IntegrityFile
from xinyong.subjects.models import Department

CIVIL_SERVANT = "李廉政"
CIVIL_SERVANT_RIC = ric("19880214", "031")
INTEGRITY_DEPARTMENTS = {
    "zzb": ("中共广州市番禺区委员会组织部", "11440113MB0000021X"),
    "rsj": ("广州市番禺区人力资源和社会保障局", "11440113MB0000003X"),
}


# --------------------------------------------------------------------------------------------- setup helpers
def operator(session: Session) -> Context:
    """The console operator (every permission)."""
    return Context(session=session, actor="test:operator", role="system")


def integrity_department(session: Session, code: str = "zzb") -> Department:
    """The department ``code`` (added once), flushed."""
    found = session.scalar(select(Department).where(Department.code == code))
    if found is not None:
        return found
    name, uscc = INTEGRITY_DEPARTMENTS[code]
    row = Department(code=code, name=name, uscc=uscc)
    session.add(row)
    session.flush()
    return row


def officer(session: Session, department: Department) -> Context:
    """An officer of ``department``."""
    return Context(
        session=session, actor=f"test:{department.code}", role="department_officer", department_id=department.id
    )


def civil_servant_file(session: Session, name: str = CIVIL_SERVANT, number: str = CIVIL_SERVANT_RIC) -> IntegrityFile:
    """The file of ``name`` (opened once)."""
    ctx = operator(session)
    found = integrity.person(ctx, name, number, register=False)
    if found is not None:
        existing = session.scalar(select(IntegrityFile).where(IntegrityFile.subject_id == found.id))
        if existing is not None:
            return existing
    return integrity.open_file(ctx, FileIn(name=name, ric=number, position="科员"))


def record_entry(session: Session, file_id: int, category: str = "commendation") -> IntegrityEntry:
    """A record of ``category`` dated 2026-03-01."""
    data = EntryIn(kind="record", category=category, title="测试记录", occurred_on=date(2026, 3, 1))
    return integrity.add_entry(operator(session), file_id, data)


def training_entry(session: Session, file_id: int, hours: str = "2", on: date = date(2026, 6, 1)) -> IntegrityEntry:
    """A 网络大学堂 training of ``hours``."""
    data = EntryIn(
        kind="training", category="online_course", title="诚信教育专题", occurred_on=on, hours=Decimal(hours)
    )
    return integrity.add_entry(operator(session), file_id, data)


def a_check(session: Session) -> IntegrityCheck:
    """A recruitment check of the civil servant (file opened first)."""
    civil_servant_file(session)
    data = CheckIn(name=CIVIL_SERVANT, ric=CIVIL_SERVANT_RIC, purpose="recruitment", reason="2026年度公务员录用考察")
    return integrity.run_check(operator(session), data)


# --------------------------------------------------------------------------------------------- path and body makers
def _session(seed: Seed) -> Session:
    assert seed.session is not None
    return seed.session


def file_id(seed: Seed) -> int:
    """The civil servant's file."""
    return civil_servant_file(_session(seed)).id


def entry_id(seed: Seed) -> int:
    """A record of the civil servant's file."""
    session = _session(seed)
    return record_entry(session, civil_servant_file(session).id).id


def check_id(seed: Seed) -> int:
    """A stored check."""
    return a_check(_session(seed)).id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/integrity/files"): Spec(OFFICE, params={"q": "李"}),
    ("POST", "/api/v1/integrity/files"): Spec(
        OFFICE, body=lambda s: {"name": "赵矩阵", "ric": ric("19900101", "011"), "position": "科员"}
    ),
    ("GET", "/api/v1/integrity/files/{file_id}"): Spec(OFFICE, path={"file_id": file_id}),
    ("POST", "/api/v1/integrity/files/{file_id}/entries"): Spec(
        OFFICE,
        path={"file_id": file_id},
        body=lambda s: {
            "kind": "record",
            "category": "commendation",
            "title": "年度嘉奖",
            "occurred_on": TODAY.isoformat(),
        },
    ),
    ("POST", "/api/v1/integrity/entries/{entry_id}/withdraw"): Spec(
        OFFICE, path={"entry_id": entry_id}, body=lambda s: {"reason": "录入错误，撤回"}
    ),
    ("GET", "/api/v1/integrity/checks"): Spec(OFFICE),
    ("POST", "/api/v1/integrity/checks"): Spec(
        OFFICE,
        body=lambda s: {
            "name": "钱矩阵",
            "ric": ric("19920303", "021"),
            "purpose": "transfer",
            "reason": "2026年度公务员调任考察",
        },
    ),
    ("GET", "/api/v1/integrity/checks/{check_id}"): Spec(OFFICE, path={"check_id": check_id}),
    ("GET", "/api/v1/integrity/checks/{check_id}/sheet.xlsx"): Spec(OFFICE, path={"check_id": check_id}),
}
