"""Setup data for credit records: a batch and stored record versions, written directly (setup only).

The intake pipeline itself is tested through ``xinyong.intake.service``; these factories let the
publication and quality tests arrange records without going through a file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.intake.models import IntakeBatch, IntakeRejectedRow
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department, Subject

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def make_batch(
    db: Session,
    department: Department,
    *,
    item_id: str = "penalty",
    submitted_on: date = date(2026, 11, 20),
    status: str = "loaded",
    channel: str = "cli",
) -> IntakeBatch:
    """An intake batch of ``department`` (counts left at zero), flushed."""
    batch = IntakeBatch(
        item_id=item_id,
        item_version=1,
        department_id=department.id,
        channel=channel,
        filename="test.csv",
        file_sha256="",
        partial=False,
        status=status,
        headers=[],
        submitted_on=submitted_on,
        created_by="test",
        created_at=AT,
    )
    db.add(batch)
    db.flush()
    return batch


def make_record(
    db: Session,
    batch: IntakeBatch,
    *,
    doc_no: str,
    decided_on: date,
    subject: Subject | None = None,
    subject_name: str = "广州禾丰贸易有限公司",
    subject_kind: str = "legal_person",
    subject_uscc: str | None = None,
    category: str | None = "罚款",
    publicity_end: date | None = None,
    data: dict[str, Any] | None = None,
    supersedes: CreditRecord | None = None,
    row_no: int = 1,
) -> CreditRecord:
    """One stored record version in ``batch``; ``data`` defaults to a few public fields."""
    values = {"subject_name": subject_name, "doc_no": doc_no, "decided_on": decided_on.isoformat()}
    values.update(data or {})
    record = CreditRecord(
        item_id=batch.item_id,
        item_version=batch.item_version,
        department_id=batch.department_id,
        subject_id=subject.id if subject else None,
        batch_id=batch.id,
        row_no=row_no,
        doc_no=doc_no,
        version=(supersedes.version + 1) if supersedes else 1,
        supersedes_id=supersedes.id if supersedes else None,
        subject_name=subject.name if subject else subject_name,
        subject_kind=subject.kind if subject else subject_kind,
        subject_uscc=subject.uscc if subject else subject_uscc,
        category=category,
        decided_on=decided_on,
        publicity_end=publicity_end,
        data=values,
        content_hash=hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest(),
        reported_on=batch.submitted_on,
        loaded_at=AT,
    )
    db.add(record)
    db.flush()
    return record


def make_rejected_row(
    db: Session, batch: IntakeBatch, *, row_no: int, doc_no: str | None, values: dict[str, str] | None = None
) -> IntakeRejectedRow:
    """A row ``batch`` rejected, flushed."""
    row = IntakeRejectedRow(
        batch_id=batch.id,
        row_no=row_no,
        item_id=batch.item_id,
        department_id=batch.department_id,
        doc_no=doc_no,
        valid=False,
        values=values or {},
        submitted_on=batch.submitted_on,
    )
    db.add(row)
    db.flush()
    return row
