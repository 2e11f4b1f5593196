"""Setup data for the credit-repair tests: penalty records with their publicity columns set (intake computes
them in production), contexts of the parties, and small valid material files.

Setup only: the repair rules are tested through ``xinyong.records.repairs``.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department, Subject

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OBLIGATIONS = "已于 2026 年 3 月 1 日缴清罚款人民币伍仟元，并完成整改。"
SIGNER = "陈国强"
COMMITMENT = "本单位郑重承诺：已纠正失信行为、履行法定义务，所提交材料真实有效，如有虚假愿承担法律责任。"
_DOC = itertools.count(1)


def proof(name: str = "履行完毕证明.pdf") -> tuple[str, bytes]:
    """A valid PDF material."""
    return name, PDF


def penalty_record(
    db: Session,
    department: Department,
    subject: Subject | None,
    *,
    decided_on: date = date(2025, 6, 2),
    min_end: date | None = date(2025, 9, 2),
    end: date | None = date(2028, 6, 2),
    severity: str = "general",
    regime: str = "order58",
    item_id: str = "penalty",
    doc_no: str | None = None,
) -> CreditRecord:
    """A penalty of ``subject`` decided by ``department``, publicity columns set explicitly, flushed."""
    batch = make_batch(db, department, item_id=item_id)
    record = make_record(
        db,
        batch,
        doc_no=doc_no or f"番罚〔2025〕{next(_DOC)}号",
        decided_on=decided_on,
        subject=subject,
        publicity_end=end,
    )
    record.severity = severity
    record.regime = regime
    record.publicity_min_end = min_end
    db.flush()
    return record


def subject_ctx(db: Session, subject: Subject, at: datetime | None = None, account_id: int | None = None) -> Context:
    """The subject's own self-service account."""
    extra = {"at": at} if at else {}
    return Context(
        session=db, actor=f"subject:{subject.id}", role="subject", subject_id=subject.id, account_id=account_id, **extra
    )


def officer_ctx(db: Session, department: Department, at: datetime | None = None) -> Context:
    """A department officer of ``department``."""
    extra = {"at": at} if at else {}
    return Context(
        session=db, actor=f"officer:{department.code}", role="department_officer", department_id=department.id, **extra
    )


def office_ctx(db: Session, at: datetime | None = None) -> Context:
    """Credit office staff."""
    extra = {"at": at} if at else {}
    return Context(session=db, actor="office:staff", role="credit_office_staff", **extra)


def beijing(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in China on ``day`` (as an aware UTC datetime)."""
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)
